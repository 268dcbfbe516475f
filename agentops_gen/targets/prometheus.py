"""Prometheus rule files: out/prometheus/<service>.rules.yaml (recording rules and alerts)."""

from __future__ import annotations

from agentops_gen.plan.model import Plan, ServicePlan
from agentops_gen.targets.jinja import render_template
from agentops_gen.targets.rule_text import RuleText
from agentops_gen.units import names


def render_service(service: ServicePlan, rules: RuleText | None = None) -> str:
    """The rules file of one service (`rules`: the rule groups already rendered in this render)."""
    groups = (rules or RuleText()).block(service)
    return render_template("prometheus/rules.yaml.j2", source=service.source, groups=groups)


def render(plan: Plan, rules: RuleText | None = None) -> dict[str, str]:
    """Every service's rules file."""
    rules = rules or RuleText()
    return {names.rules_file(s.service): render_service(s, rules) for s in plan.services}
