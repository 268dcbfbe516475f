"""The indented JSON writer must give exactly what json.dumps(indent=2, ensure_ascii=False) gives."""

from __future__ import annotations

import enum
import json
from typing import Any

import pytest

from agentops_gen.targets.json_text import dumps_indented


class _Level(enum.IntEnum):
    HIGH = 3


class _Name(enum.StrEnum):
    A = "a\"quoted"


@pytest.mark.parametrize("obj", [
    {},
    [],
    {"a": [], "b": {}, "c": [{}], "d": [[1, [2, []]]]},
    {"text": 'quote " backslash \\ newline \n tab \t {{ x }} ünïcode 🚀 \u2028 \x00'},
    {"ints": [0, -1, 10**20], "floats": [0.1, 1e-05, 1e16, -0.0, 3.0, 1.7976931348623157e308],
     "special": [True, False, None]},
    {"nan": float("nan"), "inf": [float("inf"), float("-inf")]},
    {7: "int key", 2.5: "float key", True: "bool key", None: "none key"},
    ("tuple", ("nested",)),
    # the writer's shortcuts for exact str/int/bool values must not catch subclasses json spells otherwise
    {"on": True, "off": False, "n": 3, "big": [True, 7, "s"], "int_enum": _Level.HIGH, "str_enum": _Name.A,
     "in_list": [_Level.HIGH, _Name.A, 1.5, None]},
    "just a string",
    42,
    # keys written again (their text is kept per indent for one call): first and later in an object, at two
    # depths; 1, True and 1.0 are one dict key each but different JSON keys, so they are never kept
    [{"a": 1, "b": {"a": [{"b": 2, "a": 3}]}}, {"b": 4, "a": {}}, {1: "one"}, {True: "true"}, {1.0: "float"},
     {"1": "text", 1: "int"}],
])
def test_same_text_as_json_dumps(obj: Any) -> None:
    assert dumps_indented(obj) == json.dumps(obj, indent=2, ensure_ascii=False)


def test_unknown_type_is_json_own_type_error() -> None:
    with pytest.raises(TypeError):
        dumps_indented({"x": object()})
    with pytest.raises(TypeError):
        dumps_indented({(1, 2): "tuple key"})


def test_the_example_dashboards_are_unchanged() -> None:
    from pathlib import Path

    from agentops_gen.pipeline import plan_paths
    from agentops_gen.plan.dashboard import dashboard_plan
    from agentops_gen.targets.grafana import dashboard_json

    _, plan = plan_paths([Path(__file__).resolve().parent.parent / "slo_specs"])
    for service in plan.services:
        dash = dashboard_json(dashboard_plan(service))
        assert dumps_indented(dash) == json.dumps(dash, indent=2, ensure_ascii=False)
