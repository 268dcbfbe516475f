"""promql/raw-window-placeholder: a raw SLI without the `{{ window }}` placeholder."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import promql_parser

from agentops_gen.lint.context import LintContext, finding
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.queries import query_fields, walk
from agentops_gen.lint.registry import Check

NAME = "promql/raw-window-placeholder"
_PLACEHOLDER = re.compile(r"\{\{\s*\.?window\s*\}\}")
_RANGE = re.compile(r"\[(\d+[smhdwy][0-9smhdwy]*)\]")
CHECK = Check(
    name=NAME,
    severity="error",
    summary="A raw SLI (`sli.raw.error_ratio`) without the `{{ window }}` placeholder.",
    doc="A raw SLI is evaluated once per burn-rate window (5m, 30m, 1h, 2h, 6h, 1d, 3d and the period): "
        "agentops-gen replaces `{{ window }}` in its range selectors with each window. A query with a "
        "fixed range (`[30d]`, pasted from a recording rule) records the same 30-day ratio under every "
        "window, so the fast-burn page reacts to an outage only after days. Write every range as "
        "`[{{ window }}]`.",
    bad="slos:\n  - name: availability\n    description: Requests without a server error.\n    objective: 99.9\n"
        "    sli:\n      raw:\n        error_ratio: sum(rate(http_requests_total{job=\"a\",code=~\"5..\"}[30d])) / "
        "sum(rate(http_requests_total{job=\"a\"}[30d]))  # flagged\n",
    good="slos:\n  - name: availability\n    description: Requests without a server error.\n    objective: 99.9\n"
         "    sli:\n      raw:\n        error_ratio: sum(rate(http_requests_total{job=\"a\",code=~\"5..\"}"
         "[{{ window }}])) / sum(rate(http_requests_total{job=\"a\"}[{{ window }}]))\n",
)


_SENTINEL = timedelta(milliseconds=86399999)
"""Stands in for `{{ window }}` while parsing: a range no one writes, so the window's ranges are recognised."""


def _fixed_outside_window(text: str) -> bool:
    """A fixed range that is not inside a `[{{ window }}:step]` subquery (a time-slice SLI's inner `[1m]` is fine)."""
    from agentops_gen.units.promql import parse, substitute_window

    try:  # through the run's cache, and never past the size limits (promql-parser recurses)
        expr = parse(substitute_window(text, "86399999ms"))
    except (ValueError, TypeError):
        return bool(_RANGE.search(text))  # promql/syntax reports the query itself
    for node, parents in walk(expr):
        if isinstance(node, (promql_parser.MatrixSelector, promql_parser.SubqueryExpr)) and node.range != _SENTINEL:
            if not any(isinstance(p, promql_parser.SubqueryExpr) and p.range == _SENTINEL for p in parents):
                return True
    return False


def run(ctx: LintContext) -> Iterator[Finding]:
    """Raw SLIs with no placeholder, or with fixed ranges next to it."""
    for src in ctx.specs():
        for q in query_fields(src):
            if q.kind != "raw":
                continue
            fixed = sorted(set(_RANGE.findall(q.text)))
            if not _PLACEHOLDER.search(q.text):
                ranges = f" (it uses a fixed {', '.join(f'[{r}]' for r in fixed)})" if fixed else ""
                yield finding(src, NAME, q.path, "raw SLI has no {{ window }} placeholder" + ranges +
                              "; every burn-rate window would record the same ratio")
            elif _fixed_outside_window(q.text):
                yield finding(src, NAME, q.path, f"raw SLI mixes {{{{ window }}}} with fixed "
                              f"{', '.join(f'[{r}]' for r in fixed)}; every range should be [{{{{ window }}}}]")
