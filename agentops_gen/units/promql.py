"""PromQL parsing with promql-parser, narrowed to what Prometheus 2.x (Debian's 2.42) accepts.

promql-parser follows Prometheus 3 and accepts functions 2.x rejects (limitk, mad_over_time,
sort_by_label, info, ...). It reports no error position, so callers locate errors at the YAML node.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import promql_parser

from agentops_gen.units.promql_limits import BACKSTOP_SCALE, size_problem

PROMETHEUS_2_FUNCTIONS = frozenset(
    """
    abs absent absent_over_time acos acosh asin asinh atan atanh avg_over_time ceil changes clamp
    clamp_max clamp_min cos cosh count_over_time day_of_month day_of_week day_of_year days_in_month
    deg delta deriv exp floor histogram_count histogram_fraction histogram_quantile histogram_sum
    holt_winters hour idelta increase irate label_join label_replace last_over_time ln log10 log2
    max_over_time min_over_time minute month pi predict_linear present_over_time quantile_over_time
    rad rate resets round scalar sgn sin sinh sort sort_desc sqrt stddev_over_time stdvar_over_time
    sum_over_time tan tanh time timestamp vector year
    """.split()
)
PROMETHEUS_2_AGGREGATIONS = frozenset(
    "sum min max avg group stddev stdvar count count_values bottomk topk quantile".split()
)
_WINDOW = re.compile(r"\{\{\s*\.?window\s*\}\}")


def substitute_window(query: str, window: str) -> str:
    """Replace the `{{ window }}` placeholder (also Sloth's `{{.window}}`) by a duration."""
    return _WINDOW.sub(window, query)


class ParseCache:
    """The parsed PromQL of one run, by query text (a tree, or the error message of a query that does not parse).

    Owned by one pipeline Build (`with active(build.queries)` around what it runs), so nothing survives
    the run: validation, planning, synthetic test series, the output checks and lint's checks all parse
    a query through it, and promql-parser sees each distinct query once. The trees are never modified.
    """

    def __init__(self) -> None:
        self.found: dict[str, tuple[Any, str | None]] = {}
        self.lookups = 0
        """Calls of parse(), hits included (the parses are len(found))."""

    def parse(self, query: str) -> Any:
        """The tree of `query`; ValueError when it does not parse (the same message every time)."""
        self.lookups += 1
        known = self.found.get(query)
        if known is None:
            try:
                known = (_parse(query), None)
            except ValueError as exc:
                known = (None, str(exc))
            self.found[query] = known
        if known[1] is not None:
            raise ValueError(known[1])
        return known[0]


_ACTIVE: ContextVar[ParseCache | None] = ContextVar("agentops_gen_parse_cache", default=None)


@contextmanager
def active(cache: ParseCache) -> Iterator[ParseCache]:
    """Route every parse() of this context through `cache` until the block ends."""
    token = _ACTIVE.set(cache)
    try:
        yield cache
    finally:
        _ACTIVE.reset(token)


def parse(query: str) -> Any:
    """Parse a query; ValueError with the parser's message when it does not parse (through the active cache)."""
    cache = _ACTIVE.get()
    return _parse(query) if cache is None else cache.parse(query)


def _parse(query: str) -> Any:
    if not query or not query.strip():
        raise ValueError("empty PromQL expression")
    too_big = size_problem(query, BACKSTOP_SCALE)  # promql-parser recurses: never hand it a deep tree
    if too_big is not None:
        raise ValueError(f"invalid PromQL: {too_big}")
    try:
        return promql_parser.parse(query)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"invalid PromQL: {exc}") from None


def children(node: Any) -> list[Any]:
    """Direct sub-expressions of a node."""
    if isinstance(node, promql_parser.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, promql_parser.Call):
        return list(node.args)
    if isinstance(node, promql_parser.AggregateExpr):
        return [p for p in (node.param, node.expr) if p is not None]
    if isinstance(node, (promql_parser.ParenExpr, promql_parser.UnaryExpr, promql_parser.SubqueryExpr)):
        return [node.expr]
    if isinstance(node, promql_parser.MatrixSelector):
        return [node.vector_selector]
    return []


