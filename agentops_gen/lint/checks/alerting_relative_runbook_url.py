"""alerting/relative-runbook-url: alerts whose `runbook_url` is a relative path, since no `runbook_base_url` is set."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, items
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "alerting/relative-runbook-url"
ALERTING_SECTIONS = ("slos", "kpis", "anomalies", "alerts")
"""Sections that generate alerts, and so `runbook_url` annotations."""
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="A service with alerts but no `runbook_base_url`: every `runbook_url` is a relative path.",
    doc="Each generated alert carries a `runbook_url` annotation pointing at its runbook page. Without "
        "`runbook_base_url` it is the path relative to `out/runbooks/` (`my-agent/MyAgentAvailabilityOutage.md`), "
        "which Slack, PagerDuty and Grafana show as plain text, not a link: the person paged has to find "
        "the file by hand. Set `runbook_base_url` to where the rendered runbooks are served, for example "
        "the repository's web view of the output folder "
        "(`https://git.example.com/ops/slos/blob/main/out/runbooks`).",
    bad="slos: []\nkpis:  # flagged\n  - name: cost-per-task\n    description: Spend per task.\n"
        "    query: sum(rate(agent_cost_usd_total{job=\"a\"}[1h]))\n    max: 10\n",
    good="runbook_base_url: https://git.example.com/ops/slos/blob/main/out/runbooks\nslos: []\n"
         "kpis:\n  - name: cost-per-task\n    description: Spend per task.\n"
         "    query: sum(rate(agent_cost_usd_total{job=\"a\"}[1h]))\n    max: 10\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Service specs that generate alerts without a runbook_base_url (found at their first alerting section)."""
    for src in ctx.specs():
        if src.data.get("runbook_base_url"):
            continue
        section = next((s for s in ALERTING_SECTIONS if any(True for _ in items(src.data, s))), None)
        if section is None:
            continue
        yield finding(src, NAME, (section,), "no `runbook_base_url`: every alert gets a relative `runbook_url` "
                      "(<service>/<Alert>.md) that Slack and PagerDuty show as plain text; set "
                      "runbook_base_url to where the rendered runbooks are served", key=True)
