"""Which labels a PromQL query's result keeps: a grouped raw SLI must keep its group labels.

Below spec and plan: validation asks it of a user's query, the plan never needs it.
"""

from __future__ import annotations

from collections.abc import Sequence

import promql_parser

from agentops_gen.units.promql import parse


def dropped_labels(query: str, group_by: Sequence[str]) -> list[str]:
    """Group labels the query's result does not carry (a raw SLI must keep them), in group_by order."""
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
