"""slo/group-by-series: how many series and alerts a grouped SLO's rules make per group value."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, items
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check
from agentops_gen.plan.grouping import rules_per_group

NAME = "slo/group-by-series"
CHECK = Check(
    name=NAME,
    severity="info",
    summary="The series and alerts a grouped SLO's rules produce per value of its `group_by` labels.",
    doc="A grouped SLO records every error-ratio window, failed-event rate, burn rate and budget once per "
        "group, and each of its alerts can fire once per group. This finding counts them for one group "
        "value, so the cost of `group_by` is known before it ships: multiply by the number of values the "
        "label has (20 models make 20 times the series). The per-SLO series (objective, error budget, "
        "period, info) are not repeated per group.",
    bad="slos:\n  - name: availability\n    description: Requests without a server error.\n    objective: 99.9\n"
        "    group_by: [model]  # flagged\n    sli:\n      ratio:\n"
        "        errors: requests_total{job=\"a\",code=~\"5..\"}\n        total: requests_total{job=\"a\"}\n",
    good="slos:\n  - name: availability\n    description: Requests without a server error.\n    objective: 99.9\n"
         "    sli:\n      ratio:\n"
         "        errors: requests_total{job=\"a\",code=~\"5..\"}\n        total: requests_total{job=\"a\"}\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Grouped SLOs of a valid folder, counted from their plan."""
    if ctx.plan is None:
        return
    services = {s.service: s for s in ctx.plan.services}
    for src in ctx.specs():
        service = services.get(str(src.data.get("service"))) if isinstance(src.data, dict) else None
        if service is None:
            continue
        for i, slo in items(src.data, "slos"):
            plan = service.slo_named(str(slo.get("name")))
            if plan is None or not plan.group_by:
                continue
            records, alerts = rules_per_group(service, plan)
            each = ", ".join(plan.group_by)
            yield finding(src, NAME, ("slos", i, "group_by"),
                          f"SLO {plan.name!r}: {records} recorded series and up to {alerts} firing alerts per "
                          f"value of {each} (plus 4 series per SLO); N values make {records} x N series",
                          key=True)
