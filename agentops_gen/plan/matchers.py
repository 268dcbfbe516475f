"""Alertmanager label matchers as data: rendered as `matchers:` strings, evaluated, and proven disjoint.

Generated matchers only compare labels with literal values or alternations of literals, so which
label values a matcher list admits is an exact set (or co-set), and two lists that can never match
the same alert are recognised exactly: what the inhibit-rule safety check needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RE2_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$])")


@dataclass(frozen=True)
class Matcher:
    """`label op value`; op is =, != (one value) or =~, !~ (an alternation of literal values)."""

    label: str
    op: str
    values: tuple[str, ...]

    def render(self) -> str:
        """The matcher as Alertmanager's `matchers:` syntax, value double-quoted and escaped."""
        if self.op in ("=", "!="):
            value = self.values[0]
        elif self.values == ():
            value = ".+"  # =~ with no literals: the label is set (non-empty)
        else:
            value = "|".join(_RE2_SPECIAL.sub(r"\\\1", v) for v in self.values)
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.label}{self.op}"{escaped}"'

    def allows(self, value: str) -> bool:
        """Whether a label value (empty when the label is absent) satisfies the matcher."""
        if self.op == "=~" and self.values == ():
            return value != ""
        inside = value in self.values
        return inside if self.op in ("=", "=~") else not inside


def eq(label: str, value: str) -> Matcher:
    """label="value"."""
    return Matcher(label, "=", (value,))


def one_of(label: str, values: list[str] | tuple[str, ...]) -> Matcher:
    """label=~"a|b|c" (sorted, so output is stable)."""
    return Matcher(label, "=~", tuple(sorted(set(values))))


def none_of(label: str, values: list[str] | tuple[str, ...]) -> Matcher:
    """label!~"a|b|c"."""
    return Matcher(label, "!~", tuple(sorted(set(values))))


def present(label: str) -> Matcher:
    """label=~".+": the label is set."""
    return Matcher(label, "=~", ())


def matches(matchers: tuple[Matcher, ...], labels: dict[str, str]) -> bool:
    """Whether an alert with these labels (alertname included) satisfies every matcher."""
    return all(m.allows(labels.get(m.label, "")) for m in matchers)


def _admitted(matchers: tuple[Matcher, ...], label: str) -> tuple[bool, frozenset[str]]:
    """(finite, values): the values every matcher on `label` admits; finite=False means all but `values`."""
    finite, values = False, frozenset[str]()  # a co-set of nothing: every value, absent ("") included
    for m in matchers:
        if m.label != label:
            continue
        if m.op in ("=", "=~") and m.values:
            admitted = frozenset(m.values)
            values = (values & admitted) if finite else (admitted - values)
            finite = True
        else:
            excluded = frozenset({""}) if m.op == "=~" else frozenset(m.values)
            values = (values - excluded) if finite else (values | excluded)
    return finite, values


def disjoint(a: tuple[Matcher, ...], b: tuple[Matcher, ...]) -> bool:
    """True when no alert can satisfy both matcher lists (some label admits no common value)."""
    for label in {m.label for m in a} | {m.label for m in b}:
        fa, va = _admitted(a, label)
        fb, vb = _admitted(b, label)
        if fa and fb and not (va & vb):
            return True
        if fa and not fb and not (va - vb):
            return True
        if fb and not fa and not (vb - va):
            return True
    return False
