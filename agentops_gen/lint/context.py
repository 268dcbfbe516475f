"""What checks see: every spec file of the folder as raw located data, plus the in-memory render.

Checks read the raw YAML data, not the validated models, so a spec with one schema error still
gets every other finding (a linter that stops at the first typo hides the rest).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentops_gen.errors import Location, SpecError
from agentops_gen.lint.findings import Finding
from agentops_gen.load.yaml_loader import LoadedFile

FieldPath = tuple[str | int, ...]


@dataclass
class SpecSource:
    """One spec file: its located data (None when it did not load), its errors and its model."""

    path: Path
    file: str
    loaded: LoadedFile | None
    errors: list[SpecError] = field(default_factory=list)
    spec: Any = None
    selected: bool = True

    @property
    def data(self) -> dict[str, Any]:
        """Top-level mapping ({} when the file did not load)."""
        data = self.loaded.data if self.loaded else None
        return data if isinstance(data, dict) else {}

    @property
    def is_platform(self) -> bool:
        """`kind: platform` file."""
        return self.data.get("kind") == "platform"

    def locate(self, path: FieldPath, *, key: bool = False) -> Location:
        """Where a field path was written (its key with key=True)."""
        if self.loaded is None:
            return Location(self.file, 1, 1)
        return self.loaded.locate(path, key=key)


@dataclass
class LintContext:
    """Every spec of the folder, the rendered outputs (when the specs are valid) and run options."""

    root: Path
    sources: list[SpecSource]
    plan: Any = None
    """The Plan the outputs were rendered from (set with `rendered`)."""
    rendered: dict[str, str] | None = None
    render_error: str | None = None
    use_promtool: bool = False
    cache: dict[Any, Any] = field(default_factory=dict)
    """Shared between checks (parsed PromQL), so each query is parsed once per run."""

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
    from agentops_gen.plan.durations import parse_duration

    if not isinstance(value, str):
        return None
    try:
        return parse_duration(value)
    except ValueError:
        return None


def threshold_seconds(value: Any) -> float | None:
    """A latency threshold (`2.5s`, `1500ms`, `2.5`) in seconds, or None when it does not parse."""
    from agentops_gen.plan.durations import parse_threshold

    try:
        return parse_threshold(value)
    except (TypeError, ValueError):
        return None


def number(value: Any) -> float | None:
    """A YAML number (not a bool), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
