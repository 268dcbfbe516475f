"""prometheus/metric-type: rate() over a gauge, or a counter read without rate, by the server's metadata."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import promql_parser

from agentops_gen.lint.context import LintContext, finding
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.queries import QueryField, func_name
from agentops_gen.lint.registry import Check
from agentops_gen.live.series import server, uses

NAME = "prometheus/metric-type"
RATE_FUNCTIONS = frozenset({"rate", "irate", "increase"})
RAW_OK = frozenset({"absent", "absent_over_time", "present_over_time", "timestamp", "resets", "changes",
                    "count_over_time", "last_over_time"})
"""Functions that read a counter's presence or resets, not its value: no rate needed."""
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="`rate()`/`irate()`/`increase()` over a metric the server's metadata calls a gauge, or a metric "
            "it calls a counter read without one of them (checked with `lint --prometheus`).",
    doc="`promql/rate-non-counter` and `promql/counter-without-rate` judge by the metric's name; this "
        "check asks the server (`/api/v1/metadata?metric=...`, as scraped from the target's `# TYPE` "
        "line). `rate()` over a gauge reads every drop as a counter reset and returns nonsense; the raw "
        "value of a counter only grows, so a threshold on it fires once and never clears. An SLI "
        "selector is read with rate() by the generated rules, so it must be a counter (or a histogram). "
        "Metrics without metadata (backfilled, pushed by remote write without metadata) are not judged.",
    stage="prometheus",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Every metric use whose reading contradicts its type in the server's metadata."""
    info = server(ctx)
    for use, node in uses(ctx):
        kind = info.metric_type(use.metric)
        if kind is None:
            continue
        q = use.field
        if q.kind == "selector":
            if kind == "gauge":
                yield finding(q.src, NAME, q.path, f"{use.metric} is a gauge on the server, but the SLI takes "
                              "rate() of it: an SLI needs counters (or a histogram)")
            continue
        parents = _parents(q, node, ctx)
        call = next((p for p in reversed(parents) if func_name(p) is not None), None)
        ranged = bool(parents) and isinstance(parents[-1], promql_parser.MatrixSelector)
        if kind == "gauge" and ranged and func_name(call) in RATE_FUNCTIONS:
            yield finding(q.src, NAME, q.path, f"{func_name(call)}() over {use.metric}, which the server's "
                          "metadata says is a gauge: use deriv()/delta(), or the counter it comes from")
        elif kind == "counter" and not ranged and not any(func_name(p) in RAW_OK for p in parents):
            yield finding(q.src, NAME, q.path, f"{use.metric} is a counter on the server but is read without "
                          "rate()/increase(): its raw value only grows")


def _parents(q: QueryField, node: Any, ctx: LintContext) -> tuple[Any, ...]:
    """Ancestors of `node` in the field's parsed query."""
    from agentops_gen.lint.queries import parsed, walk

    for found, parents in walk(parsed(ctx, q.text)):
        if found is node:
            return parents
    return ()
