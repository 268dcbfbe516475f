"""Grafana Mimir / Cortex rule namespaces: out/mimir/rules/<service>.yaml (`outputs.mimir`).

One file per service for `mimirtool rules load|sync`; mimirtool takes the namespace from the file name
when the file sets none, so each file stays a plain Prometheus rule file promtool checks. The
Alertmanager payload for Mimir is written by the alertmanager target (targets/mimir_alertmanager.py).
"""

from __future__ import annotations

from agentops_gen.plan.model import Plan
from agentops_gen.targets.jinja import render_template
from agentops_gen.targets.rule_text import RuleText

RULES_DIR = "mimir/rules"


def rules_file(service: str) -> str:
    """Rule namespace file of a service: mimirtool names the namespace after the file (`<service>`)."""
    return f"{RULES_DIR}/{service}.yaml"


def render(plan: Plan, rules: RuleText | None = None) -> dict[str, str]:
    """The Mimir rule namespaces the platform file asks for (none without `outputs.mimir.rules`; `rules`: the rule
    groups already rendered in this render)."""
    settings = plan.mimir
    if settings is None or not settings.rules:
        return {}
    rules = rules or RuleText()
    return {rules_file(service.service): render_template(
                "mimir/rules.yaml.j2", source=service.source, namespace=service.service, groups=rules.block(service))
            for service in plan.services}
