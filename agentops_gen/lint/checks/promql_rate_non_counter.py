"""promql/rate-non-counter: rate()/increase() over a series that is not named like a counter."""

from __future__ import annotations

from collections.abc import Iterator

import promql_parser

from agentops_gen.lint.context import LintContext, finding
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.queries import func_name, is_counter_name, metric_name, spec_queries, walk
from agentops_gen.lint.registry import Check

NAME = "promql/rate-non-counter"
COUNTER_FUNCTIONS = frozenset({"rate", "irate", "increase"})
CHECK = Check(
    name=NAME,
    severity="info",
    summary="`rate()`, `irate()` or `increase()` over a series whose name is not a counter's.",
    doc="`rate()` assumes a counter: every decrease is read as a reset and added back. Over a gauge "
        "(memory in use, queue depth) it returns nonsense that looks plausible; use `deriv()` or "
        "`delta()` for gauges. Counters are named `*_total` (and histograms/summaries expose `*_count`, "
        "`*_sum`, `*_bucket`); a client library that exports a Counter adds `_total` itself, so a "
        "query on the bare name (`agent_ollama_total_tokens` for a Counter declared under that name) "
        "matches no series at all. The check only sees the name, so it is a hint (info): some exporters "
        "name real counters without the suffix (ingress-nginx's `nginx_ingress_controller_requests`). "
        "Ratio SLI selectors are checked too, since agentops-gen wraps them in `rate()`.",
    bad="slos: []\nkpis:\n  - name: memory-growth\n    description: Working-set growth.\n"
        "    query: sum(rate(container_memory_working_set_bytes{namespace=\"a\"}[1h]))  # flagged\n    max: 1e6\n",
    good="slos: []\nkpis:\n  - name: memory-growth\n    description: Working-set growth.\n"
         "    query: sum(deriv(container_memory_working_set_bytes{namespace=\"a\"}[1h]))\n    max: 1e6\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Every rate-like call whose selector is named like a gauge, and every ratio SLI selector (rated by us)."""
    for q, expr in spec_queries(ctx, ("query", "raw", "selector")):
        if q.kind == "selector":
            name = metric_name(expr) if isinstance(expr, promql_parser.VectorSelector) else ""
            if "ratio" in q.path and name and not is_counter_name(name):
                yield finding(q.src, NAME, q.path, f"{name} is rated by agentops-gen (ratio SLI) but is not named "
                              "like a counter (*_total, *_count, *_sum, *_bucket): a guess from the name; if it "
                              "is a gauge, use a raw SLI")
            continue
        for node, parents in walk(expr):
            if not isinstance(node, promql_parser.VectorSelector) or not parents:
                continue
            call = next((p for p in reversed(parents) if func_name(p) is not None), None)
            name = metric_name(node)
            if call is not None and func_name(call) in COUNTER_FUNCTIONS and name and not is_counter_name(name) \
                    and isinstance(parents[-1], promql_parser.MatrixSelector):
                yield finding(q.src, NAME, q.path, f"{func_name(call)}() over {name}, which is not named like a "
                              "counter (*_total, *_count, *_sum, *_bucket): use deriv()/delta() for a gauge, or "
                              "the counter's real *_total name (a guess from the name)")
