"""Derived rule files checked as text: their groups are the Prometheus rule file's, moved or keyed.

A service's `groups:` list is rendered once; the PrometheusRule (kubernetes/), the Mimir rule namespace
(mimir/rules/) and the Thanos ruler file (thanos/) carry it moved two columns right (under `spec:`), as
it is, or with Thanos' `partial_response_strategy` before every group's `rules:`. The Prometheus rule
file's groups are composed and their PromQL parsed (check.outputs.check_rule_groups); a derived file is
parsed by libyaml for its syntax only, and its groups are compared, as text, with the Prometheus file's.
A copy that is valid YAML but says something else (a rule dropped, an expression changed) fails, for
the cost of a string comparison instead of composing and parsing the same rules again. Like the rest of
check/, this reads rendered text only (no import of targets/): the layouts are spelt out here, and
tests/test_check_outputs.py holds them to targets/rule_text.py's transformations.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from agentops_gen.units.names import rules_file
from agentops_gen.units.rule_layout import group_chunks, rule_chunks

_GROUPS = "\ngroups:\n"
"""A rule file's top-level key; the groups are the rest of the file."""
_SPEC_GROUPS = "\nspec:\n  groups:\n"
"""A PrometheusRule's groups: the rest of the file, two columns deeper."""
_GROUP_RULES = "    rules:"
"""A group's `rules:` key (groups at column 2, their keys at 4); rule keys and text sit deeper."""
_STRATEGY = "    partial_response_strategy: "
"""Thanos' group key, written before the group's `rules:`."""


def _service(path: str, prefix: str, suffix: str) -> str | None:
    """The service of a derived file's path `prefix<service>suffix`."""
    if path.startswith(prefix) and path.endswith(suffix) and len(path) > len(prefix) + len(suffix):
        return path[len(prefix):len(path) - len(suffix)]
    return None


_PADDED_EMPTY = re.compile(r"\n  (?=\n|\Z)")
"""A line that is only the two columns of padding: it was empty (a pattern that starts with a newline is
searched for in C)."""


def _moved(copy: str, block: str) -> bool:
    """`copy` is `block` with every non-empty line moved two columns right (string operations in C)."""
    return copy == _PADDED_EMPTY.sub("\n", ("\n" + block).replace("\n", "\n  "))[1:]


_BEFORE_GROUP_RULES = re.compile("\n(?=" + re.escape(_GROUP_RULES) + "\n)")


def _keyed(copy: str, block: str) -> bool:
    """`copy` is `block` with the copy's first strategy line before every group's `rules:`."""
    lines, original = "\n" + copy + "\n", "\n" + block + "\n"
    start = lines.find("\n" + _STRATEGY)
    if start < 0:  # no strategy at all: right only if there is no group to give one
        return copy == block and _BEFORE_GROUP_RULES.search(original) is None
    insert = lines[start:lines.find("\n", start + 1) + 1]
    return lines == _BEFORE_GROUP_RULES.sub(lambda _: insert, original)


COPIES: tuple[tuple[str, str, str, Callable[[str, str], bool]], ...] = (
    ("kubernetes/", ".prometheusrule.yaml", _SPEC_GROUPS, _moved),
    ("mimir/rules/", ".yaml", _GROUPS, lambda copy, block: copy == block),
    ("thanos/", ".rules.yaml", _GROUPS, _keyed),
)
"""(path prefix, path suffix, what the groups follow, how they derive from the Prometheus file's)."""


_SLICES = "prometheus/tests/rules/"
"""Test-only slices of a rule file: prometheus/tests/rules/<service>/<test file>.rules.yaml (targets/rule_slices.py)."""


@lru_cache(maxsize=4)
def _deployed(original: str) -> dict[str, list[str]]:
    """The groups of a rule file as header -> rule texts, cut once for all its slices (a str keeps its hash:
    a cheap key)."""
    if _GROUPS not in original:
        return {}
    return dict(rule_chunks(group) for group in group_chunks(original.split(_GROUPS, 1)[1]))


def _left_out_from(kept: list[str], rules: list[str]) -> bool:
    """Are `kept` some of `rules`, in their order, each byte for byte?"""
    remaining = iter(rules)
    return all(any(rule == text for text in remaining) for rule in kept)


def slice_problem(path: str, text: str, files: dict[str, str]) -> str | None:
    """Why a test-only slice is not groups of its service's rule file with rules left out, byte for byte (None
    when it is, when `path` is no slice, or when the rule file is not among `files`): a generated test then
    tests only rules that are deployed, as they are deployed."""
    if not path.startswith(_SLICES) or path.count("/") != 4:
        return None
    source = rules_file(path.split("/")[3])
    original = files.get(source)
    if original is None:
        return None
    deployed = _deployed(original)
    groups = [rule_chunks(group) for group in group_chunks(text.split(_GROUPS, 1)[1])] if _GROUPS in text else []
    if groups and all(rules and head in deployed and _left_out_from(rules, deployed[head]) for head, rules in groups):
        return None
    return (f"its rule groups are not groups of {source} with rules left out, as that file has them (a test would "
            "test other rules)")


def copy_problem(path: str, text: str, files: dict[str, str]) -> str | None:
    """Why a derived rule file's groups are not its Prometheus rule file's (None when they are, when `path`
    is no derived rule file, or when the Prometheus file is not among `files`)."""
    for prefix, suffix, marker, derived in COPIES:
        service = _service(path, prefix, suffix)
        if service is None:
            continue
        source = rules_file(service)
        original = files.get(source)
        if original is None or _GROUPS not in original:
            return None  # rendered alone, or no groups (`groups: []`): its syntax is all there is to check
        if marker in text and derived(text.split(marker, 1)[1], original.split(_GROUPS, 1)[1]):
            return None
        return f"its rule groups differ from those of {source} (derived copies carry that file's groups)"
    return slice_problem(path, text, files)
