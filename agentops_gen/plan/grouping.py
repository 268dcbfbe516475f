"""`group_by`: one SLO per label value. Every PromQL piece that keeps or matches the group labels.

Summing by the group labels keeps one series per group. The zero-traffic fallbacks need care:
`or vector(0)` has no labels, so in a grouped SLO it would stand in for one unlabelled group only
(and `/` would then find no partner for it). A grouped fallback is `0 * <the total rate by group>`
instead: a zero for exactly the groups that have a total counter, carrying their labels.
"""

from __future__ import annotations

from collections.abc import Sequence

from agentops_gen.plan.model import ServicePlan, SLOPlan

GroupBy = tuple[str, ...]
UNBOUNDED_WORDS = {"user": "user", "users": "user", "uid": "user", "email": "user", "session": "session",
                   "conversation": "conversation", "thread": "conversation", "chat": "conversation",
                   "request": "request", "trace": "trace", "span": "span", "prompt": "prompt", "query": "query",
                   "message": "message", "uuid": "request", "ip": "client", "url": "request", "path": "request"}
"""Label-name words that usually carry one value per user, request or trace (lint slo/group-by-unbounded)."""
BOUNDED_ID_PREFIXES = frozenset({"model", "tool", "agent", "tenant", "provider", "region", "org", "project", "team",
                                 "workspace", "cluster", "zone", "env", "deployment", "service"})
"""`<prefix>_id` labels with one value per model, tool or tenant, not per user."""
PER_SLO_RECORDS = 4
"""Objective, error budget, period days and the info series: one each per SLO, whatever the groups."""


def by(group_by: GroupBy) -> str:
    """` by (a, b)` for an aggregation, or nothing for an ungrouped SLO."""
    return f" by ({', '.join(group_by)})" if group_by else ""


def on(group_by: GroupBy) -> str:
    """`on(a, b)`: vector matching on the group labels only (`on()` for an ungrouped SLO)."""
    return f"on({', '.join(group_by)})"


def summed(inner: str, group_by: GroupBy) -> str:
    """`sum by (group) (inner)`; `sum(inner)` when ungrouped."""
    return f"sum{by(group_by)}({inner})"


def zero_filled(rate: str, group_by: GroupBy, reference: str) -> str:
    """A rate that reads 0 where its counter does not exist yet: `vector(0)` ungrouped; grouped, a zero for every
    group `reference` (the total rate by group) has, so each group keeps its own labels."""
    if not group_by:
        return f"({rate} or vector(0))"
    return f"({rate} or 0 * {reference})"


def union(rates: Sequence[str]) -> str:
    """`(a or b or c)`: one sample per group any of the rates has (the reference of a summed total)."""
    return rates[0] if len(rates) == 1 else "(" + " or ".join(rates) + ")"


def naming(group_by: GroupBy) -> str:
    """` (model={{ $labels.model }})`: an alert summary names its group; nothing when ungrouped."""
    if not group_by:
        return ""
    return " (" + ", ".join(f"{label}={{{{ $labels.{label} }}}}" for label in group_by) + ")"


def legend(group_by: GroupBy, what: str) -> str:
    """Grafana legend naming the group: `{{model}} what`; just `what` when ungrouped."""
    names = " ".join("{{" + label + "}}" for label in group_by)
    return f"{names} {what}".strip() if group_by else what


def unbounded_word(label: str) -> str | None:
    """What a label name suggests one value per (`user_id` -> user), or None for a label that looks bounded."""
    words = [w for w in label.lower().split("_") if w]
    for word in words:
        if word in UNBOUNDED_WORDS:
            return UNBOUNDED_WORDS[word]
    if words and words[-1] == "id" and (len(words) == 1 or words[-2] not in BOUNDED_ID_PREFIXES):
        return "id"
    return None


def rules_per_group(service: ServicePlan, slo: SLOPlan) -> tuple[int, int]:
    """(recorded series, alert rules) of a grouped SLO that repeat per group value."""
    rules = [r for g in service.groups for r in g.rules if r.labels.get("slo") == slo.name]
    records = sum(1 for r in rules if r.record) - PER_SLO_RECORDS
    return records, sum(1 for r in rules if r.alert)
