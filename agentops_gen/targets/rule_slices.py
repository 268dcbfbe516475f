"""Test-only slices of a service's rule file: out/prometheus/tests/rules/<service>/<test file>.rules.yaml.

promtool evaluates every rule it loads at every evaluation of a case, though a case asserts a few alerts
(docs/performance.md, "Generated tests", fourth and sixth rounds). A generated test file therefore loads only
the rules its cases exercise: the alerts they assert, the records they query, and every record those read.
Its slice holds those rules in their groups, each group's header and each rule cut from the deployed file's
rendered text (never rendered again); check/copies.py proves every slice is the deployed file's groups with
rules left out, byte for byte. A rule left out is read by no rule kept, so the kept rules compute what they
compute in the deployed file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from agentops_gen.plan.model import RuleGroup
from agentops_gen.targets.jinja import comment_text
from agentops_gen.units import names
from agentops_gen.units.rule_layout import group_chunks, rule_chunks

__all__ = ["RuleReads", "group_chunks", "group_label", "rule_chunks", "slice_block", "slice_path", "slice_text"]

_EQUAL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"')
_ALERTNAME = re.compile(r'alertname\s*=\s*"([^"]*)"')
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@lru_cache(maxsize=64)
def _references(records: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern of any of `records` as a selector's metric name, with its matchers (services alike write the
    same record names: one pattern serves them all)."""
    names = "|".join(re.escape(r) for r in sorted(records, key=len, reverse=True))
    return re.compile(rf"(?<![a-zA-Z0-9_:])({names})(?![a-zA-Z0-9_:])\s*(\{{[^}}]*\}})?")


class RuleReads:
    """Which rules of a service's rule file a test case needs: the alerts it asserts and the records it queries,
    then every rule writing a record those read (a rule reads nothing else a test feeds). Rules are numbered in
    file order across groups (`group_of` maps a number to its group's index)."""

    def __init__(self, groups: Sequence[RuleGroup]) -> None:
        self.group_of: list[int] = []
        self._record: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self._alert: dict[str, set[int]] = {}
        exprs: list[str] = []
        for i, group in enumerate(groups):
            for rule in group.rules:
                number = len(self.group_of)
                self.group_of.append(i)
                exprs.append(rule.expr)
                if rule.record:
                    self._record.setdefault(rule.record, []).append((number, rule.labels))
                if rule.alert:
                    self._alert.setdefault(rule.alert, set()).add(number)
        self.count = len(self.group_of)
        # records of one name by one label's value: a service of many SLOs looks a selector up without
        # reading every SLO's rule of that name
        self._common: dict[str, set[str]] = {}
        self._by_label: dict[tuple[str, str, str], list[tuple[int, dict[str, str]]]] = {}
        for name, defined in self._record.items():
            self._common[name] = set.intersection(*(set(labels) for _, labels in defined))
            for number, labels in defined:
                for key in self._common[name]:
                    self._by_label.setdefault((name, key, labels[key]), []).append((number, labels))
        self._pattern = _references(tuple(sorted(self._record))) if self._record else None
        self._exprs = exprs
        self._closures: dict[int, frozenset[int]] = {}

    def _defining(self, expr: str) -> set[int]:
        """Rules writing a record or alert the expression names (all of them if it selects by __name__)."""
        if "__name__" in expr:
            return set(range(self.count))
        found: set[int] = set()
        for name, braces in self._pattern.findall(expr) if self._pattern is not None else ():
            # records of one name are told apart by their labels (`slo="..."`): a rule whose label contradicts
            # an equality matcher cannot be what the selector reads
            wanted = dict(_EQUAL.findall(braces))
            key = next((k for k in wanted if k in self._common.get(name, ())), None)
            candidates = self._record.get(name, ()) if key is None else self._by_label.get((name, key, wanted[key]), ())
            found.update(n for n, labels in candidates if all(labels.get(k, v) == v for k, v in wanted.items()))
        for alert in _ALERTNAME.findall(expr):
            found |= self._alert.get(alert, set())
        return found

    def _closure(self, number: int) -> frozenset[int]:
        """Rule `number` and every rule it reads, directly or through others (each rule's computed once)."""
        found = self._closures.get(number)
        if found is None:
            self._closures[number] = frozenset((number,))  # a rule reading itself ends here
            found = frozenset((number,)).union(*(self._closure(n) for n in self._defining(self._exprs[number])))
            self._closures[number] = found
        return found

    def needed(self, alertnames: Iterable[str], exprs: Iterable[str]) -> tuple[int, ...]:
        """Numbers (file order) of the alert rules `alertnames`, the rules writing what `exprs` read, and every
        rule writing what those read."""
        roots: set[int] = set()
        for alert in alertnames:
            roots.update(self._alert.get(alert, ()))
        for expr in exprs:
            roots |= self._defining(expr)
        return tuple(sorted(set().union(*(self._closure(number) for number in roots))))

    def groups(self, rules: Iterable[int]) -> tuple[int, ...]:
        """Indices (file order) of the groups holding `rules`."""
        return tuple(sorted({self.group_of[number] for number in rules}))


def group_label(service: str, group: str) -> str:
    """A group's name without the service's prefix, safe as a path segment (a test file is named by the groups
    its cases read)."""
    prefix = names.rule_group(service, "")
    return _UNSAFE.sub("_", group.removeprefix(prefix)) or "_"


def slice_path(service: str, test_path: str) -> str:
    """Path under out/ of the slice a generated test file loads: its file name with `.rules.yaml`."""
    stem = test_path.rsplit("/", 1)[-1].removesuffix(".test.yaml")  # safe: test_file() names it from group_label()s
    return f"prometheus/tests/rules/{service}/{stem}.rules.yaml"


def slice_block(groups: Sequence[tuple[str, list[str]]], reads: RuleReads, rules: Iterable[int]) -> str:
    """The `groups:` block of a slice: each group holding one of `rules`, its header and those of its rules,
    as the deployed file's text has them (`groups`: rule_chunks() of each of that file's group texts)."""
    wanted = set(rules)
    out: list[str] = []
    first = 0
    for head, texts in groups:
        kept = [text for j, text in enumerate(texts) if first + j in wanted]
        first += len(texts)
        if kept:
            out.append(head + "".join(kept))
    if first != reads.count:
        raise AssertionError(f"the rule file's text has {first} rules, its plan {reads.count}")
    return "".join(out)


def slice_text(service: str, source: str, test_names: Sequence[str], block: str) -> str:
    """A slice file: the rules of the deployed rule file that generated test files (`test_names`) exercise."""
    users = "".join(f"#   ../../{name}\n" for name in test_names)
    return (f"# Generated by agentops-gen from {comment_text(source)}. DO NOT EDIT.\n"
            f"# The rules of ../../{service}.rules.yaml that these test files exercise, in their groups, each byte\n"
            f"# for byte as that file has it (checked); a rule left out is read by no rule kept:\n"
            f"{users}groups:\n{block}")
