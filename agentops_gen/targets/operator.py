"""PrometheusRule custom resources (monitoring.coreos.com/v1): out/kubernetes/<service>.prometheusrule.yaml.

Switched on by the platform file (`outputs.prometheus_rule: true`, or a mapping with the resource's
`namespace`, `labels` and `annotations`) so `render --check` needs no flag. kube-prometheus-stack only
loads the PrometheusRules its `ruleSelector` matches (by default `release: <helm release>`).
The `spec.groups` are the plain rule file's groups moved two columns right (targets/rule_text.py), so the
two formats cannot disagree.
"""

from __future__ import annotations

from agentops_gen.plan.model import Plan, PrometheusRuleMeta, ServicePlan
from agentops_gen.targets.jinja import render_template
from agentops_gen.targets.rule_text import RuleText, indented


def render_service(service: ServicePlan, meta: PrometheusRuleMeta | None = None, rules: RuleText | None = None) -> str:
    """The PrometheusRule of one service (`meta`: the platform file's metadata, if any; `rules`: the rule
    groups already rendered in this render)."""
    meta = meta or PrometheusRuleMeta()
    # the user's labels come last: a selector may need to match a value the tool also sets
    labels = {"app.kubernetes.io/managed-by": "agentops-gen", "app.kubernetes.io/name": service.service,
              "team": service.team, **meta.labels}
    return render_template("prometheus/prometheusrule.yaml.j2", source=service.source, resource=service.service,
                           namespace=meta.namespace, labels=labels, annotations=meta.annotations,
                           groups=indented((rules or RuleText()).block(service), 2))


def operator_file(service: str) -> str:
    """Path of a service's PrometheusRule under out/."""
    return f"kubernetes/{service}.prometheusrule.yaml"


def render(plan: Plan, rules: RuleText | None = None) -> dict[str, str]:
    """PrometheusRule files, only when the platform file asks for them."""
    meta = plan.prometheus_rule
    if meta is None:
        return {}
    rules = rules or RuleText()
    return {operator_file(s.service): render_service(s, meta, rules) for s in plan.services}
