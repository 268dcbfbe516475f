"""What the online lint checks ask the server, each question once per run, and which spec selectors ask it.

Requests are bounded by the spec's distinct metrics, not its selectors: per metric one label-names
request (last hour) and, only when that is empty, one more over the last 7 days; one label-values
request per distinct (metric, label) pair a matcher uses; one or two metadata requests; plus one
for all metric names (typo suggestions), one for the flags and one for the config per run.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import promql_parser

from agentops_gen.lint.context import LintContext
from agentops_gen.lint.queries import QueryField, metric_name, parsed, query_fields, walk
from agentops_gen.live.promql_text import op_text

NOW_WINDOW = 3600
"""`Exists now`: has a series in the last hour (the label APIs answer per block, so not finer)."""
HISTORY_WINDOW = 7 * 86400
"""`Disappeared` vs `never existed`: series in the last 7 days."""
HISTOGRAM_SUFFIXES = ("_bucket", "_count")


@dataclass(frozen=True)
class Use:
    """One metric read by one spec field, with the matchers written for it."""

    field: QueryField
    metric: str
    matchers: tuple[tuple[str, str, str], ...]
    """(label, op, value) without the metric name."""


def _matchers(vs: Any) -> tuple[tuple[str, str, str], ...]:
    return tuple((str(m.name), op_text(m.op), str(m.value)) for m in vs.matchers.matchers if m.name != "__name__")


def uses(ctx: LintContext) -> Iterator[tuple[Use, Any]]:
    """(metric use, its VectorSelector node) for every SLI, KPI, anomaly and plain-alert selector.

    A histogram SLI reads `<name>_bucket` and `<name>_count`; names the plan records itself are skipped
    (they exist only once the generated rules are deployed).
    """
    recorded = recorded_names(ctx)
    for src in ctx.specs():
        for q in query_fields(src):
            if q.path[0] == "dashboard":
                continue
            expr = parsed(ctx, q.text)
            if expr is None:
                continue
            for node, _ in walk(expr):
                if not isinstance(node, promql_parser.VectorSelector):
                    continue
                name = metric_name(node)
                if not name or name in recorded or name == "ALERTS" or node.matchers.or_matchers:
                    continue
                if q.kind == "selector" and q.path[3] in ("latency", "score"):
                    for suffix in HISTOGRAM_SUFFIXES:
                        yield Use(q, name + suffix, _matchers(node)), node
                else:
                    yield Use(q, name, _matchers(node)), node


def recorded_names(ctx: LintContext) -> set[str]:
    """Every series name the plan's recording rules write."""
    if ctx.plan is None:
        return set()
    return {r.record for svc in ctx.plan.services for g in svc.groups for r in g.rules if r.record}


class Server:
    """Cached facts about the server's series (one instance per lint run, kept in ctx.cache)."""

    def __init__(self, client: Any):
        self.client = client
        self.now = time.time()

    def _window(self, seconds: float) -> list[tuple[str, str]]:
        return [("start", f"{self.now - seconds:.0f}"), ("end", f"{self.now:.0f}")]

    def label_names(self, metric: str, seconds: float = NOW_WINDOW) -> list[str]:
        """Label names of the metric's series in the last `seconds` (empty: no series)."""
        data = self.client.get("labels", [("match[]", _by_name(metric)), *self._window(seconds)])
        return [str(x) for x in data or []]

    def existed(self, metric: str) -> bool:
        """Had a series in the last 7 days."""
        return bool(self.label_names(metric, HISTORY_WINDOW))

    def label_values(self, metric: str, label: str) -> list[str]:
        """Values of one label on the metric's series in the last hour."""
        data = self.client.get(f"label/{label}/values", [("match[]", _by_name(metric)), *self._window(NOW_WINDOW)])
        return [str(x) for x in data or []]

    def metric_names(self) -> list[str]:
        """Every metric name the server has now (for `did you mean`)."""
        data = self.client.get("label/__name__/values", self._window(NOW_WINDOW))
        return [str(x) for x in data or []]

    def metric_type(self, metric: str) -> str | None:
        """counter/gauge/histogram/summary/... from /api/v1/metadata (None when unknown)."""
        for name in dict.fromkeys([metric, re.sub(r"_(total|bucket|count|sum)$", "", metric)]):
            data = self.client.get("metadata", [("metric", name)])
            entries = data.get(name) if isinstance(data, dict) else None
            if entries:
                return str(entries[0].get("type") or "") or None
        return None


def server(ctx: LintContext) -> Server:
    """The run's Server (one per lint run: its answers are cached across checks)."""
    if "prometheus-server" not in ctx.cache:
        ctx.cache["prometheus-server"] = Server(ctx.prometheus)
    found: Server = ctx.cache["prometheus-server"]
    return found


def _by_name(metric: str) -> str:
    return '{__name__="' + metric.replace("\\", "\\\\").replace('"', '\\"') + '"}'


def matches(op: str, pattern: str, value: str) -> bool:
    """Whether a positive matcher selects a label value (a regex Python cannot compile matches anything)."""
    if op == "=":
        return value == pattern
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return True
