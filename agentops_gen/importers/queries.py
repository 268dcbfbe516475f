"""Recognising the PromQL shapes an SLI of the spec language can carry natively.

A query is parsed (with the window placeholder replaced by a sentinel duration) rather than matched
by regular expressions, so whitespace, line breaks and quoting inside matchers do not matter.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import promql_parser

from agentops_gen.units.promql import parse

PLACEHOLDER = re.compile(r"\{\{\s*\.?window\s*\}\}")
"""Sloth's `{{.window}}` (also `{{ .window }}`) and our own `{{ window }}`."""
WINDOW = "{{ window }}"
_SENTINEL = "7777s"
_SENTINEL_SECONDS = 7777


def has_window(query: str) -> bool:
    """Whether the query has a window placeholder."""
    return PLACEHOLDER.search(query) is not None


def our_window(query: str) -> str:
    """The query with every window placeholder spelt as the spec language writes it, trimmed."""
    return PLACEHOLDER.sub(WINDOW, query).strip()


def _tree(query: str) -> Any | None:
    if _SENTINEL in query:
        return None
    try:
        node = parse(PLACEHOLDER.sub(_SENTINEL, query))
    except ValueError:
        return None
    while isinstance(node, promql_parser.ParenExpr):
        node = node.expr
    return node


def _plain(selector: Any) -> str | None:
    """The selector's text when it has no offset, `@` or `or` matchers."""
    if not isinstance(selector, promql_parser.VectorSelector):
        return None
    if selector.offset is not None or selector.at is not None or selector.matchers.or_matchers:
        return None
    text = str(selector)
    return text[:-2] if text.endswith("{}") else text


def _sum_rate(node: Any) -> Any | None:
    """The vector selector of `sum(rate(SEL[window]))` (no grouping, no offset), else None."""
    while isinstance(node, promql_parser.ParenExpr):
        node = node.expr
    if not isinstance(node, promql_parser.AggregateExpr) or str(node.op) != "sum" or node.modifier is not None:
        return None
    call = node.expr
    while isinstance(call, promql_parser.ParenExpr):
        call = call.expr
    if not isinstance(call, promql_parser.Call) or call.func.name != "rate" or len(call.args) != 1:
        return None
    matrix = call.args[0]
    if not isinstance(matrix, promql_parser.MatrixSelector) or matrix.range.total_seconds() != _SENTINEL_SECONDS:
        return None
    return matrix.vector_selector if _plain(matrix.vector_selector) else None


def sum_rate_selector(query: str) -> str | None:
    """`x{a="b"}` for the query `sum(rate(x{a="b"}[{{.window}}]))`, else None."""
    node = _tree(query)
    selector = _sum_rate(node) if node is not None else None
    return _plain(selector) if selector is not None else None


def counter_selector(query: str) -> str | None:
    """The selector of a counter query that is one plain selector or `sum(SELECTOR)` (no grouping)."""
    node = _tree(query)
    if isinstance(node, promql_parser.AggregateExpr) and str(node.op) == "sum" and node.modifier is None:
        node = node.expr
        while isinstance(node, promql_parser.ParenExpr):
            node = node.expr
    return _plain(node)


def latency(errors: str, total: str) -> tuple[str, str] | None:
    """(histogram, threshold) when errors is `sum(rate(h_count{M}[w])) - sum(rate(h_bucket{M,le="x"}[w]))`
    and total `sum(rate(h_count{M}[w]))`: the slow requests of a histogram, which a latency SLI computes."""
    node, total_node = _tree(errors), _tree(total)
    if not isinstance(node, promql_parser.BinaryExpr) or str(node.op) != "-" or node.modifier is not None:
        return None
    count, bucket, whole = _sum_rate(node.lhs), _sum_rate(node.rhs), _sum_rate(total_node)
    if count is None or bucket is None or whole is None or str(count) != str(whole):
        return None
    name = count.name or ""
    if not name.endswith("_count") or bucket.name != name[: -len("_count")] + "_bucket":
        return None
    le = [m for m in bucket.matchers.matchers if m.name == "le"]
    rest = sorted(str(m) for m in bucket.matchers.matchers if m.name != "le")
    if len(le) != 1 or str(le[0].op) != "MatchOp.Equal" or rest != sorted(str(m) for m in count.matchers.matchers):
        return None
    threshold = _threshold(le[0].value)
    if threshold is None:
        return None
    base = name[: -len("_count")]
    matchers = str(count)[len(name):]
    return base + matchers, threshold


def _threshold(le: str) -> str | None:
    """`0.4` -> `400ms`, `5` -> `5s` (None for +Inf or a bound finer than a millisecond)."""
    try:
        seconds = Decimal(le)
    except InvalidOperation:
        return None
    if not seconds.is_finite() or seconds <= 0:
        return None
    ms = seconds * 1000
    if ms != ms.to_integral_value():
        return None
    ms_int = int(ms)
    return f"{ms_int // 1000}s" if ms_int % 1000 == 0 else f"{ms_int}ms"
