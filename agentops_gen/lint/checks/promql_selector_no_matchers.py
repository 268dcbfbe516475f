"""promql/selector-no-matchers: a selector with a metric name and no label matchers."""

from __future__ import annotations

from collections.abc import Iterator

import promql_parser

from agentops_gen.lint.context import LintContext, finding
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.queries import parsed, query_fields, walk
from agentops_gen.lint.registry import Check

NAME = "promql/selector-no-matchers"
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="A selector with only a metric name (`up == 0`), which matches every job in Prometheus.",
    doc="A spec describes one service, but `up` or `http_requests_total` without a label matcher selects "
        "the series of every job the Prometheus scrapes: the alert fires for other teams' targets, the "
        "SLI mixes other services' traffic, and the query's cost grows with the whole fleet. Add at "
        "least a `job`, `service` or `namespace` matcher. Recording rules read back by name, such as "
        "`slo:sli_error:ratio_rate5m`, are checked the same way.",
    bad="slos: []\nalerts:\n  - name: ApiDown\n    expr: up == 0  # flagged\n    for: 1m\n    severity: critical\n"
        "    runbook: Check the pods.\n",
    good="slos: []\nalerts:\n  - name: ApiDown\n    expr: up{job=\"api\"} == 0\n    for: 1m\n"
         "    severity: critical\n    runbook: Check the pods.\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Every vector selector (queries and SLI selectors) without a non-name matcher."""
    for src in ctx.specs():
        for q in query_fields(src):
            expr = parsed(ctx, q.text)
            if expr is None:
                continue
            for node, _ in walk(expr):
                if isinstance(node, promql_parser.VectorSelector) and node.name \
                        and not [m for m in node.matchers.matchers if m.name != "__name__"] \
                        and not node.matchers.or_matchers:
                    yield finding(src, NAME, q.path, f"{node.name} has no label matcher: it selects the series of "
                                  "every job; add job=, service= or namespace=")
                    break
