"""promql/counter-without-rate: a counter-named series used as a value instead of through rate()."""

from __future__ import annotations

from collections.abc import Iterator

import promql_parser

from agentops_gen.lint.context import LintContext, finding
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.queries import agg_op, func_name, is_counter_name, metric_name, spec_queries, walk
from agentops_gen.lint.registry import Check

NAME = "promql/counter-without-rate"
SAFE_FUNCTIONS = frozenset({"rate", "irate", "increase", "resets", "changes", "absent", "absent_over_time",
                            "present_over_time", "count_over_time", "timestamp"})
"""Functions that are meaningful on a raw counter (they read resets, presence or sample counts)."""
SAFE_AGGREGATIONS = frozenset({"count", "group", "count_values"})
CHECK = Check(
    name=NAME,
    severity="info",
    summary="A `*_total`/`*_count`/`*_sum`/`*_bucket` series used without `rate()` or `increase()`.",
    doc="A counter's raw value is the number of events since the process started: it drops to zero on "
        "every restart and grows forever, so comparing it with a threshold or summing it means nothing. "
        "Wrap it in `rate()` or `increase()`. The check only sees the name, so it is a hint (info): "
        "some gauges carry a counter suffix (kafka_exporter's `kafka_consumergroup_lag_sum`, Agent "
        "Bruno's `memory_entries_total`). For your own metric, drop the suffix; for an exporter's, "
        "silence the hint on that line with `# agentops-gen: disable=promql/counter-without-rate`.",
    bad="slos: []\nkpis:\n  - name: memory-entries\n    description: Stored memory entries.\n"
        "    query: sum(memory_entries_total{job=\"a\"})  # flagged\n    max: 1e4\n",
    good="slos: []\nkpis:\n  - name: memory-entries\n    description: Stored memory entries.\n"
         "    query: sum(memory_entries{job=\"a\"})\n    max: 1e4\n",
)


def _safe(parents: tuple[object, ...]) -> bool:
    for parent in reversed(parents):
        if func_name(parent) is not None:
            return func_name(parent) in SAFE_FUNCTIONS
        if isinstance(parent, promql_parser.AggregateExpr) and agg_op(parent) in SAFE_AGGREGATIONS:
            return True
    return False


def run(ctx: LintContext) -> Iterator[Finding]:
    """Counter-named selectors whose nearest enclosing function does not read counters."""
    for q, expr in spec_queries(ctx):
        reported: set[str] = set()
        for node, parents in walk(expr):
            if not isinstance(node, promql_parser.VectorSelector):
                continue
            name = metric_name(node)
            if name and is_counter_name(name) and not _safe(parents) and name not in reported:
                reported.add(name)
                yield finding(q.src, NAME, q.path, f"{name} is named like a counter but is used without rate() or "
                              "increase(); a counter's raw value resets on restart (a guess from the name: "
                              "if it is a gauge, disable this check on this line)")
