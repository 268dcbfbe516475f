"""The Jinja environment every target uses: StrictUndefined, no autoescape, quoting filters.

Autoescape is off because the outputs are YAML, JSON and Markdown, not HTML; instead every user
string reaches the output through `yq` (YAML), `yblock` (YAML literal block) or `tojson`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from agentops_gen.targets.markdown import MARKDOWN_FILTERS


def templates_dir() -> Path:
    """Built-in templates: inside the installed package (wheel), else the source checkout's templates/."""
    packaged = Path(__file__).resolve().parent.parent / "templates"
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parent.parent.parent / "templates"
    if source.is_dir():
        return source
    raise RuntimeError("agentops-gen templates not found (broken installation)")


def yaml_quote(value: Any) -> str:
    """A YAML scalar that parses back to exactly `value` (JSON strings are valid YAML)."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def yaml_single(value: Any) -> str:
    """A single-quoted YAML scalar: code with double quotes (OTTL) stays readable; one line only."""
    text = str(value)
    if "\n" in text:
        return yaml_quote(text)
    return "'" + text.replace("'", "''") + "'"


def yaml_block(value: str, indent: int) -> str:
    """A multi-line string as a `|-` literal block when that is lossless, else a quoted scalar."""
    text = str(value)
    lines = text.split("\n")
    safe = (
        len(lines) > 1
        and all(line and line == line.rstrip() and "\t" not in line for line in lines)
        and not lines[0].startswith(" ")
    )
    if not safe:
        return yaml_quote(text)
    pad = " " * indent
    return "|-\n" + "\n".join(pad + line for line in lines)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared environment (templates are compiled once per process)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yq"] = yaml_quote
    env.filters["yblock"] = yaml_block
    env.filters["ysq"] = yaml_single
    env.filters.update(MARKDOWN_FILTERS)
    env.filters["tojson"] = lambda v, indent=None: json.dumps(v, ensure_ascii=False, indent=indent, sort_keys=False)
    return env


def render_template(name: str, **context: Any) -> str:
    """Render one built-in template."""
    return environment().get_template(name).render(**context)
