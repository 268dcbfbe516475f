"""Checks read raw YAML, so they must survive any shape of it: no traceback on a malformed spec, ever."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from agentops_gen.lint.runner import lint
from tests.conftest import FIXTURES

CLEAN = yaml.safe_load((FIXTURES / "lint" / "clean" / "clean.yaml").read_text(encoding="utf-8"))
REPLACEMENTS: tuple[Any, ...] = (None, "x", 7, [], {"a": 1}, [{"b": None}])


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key/index path of a YAML document."""
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for k, v in data.items():
            out += paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += paths(v, (*prefix, i))
    return out


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = replaced(data[path[0]], path[1:], value)
    return copy


def test_every_node_replaced_by_every_shape_lints_without_crashing(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    runs = 0
    for path in paths(CLEAN):
        for value in REPLACEMENTS:
            spec.write_text(yaml.safe_dump(replaced(CLEAN, path, value)), encoding="utf-8")
            lint([spec], disabled={"output/render", "output/parse", "output/structure", "output/otel",
                                   "output/promtool"})
            runs += 1
    assert runs > 300
