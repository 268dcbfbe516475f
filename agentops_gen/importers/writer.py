"""Lay a Draft out as a YAML spec file with its `#` notes: deterministic (same Draft, same bytes), every
user string quoted by the same filters the templates use, every note one comment line."""

from __future__ import annotations

import re
from typing import Any

from agentops_gen.importers.draft import Draft, Path_
from agentops_gen.targets.jinja import comment_text, yaml_block, yaml_quote

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
INDENT = 2


def spec_text(draft: Draft, tool: str) -> str:
    """The spec file of a Draft."""
    out = [f"# Imported by `agentops-gen import {tool}` from {comment_text(', '.join(draft.sources))}.",
           "# Lines starting with `# not carried over` name what the spec language could not take, and why."]
    notes: dict[Path_, list[str]] = {}
    for path, texts in draft.notes.items():  # a note on a value that was not written goes to its parent
        notes.setdefault(_written(draft.data, path), []).extend(texts)
    out.extend(f"# {comment_text(note)}" for note in notes.pop((), []))
    body: list[str] = []
    _mapping(draft.data, (), 0, notes, body, set())
    return "\n".join(out + body) + "\n"


def _notes(path: Path_, indent: int, notes: dict[Path_, list[str]], lines: list[str], emitted: set[Path_]) -> None:
    if path in emitted:
        return
    for note in notes.get(path, []):
        lines.append(" " * indent + "# " + comment_text(note))
    emitted.add(path)


def _written(data: Any, path: Path_) -> Path_:
    """The longest prefix of `path` that holds a value in `data`."""
    node = data
    for n, part in enumerate(path):
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return path[:n]
    return path


def _key(key: str) -> str:
    return key if _PLAIN_KEY.match(key) and key.lower() not in _YAML11_WORDS else yaml_quote(key)


def _scalar(value: Any, indent: int) -> str:
    if isinstance(value, str) and "\n" in value:
        return yaml_block(value, indent)
    return yaml_quote(value)


def _mapping(data: dict[str, Any], path: Path_, indent: int, notes: dict[Path_, list[str]], lines: list[str],
             emitted: set[Path_], first_prefix: str | None = None) -> None:
    pad = " " * indent
    for n, (key, value) in enumerate(data.items()):
        here = (*path, key)
        _notes(here, indent, notes, lines, emitted)
        lead = first_prefix if (n == 0 and first_prefix is not None) else pad
        if isinstance(value, dict) and value:
            lines.append(f"{lead}{_key(key)}:")
            _mapping(value, here, indent + INDENT, notes, lines, emitted)
        elif isinstance(value, list) and value:
            lines.append(f"{lead}{_key(key)}:")
            _sequence(value, here, indent + INDENT, notes, lines, emitted)
        elif isinstance(value, (dict, list)):
            lines.append(f"{lead}{_key(key)}: {'{}' if isinstance(value, dict) else '[]'}")
        else:
            lines.append(f"{lead}{_key(key)}: {_scalar(value, indent + INDENT)}")


def _sequence(items: list[Any], path: Path_, indent: int, notes: dict[Path_, list[str]], lines: list[str],
              emitted: set[Path_]) -> None:
    pad = " " * indent
    for i, item in enumerate(items):
        here = (*path, i)
        _notes(here, indent, notes, lines, emitted)
        if isinstance(item, dict) and item:
            first = next(iter(item))
            _notes((*here, first), indent, notes, lines, emitted)
            _mapping(item, here, indent + INDENT, notes, lines, emitted, first_prefix=f"{pad}- ")
        else:
            lines.append(f"{pad}- {_scalar(item, indent + INDENT)}")
