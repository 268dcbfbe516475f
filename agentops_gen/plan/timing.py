"""When should an alert fire? A small discrete simulation of Prometheus, independent of the rules.

The generated promtool tests take their expected firing times from here, not from the code that
writes the alert expressions, so a wrong factor, window or threshold in a rule fails its test.

Model (Prometheus 2.x, as promtool runs it): inputs sampled every minute; rate() over [t-w, t]
(both ends inclusive) sees the samples in that range, and because the error and total counters
share timestamps their extrapolation cancels, so a window's error ratio is the mean of the
per-minute error ratios of the intervals it sampled. All rule groups are evaluated every minute,
recording groups before alerts (promtool ignores per-group intervals). The evaluation step `every`
(minutes, default 1) may be coarser than the 1m samples: rate() windows still read every 1m sample,
but rules (records, alerts, `for:`) only run at multiples of `every`, so a recorded series has one
sample per step and an alert fires at the first step where it has been active for `for:`.

A failed-event count (rate x window, the minimum-traffic clause) is not extrapolation-free: while a
window reaches back before the first sample (minute 0), rate() stretches the sampled increase to the
window's start (by one interval when the gap is under 1.1 intervals, else by half an interval).
`Traffic` models uneven traffic (integer events per interval) for the quiet-service cases.

Windows summed from the records (`summed`: long windows of SLIs with event counts) are not rate()s of the
raw counters: their ratio is the sum of the recorded 5m failed-event rates over the window, at every
evaluation minute in [t-w, t], divided by the sum of the recorded 5m event rates; their failed events
are the sum of those failed-event rates x 5m over the records per 5m (each event is in five records).
Each recorded 5m rate is simulated as Prometheus writes it (stretched like any rate() while its 5m reach
before minute 0), so a step shows up in them over 5 minutes and a summed window sees it about 2 minutes late.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from agentops_gen.plan.windows import RECORDED_RATE_WINDOW

RECORDED_MIN = RECORDED_RATE_WINDOW // 60
"""The window of the recorded failed-event and event rates, in minutes (evaluation interval 1m)."""


@dataclass(frozen=True)
class Step:
    """A step incident: error ratio `healthy` until minute `start`, then `incident`, until `end`."""

    start: int
    incident: float
    healthy: float = 0.0
    end: int | None = None
    events: float = 100.0
    """Events per minute (constant)."""

    def ratio_of_interval(self, j: int) -> float:
        """Error ratio of the interval (j-1, j]."""
        in_incident = j > self.start and (self.end is None or j <= self.end)
        return self.incident if in_incident else self.healthy

    def cumulative(self, t: int) -> float:
        """Sum of the per-interval error ratios of intervals 1..t (closed form, O(1))."""
        end = t if self.end is None else min(t, self.end)
        bad = max(0, end - self.start)
        return self.incident * bad + self.healthy * (t - bad)


def window_ratio(step: Step, t: int, window_min: int) -> float | None:
    """Error ratio a rate() window of `window_min` minutes reports at minute t (None: under 2 samples)."""
    first = max(0, t - window_min)
    if t - first < 1:
        return None
    return (step.cumulative(t) - step.cumulative(first)) / (t - first)


@lru_cache(maxsize=64)
def _cumulative_series(step: Step, horizon: int) -> tuple[float, ...]:
    """step.cumulative(t) for t = 0..horizon (shared by every window of a test case)."""
    return tuple(step.cumulative(t) for t in range(horizon + 1))


def window_ratios(step: Step, horizon: int, window_min: int) -> list[float | None]:
    """window_ratio(step, t, window_min) for t = 0..horizon, with the same arithmetic, in one pass."""
    cum = _cumulative_series(step, horizon)
    out: list[float | None] = [None]
    for t in range(1, horizon + 1):
        first = t - window_min if t > window_min else 0
        out.append((cum[t] - cum[first]) / (t - first))
    return out


class _RecordSums:
    """Prefix sums of the recorded 5m failed-event and event rates of one step incident and evaluation step
    (in events per interval: the common factor events / 300 s cancels in a ratio and is put back for
    counts), computed as far as a reader asks: a record exists only at evaluation minutes (multiples of
    `every`); bad[k] and events[k] sum the records of minutes 0..k-1."""

    def __init__(self, step: Step, every: int) -> None:
        self.step, self.every = step, every
        self.bad: list[float] = [0.0]
        self.events: list[float] = [0.0]

    def reach(self, t: int) -> None:
        """Extend the sums over minute t at least (doubling, so a scan over rising minutes stays linear)."""
        have = len(self.bad) - 1  # minutes 0..have-1 summed
        if t < have:
            return
        size = max(t + 1, 2 * have, 64)
        # step.cumulative() inlined: this runs for every step incident a burn case tries, over days of minutes
        step, every = self.step, self.every
        start, end, incident, healthy = step.start, step.end, step.incident, step.healthy
        stop = size if end is None else end
        bad, events = self.bad, self.events
        total_bad, total_events = bad[-1], events[-1]
        for i in range(have, size):
            if i >= every and i % every == 0:  # no rate at minute 0 (one sample), no record between evaluations
                first = i - RECORDED_MIN if i > RECORDED_MIN else 0
                # its 5m rate (failed share, intervals) x rate()'s extrapolation while its 5m reach before 0
                scale = stretch(i, RECORDED_MIN) if i < RECORDED_MIN else 1.0
                b = 0 if i <= start else (i if i < stop else stop) - start
                a = 0 if first <= start else (first if first < stop else stop) - start
                total_bad += ((incident * b + healthy * (i - b)) - (incident * a + healthy * (first - a))) * scale
                total_events += (i - first) * scale
            else:
                total_bad += 0.0
                total_events += 0.0
            bad.append(total_bad)
            events.append(total_events)


@lru_cache(maxsize=1024)
def _recorded_sums(step: Step, every: int = 1) -> _RecordSums:
    """The record sums of a step incident at an evaluation step (grown as far as readers ask)."""
    return _RecordSums(step, every)


def records_per_5m(t: int, every: int = 1) -> int:
    """Records of a 5m rate in (t-5m, t] at evaluation step `every` (minute 0 has none: one sample)."""
    return sum(1 for i in range(t, max(0, t - RECORDED_MIN), -every) if i >= 1)


def summed_window(step: Step, t: int, window_min: int, every: int = 1) -> tuple[float | None, float]:
    """(error ratio or None, failed events) of a window summed from the recorded 5m rates at minute t."""
    sums = _recorded_sums(step, every)
    sums.reach(t)
    bad, events = sums.bad, sums.events
    lo = max(1, t - window_min)  # the range [t-w, t] holds the records of those minutes; minute 0 has none
    if t < lo:
        return None, 0.0
    sum_bad, sum_events = bad[t + 1] - bad[lo], events[t + 1] - events[lo]
    ratio = sum_bad / sum_events if sum_events > 0 else None
    # each failed event is in as many records as there are records per 5m: those of the last 5m
    return ratio, sum_bad * step.events / max(1, records_per_5m(t, every))


def ratio_at(step: Step, t: int, window_min: int, summed: bool = False, every: int = 1) -> float | None:
    """A window's error ratio at minute t, read raw or summed from the records."""
    return summed_window(step, t, window_min, every)[0] if summed else window_ratio(step, t, window_min)


