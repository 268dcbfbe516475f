"""Multi-window multi-burn-rate math (Google SRE Workbook, ch. 5), as pure functions.

A burn rate of 1 spends exactly the error budget over the SLO period. An alert window pair
(long, short) fires when both windows' error ratios exceed factor x budget; the factor that spends
`budget_percent` of the budget in the long window is budget_percent/100 x period / long.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentops_gen.units.durations import format_duration

MINUTE = 60
HOUR = 3600
DAY = 86400
PERIOD_30D = 30 * DAY
PERIOD_28D = 28 * DAY
MIN_SCALED_WINDOW = 5 * MINUTE
"""Scaled windows never go below 5m, so rate() always sees several scrapes at a 1m interval."""
RECORDED_RATE_WINDOW = 5 * MINUTE
"""The short window whose failed-event and event rates are recorded every cycle from the raw counters."""
RAW_WINDOW_MAX = 1 * HOUR
"""Windows up to this read the raw counters (rate over the window). Longer ones, of SLIs with event counts,
sum the recorded 5m rates instead: each raw series is then read for short windows only. A recorded 5m rate
smooths a step over 5 minutes, so a summed window sees it ~2 minutes late: nothing for a 2h..3d window,
but the 1h/5m page pair keeps its minute (docs/performance.md)."""


@dataclass(frozen=True)
class BurnWindow:
    """One (long, short) window pair of a page or ticket alert and its burn-rate factor."""

    severity: str
    long_s: int
    short_s: int
    factor: float
    budget_percent: float

    @property
    def long(self) -> str:
        """The long window as a Prometheus duration (28d -> 4w)."""
        return format_duration(self.long_s)

    @property
    def short(self) -> str:
        """The short window as a Prometheus duration."""
        return format_duration(self.short_s)


# The workbook's recommended table for a 30-day SLO: (severity, long, short, % of budget spent).
WORKBOOK_TABLE: tuple[tuple[str, int, int, float], ...] = (
    ("page", 1 * HOUR, 5 * MINUTE, 2.0),
    ("page", 6 * HOUR, 30 * MINUTE, 5.0),
    ("ticket", 1 * DAY, 2 * HOUR, 10.0),
    ("ticket", 3 * DAY, 6 * HOUR, 10.0),
)


def from_records(window_s: int) -> bool:
    """Is a window of an SLI with event counts summed from the recorded 5m rates (not read from the raw counters)?"""
    return window_s > RAW_WINDOW_MAX


def burn_factor(budget_percent: float, period_s: float, long_s: float) -> float:
    """Burn rate that spends `budget_percent` of the budget within `long_s` (2%, 30d, 1h -> 14.4)."""
    return _clean(budget_percent / 100 * period_s / long_s)


def budget_percent_for(factor: float, period_s: float, long_s: float) -> float:
    """Inverse of burn_factor: share of the budget (percent) a burn rate spends in the long window."""
    return _clean(factor * long_s / period_s * 100)


def error_budget(objective_percent: float) -> float:
    """Allowed error ratio: 99.5 -> 0.005."""
    return _clean((100 - objective_percent) / 100)


def burn_threshold(factor: float, budget: float) -> float:
    """Error ratio at which a window pair fires: 14.4 x 0.005 -> 0.072."""
    return _clean(factor * budget)


def exhaustion_seconds(burn_rate: float, period_s: float) -> float:
    """How long the whole budget lasts at a burn rate (14.4 over 30d -> 50h)."""
    return period_s / burn_rate


def default_windows(period_s: int) -> list[BurnWindow]:
    """Windows for a period: the workbook table for 30d and 28d, proportionally scaled otherwise.

    30d and 28d keep the workbook windows and derive factors from the period (as Sloth does:
    28d -> 13.44/5.6/2.8/0.933). Any other period scales the windows by period/30d and keeps the
    30d factors, so a 7d SLO is never alerted on at a burn rate below 1.
    """
    if period_s in (PERIOD_30D, PERIOD_28D):
        return [BurnWindow(sev, long_s, short_s, burn_factor(pct, period_s, long_s), pct)
                for sev, long_s, short_s, pct in WORKBOOK_TABLE]
    scale = period_s / PERIOD_30D
    out = []
    for sev, long_s, short_s, pct in WORKBOOK_TABLE:
        factor = burn_factor(pct, PERIOD_30D, long_s)
        out.append(BurnWindow(sev, scale_window(long_s, scale), scale_window(short_s, scale), factor, pct))
    return out


def scale_window(window_s: int, scale: float) -> int:
    """A window scaled to another period, rounded to whole minutes, never under 5m."""
    return max(MIN_SCALED_WINDOW, round(window_s * scale / MINUTE) * MINUTE)


def custom_window(severity: str, long_s: int, short_s: int, period_s: int,
                  factor: float | None, budget_percent: float | None) -> BurnWindow:
    """A window pair from the spec's `alerting.windows` (factor or budget percent given)."""
    if factor is None:
        assert budget_percent is not None
        factor = burn_factor(budget_percent, period_s, long_s)
    else:
        budget_percent = budget_percent_for(factor, period_s, long_s)
    return BurnWindow(severity, long_s, short_s, _clean(factor), budget_percent)


def _clean(value: float) -> float:
    """Drop float noise (1 - 0.995 = 0.0050000000000000044) so thresholds print as people write them."""
    return float(f"{value:.12g}")


def format_number(value: float) -> str:
    """Shortest human form of a float for PromQL and YAML (6.0 -> 6, 0.005 -> 0.005)."""
    text = repr(_clean(value))
    return text[:-2] if text.endswith(".0") else text
