"""slo/mismatched-selectors: a ratio SLI whose errors/good and total count different metrics."""

from __future__ import annotations

from collections.abc import Iterator

import promql_parser

from agentops_gen.lint.context import LintContext, finding, get_in, items
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.queries import metric_name, parsed
from agentops_gen.lint.registry import Check

NAME = "slo/mismatched-selectors"
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="A ratio SLI whose `errors`/`good` and `total` select different metrics.",
    doc="An error ratio is meaningful only when the errors are a subset of the total: the same counter, "
        "with a label picking the failed events (`http_requests_total{code=~\"5..\"}` over "
        "`http_requests_total`). Two metrics (AMAS's `amas_agent_errors_total` over "
        "`amas_agent_requests_total`) count different things: one request can raise several errors, "
        "the two are scraped at different moments, and the ratio can exceed 100% or hide failures. "
        "Count outcomes as a label of one counter.",
    bad="slos:\n  - name: availability\n    description: Requests without an error.\n    objective: 99.5\n"
        "    sli:\n      ratio:\n        errors: agent_errors_total{job=\"a\"}  # flagged\n"
        "        total: agent_requests_total{job=\"a\"}\n",
    good="slos:\n  - name: availability\n    description: Requests without an error.\n    objective: 99.5\n"
         "    sli:\n      ratio:\n        errors: agent_requests_total{job=\"a\",status=\"error\"}\n"
         "        total: agent_requests_total{job=\"a\"}\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Metric names of errors/good against total."""
    for src in ctx.specs():
        for i, slo in items(src.data, "slos"):
            ratio = get_in(slo, "sli", "ratio")
            if not isinstance(ratio, dict):
                continue
            total = parsed(ctx, ratio["total"]) if isinstance(ratio.get("total"), str) else None
            for key in ("errors", "good"):
                part = parsed(ctx, ratio[key]) if isinstance(ratio.get(key), str) else None
                if not isinstance(part, promql_parser.VectorSelector) \
                        or not isinstance(total, promql_parser.VectorSelector):
                    continue
                a, b = metric_name(part), metric_name(total)
                if a and b and a != b:
                    yield finding(src, NAME, ("slos", i, "sli", "ratio", key),
                                  f"{key} counts {a} but total counts {b}: a ratio of two metrics can exceed 100% "
                                  "or hide failures; select both from one counter with a label for the outcome")
