"""The split of a rule group past max_rules (plan/split.py): the two-part cut of an SLO's group is the cut the
general dynamic program picks (issue 16 item 4: the program was a third of the split's time at 1,000 SLOs)."""

from __future__ import annotations

import random

import pytest

from agentops_gen.plan.split import _fewest_parts, _two_parts


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
