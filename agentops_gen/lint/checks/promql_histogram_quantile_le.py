"""promql/histogram-quantile-le: histogram_quantile() over an aggregation that drops `le`."""

from __future__ import annotations

from collections.abc import Iterator

import promql_parser

from agentops_gen.lint.context import LintContext, finding
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.queries import func_name, spec_queries, walk
from agentops_gen.lint.registry import Check

NAME = "promql/histogram-quantile-le"
CHECK = Check(
    name=NAME,
    severity="error",
    summary="`histogram_quantile()` over an aggregation that does not keep `le` (`sum(...)` instead of "
            "`sum by (le) (...)`).",
    doc="`histogram_quantile(q, x)` interpolates between bucket boundaries, which it reads from the `le` "
        "label of `x`. An aggregation without `le` in `by (...)` (or with `le` in `without (...)`) merges "
        "all buckets into one series, and the function returns NaN or nothing at all: the alert never "
        "fires and the panel stays empty. Aggregate with `sum by (le) (rate(x_bucket[5m]))`, adding any "
        "other label you want to keep.",
    bad="slos: []\nkpis:\n  - name: latency-p95\n    description: p95 request latency.\n"
        "    query: histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{job=\"a\"}[5m])))"
        "  # flagged\n    unit: seconds\n    max: 2\n",
    good="slos: []\nkpis:\n  - name: latency-p95\n    description: p95 request latency.\n"
         "    query: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job=\"a\"}[5m])))"
         "\n    unit: seconds\n    max: 2\n",
)


def _drops_le(node: object) -> bool:
    while isinstance(node, promql_parser.ParenExpr):
        node = node.expr
    if not isinstance(node, promql_parser.AggregateExpr):
        return False
    modifier = node.modifier
    if modifier is None:
        return True
    labels = set(modifier.labels)
    if str(modifier.type).endswith("Without"):
        return "le" in labels
    return "le" not in labels


def run(ctx: LintContext) -> Iterator[Finding]:
    """The histogram argument of every histogram_quantile call."""
    for q, expr in spec_queries(ctx):
        for node, _ in walk(expr):
            if func_name(node) == "histogram_quantile" and len(node.args) == 2 and _drops_le(node.args[1]):
                yield finding(q.src, NAME, q.path, "histogram_quantile() over an aggregation that drops the `le` "
                              "label: it returns nothing; aggregate with `by (le)` (plus the labels to keep)")
