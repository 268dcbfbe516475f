"""Inline recording rules: an alert expression rewritten to read raw series only.

Backtests run before the recording rules are deployed, so their series have no history. Each
selector of a recorded name is replaced by the recording expressions that produce it, with the
rule's labels (and `__name__`) set by `label_replace`, recursively. A matcher on a label the rule
sets statically picks the rules (as the server would pick series); a matcher on any other label
cannot be decided without the data, so it raises ExpandError for that alert.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import promql_parser

from agentops_gen.live.promql_text import PrintError, op_text, quote, to_text

MAX_DEPTH = 16
"""Recording rules reading recording rules deeper than this are a cycle, not a design."""


class ExpandError(ValueError):
    """An alert expression that cannot be rewritten onto raw series (reported per alert)."""


@dataclass(frozen=True)
class Recording:
    """A recording rule: its name, expression, static labels, and its group's evaluation interval."""

    record: str
    expr: str
    labels: dict[str, str]
    interval: str


def _matches(op: str, pattern: str, value: str) -> bool:
    if op == "=":
        return value == pattern
    if op == "!=":
        return value != pattern
    found = re.fullmatch(pattern, value) is not None
    return found if op == "=~" else not found


class Expander:
    """Rewrites expressions against a set of recording rules."""

    def __init__(self, recordings: Sequence[Recording]):
        self.by_name: dict[str, list[Recording]] = {}
        for rule in recordings:
            self.by_name.setdefault(rule.record, []).append(rule)

    def expand(self, expr: str, depth: int = 0) -> str:
        """`expr` with every recorded series replaced by its recording expressions."""
        if depth > MAX_DEPTH:
            raise ExpandError("recording rules nest deeper than 16 levels (a cycle?)")
        try:
            tree = promql_parser.parse(expr)
        except (ValueError, TypeError) as exc:
            raise ExpandError(f"does not parse: {exc}") from None
        chosen: dict[int, list[Recording]] = {}

        def substitute(vs: Any) -> str | None:
            rules = self._rules_for(vs)
            if rules is None:
                return None
            chosen[id(vs)] = rules
            parts = [self._labelled(rule, self.expand(rule.expr, depth + 1)) for rule in rules]
            return " or ".join(f"({p})" for p in parts)

        def step(vs: Any) -> str:
            return chosen[id(vs)][0].interval

        try:
            return to_text(tree, substitute, step)
        except PrintError as exc:
            raise ExpandError(str(exc)) from None

    def _rules_for(self, vs: Any) -> list[Recording] | None:
        """The recording rules a selector reads (None: not a recorded name)."""
        name = str(vs.name) if vs.name else ""
        matchers = [m for m in vs.matchers.matchers if m.name != "__name__"]
        if not name:
            name = next((str(m.value) for m in vs.matchers.matchers
                         if m.name == "__name__" and op_text(m.op) == "="), "")
        if name not in self.by_name:
            return None
        out = []
        for rule in self.by_name[name]:
            ok = True
            for m in matchers:
                if m.name not in rule.labels:
                    raise ExpandError(f"{name} is read with a matcher on `{m.name}`, a label its recording rule "
                                      "does not set; cannot tell which series it selects without the recorded data")
                ok = ok and _matches(op_text(m.op), str(m.value), rule.labels[m.name])
            if ok:
                out.append(rule)
        if not out:
            raise ExpandError(f"no recording rule produces {to_text(vs)}")
        return out

    @staticmethod
    def _labelled(rule: Recording, expr: str) -> str:
        """The expression with the rule's labels and metric name set, as the server would record it."""
        out = expr
        for key, value in sorted({**rule.labels, "__name__": rule.record}.items()):
            out = f"label_replace({out}, {quote(key)}, {quote(value)}, \"\", \"\")"
        return out
