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


def test_rate_extrapolation_stretch_by_hand() -> None:
    # Full window: the first sample sits on the window's start, nothing is extrapolated.
    assert timing.stretch(60, 60) == 1.0
    assert timing.stretch(90, 60) == 1.0
    # 10 minutes of samples in a 60m window: the 50m gap is over 1.1 intervals, so half an interval is added.
    assert timing.stretch(10, 60) == pytest.approx(10.5 / 10)
    # A gap of one interval (under 1.1) is extrapolated in full.
    assert timing.stretch(59, 60) == pytest.approx(60 / 59)


def test_traffic_window_counts_failed_events_by_hand() -> None:
    # One event every 10 minutes; the event of minute 120 fails.
    traffic = timing.Traffic.of([(240, lambda i: (1.0 if (i + 1) % 10 == 0 else 0.0,
                                                   1.0 if i + 1 == 120 else 0.0))])
    ratio, bad = traffic.window(125, 60)  # minutes 66..125 hold the events of 70, 80, ..., 120: 6 events
    assert ratio == pytest.approx(1 / 6) and bad == pytest.approx(1.0)
    assert traffic.window(125, 5) == (None, 0.0)  # no event in (120, 125]: no ratio, not 0
    page = timing.traffic_burn_condition(traffic, [(60, 5, 0.0144, 5)])
    no_minimum = timing.traffic_burn_condition(traffic, [(60, 5, 0.0144, 0)])
    # Without a minimum the 17% hour and the 100% 5 minutes page at 122 (for: 2m); with 5 events it never does.
    assert timing.first_firing(no_minimum, 2, 240) == 122
    assert timing.first_firing(page, 2, 240) is None


def test_full_outage_at_one_event_a_minute_by_hand() -> None:
    traffic = timing.Traffic.of([(60, lambda i: (1.0, 0.0)), (30, lambda i: (1.0, 1.0))])
    # Minute 60 + k: k of the 60 events in the hour failed; 5 failures are reached at k = 5, firing 2m later.
    page = timing.traffic_burn_condition(traffic, [(60, 5, 0.0144, 5)])
    assert timing.first_firing(page, 2, traffic.horizon) == 67
    # The 2m outage window holds 2 events: 2 failed events (> 1.5) at 100% at minute 62.
    outage = timing.traffic_ratio_condition(traffic, 2, 0.9, 2)
    assert timing.first_firing(outage, 0, traffic.horizon) == 62
    assert timing.first_firing(timing.traffic_ratio_condition(traffic, 2, 0.9, 3), 0, traffic.horizon) is None


def test_minimum_failed_events_in_the_step_model() -> None:
    # 100 events a minute, 10% failing from minute 30: 10 failed events a minute.
    step = timing.Step(start=30, incident=0.1)
    assert timing.first_firing(timing.burn_condition(step, [(60, 5, 0.05, 0)]), 0, 200) == 61
    # Needing 400 failed events in the hour delays it to minute 70 (40 minutes x 10).
    assert timing.first_firing(timing.burn_condition(step, [(60, 5, 0.05, 400)]), 0, 200) == 70


def test_absent_firing_by_hand() -> None:
    # Last sample at 30: [t - 10m, t] holds it until t = 40; absent from 41, firing after for: 20m.
    assert timing.absent_firing(30, 10, 20) == 61


def test_encoded_counters_never_step_back() -> None:
    """promtool adds the increment n times; a run boundary recomputed as a + n x b can fall below that."""
    from agentops_gen.targets.prom_tests import encode

    text = encode([(180, 0.025), (29, 0.0), (1, 1.0)], 1_000_000.0)
    values: list[float] = []
    for part in text.split():
        if "x" in part:
            start, rest = part.split("+", 1)
            inc, times = rest.split("x")
            value = float(start)
            values.append(value)
            for _ in range(int(times)):
                value += float(inc)
                values.append(value)
        else:
            values.append(float(part))
    assert len(values) == 211
    assert all(b >= a for a, b in zip(values, values[1:], strict=False))


def test_alerts_fire_only_at_evaluations_of_a_coarser_step() -> None:
    """At a 5m evaluation step a condition true from minute 7 is first seen at 10; `for: 2m` then holds at
    the next evaluation, 15 (at 1m: 7 and 9)."""
    def condition(t: int) -> bool:
        return t >= 7

    for every, expected in ((1, 9), (5, 15)):
        assert timing.first_firing(condition, 2, 60, every=every) == expected
        assert timing.first_firing(condition, 2, 60, every=every, monotone_from=0) == expected
    assert timing.first_firing(condition, 0, 60, every=5) == 10
    # the last sample at 30, a 10m absent window: absent from 41, seen at 45, firing 20m later
    assert timing.absent_firing(30, 10, 20) == 61
    assert timing.absent_firing(30, 10, 20, every=5) == 65


def test_summed_window_at_a_5m_step_counts_each_event_once() -> None:
    """A step to 100% errors at minute 600, 100 events a minute, a 6h window at minute 660, rules every 5m:
    the range [300, 660] holds the records of minutes 300, 305, ..., 660 (73), each the 5 intervals before
    it (365 intervals), 12 of them (605..660) all failing: 60/365, and 60 minutes x 100 failed events."""
    step = timing.Step(start=600, incident=1.0, events=100.0)
    assert timing.records_per_5m(660, 5) == 1 and timing.records_per_5m(660) == 5 and timing.records_per_5m(3) == 3
    ratio, bad = timing.summed_window(step, 660, 360, every=5)
    assert ratio == pytest.approx(60 / 365)
    assert bad == pytest.approx(6000)
    # at 1m the same window holds 361 overlapping records (each interval in 5): the last 4 failing minutes are
    # only partly in (4+3+2+1 of 20 shares), so the count lags by 2 minutes' worth
    ratio_1m, bad_1m = timing.summed_window(step, 660, 360)
    assert bad_1m == pytest.approx(5800) and ratio_1m == pytest.approx(290 / 1805)
