"""The timing simulation and the promtool series notation, checked with numbers worked out by hand."""

from __future__ import annotations

import pytest

from agentops_gen.plan import timing
from agentops_gen.targets.prom_tests import encode_values


def test_window_ratio_by_hand() -> None:
    step = timing.Step(start=10, incident=0.5)
    # Window [5, 15] saw 5 healthy and 5 failing minutes at half errors: 2.5 / 10.
    assert timing.window_ratio(step, 15, 10) == pytest.approx(0.25)
    # Before 10 minutes of data the window holds only what exists: minutes 1..4 of 4, all healthy.
    assert timing.window_ratio(step, 4, 10) == 0.0
    assert timing.window_ratio(step, 0, 10) is None
    blip = timing.Step(start=10, incident=1.0, end=11)
    assert timing.window_ratio(blip, 12, 2) == pytest.approx(0.5)


@pytest.mark.parametrize("step", [timing.Step(start=30, incident=0.02), timing.Step(start=0, incident=0.3),
                                  timing.Step(start=5, incident=1.0, healthy=0.001, end=9)])
@pytest.mark.parametrize("window", [1, 5, 60])
def test_window_ratios_equal_window_ratio_at_every_minute(step: timing.Step, window: int) -> None:
    horizon = 130
    assert timing.window_ratios(step, horizon, window) == [timing.window_ratio(step, t, window)
                                                           for t in range(horizon + 1)]


def test_bisected_first_firing_equals_the_scan() -> None:
    step = timing.Step(start=40, incident=0.2)
    condition = timing.ratio_condition(step, 10, 0.1)
    # ratio over 10 minutes exceeds 0.1 once more than 5 failing minutes are in it: minute 46.
    assert timing.first_firing(condition, 0, 200) == 46
    assert timing.first_firing(condition, 2, 200, monotone_from=40) == 48
    assert timing.first_firing(condition, 2, 47, monotone_from=40) is None


@pytest.mark.parametrize(("values", "expected"), [
    ([1.0, 2.0, 3.0, None, 5.0, 5.0, 5.0], "1+1x2 _ 5+0x2"),
    ([9.0, 7.0, 5.0], "9-2x2"),
    ([4.0], "4"),
    ([None, None], "_ _"),
    ([1.0, 2.0, 4.0, 8.0], "1+1x1 4+4x1"),
    ([0.1, 0.2, 0.30000000000000004, 0.4], "0.1+0.1x3"),
    ([], ""),
])
def test_encode_values_by_hand(values: list[float | None], expected: str) -> None:
    assert encode_values(values) == expected


@pytest.mark.parametrize("step", [timing.Step(start=30, incident=0.02), timing.Step(start=3, incident=0.9, end=20),
                                  timing.Step(start=0, incident=0.004, healthy=0.001)])
def test_burn_condition_is_both_windows_of_any_pair_above_threshold(step: timing.Step) -> None:
    pairs = [(60, 5, 0.0144), (30, 3, 0.006), (10, 1, 0.5)]
    condition = timing.burn_condition(step, pairs)
    for t in range(0, 150):
        expected = False
        for long_min, short_min, threshold in pairs:
            long_r, short_r = timing.window_ratio(step, t, long_min), timing.window_ratio(step, t, short_min)
            if long_r is not None and short_r is not None and long_r > threshold and short_r > threshold:
                expected = True
        assert condition(t) is expected, t


def test_first_firing_is_monotone_in_the_threshold() -> None:
    """prom_tests trusts this to skip the middle of its three nudged thresholds."""
    import random

    rng = random.Random(7)
    for _ in range(200):
        step = timing.Step(start=rng.randint(0, 60), incident=rng.uniform(0.001, 1.0), healthy=rng.uniform(0, 0.001))
        pairs = [(rng.choice([30, 60, 360]), rng.choice([3, 5, 30]), rng.uniform(0.001, 0.2))]
        for_min, horizon = rng.choice([0, 2, 15]), 500
        low, mid, high = (timing.first_firing(timing.burn_condition(step, [(lo, sh, th * s) for lo, sh, th in pairs]),
                                              for_min, horizon, monotone_from=step.start)
                          for s in (0.9999, 1.0, 1.0001))
        if low is not None and high is not None:
            assert low <= mid <= high  # type: ignore[operator]
        if low == high:
            assert mid == low
