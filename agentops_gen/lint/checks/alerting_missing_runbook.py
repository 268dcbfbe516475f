"""alerting/missing-runbook: a plain alert that tells the person paged nothing to do."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, get_in, items
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "alerting/missing-runbook"
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="A plain alert with no `runbook:` (first checks) and no `annotations.runbook_url`.",
    doc="agentops-gen writes a runbook page for every alert and links it from the `runbook_url` "
        "annotation. For SLO, KPI and anomaly alerts the page explains what firing means from the spec; "
        "a plain alert has only its expression and summary, so without `runbook:` (the first things to "
        "check, in a sentence or two) its page is empty. A link written under `annotations.runbook` is "
        "read by nothing: Grafana, Alertmanager templates and this tool all use `runbook_url`.",
    bad="slos: []\nalerts:\n  - name: SlowAgentExecutions  # flagged\n"
        "    expr: histogram_quantile(0.95, sum by (le) (rate(agent_seconds_bucket{job=\"a\"}[5m]))) > 30\n"
        "    for: 10m\n    severity: warning\n",
    good="slos: []\nalerts:\n  - name: SlowAgentExecutions\n"
         "    expr: histogram_quantile(0.95, sum by (le) (rate(agent_seconds_bucket{job=\"a\"}[5m]))) > 30\n"
         "    for: 10m\n    severity: warning\n"
         "    runbook: Find the slow tool call in the trace of a slow execution.\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Plain alerts without runbook text or an explicit runbook_url."""
    for src in ctx.specs():
        for i, alert in items(src.data, "alerts"):
            if alert.get("runbook") or get_in(alert, "annotations", "runbook_url"):
                continue
            hint = "; annotations.runbook is read by nothing (use runbook:)" \
                if get_in(alert, "annotations", "runbook") else ""
            yield finding(src, NAME, ("alerts", i, "name"), f"alert {alert.get('name')} has no runbook: its "
                          f"generated runbook page would be empty; add `runbook:` with the first checks{hint}")
