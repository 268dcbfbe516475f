"""spec/objective-too-tight: an objective that leaves less error budget than the shortest alert window."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, slos_with_budget
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "spec/objective-too-tight"
MIN_BUDGET_S = 300
"""The shortest burn-rate window is 5m: a budget shorter than that is gone before any alert can see it."""
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="An objective that leaves less error budget than the shortest alert window (5 minutes).",
    doc="The error budget of an SLO, as time, is (100 - objective)% of its period: 99.9% over 30d is "
        "43 minutes, but 99.999% over 7d is 6 seconds. When the whole budget is shorter than the shortest "
        "burn-rate window (5m), one slow deploy or one failed scrape spends all of it, the burn-rate alerts "
        "cannot tell a blip from an outage, and the SLO is breached before anyone is paged. Lower the "
        "objective, lengthen the period, or measure something coarser.",
    bad="period: 7d\nslos:\n  - name: availability\n    description: Requests without a server error.\n"
        "    objective: 99.999  # flagged\n    sli:\n      ratio:\n"
        "        errors: http_requests_total{job=\"api\",code=~\"5..\"}\n"
        "        total: http_requests_total{job=\"api\"}\n",
    good="period: 7d\nslos:\n  - name: availability\n    description: Requests without a server error.\n"
         "    objective: 99.9\n    sli:\n      ratio:\n"
         "        errors: http_requests_total{job=\"api\",code=~\"5..\"}\n"
        "        total: http_requests_total{job=\"api\"}\n",
)


def budget_words(budget_s: float) -> str:
    """6.048 -> '6 s', 4320 -> '72 min'."""
    if budget_s < 120:
        return f"{budget_s:.3g} s"
    return f"{budget_s / 60:.3g} min"


def run(ctx: LintContext) -> Iterator[Finding]:
    """Budget time of every SLO against the 5m minimum."""
    for src, i, slo, objective, period in slos_with_budget(ctx):
        budget_s = (100 - objective) / 100 * period
        if budget_s < MIN_BUDGET_S:
            yield finding(src, NAME, ("slos", i, "objective"),
                          f"{objective:g}% over {slo.get('period') or src.data.get('period', '30d')} leaves "
                          f"{budget_words(budget_s)} of error budget, less than the 5m shortest alert window; "
                          "one incident spends it before any burn-rate alert can fire")
