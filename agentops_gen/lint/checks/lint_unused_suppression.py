"""lint/unused-suppression: a `# agentops-gen: disable=...` comment that suppresses nothing."""

from __future__ import annotations

from agentops_gen.lint.registry import Check

CHECK = Check(
    name="lint/unused-suppression",
    severity="warning",
    summary="A `# agentops-gen: disable=CHECK` comment that suppresses no finding (or names no check).",
    doc="A finding is suppressed by `# agentops-gen: disable=CHECK[,CHECK...]` at the end of its line, "
        "or on a comment line of its own just above it. A suppression that matches no finding, because "
        "the problem was fixed, the line moved or the check name is misspelled, would silently hide the "
        "next real problem on that line, so it is reported. Remove it. Suppressions of checks turned off "
        "with `--disable` are not reported.",
    bad="kpis:\n  - name: cost\n    description: Spend.\n    query: sum(cost_usd{job=\"a\"})\n"
        "    max: 1  # agentops-gen: disable=promql/syntax  # flagged\n",
    good="kpis:\n  - name: cost\n    description: Spend.\n    query: sum(cost_usd{job=\"a\"})\n    max: 1\n",
    stage="none",
)
