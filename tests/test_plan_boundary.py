"""Nothing after the plan stage can read a spec model: the Plan holds plain data only (docs/architecture.md).

tests/test_layering.py proves targets/ and check/ import nothing from spec/ or load/; these tests prove the
other way in is closed too: no field of the Plan (or of the Alertmanager plan targets render) is declared as,
or at run time holds, a pydantic model or any object of agentops_gen.spec / agentops_gen.load.
"""

from __future__ import annotations

import dataclasses
import shutil
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest
from conftest import FIXTURES, SPECS

from agentops_gen.pipeline import plan_paths
from agentops_gen.plan import collector, model, platform, routing
from agentops_gen.plan.model import Plan
from agentops_gen.plan.routing import AlertmanagerPlan, plan_alertmanager

ROOTS: tuple[type, ...] = (Plan, AlertmanagerPlan)
"""What targets/ receive: the Plan, and the Alertmanager plan computed from it."""
SPEC_PACKAGES = ("agentops_gen.spec", "agentops_gen.load")


def _is_spec_class(cls: type) -> bool:
    return issubclass(cls, pydantic.BaseModel) or cls.__module__.startswith(SPEC_PACKAGES)


def _hints(cls: type) -> dict[str, Any]:
    # the plan modules import some of their field types only under TYPE_CHECKING
    namespace = {**vars(model), **vars(routing), **vars(platform), **vars(collector)}
    return typing.get_type_hints(cls, globalns=namespace)


def _classes_in(annotation: Any) -> Iterator[type]:
    if isinstance(annotation, type):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _classes_in(arg)


def declared_problems(roots: tuple[type, ...] = ROOTS) -> list[str]:
    """`Class.field: why` for every dataclass field reachable from `roots` that may hold a spec model."""
    problems: list[str] = []
    seen: set[type] = set()
    todo = list(roots)
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for name, annotation in _hints(cls).items():
            where = f"{cls.__name__}.{name}"
            if annotation is Any or annotation is object:
                problems.append(f"{where}: declared {annotation!r}, so it may hold anything (a spec model too)")
            for inner in _classes_in(annotation):
                if _is_spec_class(inner):
                    problems.append(f"{where}: declared with {inner.__module__}.{inner.__qualname__}")
                elif dataclasses.is_dataclass(inner):
                    todo.append(inner)
    return problems


def held_problems(value: object, where: str = "plan") -> Iterator[str]:
    """`path: type` for every object reachable from `value` that belongs to the spec layer."""
    todo: list[tuple[object, str]] = [(value, where)]
    seen: set[int] = set()
    while todo:
        obj, path = todo.pop()
        if id(obj) in seen or isinstance(obj, str | int | float | bool | types.NoneType):
            continue
        seen.add(id(obj))
        if _is_spec_class(type(obj)):
            yield f"{path}: {type(obj).__module__}.{type(obj).__qualname__}"
        elif dataclasses.is_dataclass(obj):
            todo += [(getattr(obj, f.name), f"{path}.{f.name}") for f in dataclasses.fields(obj)]
        elif isinstance(obj, dict):
            todo += [(v, f"{path}[{k!r}]") for k, v in obj.items()] + [(k, f"{path} key") for k in obj]
        elif isinstance(obj, list | tuple | set | frozenset):
            todo += [(v, f"{path}[{i}]") for i, v in enumerate(obj)]


def test_no_plan_field_is_declared_as_a_spec_model_or_any() -> None:
    assert declared_problems() == []


@pytest.fixture(scope="module")
def no_platform_specs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """slo_specs/ without its platform file: every platform setting at its default."""
    folder = tmp_path_factory.mktemp("no-platform") / "specs"
    shutil.copytree(SPECS, folder)
    (folder / "platform.yaml").unlink()
    return folder


@pytest.mark.parametrize("folder", ["slo_specs", "alertmanager-fixture", "no-platform"])
def test_no_plan_holds_a_spec_model(folder: str, no_platform_specs: Path) -> None:
    path = {"slo_specs": SPECS, "alertmanager-fixture": FIXTURES / "alertmanager" / "basic",
            "no-platform": no_platform_specs}[folder]
    _, plan = plan_paths([path])
    assert list(held_problems(plan)) == []
    assert list(held_problems(plan_alertmanager(plan), "alertmanager")) == []


def test_the_platform_plan_carries_the_platform_file() -> None:
    """The values routing reads come from slo_specs/platform.yaml, not from defaults."""
    _, plan = plan_paths([SPECS])
    settings = plan.platform.alertmanager
    assert settings.receiver == "sre-default"
    assert settings.business_hours is not None
    assert settings.business_hours.times == (("09:00", "17:00"),)
    assert [name for name, _ in plan.platform.receivers] == ["sre-default"]
    assert list(plan.platform.receivers[0][1]) == ["email"]


def test_without_a_platform_file_the_spec_defaults_apply(no_platform_specs: Path) -> None:
    from agentops_gen.spec.service import AlertmanagerSettings

    _, plan = plan_paths([no_platform_specs])
    defaults = AlertmanagerSettings()
    settings = plan.platform.alertmanager
    assert (settings.version, settings.resolve_timeout, settings.group_wait, settings.group_interval,
            settings.repeat_interval) == (defaults.version, defaults.resolve_timeout, defaults.group_wait,
                                          defaults.group_interval, defaults.repeat_interval)
    assert settings.group_by == tuple(defaults.group_by)
    assert settings.receiver is None and settings.business_hours is None and plan.platform.receivers == ()


@pytest.mark.parametrize("cls", [
    pytest.param(dataclasses.make_dataclass("Leaky", [("platform", "Any")]), id="Any"),
    pytest.param(dataclasses.make_dataclass("Leaky", [("settings", "AlertmanagerSettings | None")]), id="spec model"),
])
def test_the_declaration_check_sees_a_leak(cls: type, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentops_gen.spec.service import AlertmanagerSettings

    monkeypatch.setitem(vars(model), "AlertmanagerSettings", AlertmanagerSettings)
    monkeypatch.setitem(vars(model), "Any", Any)
    assert declared_problems((cls,))


def test_the_run_time_check_sees_a_leak() -> None:
    from agentops_gen.spec.service import AlertmanagerSettings

    _, plan = plan_paths([FIXTURES / "alertmanager" / "basic"])
    leaky = dataclasses.replace(plan, platform=dataclasses.replace(plan.platform, receivers=(
        ("x", {"email": [AlertmanagerSettings()]}),)))  # type: ignore[dict-item]
    assert list(held_problems(leaky)) == ["plan.platform.receivers[0][1]['email'][0]: "
                                          "agentops_gen.spec.service.AlertmanagerSettings"]
