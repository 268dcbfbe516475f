"""Size limits a PromQL string must meet before promql-parser sees it.

promql-parser (Rust) recurses once per tree level and its memory grows with the square of the depth:
a chain of binary operators takes 50 MB at 500 operators, 630 MB at 2,000, 2.5 GB at 4,000, and
overflows the stack (segfault, no Python error) near 5,000; 6,000 nested parentheses take 2.5 GB.
So the depth is bounded by a cheap lexical count first (docs/spec.md "Limits"). Spec fields get the
user limits; every parse (also of generated rules, which wrap one user query in a few operators
and parentheses) gets the backstop, twice as high, so no input can reach the parser's bad range.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_QUERY_BYTES = 16 * 1024
"""Bytes of one PromQL field (UTF-8); real queries are a few hundred."""
MAX_QUERY_OPERATORS = 500
"""Binary operators (+ - * / % ^, comparisons, and/or/unless, atan2) outside label matchers."""
MAX_QUERY_NESTING = 64
"""Depth of ( [ { brackets, function calls and aggregations included."""
BACKSTOP_SCALE = 2
"""Every parse, generated expressions included, is refused past this many times the user limits."""

_WORD_OPERATORS = frozenset({"and", "or", "unless", "atan2"})
_TWO_CHAR = frozenset({"==", "!=", ">=", "<="})
_ONE_CHAR = frozenset("+-*/%^<>")
_OPEN, _CLOSE = "([{", ")]}"


@dataclass(frozen=True)
class QuerySize:
    """What the limits count in one query."""

    size: int
    operators: int
    nesting: int


def measure(query: str) -> QuerySize:
    """Bytes, binary operators and bracket depth, by one pass over the text (strings and comments skipped).

    Counts generously (a unary minus or the `-` of `1e-3` counts as an operator) so that the count is
    never below what the parser will build; matchers inside `{...}` are not operators.
    """
    operators = depth = deepest = braces = 0
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c in "\"'`":
            i = _string_end(query, i)
            continue
        if c == "#":
            newline = query.find("\n", i)
            i = n if newline < 0 else newline
            continue
        if c in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
            braces += c == "{"
        elif c in _CLOSE:
            depth = max(depth - 1, 0)
            braces = max(braces - (c == "}"), 0)
        elif c.isalpha() or c == "_":
            start = i
            while i < n and (query[i].isalnum() or query[i] in "_:"):
                i += 1
            operators += braces == 0 and query[start:i].lower() in _WORD_OPERATORS
            continue
        elif braces == 0 and query[i:i + 2] in _TWO_CHAR:
            operators += 1
            i += 2
            continue
        elif braces == 0 and c in _ONE_CHAR:
            operators += 1
        i += 1
    return QuerySize(len(query.encode("utf-8", "surrogatepass")), operators, deepest)


def _string_end(query: str, start: int) -> int:
    """Index after the string literal opening at `start` (backslash escapes, except in `raw` strings)."""
    quote, i, n = query[start], start + 1, len(query)
    while i < n:
        if query[i] == "\\" and quote != "`":
            i += 2
            continue
        if query[i] == quote:
            return i + 1
        i += 1
    return n


def _surely_within(query: str, scale: int) -> bool:
    """True when counts over the whole text (bounds of what measure() counts) are within the limits.

    The exact pass is a Python loop per character; real queries are far below the limits, and these
    counts run in C.
    """
    if len(query) * 4 > MAX_QUERY_BYTES * scale:  # UTF-8 takes at most 4 bytes a character
        return False
    if sum(map(query.count, _OPEN)) > MAX_QUERY_NESTING * scale:
        return False
    lower = query.lower()
    operators = sum(map(query.count, "+-*/%^<>=!")) + sum(map(lower.count, _WORD_OPERATORS))
    return operators <= MAX_QUERY_OPERATORS * scale


def size_problem(query: str, scale: int = 1) -> str | None:
    """Why the query is past the limits (times `scale`), or None when it is within them."""
    if _surely_within(query, scale):
        return None
    size = measure(query) if len(query) <= MAX_QUERY_BYTES * scale else None
    if size is None or size.size > MAX_QUERY_BYTES * scale:
        length = len(query.encode("utf-8", "surrogatepass"))
        return (f"query is too long: {length} bytes (at most {MAX_QUERY_BYTES * scale}); move parts of it "
                "into recording rules")
    if size.operators > MAX_QUERY_OPERATORS * scale:
        return (f"query has too many binary operators: {size.operators} (at most {MAX_QUERY_OPERATORS * scale}); "
                "use sum()/count() over one selector or recording rules instead of a long chain")
    if size.nesting > MAX_QUERY_NESTING * scale:
        return (f"query is nested too deeply: {size.nesting} levels of brackets (at most "
                f"{MAX_QUERY_NESTING * scale})")
    return None


def check_size(query: str) -> None:
    """ValueError when a spec's PromQL field is past the user limits."""
    problem = size_problem(query)
    if problem is not None:
        raise ValueError(problem)
