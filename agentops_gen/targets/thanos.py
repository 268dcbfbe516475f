"""Thanos ruler files: out/thanos/<service>.rules.yaml (`outputs.thanos`).

The Prometheus rule groups plus Thanos' group key `partial_response_strategy`, which Thanos removes
before validating the rest as a Prometheus group (tests/fixtures/mimir/SOURCE.md), so without it
the file is exactly what promtool checks.
"""

from __future__ import annotations

from agentops_gen.plan.model import Plan
from agentops_gen.targets.jinja import render_template
from agentops_gen.targets.rule_text import RuleText, with_strategy


def thanos_file(service: str) -> str:
    """Thanos ruler file of a service under out/."""
    return f"thanos/{service}.rules.yaml"


def render(plan: Plan, rules: RuleText | None = None) -> dict[str, str]:
    """Every service's Thanos ruler file, when the platform file asks for them (`rules`: the rule groups
    already rendered in this render)."""
    strategy = plan.thanos_strategy
    if strategy is None:
        return {}
    rules = rules or RuleText()
    return {thanos_file(s.service): render_template("thanos/rules.yaml.j2", source=s.source,
                                                    groups=with_strategy(rules.block(s), strategy))
            for s in plan.services}
