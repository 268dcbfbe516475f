"""Concrete series for generated tests: label sets that satisfy (or avoid) a PromQL selector."""

from __future__ import annotations

import re
from functools import lru_cache

from agentops_gen.units.promql import vector_selector

_CANDIDATES = ("error", "5xx", "500", "503", "failure", "success", "ok", "true", "false", "1", "0", "agentops")
_OP = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}


@lru_cache(maxsize=4096)
def _matchers(selector: str) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """(metric name, (label, op, value) matchers) of a selector, parsed once per distinct text."""
    expr = vector_selector(selector)
    return str(expr.name), tuple((m.name, _OP.get(str(m.op), str(m.op)), m.value) for m in expr.matchers.matchers)


def _ok(op: str, pattern: str, value: str) -> bool:
    if op == "=":
        return value == pattern
    if op == "!=":
        return value != pattern
    if op == "=~":
        return re.fullmatch(pattern, value) is not None
    return re.fullmatch(pattern, value) is None


def matches(selector: str, name: str, labels: dict[str, str]) -> bool:
    """Does the series (name, labels) match the selector?"""
    sel_name, matchers = _matchers(selector)
    return sel_name == name and all(_ok(op, pat, labels.get(lbl, "")) for lbl, op, pat in matchers)


def series_for(selector: str, extra: dict[str, str] | None = None) -> tuple[str, dict[str, str]] | None:
    """A series matching the selector (plus `extra` labels), or None when no simple value fits."""
    name, matchers = _matchers(selector)
    labels: dict[str, str] = dict(extra or {})
    for label, op, pattern in matchers:
        if op == "=":
            labels[label] = pattern
        elif op == "=~" and not _ok(op, pattern, labels.get(label, "")):
            literal = pattern.split("|")[0]
            options = (literal, *_CANDIDATES)
            found = next((v for v in options if re.fullmatch(pattern, v)), None)
            if found is None:
                return None
            labels[label] = found
    if not matches(selector, name, labels):
        return None
    return name, labels


def identity(literal: str) -> tuple[str, dict[str, str]]:
    """(name, labels) of a series written by series_literal (its matchers are all `=`)."""
    name, matchers = _matchers(literal)
    return name, {label: value for label, _op, value in matchers if label != "__name__"}


def series_literal(name: str, labels: dict[str, str]) -> str:
    """promtool input-series notation: name{a="b"}."""
    if not labels:
        return name
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def complement(selector_total: str, selector_part: str,
               part: tuple[str, dict[str, str]]) -> tuple[str, dict[str, str]] | None:
    """A series counted by `total` but not by `part` (e.g. the successful requests beside the errors)."""
    name, labels = part
    _, part_matchers = _matchers(selector_part)
    for label, _op, _pattern in part_matchers:
        candidate = {**labels, label: "agentops_other"}
        if matches(selector_total, name, candidate) and not matches(selector_part, name, candidate):
            return name, candidate
    return None


__all__ = ["complement", "identity", "matches", "series_for", "series_literal"]
