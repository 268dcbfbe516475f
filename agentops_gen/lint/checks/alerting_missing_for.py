"""alerting/missing-for: an alert that fires on a single evaluation (no `for:`)."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, items, seconds
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "alerting/missing-for"
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="A plain alert without `for:` (or any alert with `for: 0s`), which fires on one evaluation.",
    doc="Without a pending period an alert fires the first time its expression is true: one slow scrape, "
        "one restart or one outlier pages someone, and the alert flaps. Give plain alerts a `for:` of a "
        "few evaluation intervals (1m for \"down\", 5m-15m for thresholds). KPIs and anomalies have "
        "defaults (5m, 15m); an explicit `for: 0s` on them is reported too. Burn-rate alerts need no "
        "`for:` to be correct, and the outage alert is meant to be fast, so neither is checked.",
    bad="slos: []\nalerts:\n  - name: RagMrrDegraded  # flagged\n    expr: rag_mrr{job=\"a\"} < 0.75\n"
        "    severity: warning\n    runbook: Compare MRR by embedding_version.\n",
    good="slos: []\nalerts:\n  - name: RagMrrDegraded\n    expr: rag_mrr{job=\"a\"} < 0.75\n    for: 15m\n"
         "    severity: warning\n    runbook: Compare MRR by embedding_version.\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Plain alerts without `for`, and any `for: 0s`."""
    for src in ctx.specs():
        for section in ("alerts", "kpis", "anomalies"):
            for i, item in items(src.data, section):
                if "for" in item:
                    if seconds(item["for"]) == 0:
                        yield finding(src, NAME, (section, i, "for"), f"{item.get('name')} has `for: "
                                      f"{item['for']}`: it fires on a single evaluation and flaps")
                elif section == "alerts":
                    yield finding(src, NAME, (section, i, "name"), f"alert {item.get('name')} has no `for:`: it "
                                  "fires on a single evaluation and flaps; add a pending period such as 5m")
