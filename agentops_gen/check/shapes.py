"""PromQL of rendered files checked once per shape: equality-matcher values set aside.

A platform's rendered rules and dashboards repeat a few dozen expressions per SLO that differ only
in label values (`{service="a", slo="b"}`, `{job="svc-1"}`); parsing each copy is most of the output
check at scale. The value of an equality matcher changes nothing the parser checks but whether it is
empty (`{a=""}` matches the empty string) and how it is escaped, so a plain value (no backslash, no
control character) is replaced by `x` and the result is parsed once per distinct shape, through the
build's ParseCache. Anything else (regex matchers, other string arguments, values with escapes) stays
as written, and a query with comments, single quotes or backticks is parsed as it is.
"""

from __future__ import annotations

import re

from agentops_gen.units.promql import check_query
from agentops_gen.units.promql_limits import BACKSTOP_SCALE, MAX_QUERY_BYTES

_PARTS = re.compile(r'("[^"\\]*(?:\\.[^"\\]*)*")', re.DOTALL)
"""Complete double-quoted strings (escapes included), captured: split() alternates text outside strings
(even indices) and strings (odd). A pattern that starts with a literal `"` is searched for in C between
strings, where one alternation tried at every position cost four times as much."""
_PLAIN = re.compile(r'"[^"\\\x00-\x1f\x7f\ud800-\udfff]+"')
"""A non-empty value with no escape and no control character: the value that becomes "x"."""
PLACEHOLDER = '"x"'


def shape(query: str) -> str:
    """The query with every plain equality-matcher value replaced by "x" (the query itself when unsure).

    Equality: a string right after `=` and optional whitespace (`=` and `!=` matchers; `==`, `<=`, `>=`
    with a string are errors whatever it holds). Unsure: `#` (a comment may hold a quote), single quotes
    or backticks (strings of another kind), a double quote that opens no complete string (the scan would
    start inside one), or a query long enough that the parser's byte limit could depend on the values.
    """
    if ('"' not in query or "#" in query or "'" in query or "`" in query
            or len(query) * 4 > MAX_QUERY_BYTES * BACKSTOP_SCALE):
        return query
    parts = _PARTS.split(query)
    for i in range(0, len(parts), 2):
        if '"' in parts[i]:
            return query
    for i in range(1, len(parts), 2):
        if parts[i - 1].rstrip().endswith("=") and _PLAIN.fullmatch(parts[i]):
            parts[i] = PLACEHOLDER
    return "".join(parts)


def check_rendered(query: str, checked: set[str] | None = None) -> None:
    """ValueError when a rendered expression does not parse as Prometheus 2.x PromQL (message of the query).

    checked: the shapes that passed so far in this run (the caller's set, updated); each is checked once.
    """
    normal = shape(query)
    if checked is not None and normal in checked:
        return
    try:
        check_query(normal)
    except ValueError:
        if normal == query:
            raise
        check_query(query)  # the query itself decides, and its message names the real values
    if checked is not None:
        checked.add(normal)
