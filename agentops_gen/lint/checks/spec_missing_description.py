"""spec/missing-description: a service, SLO, KPI or anomaly without a description."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, items
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "spec/missing-description"
CHECK = Check(
    name=NAME,
    severity="info",
    summary="A service, SLO, KPI or anomaly without a `description:`.",
    doc="Descriptions are copied into alert annotations, dashboard panels and runbooks: they are what the "
        "person paged at 3 a.m. reads to learn what the SLO measures and why it matters. Without one the "
        "alert says only its name. One sentence in the user's terms is enough (\"Agent requests that finish "
        "without a server error\").",
    bad="slos: []\nkpis:\n  - name: cost-per-task  # flagged\n    query: sum(cost_usd{job=\"a\"})\n    max: 1\n",
    good="slos: []\nkpis:\n  - name: cost-per-task\n    description: LLM spend per finished task.\n"
         "    query: sum(cost_usd{job=\"a\"})\n    max: 1\n",
)


def _blank(value: object) -> bool:
    return not isinstance(value, str) or not value.strip()


def run(ctx: LintContext) -> Iterator[Finding]:
    """Service-level and per-item descriptions."""
    for src in ctx.specs():
        if _blank(src.data.get("description")):
            where: tuple[str | int, ...] = ("description",) if "description" in src.data else ("service",)
            yield finding(src, NAME, where, "the service has no description (used in dashboards and runbooks)")
        for section, what in (("slos", "SLO"), ("kpis", "KPI"), ("anomalies", "anomaly")):
            for i, item in items(src.data, section):
                if _blank(item.get("description")):
                    where = (section, i, "description") if "description" in item else (section, i, "name")
                    yield finding(src, NAME, where, f"{what} {item.get('name')!r} has no description; its alerts "
                                  "and runbook will say only its name")