def nodes(expr: Any) -> list[Any]:
    """Every node of an expression tree, depth first.

    Walked here, one level at a time: promql_parser.walk copies every subtree it visits, which takes
    gigabytes on a query at the size limits (a 500-operator chain).
    """
    seen: list[Any] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        seen.append(node)
        stack.extend(reversed(children(node)))
    return seen


_KEYWORDS = frozenset("by without on ignoring group_left group_right bool and or unless offset".split())
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_CALLED = re.compile(r"(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*+)\s*(?=\(|by\b|without\b)")
"""A whole name before `(`, `by` or `without`: the lookbehind and the possessive `*+` keep the scan from
retrying every suffix and every prefix of each name (a quarter of the time on generated rules)."""


def _only_known_calls(query: str) -> bool:
    """True when the text shows no name used as a function or aggregation outside the Prometheus 2.x sets.

    Every call is `name(` or `name by|without (`, up to whitespace; with strings removed and no
    comments, a query passing this cannot hold a 3.x-only call, so the tree walk (the slow part:
    a Python callback per node) is skipped. Anything unusual (comments, upper case) is walked.
    """
    if "#" in query:
        return False
    names = set(_CALLED.findall(_STRINGS.sub('""', query)))
    return names <= PROMETHEUS_2_FUNCTIONS | PROMETHEUS_2_AGGREGATIONS | _KEYWORDS


def check_query(query: str) -> Any:
    """Parse and reject functions and aggregations that Prometheus 2.x does not have."""
    expr = parse(query)
    if _only_known_calls(query):
        return expr
    for node in nodes(expr):
        if isinstance(node, promql_parser.Call) and node.func.name not in PROMETHEUS_2_FUNCTIONS:
            raise ValueError(f"invalid PromQL: function {node.func.name}() does not exist in Prometheus 2.x")
        if isinstance(node, promql_parser.AggregateExpr) and str(node.op) not in PROMETHEUS_2_AGGREGATIONS:
            raise ValueError(f"invalid PromQL: aggregation {node.op}() does not exist in Prometheus 2.x")
    return expr


_SCALAR_FUNCTIONS = frozenset({"scalar", "time", "pi"})
"""The functions whose result is a scalar (every other one returns an instant or a range vector)."""


def value_type(node: Any) -> str:
    """What an expression returns: `scalar`, `string`, `vector` (instant) or `matrix` (range)."""
    while isinstance(node, (promql_parser.ParenExpr, promql_parser.UnaryExpr)):
        node = node.expr
    if isinstance(node, promql_parser.NumberLiteral):
        return "scalar"
    if isinstance(node, promql_parser.StringLiteral):
        return "string"
    if isinstance(node, (promql_parser.MatrixSelector, promql_parser.SubqueryExpr)):
        return "matrix"
    if isinstance(node, promql_parser.Call):
        return "scalar" if node.func.name in _SCALAR_FUNCTIONS else "vector"
    if isinstance(node, promql_parser.BinaryExpr):
        sides = {value_type(node.lhs), value_type(node.rhs)}
        return "scalar" if sides == {"scalar"} else "vector"
    return "vector"


_FROM_NOTHING_CALLS = frozenset({"vector", "time", "pi", "scalar", "absent", "absent_over_time"})
"""Functions whose result has a sample whatever their argument holds (scalar() of nothing is NaN)."""
_CLOCK_FUNCTIONS = frozenset({"day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute",
                              "month", "year"})
"""Without an argument these read the evaluation time: a sample from nothing."""


def from_nothing(node: Any) -> bool:
    """Can the expression yield a sample while no selector matches any series (`x or vector(0)`, `absent(x)`)?

    Judged on the tree, erring towards yes: a rule of such a query writes its record in a test that feeds no
    input, so the test can neither feed that record nor expect silence without series.
    """
    while isinstance(node, (promql_parser.ParenExpr, promql_parser.UnaryExpr, promql_parser.SubqueryExpr)):
        node = node.expr
    if isinstance(node, (promql_parser.NumberLiteral, promql_parser.StringLiteral)):
        return True
    if isinstance(node, promql_parser.Call):
        name = node.func.name
        if name in _FROM_NOTHING_CALLS or (name in _CLOCK_FUNCTIONS and not node.args):
            return True
        # scalar arguments (round(x, 0.5), histogram_quantile(0.9, x)) are parameters, not the data
        return any(from_nothing(arg) for arg in node.args if value_type(arg) in ("vector", "matrix"))
    if isinstance(node, promql_parser.AggregateExpr):
        return node.expr is not None and from_nothing(node.expr)
    if isinstance(node, promql_parser.BinaryExpr):
        op = str(node.op).lower()
        left, right = from_nothing(node.lhs), from_nothing(node.rhs)
        if op == "or":
            return left or right
        if op == "unless":
            return left
        # and, arithmetic, comparison: a scalar side always has its value, a vector side needs samples
        sides = [side for side, child in ((left, node.lhs), (right, node.rhs)) if value_type(child) != "scalar"]
        return all(sides)
    return False


