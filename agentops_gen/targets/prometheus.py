"""Prometheus rule files: out/prometheus/<service>.rules.yaml (recording rules and alerts)."""

from __future__ import annotations

from agentops_gen.plan.model import Plan, ServicePlan
from agentops_gen.targets.jinja import render_template
from agentops_gen.units import names


def render_service(service: ServicePlan) -> str:
    """The rules file of one service."""
    return render_template("prometheus/rules.yaml.j2", source=service.source, groups=service.groups)


def render(plan: Plan) -> dict[str, str]:
    """Every service's rules file."""
    return {names.rules_file(s.service): render_service(s) for s in plan.services}
