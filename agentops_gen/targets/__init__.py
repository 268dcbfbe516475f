"""Stage 4: one module per output target; each turns the Plan into {relative path: text}."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import import_module

from agentops_gen.plan.model import Plan

TARGETS: tuple[str, ...] = ("prometheus", "prom_tests", "operator", "grafana", "alertmanager", "otel", "runbooks")
"""Target modules under agentops_gen.targets, rendered in this order; each exposes render(plan)."""

HALVES: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("prom_tests", "grafana", "operator"),
    ("prometheus", "alertmanager", "otel", "runbooks"),
)
"""TARGETS in two groups of about equal cost (render + re-parse), for two CPUs (agentops_gen.parallel).
Files a check reads together (Alertmanager config and its template) stay in one group."""


def prepare() -> None:
    """Import every target and the Jinja environment now, before the halves fork, so neither repeats it."""
    from agentops_gen.targets.jinja import environment

    for name in TARGETS:
        import_module(f"agentops_gen.targets.{name}")
    environment()


def render_targets(plan: Plan, names: Sequence[str] = TARGETS) -> dict[str, str]:
    """Render the named targets; paths are relative to the output folder and unique across targets."""
    files: dict[str, str] = {}
    for name in names:
        render: Callable[[Plan], dict[str, str]] = import_module(f"agentops_gen.targets.{name}").render
        for path, text in render(plan).items():
            if path in files:
                raise RuntimeError(f"two targets render {path}")
            files[path] = text.rstrip("\n") + "\n"  # exactly one final newline, whatever the template did
    return files


def merge(*parts: dict[str, str]) -> dict[str, str]:
    """Union of separately rendered file sets, sorted by path (a path rendered twice is a bug)."""
    files: dict[str, str] = {}
    for part in parts:
        for path, text in part.items():
            if path in files:
                raise RuntimeError(f"two targets render {path}")
            files[path] = text
    return dict(sorted(files.items()))
