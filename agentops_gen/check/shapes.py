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

_LITERALS = re.compile(r'(=\s*)"[^"\\\x00-\x1f\x7f\ud800-\udfff]+"|"(?:[^"\\]|\\.)*"', re.DOTALL)
"""A plain non-empty value after `=` (`=` and `!=` matchers; `==`, `<=`, `>=` with a string are errors
whatever it holds), else any double-quoted string, kept as written: both alternatives consume whole
strings, escapes included."""
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
PLACEHOLDER = '"x"'


def _placeholder(match: re.Match[str]) -> str:
    prefix = match.group(1)
    return match.group(0) if prefix is None else prefix + PLACEHOLDER


def shape(query: str) -> str:
    """The query with every plain equality-matcher value replaced by "x" (the query itself when unsure).

    Unsure: `#` (a comment may hold a quote), single quotes or backticks (strings of another kind), a
    double quote that opens no complete string (the scan would start inside one), or a query long
    enough that the parser's byte limit could depend on the values.
    """
    if ('"' not in query or "#" in query or "'" in query or "`" in query
            or len(query) * 4 > MAX_QUERY_BYTES * BACKSTOP_SCALE or '"' in _STRINGS.sub("", query)):
        return query
    return _LITERALS.sub(_placeholder, query)


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
