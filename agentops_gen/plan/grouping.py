"""`group_by`: one SLO per label value. Every PromQL piece that keeps or matches the group labels.

Summing by the group labels keeps one series per group. The zero-traffic fallbacks need care:
`or vector(0)` has no labels, so in a grouped SLO it would stand in for one unlabelled group only
(and `/` would then find no partner for it). A grouped fallback is `0 * <the total rate by group>`
instead: a zero for exactly the groups that have a total counter, carrying their labels.
"""

from __future__ import annotations

from collections.abc import Sequence

import promql_parser

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


def dropped_labels(query: str, group_by: GroupBy) -> list[str]:
    """Group labels the query's result does not carry (a raw SLI must keep them), in group_by order."""
    from agentops_gen.check.promql import parse

    tree = parse(query)
    return [label for label in group_by if _keeps(tree, label) is False]


def _keeps(node: object, label: str) -> bool | None:
    """Does the result of `node` keep `label` of its input series? None: a scalar (no labels, no say)."""
    p = promql_parser
    if isinstance(node, (p.VectorSelector, p.MatrixSelector)):
        return True
    if isinstance(node, (p.NumberLiteral, p.StringLiteral)):
        return None
    if isinstance(node, (p.ParenExpr, p.UnaryExpr, p.SubqueryExpr)):
        return _keeps(node.expr, label)
    if isinstance(node, p.Call):
        if node.func.name in ("scalar", "time", "pi"):
            return None
        if node.func.name == "vector":
            return False
        vectors = [k for k in (_keeps(arg, label) for arg in node.args) if k is not None]
        return all(vectors) if vectors else None
    if isinstance(node, p.AggregateExpr):
        inner = _keeps(node.expr, label)
        if str(node.op) in ("topk", "bottomk"):
            return inner
        modifier = node.modifier
        listed = modifier is not None and label in modifier.labels
        without = modifier is not None and str(modifier.type).endswith("Without")
        return bool(inner) and listed != without
    if isinstance(node, p.BinaryExpr):
        lhs, rhs = _keeps(node.lhs, label), _keeps(node.rhs, label)
        if lhs is None or rhs is None:
            return rhs if lhs is None else lhs
        if str(node.op) == "or":
            return lhs and rhs
        if node.modifier is not None and str(node.modifier.card).endswith("OneToMany"):
            return rhs  # group_right: the right side's labels
        return lhs
    return True
