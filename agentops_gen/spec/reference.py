"""docs/spec.md's key tables, generated from the spec models: every key with its type, default and meaning.

The meaning is the field's description (its docstring in agentops_gen/spec/), so the JSON Schema an editor
shows on hover and the reference page say the same thing. `python -m agentops_gen.spec.reference` rewrites
the block between the markers; `--check` exits 1 when it is stale.
"""

from __future__ import annotations

import json
import re
import sys
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from agentops_gen.spec.json_schema import spec_json_schema
from agentops_gen.spec.service import PlatformSpec, ServiceSpec

SPEC_DOC = Path("docs/spec.md")
BEGIN = "<!-- BEGIN generated: python -m agentops_gen.spec.reference -->"
END = "<!-- END generated -->"
ROOTS: tuple[tuple[str, type[BaseModel]], ...] = (("", ServiceSpec), ("", PlatformSpec))
MAX_PATHS = 4
"""Places listed under a model's heading; shared models (TLS, HTTP settings) appear under many keys."""
_WORDS = {"_duration": "duration", "_threshold": "duration or seconds", "_url": "URL", "_am_url": "URL",
          "_name": "name", "_alert_name": "AlertName", "_alert_base": "AlertName", "_template": "template",
          "_host_port": "host:port", "_labels": "map of label name to string",
          "_annotation_keys": "map of annotation name to template", "_query": "PromQL",
          "_selector": "PromQL selector", "_raw_window": "PromQL with `{{ window }}`", "_names": "receiver name"}
"""Validators that say more than the JSON type `string` (a Prometheus duration, a kebab-case name...)."""


def key(name: str, field: FieldInfo) -> str:
    """The key as written in a spec (`for`, not `for_`)."""
    return field.alias or name


def models() -> dict[type[BaseModel], list[str]]:
    """Every spec model reachable from the two documents, in reading order, with the key paths it appears at."""
    found: dict[type[BaseModel], list[str]] = {}

    def visit(model: type[BaseModel], path: str) -> None:
        first = model not in found
        found.setdefault(model, [])
        if path and path not in found[model]:  # `receivers.<name>` is in both documents
            found[model].append(path)
        if not first:
            return
        for name, field in model.model_fields.items():
            for child, suffix in _nested(field.annotation):
                visit(child, f"{path}.{key(name, field)}{suffix}".lstrip("."))

    for _, root in ROOTS:
        visit(root, "")
    return found


def _nested(annotation: Any) -> list[tuple[type[BaseModel], str]]:
    """Models inside an annotation, with the path suffix to reach them (`[]` for a list, `.<name>` for a map)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, "")]
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _nested(args[0])
    if origin is list:
        return [(m, f"[]{s}") for m, s in _nested(args[0])]
    if origin is dict:
        return [(m, f".<name>{s}") for m, s in _nested(args[1])]
    return [pair for arg in args for pair in _nested(arg)]


def field_rows(model: type[BaseModel], schema: dict[str, Any] | None = None) -> list[tuple[str, str, str, str]]:
    """(key, type, default, meaning) of each field of a model (of `schema`, the spec's JSON Schema)."""
    props = (schema or spec_json_schema())["$defs"][model.__name__]["properties"]
    rows = []
    for name, field in model.model_fields.items():
        k = key(name, field)
        meaning = " ".join((field.description or "").split())
        rows.append((k, _type(props[k], field), _default(field), meaning))
    return rows


def _type(prop: dict[str, Any], field: FieldInfo | None = None) -> str:
    found = repr(field.annotation) + repr(field.metadata) if field is not None else ""
    words = [w for f, w in _WORDS.items() if re.search(rf"function {f} ", found)]
    if words and words[-1].startswith("map of"):
        return words[-1]
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in prop or "oneOf" in prop:
        parts = [_type(p) for p in prop.get("anyOf", prop.get("oneOf", [])) if p.get("type") != "null"]
        text = " or ".join(dict.fromkeys(parts))
    elif "enum" in prop:
        text = " \\| ".join(f"`{v}`" for v in prop["enum"])
    elif "const" in prop:
        text = f"`{prop['const']}`"
    elif prop.get("type") == "array":
        text = f"list of {_type(prop.get('items', {}))}"
    elif prop.get("type") == "object":
        extra = prop.get("additionalProperties")
        text = f"map of {_type(extra) if isinstance(extra, dict) else 'any'}"
    else:
        text = str(prop.get("type", "any"))
    if words and text in ("string", "string or number"):
        return words[-1]
    return text


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    value = field.default_factory() if field.default_factory is not None else field.default  # type: ignore[call-arg]
    if value is PydanticUndefined or value is None:
        return "unset"
    if isinstance(value, BaseModel):
        return "see its table" if value.model_dump(exclude_defaults=True) == {} else \
            f"`{json.dumps(value.model_dump(by_alias=True, mode='json'))}`"
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return f"`{json.dumps([v.model_dump(by_alias=True, mode='json') for v in value])}`"
    return f"`{json.dumps(value)}`"


def block() -> str:
    """The generated part of docs/spec.md, markers included."""
    out = [BEGIN, ""]
    schema = spec_json_schema()
    for model, paths in models().items():
        where = ", ".join(f"`{p}`" for p in paths[:MAX_PATHS])
        more = f" and {len(paths) - MAX_PATHS} more" if len(paths) > MAX_PATHS else ""
        doc = " ".join((model.__doc__ or "").split())
        out += [f'<a id="{model.__name__.lower()}"></a>', f"### {model.__name__}", ""]
        out += [f"{doc}" + (f" At {where}{more}." if where else " A whole spec file."), ""]
        out += ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
        out += [f"| `{k}` | {t} | {d} | {m.replace('|', chr(92) + '|')} |" for k, t, d, m in field_rows(model, schema)]
        out.append("")
    out.append(END)
    return "\n".join(out)


def update(text: str) -> str:
    """docs/spec.md text with the generated block replaced (the markers must be there)."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{SPEC_DOC} has no {BEGIN} ... {END} block")
    return text[:start] + block() + text[end + len(END):]


def main(argv: list[str]) -> int:
    """Rewrite docs/spec.md's key tables (with --check: exit 1 if they are stale)."""
    root = Path(argv[argv.index("--root") + 1]) if "--root" in argv else Path.cwd()
    path = root / SPEC_DOC
    text = path.read_text(encoding="utf-8")
    wanted = update(text)
    if "--check" in argv:
        if wanted != text:
            print(f"out of date: {path}: run python -m agentops_gen.spec.reference", file=sys.stderr)
            return 1
        return 0
    if wanted != text:
        path.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
