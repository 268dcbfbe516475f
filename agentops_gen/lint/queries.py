"""PromQL in specs: where every query lives, each parsed once, and an AST walk that knows parents."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import promql_parser

from agentops_gen.lint.context import FieldPath, LintContext, SpecSource, get_in, items
from agentops_gen.units.promql import children

COUNTER_SUFFIXES = ("_total", "_count", "_sum", "_bucket")
"""OpenMetrics/Prometheus naming: these suffixes are the only ones that name monotonic counters."""


@dataclass(frozen=True)
class QueryField:
    """One PromQL string of a spec: `query` (full expression), `selector` (SLI input) or `raw` (SLI)."""

    src: SpecSource
    path: FieldPath
    text: str
    kind: str


def query_fields(src: SpecSource) -> Iterator[QueryField]:
    """Every PromQL string in a service spec, with its field path."""
    data = src.data
    for i, slo in items(data, "slos"):
        sli = slo.get("sli")
        for kind, keys in (("ratio", ("errors", "good", "total")), ("latency", ("histogram",)),
                           ("score", ("histogram",)), ("raw", ("error_ratio",))):
            for key in keys:
                text = get_in(sli, kind, key)
                if isinstance(text, str):
                    yield QueryField(src, ("slos", i, "sli", kind, key), text, "raw" if kind == "raw" else "selector")
                elif isinstance(text, list):  # a summed ratio `total`
                    for j, item in enumerate(text):
                        if isinstance(item, str):
                            yield QueryField(src, ("slos", i, "sli", kind, key, j), item, "selector")
    for section, key in (("kpis", "query"), ("anomalies", "query"), ("alerts", "expr")):
        for i, item in items(data, section):
            if isinstance(item.get(key), str):
                yield QueryField(src, (section, i, key), item[key], "query")
    for i, panel in items(data.get("dashboard"), "panels"):
        if isinstance(panel.get("query"), str):
            yield QueryField(src, ("dashboard", "panels", i, "query"), panel["query"], "query")


def parsed(ctx: LintContext, text: str) -> Any:
    """The parsed expression (`{{ window }}` replaced by 5m), or None when it does not parse."""
    from agentops_gen.units.promql import substitute_window

    try:  # the build's cache: each query parsed once per run; past the size limits it is refused unparsed
        return ctx.build.queries.parse(substitute_window(text, "5m"))
    except (ValueError, TypeError):
        return None


def spec_queries(ctx: LintContext, kinds: tuple[str, ...] = ("query", "raw")) -> Iterator[tuple[QueryField, Any]]:
    """(field, parsed expression) for every parsable query of the selected specs."""
    for src in ctx.specs():
        for q in query_fields(src):
            if q.kind in kinds:
                expr = parsed(ctx, q.text)
                if expr is not None:
                    yield q, expr


def walk(node: Any, parents: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """(node, ancestors nearest last) for every node, depth first."""
    yield node, parents
    for child in children(node):
        yield from walk(child, (*parents, node))


def metric_name(selector: Any) -> str:
    """Metric name of a vector selector (also when written as {__name__="x"})."""
    if selector.name:
        return str(selector.name)
    for m in selector.matchers.matchers:
        if m.name == "__name__" and str(m.op).endswith("Equal") and "Not" not in str(m.op):
            return str(m.value)
    return ""


def is_counter_name(name: str) -> bool:
    """Named like a counter (or a histogram/summary counter series)."""
    return name.endswith(COUNTER_SUFFIXES)


def func_name(node: Any) -> str | None:
    """Function name of a Call node, else None."""
    return str(node.func.name) if isinstance(node, promql_parser.Call) else None


def agg_op(node: Any) -> str:
    """Aggregation operator name (`sum`, `topk`, ...)."""
    return str(node.op).lower()
