"""slo/unreachable-burn-factor: burn-rate windows that would need an error ratio above 100%."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, get_in, number, seconds, slos_with_budget
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check
from agentops_gen.plan.windows import (
    BurnWindow,
    burn_threshold,
    custom_window,
    default_windows,
    error_budget,
    format_number,
)

NAME = "slo/unreachable-burn-factor"
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="Burn-rate windows whose threshold (factor x error budget) is 100% or more, so they are dropped.",
    doc="A burn-rate window pair fires when the error ratio exceeds factor x budget. With a loose "
        "objective the product reaches 100%: a 60% objective has a 40% budget, and the page factors 14.4 "
        "and 6 (and the 3x ticket) would need more than 100% of events to fail. agentops-gen drops such "
        "windows from the rules (an alert that can never fire is worse than none), which silently leaves "
        "the SLO with fewer or no burn-rate alerts. Set `alerting.windows` with factors below "
        "1 / budget, or use a KPI threshold alert instead of an SLO.",
    bad="slos:\n  - name: containment\n    description: Conversations solved without a human.\n"
        "    objective: 60  # flagged\n    sli:\n      ratio:\n"
        "        errors: agent_tasks_total{job=\"a\",outcome=\"handoff\"}\n"
        "        total: agent_tasks_total{job=\"a\"}\n",
    good="slos:\n  - name: containment\n    description: Conversations solved without a human.\n"
         "    objective: 60\n    sli:\n      ratio:\n"
         "        errors: agent_tasks_total{job=\"a\",outcome=\"handoff\"}\n"
         "        total: agent_tasks_total{job=\"a\"}\n"
         "    alerting:\n      windows:\n"
         "        - {severity: ticket, long: 1d, short: 2h, factor: 2}\n"
         "        - {severity: ticket, long: 3d, short: 6h, factor: 1}\n",
)


def _windows(slo: dict[str, object], period_s: int) -> list[BurnWindow] | None:
    custom = get_in(slo, "alerting", "windows")
    if not custom:
        return list(default_windows(period_s))
    out = []
    for w in custom if isinstance(custom, list) else []:
        long_s, short_s = seconds(get_in(w, "long")), seconds(get_in(w, "short"))
        factor, pct = number(get_in(w, "factor")), number(get_in(w, "budget_percent"))
        if long_s is None or short_s is None or (factor is None) == (pct is None) or get_in(w, "severity") not in (
                "page", "ticket"):
            return None  # a malformed table is a schema error; nothing to judge here
        out.append(custom_window(str(get_in(w, "severity")), int(long_s), int(short_s), period_s, factor, pct))
    return out


def run(ctx: LintContext) -> Iterator[Finding]:
    """Windows of every SLO (custom or default for its period) against its error budget."""
    for src, i, slo, objective, period in slos_with_budget(ctx):
        windows = _windows(slo, int(period))
        if not windows:
            continue
        budget = error_budget(objective)
        enabled = [w for w in windows if not get_in(slo, "alerting", w.severity, "disable")]
        dead = [w for w in enabled if burn_threshold(w.factor, budget) >= 1]
        if dead:
            listed = ", ".join(f"{w.severity} {w.long}/{w.short} (factor {format_number(w.factor)})"
                               for w in dead)
            left = len(enabled) - len(dead)
            yield finding(src, NAME, ("slos", i, "objective"),
                          f"objective {objective:g}% leaves a {format_number(budget * 100)}% error budget: "
                          f"{listed} would need an error ratio of 100% or more and are dropped "
                          f"({left} window pair(s) left); set alerting.windows with factors below "
                          f"{format_number(1 / budget)}")