def query_from_nothing(query: str) -> bool:
    """from_nothing() of a query's tree (False for a query that does not parse: validation reports it)."""
    try:
        return from_nothing(parse(query))
    except ValueError:
        return False


def check_vector_query(query: str) -> Any:
    """check_query, and the query must return an instant vector: agentops-gen records it and compares it."""
    expr = check_query(query)
    kind = value_type(expr)
    if kind != "vector":
        hint = {"scalar": "a number alone is a scalar: write vector(1) for a constant",
                "matrix": "a range vector: wrap it in a function over time, such as rate(x[5m])",
                "string": "a string"}[kind]
        raise ValueError(f"must return an instant vector, got a {kind} ({hint})")
    return expr


_WINDOW_PLACEHOLDER = re.compile(r"\{\{\s*window\s*\}\}")


def check_selector(query: str) -> Any:
    """A single instant vector selector with a metric name, e.g. `agent_requests_total{status="error"}`."""
    if _WINDOW_PLACEHOLDER.search(query):  # a Sloth-style query pasted where a selector goes: say so
        raise ValueError(
            "must be ONE vector selector such as metric_total{label=\"value\"}, without a {{ window }} "
            "placeholder: agentops-gen adds rate() over each window itself (a full error-ratio query with "
            "{{ window }} goes in `sli.raw.error_ratio`)"
        )
    return vector_selector(query)


def vector_selector(query: str) -> Any:
    """check_selector without the placeholder hint, for series the tool writes itself: their label values
    are the spec's and may hold any text, `{{ window }}` included (fuzz FUZZ_SEED=16 case 309)."""
    expr = parse(query)
    if not isinstance(expr, promql_parser.VectorSelector):
        raise ValueError(
            f"must be ONE vector selector such as metric_total{{label=\"value\"}}, not an expression ({query!r}); "
            "agentops-gen adds rate() and sum() itself"
        )
    if not expr.name:
        raise ValueError("the selector needs a metric name")
    if expr.offset is not None or expr.at is not None:
        raise ValueError("offset and @ modifiers are not allowed in an SLI selector")
    return expr


def selector_parts(query: str) -> tuple[str, str]:
    """Split a selector into (metric name, matchers text without braces) for building derived series."""
    expr = check_selector(query)
    matchers = ",".join(f"{m.name}{_OPS[str(m.op)]}{_quote(m.value)}" for m in expr.matchers.matchers
                        if m.name != "__name__")
    return str(expr.name), matchers


_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~",
        "=": "=", "!=": "!=", "=~": "=~", "!~": "!~"}


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_DURATION_TOKEN = re.compile(r"(?<![\w.])\d+(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*(?![\w.])")
_RANGES = re.compile(r"\[[^\]]*\]")
_OFFSET = re.compile(r"\boffset\s+-?\S+", re.IGNORECASE)


def duration_literal_problem(query: str) -> str | None:
    """A duration written where Prometheus 2.x wants a number (`5m`, `vector(1) * 1h`), or None.

    promql-parser (Prometheus 3) reads `5m` as 300; Prometheus 2.42 says "unexpected duration".
    Durations stay legal in ranges, subqueries and after `offset`.
    """
    text = _STRINGS.sub('""', query)
    text = re.sub(r"#[^\n]*", "", text)
    text = _OFFSET.sub("", _RANGES.sub("[]", text))
    found = _DURATION_TOKEN.search(text)
    if found is None:
        return None
    return (f"invalid PromQL: duration {found.group()!r} used as a number (Prometheus 2.x accepts a duration only "
            "in a range [5m], a subquery or after offset; write seconds, e.g. 300)")
