"""`agentops-gen backtest`: when each generated alert would have fired over the server's real history.

Every alert rule of the Plan is rewritten onto raw series (recording rules inlined, expand.py),
evaluated with range queries at its group's evaluation interval, and its `for:` and
`keep_firing_for:` applied per label set (episodes.py). One query per alert and per 10,000
steps (Prometheus refuses more than 11,000 points per series).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agentops_gen.live.client import Client, PrometheusUnavailable
from agentops_gen.live.episodes import Episode, episodes
from agentops_gen.live.expand import Expander, ExpandError, Recording
from agentops_gen.plan.model import Plan
from agentops_gen.units.durations import format_duration, parse_duration

DEFAULT_EVALUATION_INTERVAL = "1m"
"""Prometheus' global evaluation_interval default, used for groups without their own `interval`."""
QUERY_ERRORS = (400, 422)
"""Statuses of a query the server refused or failed to run (bad_data, execution, timeout): one alert's
problem, reported with it; anything else (unreachable, 5xx, auth) stops the run."""
MAX_STEPS = 10_000
"""Steps per range query (Prometheus' limit is 11,000 points per series)."""


@dataclass(frozen=True)
class AlertRule:
    """One alert rule to backtest."""

    service: str
    name: str
    expr: str
    for_s: float
    keep_firing_s: float
    labels: dict[str, str]
    interval_s: float


@dataclass
class AlertResult:
    """Episodes of one alert label set (or why the alert could not be evaluated)."""

    rule: AlertRule
    labels: dict[str, str]
    episodes: list[Episode] = field(default_factory=list)
    error: str | None = None
    end_ms: int = 0
    """End of the backtest range (an open episode lasts until then)."""

    @property
    def firing_ms(self) -> int:
        """Total firing time within the range (an open episode counts up to `end`)."""
        return sum((e if e is not None else self.end_ms) - s for s, e in self.episodes)


def _seconds(duration: str | None) -> float:
    return parse_duration(duration) if duration else 0.0


def plan_rules(plan: Plan, services: set[str] | None = None) -> tuple[list[AlertRule], list[Recording]]:
    """Every alert rule of the selected services, and every recording rule of the plan."""
    alerts: list[AlertRule] = []
    recordings: list[Recording] = []
    for svc in plan.services:
        for group in svc.groups:
            interval = group.interval or DEFAULT_EVALUATION_INTERVAL
            for rule in group.rules:
                if rule.record:
                    recordings.append(Recording(rule.record, rule.expr, dict(rule.labels), interval))
                elif rule.alert and (services is None or svc.service in services):
                    alerts.append(AlertRule(svc.service, rule.alert, rule.expr, _seconds(rule.for_),
                                            _seconds(rule.keep_firing_for), dict(rule.labels),
                                            parse_duration(interval)))
    return alerts, recordings


def windows(start: float, end: float, step: float) -> Iterator[tuple[float, float]]:
    """[start, end] cut into query ranges of at most MAX_STEPS steps each, on the same step grid."""
    t = start
    while t <= end:
        last = min(end, t + (MAX_STEPS - 1) * step)
        yield t, last
        t = last + step


