"""spec/period-window: an SLO period or alert window that cannot work."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, SpecSource, finding, items, seconds
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "spec/period-window"
MIN_PERIOD_S = 86400
MAX_PERIOD_S = 90 * 86400
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="An SLO period outside 1d..90d, or alert windows that do not fit the period.",
    doc="Burn-rate alerting scales its windows with the SLO period: below one day the windows shrink to "
        "the 5m floor and page on noise; beyond 90 days Prometheus must keep (and re-read, for the "
        "period's error ratio) a quarter of a year of samples, and a breach is noticed months late. "
        "A custom window pair needs `short` < `long` <= the period, and a `for:` must be shorter than the "
        "period; those two are errors (`render` rejects them too).",
    bad="period: 180d  # flagged\nslos: []\n",
    good="period: 28d\nslos: []\n",
)


def _period(src: SpecSource, path: tuple[str | int, ...], value: object) -> Iterator[Finding]:
    period = seconds(value)
    if period is None:
        return
    if period < MIN_PERIOD_S:
        yield finding(src, NAME, path, f"period {value} is shorter than 1d: burn-rate windows shrink to the 5m "
                      "floor and alert on noise")
    elif period > MAX_PERIOD_S:
        yield finding(src, NAME, path, f"period {value} is longer than 90d: Prometheus must keep and re-read that "
                      "much history, and a breach shows months late")


def run(ctx: LintContext) -> Iterator[Finding]:
    """Periods in range; custom windows with short < long <= period."""
    for src in ctx.specs():
        if "period" in src.data:
            yield from _period(src, ("period",), src.data["period"])
        default = seconds(src.data.get("period", "30d"))
        for i, slo in items(src.data, "slos"):
            if "period" in slo:
                yield from _period(src, ("slos", i, "period"), slo["period"])
            period = seconds(slo["period"]) if "period" in slo else default
            for j, window in items(slo.get("alerting"), "windows"):
                long_s, short_s = seconds(window.get("long")), seconds(window.get("short"))
                base = ("slos", i, "alerting", "windows", j)
                if long_s is not None and short_s is not None and short_s >= long_s:
                    yield finding(src, NAME, (*base, "short"), "short window must be shorter than long",
                                  severity="error")
                if long_s is not None and period is not None and long_s > period:
                    yield finding(src, NAME, (*base, "long"), "long window is longer than the SLO period",
                                  severity="error")
