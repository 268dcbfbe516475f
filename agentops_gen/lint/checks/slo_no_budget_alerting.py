"""slo/no-budget-alerting: an SLO whose burn-rate alerts are all switched off and has no budget alert."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, get_in, items
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "slo/no-budget-alerting"
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="An SLO with both burn-rate alerts disabled and no error-budget alert.",
    doc="An SLO exists to tell people when reliability is slipping. With `page` and `ticket` both "
        "disabled and no `alerting.budget` threshold, the SLO is a dashboard number: its budget can run "
        "out without anyone hearing about it, which is what every reference platform's SLO table did. "
        "Keep at least the ticket alert, or add a budget-remaining alert.",
    bad="slos:\n  - name: availability\n    description: Requests without a server error.\n    objective: 99.9\n"
        "    sli:\n      ratio:\n        errors: http_requests_total{job=\"a\",code=~\"5..\"}\n"
        "        total: http_requests_total{job=\"a\"}\n    alerting:  # flagged\n"
        "      page: {disable: true}\n      ticket: {disable: true}\n",
    good="slos:\n  - name: availability\n    description: Requests without a server error.\n    objective: 99.9\n"
         "    sli:\n      ratio:\n        errors: http_requests_total{job=\"a\",code=~\"5..\"}\n"
         "        total: http_requests_total{job=\"a\"}\n    alerting:\n"
         "      page: {disable: true}\n      budget:\n        - {below: 25, severity: warning}\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """page and ticket disabled, budget empty."""
    for src in ctx.specs():
        for i, slo in items(src.data, "slos"):
            alerting = slo.get("alerting")
            if not isinstance(alerting, dict):
                continue
            if get_in(alerting, "page", "disable") is True and get_in(alerting, "ticket", "disable") is True \
                    and not alerting.get("budget"):
                yield finding(src, NAME, ("slos", i, "alerting"), f"SLO {slo.get('name')!r} has its page and ticket "
                              "alerts disabled and no budget alert: nobody hears when its budget runs out", key=True)