def first_firing(condition: Callable[[int], bool], for_min: int, horizon: int, *, monotone_from: int | None = None,
                 every: int = 1) -> int | None:
    """First minute an alert is firing: its condition held at every evaluation for `for_min` minutes.

    Evaluations run at the multiples of `every`. `monotone_from`: the caller knows the condition is
    false before that minute and, once true, stays true (a step incident on a healthy service); the
    first true evaluation is then bisected.
    """
    if monotone_from is not None:
        lo, end = -(-monotone_from // every), horizon // every + 1  # evaluation indices
        # gallop from the start, then bisect: the probes stay near the firing minute, not the horizon
        # (a summed window's records are prefix-summed up to the latest minute probed)
        gap, hi = 1, end
        while lo < end:
            probe = min(lo + gap - 1, end - 1)
            if condition(probe * every):
                hi = probe
                break
            lo, gap = probe + 1, gap * 2
        while lo < hi:
            mid = (lo + hi) // 2
            if condition(mid * every):
                hi = mid
            else:
                lo = mid + 1
        active = lo * every
        fired = active + -(-for_min // every) * every  # the first evaluation at least `for` after activation
        return fired if active <= horizon and fired <= horizon else None
    active_since: int | None = None
    for t in range(0, horizon + 1, every):
        if condition(t):
            if active_since is None:
                active_since = t
            if t - active_since >= for_min:
                return t
        else:
            active_since = None
    return None


def stretch(t: int, window_min: int) -> float:
    """rate()'s extrapolation factor at minute t over 1m samples from minute 0 (1.0 once the window is full)."""
    if t >= window_min:
        return 1.0
    sampled = t
    gap = window_min - t  # from the window's start to the first sample, in intervals
    return (sampled + (gap if gap < 1.1 else 0.5)) / sampled


def enough_bad(bad_events: float, minimum: int) -> bool:
    """The rule's `rate x window > minimum - 0.5`: at least `minimum` failed events (0: no minimum)."""
    return minimum == 0 or bad_events > minimum - 0.5


BurnPair = tuple[int, int, float] | tuple[int, int, float, int]
"""(long, short, threshold) or (long, short, threshold, minimum failed events in the long window)."""


def burn_condition(step: Step, pairs: Sequence[BurnPair], summed: frozenset[int] = frozenset(), every: int = 1
                   ) -> Callable[[int], bool]:
    """Multi-window condition: any pair with both windows above threshold (and enough failed events);
    windows (minutes) in `summed` are summed from the recorded 5m rates."""

    cumulative = step.cumulative
    events = step.events

    def condition(t: int) -> bool:
        if t < 1:
            return False  # no window holds two samples yet
        now = cumulative(t)
        # window_ratio's arithmetic, inlined: this runs thousands of times per generated test file.
        for pair in pairs:
            long_min, short_min, threshold = pair[0], pair[1], pair[2]
            if long_min in summed:
                ratio, bad = summed_window(step, t, long_min, every)
                if ratio is None or ratio <= threshold:
                    continue
            else:
                first = t - long_min if t > long_min else 0
                bad_share = now - cumulative(first)
                if bad_share / (t - first) <= threshold:
                    continue
                bad = bad_share * events * stretch(t, long_min)
            if len(pair) > 3 and not enough_bad(bad, pair[3]):
                continue
            if short_min in summed:
                short = summed_window(step, t, short_min, every)[0]
                if short is not None and short > threshold:
                    return True
                continue
            first = t - short_min if t > short_min else 0
            if (now - cumulative(first)) / (t - first) > threshold:
                return True
        return False

    return condition


def ratio_condition(step: Step, window_min: int, threshold: float, minimum: int = 0,
                    summed_count: bool = False, every: int = 1) -> Callable[[int], bool]:
    """One window above a threshold, with at least `minimum` failed events in it (the outage alert: its ratio
    is read raw; its failed events are summed from the records when its window is a summed one)."""

    def condition(t: int) -> bool:
        ratio = window_ratio(step, t, window_min)
        if ratio is None or ratio <= threshold:
            return False
        if summed_count:
            return enough_bad(summed_window(step, t, window_min, every)[1], minimum)
        first = max(0, t - window_min)
        bad = (step.cumulative(t) - step.cumulative(first)) * step.events * stretch(t, window_min)
        return enough_bad(bad, minimum)

    return condition


@dataclass(frozen=True)
class Traffic:
    """Uneven traffic: events and failed events of each interval (j-1, j], j = 1..len (index 0 is unused)."""

    total: tuple[float, ...]
    bad: tuple[float, ...]

    @staticmethod
    def of(segments: Sequence[tuple[int, Callable[[int], tuple[float, float]]]]) -> Traffic:
        """Build from (intervals, i -> (events, failed events) of the segment's i-th interval) segments."""
        total, bad = [0.0], [0.0]
        for length, per_interval in segments:
            for i in range(length):
                events, failed = per_interval(i)
                total.append(events)
                bad.append(failed)
        return Traffic(tuple(total), tuple(bad))

    @property
    def horizon(self) -> int:
        """Last minute with a sample."""
        return len(self.total) - 1

    def __hash__(self) -> int:
        """The hash of its samples, computed once: the simulations memoized on a Traffic hash it per call."""
        return self._hash

    @cached_property
    def _hash(self) -> int:
        return hash((self.total, self.bad))

    @cached_property
    def _sums(self) -> tuple[list[float], list[float]]:
        total, bad = [0.0], [0.0]
        for j in range(1, len(self.total)):
            total.append(total[-1] + self.total[j])
            bad.append(bad[-1] + self.bad[j])
        return total, bad

    @cached_property
    def _recorded_by_step(self) -> dict[int, tuple[list[float], list[float]]]:
        return {}

    def _recorded(self, every: int = 1) -> tuple[list[float], list[float]]:
        """Prefix sums of the recorded 5m failed-event and event rates (events per interval) at minutes 0..horizon,
        recorded at the multiples of `every` (computed once per step)."""
        found = self._recorded_by_step.get(every)
        if found is None:
            found = self._recorded_by_step[every] = self._record(every)
        return found

    def _record(self, every: int) -> tuple[list[float], list[float]]:
        sum_total, sum_bad = self._sums
        bad, events = [0.0], [0.0]
        for i in range(self.horizon + 1):
            first = max(0, i - RECORDED_MIN)
            scale = stretch(i, RECORDED_MIN) if i > first and i % every == 0 else 0.0
            bad.append(bad[-1] + (sum_bad[i] - sum_bad[first]) * scale)
            events.append(events[-1] + (sum_total[i] - sum_total[first]) * scale)
        return bad, events

    def window(self, t: int, window_min: int, summed: bool = False, every: int = 1) -> tuple[float | None, float]:
        """(error ratio or None without traffic or under two samples, failed events as rate() x window);
        `summed`: the window summed from the recorded 5m rates (recorded every `every` minutes)."""
        if summed:
            lo = max(1, t - window_min)
            if t < lo:
                return None, 0.0
            recorded_bad, recorded_events = self._recorded(every)
            failed, events = recorded_bad[t + 1] - recorded_bad[lo], recorded_events[t + 1] - recorded_events[lo]
            ratio = failed / events if events > 1e-9 else None
            return ratio, failed / max(1, records_per_5m(t, every))
        first = max(0, t - window_min)
        if t - first < 1:
            return None, 0.0
        sum_total, sum_bad = self._sums
        total = sum_total[t] - sum_total[first]
        bad = sum_bad[t] - sum_bad[first]
        return (bad / total if total > 1e-9 else None), bad * stretch(t, window_min)


def traffic_burn_condition(traffic: Traffic, pairs: Sequence[tuple[int, int, float, int]],
                           summed: frozenset[int] = frozenset(), every: int = 1) -> Callable[[int], bool]:
    """burn_condition for uneven traffic: (long, short, threshold, minimum failed events) pairs."""

    def condition(t: int) -> bool:
        for long_min, short_min, threshold, minimum in pairs:
            ratio, bad = traffic.window(t, long_min, long_min in summed, every)
            if ratio is None or ratio <= threshold or not enough_bad(bad, minimum):
                continue
            short_ratio, _ = traffic.window(t, short_min, short_min in summed, every)
            if short_ratio is not None and short_ratio > threshold:
                return True
        return False

    return condition


def traffic_ratio_condition(traffic: Traffic, window_min: int, threshold: float,
                            minimum: int, summed_count: bool = False, every: int = 1) -> Callable[[int], bool]:
    """ratio_condition for uneven traffic (the outage alert)."""

    def condition(t: int) -> bool:
        ratio, bad = traffic.window(t, window_min)
        if summed_count:
            bad = traffic.window(t, window_min, True, every)[1]
        return ratio is not None and ratio > threshold and enough_bad(bad, minimum)

    return condition


def absent_firing(last_sample: int, window_min: int, for_min: int, every: int = 1) -> int:
    """First minute an absent_over_time(x[window]) alert fires after x's last sample at `last_sample`.

    The range [t - window, t] holds the last sample until t = last_sample + window; `for:` then runs
    (on evaluations at the multiples of `every`).
    """
    gone = last_sample + window_min + 1
    active = -(-gone // every) * every
    return active + -(-for_min // every) * every


def budget_remaining(step: Step, budget: float, period_min: int, horizon: int, every: int = 1
                     ) -> list[float | None]:
    """Remaining budget at each minute: 1 - (failed / all events over the period) / budget, both summed from
    the 5m rates recorded every minute (rate() stretches both alike while the window reaches before minute 0)."""
    out: list[float | None] = []
    for t in range(horizon + 1):
        ratio = summed_window(step, t, period_min, every)[0]
        out.append(None if ratio is None else 1 - ratio / budget)
    return out


def budget_condition(step: Step, budget: float, below: float, period_min: int, horizon: int, every: int = 1
                     ) -> Callable[[int], bool]:
    """Remaining budget (1 - failed / all events over the period / budget) below `below`."""
    left = budget_remaining(step, budget, period_min, horizon, every)

    def condition(t: int) -> bool:
        value = left[t]
        return value is not None and value < below

    return condition


def zscore_value(values: Sequence[float], baseline_min: int, t: int, coarse_min: int = 5) -> float | None:
    """(5m average - mean) / stddev at minute t (None when stddev is 0), as the recorded `:zscore` series."""
    coarse = []
    for i in range(t + 1):
        window = values[max(0, i - coarse_min): i + 1]
        coarse.append(sum(window) / len(window))
    sample = coarse[max(0, t - baseline_min): t + 1]
    mean = sum(sample) / len(sample)
    std = math.sqrt(max(0.0, sum((c - mean) ** 2 for c in sample) / len(sample)))
    if std <= 1e-12 * max(1.0, abs(mean)):
        return None
    return (coarse[t] - mean) / std
