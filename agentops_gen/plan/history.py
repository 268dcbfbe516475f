"""Which recorded series need a past before their rules judge correctly, in the order they can be backfilled.

The windows past 1h, the period ratio and the anomaly baselines sum or average recorded series over hours
to weeks. Right after the rules are first loaded those records hold minutes, so the long windows judge a
shorter history than their names say. `promtool tsdb create-blocks-from rules` writes a past for recording
rules from the raw series, but it evaluates them against a running server, which does not see what the
same run writes: a record that reads another backfilled record can only be backfilled after that one's
blocks are in the server. Hence levels: level 0 reads raw series only, level n reads levels below n.
"""

from __future__ import annotations

from collections.abc import Sequence

import promql_parser

from agentops_gen.plan.model import Rule, RuleGroup
from agentops_gen.units.promql import children, parse
from agentops_gen.units.record import record

Selector = tuple[str, dict[str, str]]
"""A named vector selector: its metric name and its equality matchers."""


def _selectors(expr: str) -> list[tuple[Selector, float]]:
    """Every named selector of a query, and the seconds of range it is read over (0: at the instant)."""
    found: list[tuple[Selector, float]] = []
    stack: list[tuple[object, float]] = [(parse(expr), 0.0)]
    while stack:
        node, seconds = stack.pop()
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            equal = {m.name: m.value for m in node.matchers.matchers
                     if str(m.op) in ("MatchOp.Equal", "=") and m.name != "__name__"}
            found.append(((str(node.name), equal), seconds))
        if isinstance(node, (promql_parser.MatrixSelector, promql_parser.SubqueryExpr)):
            if node.range is not None:  # a range inside a subquery reaches back both
                seconds += node.range.total_seconds()
        stack.extend((child, seconds) for child in children(node))
    return found


def _may_read(selector: Selector, rule: Rule) -> bool:
    """Can a selector match a series this recording rule writes? Same name, and no equality matcher on a label
    the rule sets to another value (labels the rule does not set come from its query and may match)."""
    name, equal = selector
    return name == rule.record and all(rule.labels.get(key, value) == value for key, value in equal.items())


@record
class Backfill:
    """The backfill of one service's rule file."""

    levels: tuple[tuple[RuleGroup, ...], ...]
    """Recording rules by level; level n can be backfilled once the blocks of the levels below are loaded."""
    reach: float
    """Seconds: the longest range any rule reads a backfilled record over (how far back to backfill)."""


def history_levels(groups: Sequence[RuleGroup]) -> Backfill:
    """The recording rules other rules read over a range, with every record those read, by backfill level.

    Each level keeps the rule-file order and each rule's group (its evaluation `interval` with it), the group
    named `<group>-backfill-<level>`. Alerts and records read only at the instant (a window ratio an alert
    compares) are left out: live evaluation makes their present from the backfilled past.
    """
    rules = [rule for group in groups for rule in group.rules]
    records = [rule for rule in rules if rule.record]
    by_name: dict[str, list[int]] = {}
    for index, recording in enumerate(records):
        by_name.setdefault(str(recording.record), []).append(index)

    def read_by(rule: Rule) -> list[tuple[int, float]]:
        """(record, seconds of range) of every record a rule may read; an expression naming none is not parsed."""
        if not any(name in rule.expr for name in by_name):
            return []
        return [(index, seconds) for selector, seconds in _selectors(rule.expr)
                for index in by_name.get(selector[0], ()) if records[index] is not rule
                and _may_read(selector, records[index])]

    ranged: set[int] = set()  # records some rule reads over a range
    reach = 0.0
    for rule in rules:
        if "[" in rule.expr:  # a range vector or a subquery
            for index, seconds in read_by(rule):
                if seconds:
                    ranged.add(index)
                    reach = max(reach, seconds)
    reads: dict[int, set[int]] = {}  # each backfilled record: the records it reads
    pending = sorted(ranged)
    while pending:
        index = pending.pop()
        if index not in reads:
            reads[index] = {other for other, _ in read_by(records[index])}
            pending.extend(reads[index])
    needed = set(reads)
    level: dict[int, int] = {}
    while len(level) < len(needed):
        ready = [i for i in sorted(needed - level.keys()) if reads[i] <= level.keys()]
        if not ready:  # validation never plans such rules, and Prometheus could not evaluate them
            cycle = sorted({str(records[i].record) for i in needed - level.keys()})
            raise ValueError(f"recording rules read each other in a cycle: {cycle}")
        for i in ready:
            level[i] = max((level[j] + 1 for j in reads[i]), default=0)
    index_of = {id(record): i for i, record in enumerate(records)}
    levels = []
    for n in range(max(level.values(), default=-1) + 1):
        parts = []
        for group in groups:
            kept = tuple(r for r in group.rules if r.record and level.get(index_of[id(r)]) == n)
            if kept:
                parts.append(RuleGroup(name=f"{group.name}-backfill-{n}", rules=kept, interval=group.interval))
        levels.append(tuple(parts))
    return Backfill(tuple(levels), reach)
