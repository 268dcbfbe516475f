"""Backfill rule files: out/prometheus/backfill/<service>.level-<n>.rules.yaml (platform `outputs.backfill`)."""

from __future__ import annotations

from agentops_gen.plan.history import history_levels
from agentops_gen.plan.model import Plan, ServicePlan
from agentops_gen.targets.jinja import render_template
from agentops_gen.targets.rule_text import groups_text
from agentops_gen.units import names
from agentops_gen.units.durations import format_duration


def render_service(service: ServicePlan) -> dict[str, str]:
    """One file per backfill level of a service (none when no rule reads a record over a range)."""
    backfill = history_levels(service.groups)
    out = {}
    for level, groups in enumerate(backfill.levels):
        path = names.backfill_file(service.service, level)
        out[path] = render_template(
            "prometheus/backfill.yaml.j2", source=service.source, level=level, last=len(backfill.levels) - 1,
            reach=format_duration(backfill.reach), rules_file=names.rules_file(service.service),
            file_name=path.rsplit("/", 1)[1], groups=groups_text(groups))
    return out


def render(plan: Plan) -> dict[str, str]:
    """Every service's backfill files, when the platform file asks for them."""
    if not plan.backfill:
        return {}
    return {path: text for service in plan.services for path, text in render_service(service).items()}
