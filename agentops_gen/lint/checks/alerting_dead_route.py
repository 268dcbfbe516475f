"""alerting/dead-route: a generated route or inhibit rule that no generated alert can match."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import FieldPath, LintContext, finding
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "alerting/dead-route"
CHECK = Check(
    name=NAME,
    severity="info",
    summary="A `notify` severity (or an inhibit rule) that no alert of the service ever uses.",
    doc="After rendering, lint matches every route and inhibit rule of the generated Alertmanager "
        "configuration against the labels of every generated alert. A route no alert reaches is dead "
        "configuration: usually a `notify` entry for a severity the service has no alert of (an `info` "
        "receiver with only critical and warning alerts), or an alert whose severity was changed without "
        "its routing. Remove the entry, or give the alert the severity you meant.",
    stage="plan",
    bad="slos: []\nalerts:\n  - name: ApiDown\n    expr: up{job=\"api\"} == 0\n    for: 1m\n    severity: critical\n"
        "    runbook: Check the pods.\nnotify:\n  critical: team-pager\n  info: team-pager  # flagged\n"
        "receivers:\n  team-pager:\n    pagerduty: {routing_key_file: /etc/alertmanager/secrets/pagerduty}\n",
    good="slos: []\nalerts:\n  - name: ApiDown\n    expr: up{job=\"api\"} == 0\n    for: 1m\n    severity: critical\n"
         "    runbook: Check the pods.\nnotify:\n  critical: team-pager\n"
         "receivers:\n  team-pager:\n    pagerduty: {routing_key_file: /etc/alertmanager/secrets/pagerduty}\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Routes and inhibit sides without a matching alert, at the `notify` entry they come from."""
    if ctx.plan is None:
        return
    try:  # the matcher analysis ships with the Alertmanager target
        from agentops_gen.plan.routing import plan_alertmanager, unmatched_matchers
    except ImportError:
        return
    for where, matchers in unmatched_matchers(ctx.plan, plan_alertmanager(ctx.plan)):
        values = {m.label: m.values[0] for m in matchers if m.op == "=" and m.values}
        src = next((s for s in ctx.specs() if s.data.get("service") == values.get("service")), None)
        if src is None:
            continue
        severity = values.get("severity")
        path: FieldPath = ("notify", severity) if severity and severity in (src.data.get("notify") or {}) \
            else ("service",)
        shown = ", ".join(m.render() for m in matchers)
        yield finding(src, NAME, path, f"{where} ({shown}) matches no generated alert: dead configuration")
