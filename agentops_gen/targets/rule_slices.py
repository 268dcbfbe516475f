"""Test-only slices of a service's rule file: out/prometheus/tests/rules/<service>/<group>.rules.yaml.

promtool evaluates every rule it loads at every evaluation of a case, though a case asserts the alerts of one
SLO (docs/performance.md, "Generated tests", fourth round). A generated test file therefore lists only the
groups its cases read: each slice holds one group of the deployed rule file, cut from its rendered text (never
rendered again), and check/copies.py proves every slice is the deployed file's group byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from agentops_gen.plan.model import RuleGroup
from agentops_gen.targets.jinja import comment_text
from agentops_gen.units import names

_GROUP_START = re.compile(r"(?m)^(?=  - name: )")
"""A group's first line in the `groups:` block (groups at column 2; rule text sits at column 6 or deeper)."""
_EQUAL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"')
_ALERTNAME = re.compile(r'alertname\s*=\s*"([^"]*)"')
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@lru_cache(maxsize=64)
def _references(records: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern of any of `records` as a selector's metric name, with its matchers (services alike write the
    same record names: one pattern serves them all)."""
    names = "|".join(re.escape(r) for r in sorted(records, key=len, reverse=True))
    return re.compile(rf"(?<![a-zA-Z0-9_:])({names})(?![a-zA-Z0-9_:])\s*(\{{[^}}]*\}})?")


def group_chunks(block: str) -> list[str]:
    """The `groups:` block of a rule file cut into one text per group, in file order (joined, they are the block)."""
    return [chunk for chunk in _GROUP_START.split(block) if chunk]


class GroupReads:
    """Which groups of a service's rule file a test case needs: those defining the alerts it asserts and the
    records it queries, then every group defining a record those read (a rule reads nothing else a test feeds)."""

    def __init__(self, groups: Sequence[RuleGroup]) -> None:
        self.names = [g.name for g in groups]
        self._record: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self._alert: dict[str, set[int]] = {}
        for i, group in enumerate(groups):
            for rule in group.rules:
                if rule.record:
                    self._record.setdefault(rule.record, []).append((i, rule.labels))
                if rule.alert:
                    self._alert.setdefault(rule.alert, set()).add(i)
        # records of one name by one label's value: a service of many SLOs looks a selector up without
        # reading every SLO's rule of that name
        self._common: dict[str, set[str]] = {}
        self._by_label: dict[tuple[str, str, str], list[tuple[int, dict[str, str]]]] = {}
        for name, defined in self._record.items():
            self._common[name] = set.intersection(*(set(labels) for _, labels in defined))
            for i, labels in defined:
                for key in self._common[name]:
                    self._by_label.setdefault((name, key, labels[key]), []).append((i, labels))
        self._pattern = _references(tuple(sorted(self._record))) if self._record else None
        direct = []
        for group in groups:
            text = "\n".join(rule.expr for rule in group.rules)
            direct.append(self._defining(text))
        self._direct = direct
        self._closure = [self._close(d) for d in direct]

    def _defining(self, expr: str) -> set[int]:
        """Groups defining a record or alert the expression names (all of them if it selects by __name__)."""
        found: set[int] = set()
        for name, braces in self._pattern.findall(expr) if self._pattern is not None else ():
            # records of one name are told apart by their labels (`slo="..."`): a rule whose label contradicts
            # an equality matcher cannot be what the selector reads
            wanted = dict(_EQUAL.findall(braces))
            key = next((k for k in wanted if k in self._common.get(name, ())), None)
            candidates = self._record.get(name, ()) if key is None else self._by_label.get((name, key, wanted[key]), ())
            found.update(i for i, labels in candidates if all(labels.get(k, v) == v for k, v in wanted.items()))
        for alert in _ALERTNAME.findall(expr):
            found |= self._alert.get(alert, set())
        return set(range(len(self.names))) if "__name__" in expr else found

    def _close(self, start: set[int]) -> set[int]:
        todo, seen = list(start), set(start)
        while todo:
            for i in self._direct[todo.pop()]:
                if i not in seen:
                    seen.add(i)
                    todo.append(i)
        return seen

    def needed(self, alertnames: Iterable[str], exprs: Iterable[str]) -> tuple[int, ...]:
        """Indices (file order) of the groups defining `alertnames` and what `exprs` read, with what those read."""
        start: set[int] = set()
        for alert in alertnames:
            start |= self._alert.get(alert, set())
        for expr in exprs:
            start |= self._defining(expr)
        out = set(start)
        for i in start:
            out |= self._closure[i]
        return tuple(sorted(out))


def slice_name(service: str, group: str) -> str:
    """File name of a group's slice: the group name without the service's prefix, safe as a path segment."""
    prefix = names.rule_group(service, "")
    return _UNSAFE.sub("_", group.removeprefix(prefix)) or "_"


def slice_path(service: str, group: str) -> str:
    """Path of a group's slice under out/."""
    return f"prometheus/tests/rules/{service}/{slice_name(service, group)}.rules.yaml"


def slice_text(service: str, source: str, chunk: str) -> str:
    """A slice file: one group of the deployed rule file, as its text is there."""
    return (f"# Generated by agentops-gen from {comment_text(source)}. DO NOT EDIT.\n"
            f"# One group of ../../{service}.rules.yaml, byte for byte (checked), for the generated tests reading it.\n"
            f"groups:\n{chunk}")
