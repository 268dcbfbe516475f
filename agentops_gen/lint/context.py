"""What checks see: the build of the spec folder (raw located data of every spec, plan, render) and options.

Checks read the raw YAML data, not the validated models, so a spec with one schema error still
gets every other finding (a linter that stops at the first typo hides the rest).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentops_gen.lint.findings import Finding
from agentops_gen.pipeline import Build, FieldPath, SpecSource

if TYPE_CHECKING:
    from agentops_gen.plan.model import Plan

__all__ = ["FieldPath", "LintContext", "SpecSource", "finding", "get_in", "items", "number", "seconds",
           "slos_with_budget"]


@dataclass
class LintContext:
    """The build of the spec folder (every spec, its plan and render when valid) and run options."""

    build: Build
    use_promtool: bool = False
    cache: dict[Any, Any] = field(default_factory=dict)
    """Shared between checks (the live Prometheus server's facts); PromQL trees live in build.queries."""
    prometheus: Any = None
    """The live.client.Client of `lint --prometheus URL` (None: the online checks do not run)."""

    @property
    def root(self) -> Path:
        """The spec folder."""
        return self.build.root

    @property
    def sources(self) -> list[SpecSource]:
        """Every spec file of the folder, loaded and validated one by one (a bad file does not hide others)."""
        return self.build.sources

    @property
    def plan(self) -> Plan | None:
        """The Plan of a valid folder (None when any spec has an error)."""
        return self.build.plan

    @property
    def rendered(self) -> dict[str, str] | None:
        """The in-memory render of a valid folder (None when not rendered)."""
        return self.build.files

    @property
    def output_errors(self) -> list[tuple[str, str]]:
        """(rendered path, message) of every rendered file `render`'s output checks reject."""
        return self.build.output_errors

    @property
    def render_error(self) -> str | None:
        """What planning or rendering raised, as one line (an agentops-gen bug), or None."""
        failure = self.build.failure
        return None if failure is None else f"{type(failure).__name__}: {failure}"

    def specs(self, *, services_only: bool = True) -> Iterator[SpecSource]:
        """Selected spec files that loaded (service specs only, unless services_only=False)."""
        for src in self.sources:
            if src.selected and src.loaded is not None and (not services_only or not src.is_platform):
                yield src

    @property
    def platform(self) -> SpecSource | None:
        """The first loaded `kind: platform` file of the folder."""
        return next((s for s in self.sources if s.loaded is not None and s.is_platform), None)


def finding(src: SpecSource, name: str, path: FieldPath, message: str, *, key: bool = False,
            severity: str | None = None) -> Finding:
    """A finding of check `name` at a field path of a spec (severity defaults to the check's)."""
    from agentops_gen.lint.registry import get

    location = src.locate(path, key=key)
    if location.via:  # the node sits in an !include fragment: say which spec line pulled it in
        message += f" (included from {', '.join(location.via)})"
    return Finding(location, name, severity or get(name).severity, message)


def get_in(data: Any, *path: str | int) -> Any:
    """data[p0][p1]... or None when any step is missing or has the wrong type."""
    for part in path:
        if isinstance(part, int) and isinstance(data, list) and -len(data) <= part < len(data):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def items(data: Any, section: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, mapping) of a list section such as `slos`, skipping entries that are not mappings."""
    value = data.get(section) if isinstance(data, dict) else None
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def slos_with_budget(ctx: Any) -> Iterator[tuple[SpecSource, int, dict[str, Any], float, float]]:
    """(source, index, slo, objective %, period s) of every SLO whose objective and period are usable."""
    for src in ctx.specs():
        default = seconds(src.data.get("period", "30d"))
        for i, slo in items(src.data, "slos"):
            objective = number(slo.get("objective"))
            period = seconds(slo["period"]) if "period" in slo else default
            if objective is not None and period is not None and 0 < objective < 100:
                yield src, i, slo, objective, period


def seconds(value: Any) -> float | None:
    """A Prometheus duration in seconds, or None when it does not parse."""
    from agentops_gen.units.durations import parse_duration

    if not isinstance(value, str):
        return None
    try:
        return parse_duration(value)
    except ValueError:
        return None


def threshold_seconds(value: Any) -> float | None:
    """A latency threshold (`2.5s`, `1500ms`, `2.5`) in seconds, or None when it does not parse."""
    from agentops_gen.units.durations import parse_threshold

    try:
        return parse_threshold(value)
    except (TypeError, ValueError):
        return None


def number(value: Any) -> float | None:
    """A YAML number (not a bool), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
