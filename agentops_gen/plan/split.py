"""Rule groups past a size limit (Mimir's ruler refuses more than 20 rules per group by default), split.

A pass over the final rule lists, blind to what the rules are: it only reads which rule names
another rule's expression mentions. Prometheus evaluates a group's rules in order but the groups
independently, so a rule reading a record of another group sees that group's last evaluation.
The split therefore keeps every read pointing at the same or an earlier part (promtool's
`group_eval_order` follows the file, and the generated tests prove the firing minutes hold), and
among the splits with the fewest parts picks the one with the fewest reads across parts.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate

from agentops_gen.plan.model import Rule, RuleGroup

_TOKEN = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_DIGITS = frozenset("0123456789")
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_:") | _DIGITS
PART_SEPARATOR = "_"
"""Part 2.. of a split group is `<name>_<n>`: `_` is never in a spec name, so no other group has that name."""


def part_name(name: str, part: int) -> str:
    """Name of part `part` (1-based) of a split group; part 1 keeps the group's name."""
    return name if part == 1 else f"{name}{PART_SEPARATOR}{part}"


Finders = dict[tuple[str, ...], "re.Pattern[str]"]
"""Record-name patterns made in one plan, by the names they find: the SLOs of one kind share their names."""


def split_groups(groups: tuple[RuleGroup, ...], max_rules: int,
                 finders: Finders | None = None) -> tuple[RuleGroup, ...]:
    """Every group with more than `max_rules` rules replaced by its consecutive parts, in place (finders: the
    patterns made so far in this plan, kept in it)."""
    finders = {} if finders is None else finders
    out: list[RuleGroup] = []
    for group in groups:
        out.extend(split_group(group, max_rules, finders))
    return tuple(out)


def reads(rules: tuple[Rule, ...], finders: Finders | None = None) -> list[set[int]]:
    """For each rule, the earlier recording rules of the list whose name its expression mentions (as a token,
    the way _TOKEN splits the expression)."""
    found: list[set[int]] = [set() for _ in rules]
    writers: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        if rule.record and _TOKEN.fullmatch(rule.record):
            writers.setdefault(rule.record, []).append(i)
    if not writers:
        return found
    # One pattern of the group's record names scans all its expressions in C, instead of every token of every
    # expression looked up in Python. Longest name first: where a record name is the whole token, no longer
    # name can also match there, so the longest that matches is the only candidate.
    key = tuple(writers)
    finder = None if finders is None else finders.get(key)
    if finder is None:
        finder = re.compile("|".join(re.escape(name) for name in sorted(writers, key=len, reverse=True)))
        if finders is not None:
            finders[key] = finder
    text = "\n".join(rule.expr for rule in rules)  # a newline is no token character: no token spans two rules
    starts = list(accumulate((len(rule.expr) + 1 for rule in rules[:-1]), initial=0))
    for match in finder.finditer(text):
        start, end = match.span()
        if _is_token(text, start, end):
            reader = bisect_right(starts, start) - 1
            found[reader].update(j for j in writers[match.group()] if j < reader)
    return found


def _is_token(text: str, start: int, end: int) -> bool:
    """Is text[start:end] a whole token of _TOKEN.findall(text)? It ends where token characters end, and a token
    starts there: after a non-token character and any digits (a token never starts with a digit, so findall
    skips them)."""
    if end < len(text) and text[end] in _TOKEN_CHARS:
        return False
    while start and text[start - 1] in _DIGITS:
        start -= 1
    return not start or text[start - 1] not in _TOKEN_CHARS


def split_group(group: RuleGroup, max_rules: int, finders: Finders | None = None) -> tuple[RuleGroup, ...]:
    """One group as consecutive parts of at most `max_rules` rules; unchanged when it fits."""
    if len(group.rules) <= max_rules:
        return (group,)
    before = reads(group.rules, finders)
    order = _alerts_after_their_reads(group.rules, before)
    rules = tuple(group.rules[i] for i in order)
    position = {old: new for new, old in enumerate(order)}
    deps = [{position[j] for j in before[i]} for i in order]
    bounds = _cuts(deps, max_rules)
    return tuple(RuleGroup(part_name(group.name, i + 1), rules[start:end], group.interval)
                 for i, (start, end) in enumerate(bounds))


def _alerts_after_their_reads(rules: tuple[Rule, ...], deps: list[set[int]]) -> list[int]:
    """The new order (old indexes): records keep theirs; each alert moves up to just after the last record
    it reads, so it can share their part; an alert reading nothing stays in place."""
    keys = [float(max(deps[i])) + 0.5 if rule.alert and deps[i] else float(i) for i, rule in enumerate(rules)]
    return sorted(range(len(rules)), key=lambda i: keys[i])  # stable: alerts of one key keep their order


def _cuts(deps: list[set[int]], max_rules: int) -> list[tuple[int, int]]:
    """Part bounds: fewest parts first, then fewest reads across parts (on a tie, the longer last part).

    Every read already points backwards, so any consecutive cut keeps it within or before its part.
    """
    if len(deps) <= 2 * max_rules:
        return _two_parts(deps, max_rules)
    return _fewest_parts(deps, max_rules)


def _two_parts(deps: list[set[int]], max_rules: int) -> list[tuple[int, int]]:
    """_fewest_parts for a group of max_rules + 1 to 2 x max_rules rules (an SLO's group): the one cut that
    fewest reads cross, the earliest of equals (the longer last part), from the reads crossing each position
    counted in one pass instead of a part cost per (start, end) pair."""
    n = len(deps)
    change = [0] * (n + 1)  # a read of rule j by rule i crosses every cut c with j < c <= i
    for i, ds in enumerate(deps):
        change[i + 1] -= len(ds)
        for j in ds:
            change[j + 1] += 1
    crossing = list(accumulate(change))
    first, last = n - max_rules, max_rules
    cut = min(range(first, last + 1), key=crossing.__getitem__)  # min keeps the first of equals
    return [(0, cut), (cut, n)]


def _fewest_parts(deps: list[set[int]], max_rules: int) -> list[tuple[int, int]]:
    """_cuts by dynamic programming over (end of part, start of part), any number of parts."""
    n = len(deps)
    readers: list[list[int]] = [[] for _ in range(n)]
    for i, ds in enumerate(deps):
        for j in ds:
            readers[j].append(i)
    part_cost = sum(len(ds) for ds in deps) + 1  # one more part always costs more than any crossing
    best: list[float] = [0.0] + [float("inf")] * n
    start_of: list[int] = [0] * (n + 1)
    for end in range(1, n + 1):
        crossing = 0  # reads from rules in [start, end) to rules before start
        for start in range(end - 1, max(end - max_rules, 0) - 1, -1):
            crossing += len(deps[start]) - bisect_left(readers[start], end)  # readers are ascending
            cost = best[start] + part_cost + crossing
            if cost <= best[end]:
                best[end], start_of[end] = cost, start
    bounds: list[tuple[int, int]] = []
    end = n
    while end > 0:
        bounds.append((start_of[end], end))
        end = start_of[end]
    return bounds[::-1]
