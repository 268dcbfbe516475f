"""The split of a rule group past max_rules (plan/split.py), made cheaper for 1,000 SLOs (issue 16 item 4): the
reads found by one pattern of record names are the reads a token scan finds; the two-part cut of an SLO's
group is the cut the general dynamic program picks."""

from __future__ import annotations

import random
import re

import pytest

from agentops_gen.plan.model import Rule
from agentops_gen.plan.split import Finders, _fewest_parts, _two_parts, reads

_TOKEN = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def _reads_by_tokens(rules: tuple[Rule, ...]) -> list[set[int]]:
    """What `reads` means: every token of each expression looked up among the records written before it."""
    by_name: dict[str, list[int]] = {}
    found = []
    for i, rule in enumerate(rules):
        found.append({j for token in set(_TOKEN.findall(rule.expr)) for j in by_name.get(token, ())})
        if rule.record:
            by_name.setdefault(rule.record, []).append(i)
    return found


@pytest.mark.parametrize("seed", range(4))
def test_reads_are_the_records_each_expression_names_as_a_token(seed: int) -> None:
    # names that are prefixes of others, start with a digit or are no token; text with digits before a name
    # (`5ab` holds the token `ab`), names inside longer tokens, across lines, in quotes
    names = ["a", "ab", "a:b", "b_1", "1a", "x-y", "", "A", "ab1", "slo:x"]
    pieces = ["a", "b", "ab", "a:b", "1", "5", "_", " ", "\n", "-", "{", '"', "A", ":", "b_1", "x-y", "slo:x", "slo:"]
    rng = random.Random(seed)
    finders: Finders = {}
    for _ in range(3000):
        rules = tuple(Rule(expr="".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))),
                           record=rng.choice(names) if rng.random() < 0.7 else None)
                      for _ in range(rng.randint(0, 7)))
        expected = _reads_by_tokens(rules)
        assert reads(rules) == expected, rules
        assert reads(rules, finders) == expected, rules  # a pattern made for another group's names


@pytest.mark.parametrize("seed", range(4))
def test_the_two_part_cut_is_the_dynamic_programs(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(2000):
        max_rules = rng.randint(1, 12)
        n = rng.randint(max_rules + 1, 2 * max_rules)
        density = rng.choice((0.0, 0.05, 0.2, 0.5, 1.0))
        deps = [{j for j in range(i) if rng.random() < density} for i in range(n)]
        assert _two_parts(deps, max_rules) == _fewest_parts(deps, max_rules), (deps, max_rules)


def test_equal_cuts_keep_the_longer_last_part() -> None:
    # nothing read: every cut from 2 to 3 crosses no read; the first keeps the last part longest
    assert _two_parts([set()] * 5, 3) == _fewest_parts([set()] * 5, 3) == [(0, 2), (2, 5)]
    # rule 3 reads rule 2: a cut at 3 crosses it, the cut at 2 does not (and is the first anyway)
    deps = [set(), set(), set(), {2}, set()]
    assert _two_parts(deps, 3) == [(0, 2), (2, 5)]
    deps = [set(), set(), {1}, set(), set()]  # a cut at 2 crosses the read of rule 1 by rule 2
    assert _two_parts(deps, 3) == _fewest_parts(deps, 3) == [(0, 3), (3, 5)]