def evaluate(client: Client, expander: Expander, rule: AlertRule, start: float, end: float) -> list[AlertResult]:
    """The episodes of one alert rule over [start, end] (one result per label set, or one with an error)."""
    step = rule.interval_s
    first = math.ceil(start / step) * step  # rule evaluations sit on the interval grid
    try:
        expr = expander.expand(rule.expr)
    except ExpandError as exc:
        return [AlertResult(rule, dict(rule.labels), error=str(exc))]
    present: dict[tuple[tuple[str, str], ...], set[int]] = {}
    for a, b in windows(first, end, step):
        try:
            matrix = client.query_range(expr, a, b, step)
        except PrometheusUnavailable as exc:
            if exc.status not in QUERY_ERRORS:
                raise
            return [AlertResult(rule, dict(rule.labels), error=f"the server rejected the inlined query: {exc}")]
        for series in matrix:
            metric = {k: v for k, v in series.get("metric", {}).items() if k != "__name__"}
            key = tuple(sorted({**metric, **rule.labels}.items()))
            present.setdefault(key, set()).update(round(float(t) * 1000) for t, _ in series.get("values", []))
    steps = [round((first + i * step) * 1000) for i in range(int((end - first) // step) + 1)]
    results = []
    for key, times in sorted(present.items()):
        found = episodes(steps, times, round(rule.for_s * 1000), round(rule.keep_firing_s * 1000))
        if found:
            results.append(AlertResult(rule, dict(key), found, end_ms=round(end * 1000)))
    return results or [AlertResult(rule, dict(rule.labels), end_ms=round(end * 1000))]


def backtest(client: Client, plan: Plan, start: float, end: float,
             services: set[str] | None = None) -> list[AlertResult]:
    """Every alert of the plan's (selected) services, evaluated over [start, end]."""
    alerts, recordings = plan_rules(plan, services)
    expander = Expander(recordings)
    return [r for rule in alerts for r in evaluate(client, expander, rule, start, end)]


def rfc3339(ms: int) -> str:
    """UTC RFC 3339 with a Z (seconds precision: evaluations are whole seconds apart)."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_json(results: list[AlertResult]) -> str:
    """`{"alerts": [{"alert", "labels", "episodes": [{"start", "end"}]}]}` (plus `error` when not evaluated)."""
    alerts: list[dict[str, Any]] = []
    for r in results:
        item: dict[str, Any] = {"alert": r.rule.name, "labels": dict(sorted(r.labels.items())),
                                "episodes": [{"start": rfc3339(s), "end": None if e is None else rfc3339(e)}
                                             for s, e in r.episodes]}
        if r.error:
            item["error"] = r.error
        alerts.append(item)
    return json.dumps({"alerts": alerts}, indent=2, sort_keys=False) + "\n"


def noisy_first(results: list[AlertResult]) -> list[AlertResult]:
    """Most episodes first, then longest firing, then by name."""
    return sorted(results, key=lambda r: (-len(r.episodes), -r.firing_ms, r.rule.name,
                                          sorted(r.labels.items())))


def to_text(results: list[AlertResult], start: float, end: float) -> str:
    """A table per service, noisy alerts first, each episode listed under it."""
    lines: list[str] = []
    services = sorted({r.rule.service for r in results})
    span = f"{rfc3339(round(start * 1000))} .. {rfc3339(round(end * 1000))}"
    for service in services:
        rows = noisy_first([r for r in results if r.rule.service == service])
        fired = sum(1 for r in rows if r.episodes)
        lines.append(f"service {service}: {fired} of {len(rows)} alerts would have fired ({span})")
        table = [("ALERT", "SEVERITY", "EPISODES", "FIRING", "FIRST START")]
        for r in rows:
            first = rfc3339(r.episodes[0][0]) if r.episodes else "-"
            count = "error" if r.error else str(len(r.episodes))
            table.append((r.rule.name + _extra_labels(r), r.labels.get("severity", ""), count,
                          format_duration(r.firing_ms / 1000) if r.episodes else "-", first))
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        lines.extend("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table)
        for r in rows:
            for s, e in r.episodes:
                lines.append(f"  {r.rule.name}: {rfc3339(s)} -> {'still firing' if e is None else rfc3339(e)}")
            if r.error:
                lines.append(f"  {r.rule.name}: not evaluated: {r.error}")
        lines.append("")
    return "\n".join(lines)


def _extra_labels(r: AlertResult) -> str:
    """Labels the query added beyond the rule's own (one row per label set)."""
    extra = {k: v for k, v in r.labels.items() if k not in r.rule.labels}
    return "{" + ", ".join(f"{k}={v}" for k, v in sorted(extra.items())) + "}" if extra else ""
