"""PrometheusRule custom resources (monitoring.coreos.com/v1): out/kubernetes/<service>.prometheusrule.yaml.

Switched on by the platform file (`outputs.prometheus_rule: true`, or a mapping with the resource's
`namespace`, `labels` and `annotations`) so `render --check` needs no flag. kube-prometheus-stack only
loads the PrometheusRules its `ruleSelector` matches (by default `release: <helm release>`).
The `spec.groups` are rendered by the same template block as the plain rule file, so the two
formats cannot disagree.
"""

from __future__ import annotations

from agentops_gen.plan.model import Plan, PrometheusRuleMeta, ServicePlan
from agentops_gen.targets.jinja import render_template


def render_service(service: ServicePlan, meta: PrometheusRuleMeta | None = None) -> str:
    """The PrometheusRule of one service (`meta`: the platform file's metadata, if any)."""
    meta = meta or PrometheusRuleMeta()
    # the user's labels come last: a selector may need to match a value the tool also sets
    labels = {"app.kubernetes.io/managed-by": "agentops-gen", "app.kubernetes.io/name": service.service,
              "team": service.team, **meta.labels}
    return render_template("prometheus/prometheusrule.yaml.j2", source=service.source, resource=service.service,
                           namespace=meta.namespace, labels=labels, annotations=meta.annotations,
                           groups=service.groups)


def operator_file(service: str) -> str:
    """Path of a service's PrometheusRule under out/."""
    return f"kubernetes/{service}.prometheusrule.yaml"


def render(plan: Plan) -> dict[str, str]:
    """PrometheusRule files, only when the platform file asks for them."""
    meta = plan.prometheus_rule
    if meta is None:
        return {}
    return {operator_file(s.service): render_service(s, meta) for s in plan.services}
