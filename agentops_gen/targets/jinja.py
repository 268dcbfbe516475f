"""The Jinja environment every target uses: StrictUndefined, no autoescape, quoting filters.

Autoescape is off because the outputs are YAML, JSON and Markdown, not HTML; instead every user
string reaches the output through `yq` (YAML), `yblock` (YAML literal block) or `tojson`.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache

from agentops_gen import __version__
from agentops_gen.cache import cache_base
from agentops_gen.targets.markdown import MARKDOWN_FILTERS
from agentops_gen.targets.precompiled import PrecompiledLoader, manifest_for, settings_key, write_modules


def templates_dir() -> Path:
    """Built-in templates: inside the installed package (wheel), else the source checkout's templates/."""
    packaged = Path(__file__).resolve().parent.parent / "templates"
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parent.parent.parent / "templates"
    if source.is_dir():
        return source
    raise RuntimeError("agentops-gen templates not found (broken installation)")


_json_string = json.encoder.encode_basestring


def yaml_quote(value: Any) -> str:
    """A YAML scalar that parses back to exactly `value` (JSON strings are valid YAML)."""
    if isinstance(value, str):
        return _json_string(value)  # what json.dumps(value, ensure_ascii=False) returns, without its encoder setup
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return json.dumps(value)
    return _json_string(str(value))


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


def comment_text(value: Any) -> str:
    """Text for a `#` comment (YAML) or `<!-- -->` (Markdown): one line, every invisible or line-breaking
    character shown as its escape, so a file name like `a\ninhibit_rules:` cannot end the comment."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(value))


_OPTIONS: dict[str, Any] = {
    "undefined": jinja2.StrictUndefined,
    "autoescape": False,
    "keep_trailing_newline": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
}
"""Environment settings; they shape the compiled code, so they are part of the cache's name."""


def cache_dir() -> Path | None:
    """The compiled-template cache under agentops_gen.cache.cache_base(); None if caching is off."""
    base = cache_base()
    if base is None:
        return None
    fingerprint = f"{__version__}|{jinja2.__version__}|{sorted((k, repr(v)) for k, v in _OPTIONS.items())}"
    return base / f"jinja-{hashlib.sha256(fingerprint.encode()).hexdigest()[:16]}"


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja's bytecode cache that can never break a render: any cache trouble is a cache miss.

    It keeps the templates the shipped compiled modules do not cover (another Jinja version than the
    one they were compiled with, an edited template; targets/precompiled.py). Like Python's own
    __pycache__, the compiled code is reused while the template source (checksummed by Jinja) and our
    settings are unchanged. It honours PYTHONDONTWRITEBYTECODE (reads, never writes).
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Fill the bucket from the cache file, or leave it empty."""
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a truncated or foreign file is a miss, never an error
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Write the compiled template, unless writing bytecode is off or the directory is unusable."""
        if sys.dont_write_bytecode:
            return
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _is_template(name: str) -> bool:
    """Jinja templates; agentops.tmpl is Alertmanager's own template language, read as text."""
    return name.endswith(".j2")


def _with_filters(env: jinja2.Environment) -> jinja2.Environment:
    env.filters["yq"] = yaml_quote
    env.filters["yblock"] = yaml_block
    env.filters["ysq"] = yaml_single
    env.filters["comment"] = comment_text
    env.filters.update(MARKDOWN_FILTERS)
    env.filters["tojson"] = lambda v, indent=None: json.dumps(v, ensure_ascii=False, indent=indent, sort_keys=False)
    return env


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared environment: built-in templates from their shipped compiled modules, else compiled and cached."""
    directory = cache_dir()
    loader = PrecompiledLoader(str(templates_dir()), manifest_for(settings_key(_OPTIONS)))
    return _with_filters(jinja2.Environment(
        loader=loader,
        bytecode_cache=TemplateCache(str(directory)) if directory is not None else None,
        **_OPTIONS,
    ))


def write_compiled(directory: Path) -> list[str]:
    """Compile the built-in templates into `directory` as the modules agentops_gen ships."""
    env = _with_filters(jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), **_OPTIONS))
    return write_modules(env, directory, settings_key(_OPTIONS), _is_template)


def render_template(name: str, **context: Any) -> str:
    """Render one built-in template."""
    return environment().get_template(name).render(**context)
