"""PrometheusRule custom resources (monitoring.coreos.com/v1): out/kubernetes/<service>.prometheusrule.yaml.

Switched on by the platform file (`outputs.prometheus_rule: true`) so `render --check` needs no flag.
The `spec.groups` are rendered by the same template block as the plain rule file, so the two
formats cannot disagree.
"""

from __future__ import annotations

from agentops_gen.plan.model import Plan, ServicePlan
from agentops_gen.targets.jinja import render_template


def render_service(service: ServicePlan) -> str:
    """The PrometheusRule of one service."""
    labels = {"app.kubernetes.io/managed-by": "agentops-gen", "app.kubernetes.io/name": service.service,
              "team": service.team}
    return render_template("prometheus/prometheusrule.yaml.j2", source=service.source, resource=service.service,
                           labels=labels, groups=service.groups)


def operator_file(service: str) -> str:
    """Path of a service's PrometheusRule under out/."""
    return f"kubernetes/{service}.prometheusrule.yaml"


def render(plan: Plan) -> dict[str, str]:
    """PrometheusRule files, only when the platform file asks for them."""
    if not plan.prometheus_rule:
        return {}
    return {operator_file(s.service): render_service(s) for s in plan.services}
