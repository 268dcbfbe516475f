"""slo/raw-without-events: a raw SLI with no `events` query, so its alerts have no minimum-traffic clause."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, get_in, items
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "slo/raw-without-events"
CHECK = Check(
    name=NAME,
    severity="info",
    summary="A raw SLI without `events`: its alerts cannot require a minimum number of failed events.",
    doc="Burn-rate alerts of ratio, latency and score SLIs fire only once enough events failed in their long "
        "window (`min_bad_events`), so one failure on a quiet service never pages. A raw SLI's error ratio is "
        "a query agentops-gen cannot count events in: without `sli.raw.events` (events per second over "
        "`{{ window }}`) its alerts fire on the ratio alone, and one failed event among few can page. Add the "
        "events query, or accept it for a gauge-based SLI that has no event counter.",
    bad="slos:\n  - name: availability\n    description: Requests without a server error.\n    objective: 99.9\n"
        "    sli:\n      raw:  # flagged\n        error_ratio: sum(rate(errors_total{job=\"a\"}[{{ window }}]))\n"
        "          / sum(rate(requests_total{job=\"a\"}[{{ window }}]))\n",
    good="slos:\n  - name: availability\n    description: Requests without a server error.\n    objective: 99.9\n"
         "    sli:\n      raw:\n        error_ratio: sum(rate(errors_total{job=\"a\"}[{{ window }}]))\n"
         "          / sum(rate(requests_total{job=\"a\"}[{{ window }}]))\n"
         "        events: sum(rate(requests_total{job=\"a\"}[{{ window }}]))\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """sli.raw without events."""
    for src in ctx.specs():
        for i, slo in items(src.data, "slos"):
            raw = get_in(slo, "sli", "raw")
            if isinstance(raw, dict) and "events" not in raw:
                yield finding(src, NAME, ("slos", i, "sli", "raw"),
                              f"SLO {slo.get('name')!r} has a raw SLI without `events`: its alerts fire on the "
                              "error ratio alone, so one failure on a quiet service can page", key=True)
