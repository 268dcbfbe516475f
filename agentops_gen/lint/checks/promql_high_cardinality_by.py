"""promql/high-cardinality-by: an aggregation grouped by a per-user or per-request label."""

from __future__ import annotations

from collections.abc import Iterator

import promql_parser

from agentops_gen.lint.context import LintContext, finding
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.queries import spec_queries, walk
from agentops_gen.lint.registry import Check

NAME = "promql/high-cardinality-by"
HIGH_CARDINALITY = ("user_id", "session_id", "trace_id", "span_id", "request_id", "conversation_id", "prompt")
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="An aggregation `by` a per-user or per-request label (user_id, session_id, trace_id, request_id, "
            "prompt, ...).",
    doc="Grouping by `user_id`, `session_id`, `trace_id`, `span_id`, `request_id`, `conversation_id` or "
        "`prompt` produces one series per user or per request: a recording rule or alert on it creates "
        "series without bound, slows every evaluation and, for an alert, pages once per user. Such "
        "labels should not be on metrics at all (put them on traces and logs); if they are, aggregate "
        "them away.",
    bad="slos: []\nkpis:\n  - name: memory-entries\n    description: Stored memory entries.\n"
        "    query: sum by (user_id) (memory_entries{job=\"a\"})  # flagged\n    max: 1e4\n",
    good="slos: []\nkpis:\n  - name: memory-entries\n    description: Stored memory entries.\n"
         "    query: sum by (namespace) (memory_entries{job=\"a\"})\n    max: 1e4\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """`by (...)` label lists of every aggregation."""
    for q, expr in spec_queries(ctx):
        for node, _ in walk(expr):
            modifier = getattr(node, "modifier", None) if isinstance(node, promql_parser.AggregateExpr) else None
            if modifier is None or str(modifier.type).endswith("Without"):
                continue
            bad = [label for label in modifier.labels if label in HIGH_CARDINALITY]
            if bad:
                yield finding(q.src, NAME, q.path, f"aggregation by {', '.join(bad)}: one series per user or "
                              "request, without bound; aggregate it away")
