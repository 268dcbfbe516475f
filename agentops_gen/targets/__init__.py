"""Stage 4: one module per output target; each turns the Plan into {relative path: text}."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import import_module

from agentops_gen.plan.model import Plan

TARGETS: tuple[str, ...] = (
    "prometheus", "prom_tests", "backfill", "operator", "mimir", "thanos", "grafana", "alertmanager", "otel",
    "runbooks",
)
"""Target modules under agentops_gen.targets, rendered in this order; each exposes render(plan)."""

DERIVED_RULE_TARGETS: tuple[str, ...] = ("operator", "mimir", "thanos")
"""Targets whose files carry each Prometheus rule file's `groups:` text moved, as it is or keyed
(targets/rule_text.py); the check stage proves every copy equal to the checked original (check/copies.py)."""


def render_targets(plan: Plan, names: Sequence[str] = TARGETS) -> dict[str, str]:
    """Render the named targets; paths are relative to the output folder and unique across targets."""
    from agentops_gen.targets.rule_text import RULE_TARGETS, RuleText

    files: dict[str, str] = {}
    rules = RuleText()  # the rule groups, rendered once for the four rule file formats of this call
    for name in names:
        render: Callable[..., dict[str, str]] = import_module(f"agentops_gen.targets.{name}").render
        for path, text in (render(plan, rules) if name in RULE_TARGETS else render(plan)).items():
            if path in files:
                raise RuntimeError(f"two targets render {path}")
            files[path] = text.rstrip("\n") + "\n"  # exactly one final newline, whatever the template did
    return files
