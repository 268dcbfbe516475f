"""Generated promtool unit tests: out/prometheus/tests/<service>.test.yaml (rules evaluated every 1m) and
<service>.5m.test.yaml (every 5m: promtool evaluates every rule at every evaluation, so a case there costs a
fifth; a case goes there when it proves as much as at 1m, see burn_step).

One case per generated alert: it fires on a step incident of the right size at the minute
plan/timing.py predicts (and not one evaluation earlier), and every alert stays silent on healthy
traffic, on zero traffic and when the series are absent. Expected times come from the timing
simulation, never from the code that writes the rules. Quiet-traffic cases (one failed event, a
full outage at one event a minute, a busy day then a quiet night) and a vanished-series case
cover the minimum-traffic clauses and the no-data alerts.

Several SLOs (and KPIs) of a service may read the same series: a case's input series are merged
by identity, and SLOs whose inputs would disagree or leak into each other's queries go to separate
cases (`partition`), so every valid spec gets a test file that passes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import groupby
from typing import Any, NamedTuple, TypeVar, cast

from agentops_gen.plan import synthetic, timing
from agentops_gen.plan.build import CURRENT_BURN_WINDOW
from agentops_gen.plan.model import AlertPlan, HistogramInputs, Plan, RatioInputs, ServicePlan, SLOPlan
from agentops_gen.plan.sli import le_values, query_selectors
from agentops_gen.plan.synthetic import complement, matches, series_for, series_literal
from agentops_gen.targets.jinja import render_template, yaml_quote
from agentops_gen.targets.rule_slices import (
    RuleReads,
    group_chunks,
    group_label,
    rule_chunks,
    slice_block,
    slice_path,
    slice_text,
)
from agentops_gen.targets.rule_text import RuleText
from agentops_gen.units import names
from agentops_gen.units.durations import format_duration, parse_duration
from agentops_gen.units.promql import from_nothing, parse, query_from_nothing, substitute_window

RATE = 100.0
"""Events per minute in synthetic counters."""
BASE = 1_000_000.0
"""Counters start high so Prometheus' extrapolation never clamps at a zero crossing."""
INCIDENT_START = 30
LEVEL_START = 10
"""Minutes a KPI or plain alert's input stays on the good side before crossing: its rule reads the value as
it is (no window), so any history shows it silent; the 1m cases cost every rule at every minute."""
OUTAGE_START = 10
"""Healthy minutes before a full outage or a blip (at least twice the outage window): the 1m outage cases
cost every rule at every minute, and the outage window is minutes long."""
MAX_HISTORY = 6 * 60
"""Healthy minutes before a burn-rate incident: the alert's longest window, capped to keep promtool fast."""
JUMP_START = LEVEL_START
JUMP_LOW, JUMP_HIGH = 100.0, 400.0
JUMP_TOLERANCE = 1e-6
"""An anomaly's input: flat until JUMP_START, then 4x. Flat, because a flat series has no stddev, so its
z-score has no sample and its alert cannot fire before the jump. (A series alternating 100/110 each minute
made the alert fire at minute 26 on the alternation alone, as the 5m averages the baseline is built from
vary less than the value; that case's `fires -1414m after a jump` proved nothing about the jump.) The
z-score must match the timing model within JUMP_TOLERANCE (relative): the two sum floats in other orders."""
ZSCORE_MARGIN = 0.05
"""An anomaly alert's fed z-score sits this far (relative) below its threshold, then this far above."""
HEALTHY_MINUTES = 90
"""Steady healthy, zero and flat inputs: every window ratio is constant after the first minutes, so 90 minutes
cover every `for:` of the examples; each minute costs promtool every rule of the file. The healthy and
zero-traffic cases run at most this long (steady_minutes), the anomalies' flat cases this long."""
ABSENT_MINUTES = 60
"""The absent-series case runs at most this long; its no-data alerts waiting longer have no fire check there."""
STEADY_FLOOR = 30
"""The shortest steady case (healthy, zero traffic, absent series)."""
QUIET_EVERY = 10
"""Quiet traffic: one event every 10 minutes (the issue's checkout example)."""
QUIET_MINUTES = 30
QUIET_FAILURE = 10
"""The failed event is the first event (1 of 1 in every window: the hardest to stay silent on), and silence
is checked every minute for 20 minutes after it: the longer cases before it (70, then 20 quiet minutes
first) caught no mutation that this misses (docs/performance.md, "Generated tests", third and sixth rounds),
and each minute costs promtool every rule the file loads."""
LOW_TRAFFIC_START = 45
"""A full outage at one event a minute starts after 45 healthy minutes."""
LOW_TRAFFIC_AFTER = 25
"""Every page, ticket and outage alert of the examples fires within 25 minutes of the outage. The former
healthy hour and 30 outage minutes caught no mutation that this misses, but for a window or factor mutation
that the alert's step cases catch (docs/performance.md, "Generated tests", sixth round)."""
DAY_MINUTES = 60
NIGHT_MINUTES = 80
NIGHT_FAILURES = (20, 40, 60)
"""A busy hour (the page's 1h window full of it), then a night of 80 minutes with three failed events: the 2h
day, then the 2h night before caught no mutation that this misses (docs/performance.md, "Generated tests",
fifth and sixth rounds), and each minute costs promtool every rule the file loads."""
VANISH_AT = 10
"""Series exist (flat: zero traffic) until this minute, then vanish. What the case proves is the minute the
no-data alerts fire after it (their window and `for:`), the same after 10 present minutes as after 30; each
minute costs promtool every rule of the file."""
SEVERITY_MULTIPLIERS = (2.37, 2.71, 3.3, 1.9, 4.1)
"""Incident size = threshold x multiplier; odd multipliers keep window ratios off exact thresholds."""
COARSE_STEP = 5
"""Evaluation step (minutes) of the coarse test file: the longest at which a summed window's rules still
see a record of every 5m rate (count_over_time(...[4m59s]) >= 1). promtool's cost is rules x steps."""
FINE_STEP = 1
"""Evaluation step of the fine test file: the production rule groups' 1m interval."""
MUTATIONS = ((0.9, 1, 1), (1.1, 1, 1), (1, 0.5, 1), (1, 2, 1), (1, 1, 0.5), (1, 1, 2))
"""(threshold, long window, short window) scales of the mutated burn pair a coarse case must still catch
whenever the fine case would: a factor off by 10% (14.4 -> 13), either window halved or doubled."""


@dataclass
class Case:
    """One promtool test group."""

    name: str
    series: list[tuple[str, str]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    exprs: list[dict[str, Any]] = field(default_factory=list)
    every: int = FINE_STEP
    """Evaluation step in minutes: the case goes to the test file evaluated at that step."""
    reads: tuple[int, ...] = ()
    """Indices of the rule groups holding the rules the case needs: cases alike in these share a test file."""
    rules: tuple[int, ...] = ()
    """Numbers of the rules the case needs (rule_slices.RuleReads): its test file loads only those."""
    shared: bool = False
    """A scenario of every SLO (traffic, healthy, zero, absent, vanish): it goes to `<service>.test.yaml`."""


_F = TypeVar("_F", bound=Callable[..., Any])
_RUN_MEMOS: list[Any] = []
"""Memoized helpers whose memos serve one render() call: render empties them when it starts."""


def per_render(fn: _F) -> _F:
    """Memoize a pure function of hashable arguments for one render (services repeat the same work)."""
    memo = cache(fn)
    _RUN_MEMOS.append(memo)
    return cast(_F, memo)


def clear_memos() -> None:
    """Forget what the per-render memos hold (a render starts cold: a repeated render costs the same)."""
    for memo in _RUN_MEMOS:
        memo.cache_clear()


identity = per_render(synthetic.identity)
"""synthetic.identity, once per literal of a render; its label dicts are shared, so they are read, never changed."""


@per_render
def _minutes(duration: str | None) -> int:
    return 0 if duration is None else int(parse_duration(duration) // 60)


@per_render
def _for_minutes(duration: str | None) -> int:
    """Whole minutes an alert's `for:` holds it pending on a 1-minute grid: Prometheus fires at the first
    evaluation at least `for` after the condition became true, so `for: 1ms` (or 60s) is one minute, 90s two."""
    return 0 if duration is None else math.ceil(parse_duration(duration) / 60)


LONGEST_FIRE_FOR = "1d"
"""Longest `for:` a fire case holds an alert's condition through, minute by minute: promtool evaluates every
rule of the file at each one (a 1d `for:` took it 22 s for a small service, 7d 3 minutes before it refused
the 30d window's samples). An alert that waits longer is listed as untested; its silence is still tested."""


def _has_fire_case(alert: AlertPlan) -> bool:
    """Is the alert's `for:` short enough for a fire case (LONGEST_FIRE_FOR)?"""
    return _for_minutes(alert.for_) <= _for_minutes(LONGEST_FIRE_FOR)


Pieces = list[tuple[int, float]]
"""A counter's per-minute increments as runs: (number of intervals, increment)."""


def encode(pieces: Pieces, base: float) -> str:
    """promtool expanding notation for a counter: one `a+bxn` run per piece of constant increment."""
    return _encode(tuple(pieces), base)


@lru_cache(maxsize=4096)
def _encode(pieces: tuple[tuple[int, float], ...], base: float) -> str:
    """encode(), memoized: every service of a kind feeds the same counters.

    promtool expands `a+bxn` by adding b n times, so each run starts from the value that repeated
    addition reached (printed exactly): recomputing it as a + n x b can land a hair below it, which
    Prometheus reads as a counter reset.
    """
    parts: list[str] = []
    value = base
    for n, inc in pieces:
        if n <= 0:
            continue
        if not parts:  # the first run also carries the starting value
            parts.append(f"{_num(value)}+{_num(inc)}x{n}")
        else:
            value += inc
            parts.append(_exact(value) if n == 1 else f"{_exact(value)}+{_num(inc)}x{n - 1}")
            n -= 1
        for _ in range(n):
            value += float(_num(inc))
    return " ".join(parts) if parts else _num(base)


def _exact(value: float) -> str:
    """A float printed so that it parses back to itself."""
    return _num(value) if float(_num(value)) == value else repr(value)


def step_pieces(step: timing.Step, horizon: int, per_ratio: Any) -> Pieces:
    """Runs of intervals 1..horizon over which `step`'s error ratio is constant, as per_ratio(ratio) increments."""
    cuts = sorted({0, horizon, *(c for c in (step.start, step.end) if c is not None and 0 < c < horizon)})
    pieces: Pieces = []
    for lo, hi in zip(cuts, cuts[1:], strict=False):  # consecutive pairs
        inc = per_ratio(step.ratio_of_interval(hi))
        if pieces and pieces[-1][1] == inc:
            pieces[-1] = (pieces[-1][0] + hi - lo, inc)
        else:
            pieces.append((hi - lo, inc))
    return pieces


def encode_values(values: Sequence[float | None], exact: bool = False) -> str:
    """promtool notation for a sampled series: runs with a constant step become `a+bxn`, gaps `_`. Values print
    with ten significant digits and a run's steps may differ by float noise, unless `exact` (each value as it is,
    steps equal to the bit)."""
    number = _exact if exact else _num
    parts: list[str] = []
    size = len(values)
    i = 0
    while i < size:
        current = values[i]
        if current is None:
            parts.append("_")
            i += 1
            continue
        # A run goes on while each difference matches the run's first one (within float noise).
        j = i + 1
        step = 0.0
        if j < size and (prev := values[j]) is not None:
            step = prev - current
            tolerance = 0.0 if exact else 1e-9 * max(1.0, abs(step))
            j += 1
            while j < size:
                value = values[j]
                if value is None or abs((value - prev) - step) > tolerance:
                    break
                prev = value
                j += 1
        n = j - i - 1
        if n == 0:
            parts.append(number(current))
        else:
            sign = "-" if step < 0 else "+"  # promtool spells a falling run a-bxn, not a+-bxn
            parts.append(f"{number(current)}{sign}{number(abs(step))}x{n}")
        i = j
    return " ".join(parts)


def _num(value: float) -> str:
    text = f"{value:.10g}"
    return text


def go_printf_4g(value: float) -> str:
    """Go's %.4g (what `printf "%.4g"` prints in a Prometheus template): Go spells the infinities and NaN
    `+Inf`, `-Inf` and `NaN` (a threshold near 1e308 of a percent KPI is +Inf once multiplied by 100)."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return f"{value:.4g}"


_LABEL_REF = re.compile(r"\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")


def expand_annotation(text: str, value: float, labels: dict[str, str] | None = None) -> str | None:
    """Expand the template constructs agentops-gen emits (and `{{ $labels.x }}`); None for any other template."""
    if "{{" not in text:
        return text
    known = labels or {}
    out = _LABEL_REF.sub(lambda m: known.get(m.group(1), ""), text) if "$labels" in text else text
    out = out.replace('{{ $value | printf "%.4g" }}', go_printf_4g(value))
    out = out.replace("{{ $value | humanizePercentage }}", go_printf_4g(value * 100) + "%")
    unescaped = out.replace('{{ "{{" }}', "\x00")
    if "{{" in unescaped:
        return None
    return unescaped.replace("\x00", "{{")


def _expected(alert: AlertPlan, series_labels: dict[str, str], value: float) -> dict[str, Any] | None:
    # Prometheus drops a label whose value is empty, so an alert never carries `component=""`
    labels = {k: v for k, v in {**series_labels, **alert.rule.labels}.items() if v != ""}
    annotations = {}
    for key, text in alert.rule.annotations.items():
        expanded = expand_annotation(text, value, labels)
        if expanded is None:
            return None
        annotations[key] = expanded
    return {"exp_labels": labels, "exp_annotations": annotations}


def slo_series(service: ServicePlan, plan: SLOPlan, step: timing.Step, horizon: int) -> list[tuple[str, str]] | None:
    """Input series that make an SLO's error ratio follow `step` (None: no synthetic form fits)."""
    slo = plan
    if slo.sli.raw is not None:
        return _recorded_ratios(service, plan, slo, step, horizon)
    return _counters(slo, *step_runs(step, horizon))


@per_render
def step_runs(step: timing.Step, horizon: int) -> tuple[Pieces, Pieces, Pieces]:
    """(failed, good, all) events per interval 1..horizon of a step incident, as runs (SLOs alike share them)."""
    flat = step.incident == 0 and step.healthy == 0 and step.start < 0  # zero traffic: nothing moves
    events = 0.0 if flat else step.events
    return (step_pieces(step, horizon, lambda r: r * events), step_pieces(step, horizon, lambda r: events - r * events),
            step_pieces(step, horizon, lambda r: events))


def traffic_series(service: ServicePlan, plan: SLOPlan, traffic: timing.Traffic) -> list[tuple[str, str]] | None:
    """Input counters of an SLO that carry `traffic` (None for raw SLIs: their query is the user's)."""
    slo = plan
    if slo.sli.raw is not None:
        return None
    return _counters(slo, *traffic_pieces(traffic))


@per_render
def traffic_pieces(traffic: timing.Traffic) -> tuple[Pieces, Pieces, Pieces]:
    """(failed, good, all) events of each interval of `traffic`, as runs (every SLO of a budget shares them)."""
    total = traffic.total[1:]
    bad = traffic.bad[1:]
    return _runs(bad), _runs([t - b for t, b in zip(total, bad, strict=True)]), _runs(total)


def _runs(increments: Sequence[float]) -> Pieces:
    return [(sum(1 for _ in run), inc) for inc, run in groupby(increments)]


def _recorded_ratios(service: ServicePlan, plan: SLOPlan, slo: SLOPlan, step: timing.Step,
                     horizon: int) -> list[tuple[str, str]] | None:
    """A raw SLI's query is the user's, so its tests feed the recorded per-window error ratios instead
    (and, with `sli.raw.events`, the recorded failed-event rates of its alert windows)."""
    if step.start < 0:
        return None  # "zero traffic" has no recorded form: the ratios are simply absent
    if raw_from_nothing(slo):
        return None  # its rules write the ratios themselves in every case: a fed one is a duplicate sample
    labels = {**service.labels, "service": service.service, "team": service.team, **slo.labels, "slo": plan.name}
    out = []
    # windows summed from the recorded 5m rates are the rules' own work: they read the rates fed below
    for window in (w for w in plan.record_windows if w not in plan.summed_windows):
        minutes = _minutes(window)
        values = timing.window_ratios(step, horizon, minutes)
        out.append((series_literal(names.sli_error_record(window), labels), encode_values(values)))
    for window in (w for w in plan.bad_event_windows if w not in plan.summed_windows):
        minutes = _minutes(window)
        rates: list[float | None] = [None]
        for t in range(1, horizon + 1):
            first = max(0, t - minutes)
            bad = (step.cumulative(t) - step.cumulative(first)) * step.events * timing.stretch(t, minutes)
            rates.append(bad / (minutes * 60))
        out.append((series_literal(names.bad_events_record(window), labels), encode_values(rates)))
    if slo.sli.raw is not None and slo.sli.raw.events is not None:  # the events of the traffic-weighted period ratio
        window = format_duration(CURRENT_BURN_WINDOW)
        minutes = _minutes(window)
        events: list[float | None] = [None]
        for t in range(1, horizon + 1):
            first = max(0, t - minutes)
            events.append((t - first) * step.events * timing.stretch(t, minutes) / (minutes * 60))
        out.append((series_literal(names.events_record(window), labels), encode_values(events)))
    return out


def raw_from_nothing(slo: SLOPlan) -> bool:
    """Does a raw SLI's query make samples from nothing (`... or vector(0)`)? Its records exist without input."""
    raw = slo.sli.raw
    return raw is not None and any(query_from_nothing(substitute_window(q, "5m"))
                                   for q in (raw.error_ratio, raw.events) if q)


def _alerts_from_nothing(service: ServicePlan) -> set[str]:
    """Alerts (no-data ones aside) whose SLO, KPI or anomaly query makes samples from nothing: without any
    series they see the user's constant, so no case expects them silent."""
    plans: list[tuple[bool, tuple[AlertPlan, ...]]] = [(raw_from_nothing(slo), slo.alerts) for slo in service.slos]
    plans += [(query_from_nothing(k.query), k.alerts) for k in service.kpis]
    plans += [(query_from_nothing(a.query), a.alerts) for a in service.anomalies]
    return {a.name for constant, alerts in plans if constant for a in alerts if a.kind != "no-data"}


def _flat_totals(selectors: Sequence[str], part_sel: str, part: tuple[str, dict[str, str]]) -> list[str] | None:
    """Counters of a summed total's other selectors, kept flat (None when one overlaps the good/errors part)."""
    out = []
    for selector in selectors:
        series = series_for(selector)
        if series is None or matches(part_sel, *series) or matches(selector, *part):
            return None
        out.append(series_literal(*series))
    return out


Role = str
"""Which increments a counter carries: "bad", "good", "total" or "flat" (no traffic, total's runs)."""


@per_render
def counter_layout(ratio: RatioInputs | None, hist: HistogramInputs | None,
                   latency: bool) -> tuple[tuple[str, Role], ...] | None:
    """(series literal, role) of the counters (or histogram buckets) an SLI reads, None when no synthetic
    series fits: the same for every case of the SLO, whatever the traffic."""
    if ratio is not None:
        part_sel = ratio.errors or ratio.good
        assert part_sel is not None
        part_role, other_role = ("bad", "good") if ratio.errors else ("good", "bad")
        part = series_for(part_sel)
        if part is None:
            return None
        first, *more = ratio.totals
        extra = _flat_totals(more, part_sel, part)  # the first total carries all the traffic
        if extra is None:
            return None
        if matches(first, *part):
            other = complement(first, part_sel, part)
            if other is None:
                return None
            return ((series_literal(*part), part_role), (series_literal(*other), other_role),
                    *((lit, "flat") for lit in extra))
        tot = series_for(first)
        if tot is None or matches(part_sel, *tot):
            return None
        return ((series_literal(*part), part_role), (series_literal(*tot), "total"),
                *((lit, "flat") for lit in extra))
    if hist is None:
        return None
    base = series_for(hist.histogram)
    if base is None:
        return None
    name, labels = base
    bucket = series_literal(f"{name}_bucket", {**labels, "le": le_values(hist.bound)[0]})
    count = series_literal(f"{name}_count", labels)
    return (bucket, "good" if latency else "bad"), (count, "total")


def _counters(slo: SLOPlan, bad: Pieces, good: Pieces, total: Pieces) -> list[tuple[str, str]] | None:
    """Counters (or histogram buckets) with these per-minute failed, good and total increments."""
    sli = slo.sli
    layout = counter_layout(sli.ratio, None if sli.ratio else sli.latency or sli.score, sli.latency is not None)
    if layout is None:
        return None
    pieces = {"bad": bad, "good": good, "total": total, "flat": [(n, 0.0) for n, _ in total]}
    return [(literal, encode(pieces[role], BASE)) for literal, role in layout]


@dataclass
class Feed:
    """One SLO's (or KPI's) input series in a case, and the selectors its rules read."""

    series: list[tuple[str, str]]
    reads: list[str]


def slo_reads(service: ServicePlan, plan: SLOPlan) -> list[str]:
    """Every selector an SLO's rules read from the input (raw: all selectors of its queries)."""
    sli = plan.sli
    if sli.raw is not None:
        # a raw SLI's cases feed its recorded ratios, which its alerts read: two cases feeding them for other
        # label sets (a grouped case beside an ungrouped one) would each fire the other's alerts
        recorded = [sel for alert in plan.alerts if alert.kind != "no-data" for sel in query_selectors(alert.expr)]
        return list(dict.fromkeys([*query_selectors(substitute_window(sli.raw.error_ratio, "5m")),
                                   *(query_selectors(substitute_window(sli.raw.events, "5m")) if sli.raw.events
                                     else []), *recorded]))
    return list(sli.counters)


@per_render
def reads(selector: str, literal: str) -> bool:
    """Does the selector match the input series written as `literal`? (cases ask it again and again)"""
    return matches(selector, *identity(literal))


@per_render
def _leaks(selectors: tuple[str, ...], literal: str) -> bool:
    return any(reads(sel, literal) for sel in selectors)


def _fits(group: list[Feed], feed: Feed) -> bool:
    """Can `feed` join a case: same values for shared series, and no query reads another feed's series?"""
    fed = {lit: values for member in group for lit, values in member.series}
    own = dict(feed.series)
    for lit, values in feed.series:
        if lit in fed:
            if fed[lit] != values:
                return False
        elif any(_leaks(tuple(member.reads), lit) for member in group):
            return False
    return not any(lit not in own and _leaks(tuple(feed.reads), lit) for lit in fed)


def partition(feeds: Sequence[Feed]) -> list[list[Feed]]:
    """Feeds grouped into as few cases as possible (first fit), each case internally consistent."""
    groups: list[list[Feed]] = []
    for feed in feeds:
        target = next((g for g in groups if _fits(g, feed)), None)
        if target is None:
            groups.append([feed])
        else:
            target.append(feed)
    return groups


def merged_series(feeds: Sequence[Feed]) -> list[tuple[str, str]]:
    """The input series of a case: one entry per series identity (the first feed's values win)."""
    out: dict[str, str] = {}
    for feed in feeds:
        for lit, values in feed.series:
            out.setdefault(lit, values)
    return list(out.items())


def _robust_first(make: Any, for_min: int, horizon: int, monotone_from: int | None = None,
                  every: int = FINE_STEP) -> int | None:
    """First firing minute, only if nudging thresholds by 0.01% does not move it (no float ties).

    Every condition here is monotone in its threshold, so the first minute at the real threshold lies
    between those at the two nudged ones: when those agree, it is theirs, and it need not be computed.
    """
    low, high = (timing.first_firing(make(scale), for_min, horizon, monotone_from=monotone_from, every=every)
                 for scale in (0.9999, 1.0001))
    return low if low == high else None


def history_choices(long_min: int, longest: int) -> list[tuple[int, float]]:
    """(healthy minutes before the step, incident multiplier) to try for one window pair, cheapest first.

    A case costs promtool its last minute x every rule of the file, so history is the price of a
    burn case. The pair's own long window full of healthy history is what makes a wrong window move
    the firing minute; the other pairs need enough history not to fire first, so the history grows
    (2x, 3x the long window, then as long as the longest window, capped) until one fits.
    """
    starts = sorted({min(m * long_min, MAX_HISTORY) for m in (1, 2, 3)} | {min(longest, MAX_HISTORY)})
    return [(start, multiplier) for start in starts for multiplier in SEVERITY_MULTIPLIERS]


def _burn_cases(service: ServicePlan, slo: SLOPlan, alert: AlertPlan, grouped: bool = False,
                proven: set[str] | None = None) -> list[Case]:
    """One case per window pair, each sized so that pair fires first: a wrong factor or window moves it.

    `grouped`: the same incident in one group while a second group stays healthy (a grouped SLO).
    `proven`: names of the SLOs a case already shows reading the summed windows raw would fail (grows).
    """
    proven = set() if proven is None else proven
    kind = alert.kind.removeprefix("burn-")
    minimum = slo.min_bad_events.get(kind, 0)
    pairs = tuple((w.long_s // 60, w.short_s // 60, w.factor * slo.error_budget)
                  for w in slo.windows if w.severity == kind)
    summed = _summed(slo)
    cases = []
    # The low-traffic case asserts a counter SLO's alerts at 1m, which catches a `for:` a minute off; a raw
    # SLI has no traffic cases, so its ticket and page get one 1m case for that when all their cases are at 5m
    # (the cheapest that a `for:` a minute off moves: docs/performance.md "Generated tests", fifth round).
    fine_missing = slo.sli.raw is not None and kind in ("ticket", "page") and not grouped
    for_min = _for_minutes(alert.for_)
    for index in range(len(pairs)):
        # A grouped case proves which group fires, not the window arithmetic again: a short history keeps it cheap.
        found = burn_step(pairs, index, minimum, for_min, INCIDENT_START if grouped else None, summed,
                          slo.name in proven, slo.sli.raw is not None)
        if found is None:
            continue
        step, when, value, every, catches_raw = found
        case = _fire_case(service, slo, alert, step, when, value,
                          f"{alert.name} fires {when - step.start}m after a step to {step.incident:.4g} "
                          f"error ratio (the {_pair_name(pairs[index])} pair)", grouped=grouped, every=every)
        if case is not None:
            fine_missing = fine_missing and every != FINE_STEP
            cases.append(case)
            if catches_raw:
                proven.add(slo.name)
    timed = for_step(pairs, minimum, for_min, summed, slo.sli.raw is not None) if fine_missing else None
    if timed is not None:
        index, step, when, value = timed
        case = _fire_case(service, slo, alert, step, when, value,
                          f"{alert.name} fires {when - step.start}m after a step to {step.incident:.4g} error ratio "
                          f"(the {_pair_name(pairs[index])} pair, {FOR_CHECK})", every=FINE_STEP)
        if case is not None:
            cases.append(case)
    return cases


FOR_CHECK = "every minute: its for"
"""The name part of a raw SLI's 1m case that a `for:` a minute off fails (for_step)."""


def _pair_name(pair: tuple[int, int, float]) -> str:
    return f"{format_duration(pair[0] * 60)}/{format_duration(pair[1] * 60)}"


@lru_cache(maxsize=1024)
def for_step(pairs: Pairs, minimum: int, for_min: int, summed: frozenset[int], fed: bool
             ) -> tuple[int, timing.Step, int, float] | None:
    """(pair index, step, firing minute, $value) of the 1m case with the fewest evaluations whose firing minute
    a `for:` a minute shorter or longer moves (a 5m case cannot see it), or None. Pure in its numbers."""
    best: tuple[int, timing.Step, int, float] | None = None
    wrong = [f for f in (for_min - 1, for_min + 1) if f >= 0]
    for begin in sorted({*COARSE_HISTORIES, *(b for p in pairs for b, _ in history_choices(p[0], p[0]))}):
        if best is not None and begin >= best[2]:
            break
        for index in range(len(pairs)):
            if begin < min(pairs[index][0], COARSE_HISTORIES[0]):
                continue  # burn_step's histories: the pair's long window full, or at least 30 minutes
            for multiplier in (*SEVERITY_MULTIPLIERS, *NEAR_MULTIPLIERS):
                found = _burn_try(pairs, index, minimum, for_min, begin, multiplier, summed, FINE_STEP, fed)
                if found is None or (best is not None and found[1] >= best[2]):
                    continue
                step, when, value = found
                horizon = _horizon(pairs, begin, for_min, FINE_STEP)
                if all(_fire(pairs, minimum, f, summed, step, horizon, FINE_STEP, fed) != when for f in wrong):
                    best = index, step, when, value
    return best


def _summed(slo: SLOPlan) -> frozenset[int]:
    """The windows (minutes) an SLO's rules sum from the recorded 5m rates."""
    return _summed_minutes(tuple(slo.summed_windows))


@per_render
def _summed_minutes(windows: tuple[str, ...]) -> frozenset[int]:
    return frozenset(_minutes(w) for w in windows)


Pairs = tuple[tuple[int, int, float], ...]
"""Burn-rate pairs of one alert: (long window, short window, threshold), windows in minutes."""
Found = tuple[timing.Step, int, float]
"""(step incident, first firing minute, $value then)."""


@lru_cache(maxsize=1024)
def burn_step(pairs: Pairs, index: int, minimum: int, for_min: int, start: int | None = None,
              summed: frozenset[int] = frozenset(), raw_proven: bool = False, fed: bool = False,
              fine_only: bool = False) -> tuple[timing.Step, int, float, int, bool] | None:
    """(step, firing minute, $value, evaluation step, reading the summed windows raw moves it) of the case
    that fires pair `index` first, alone and robustly (None: none does). Pure in its numbers, so SLOs alike
    across services share one search.

    The 1m case is the cheapest history that does (history_choices). The case actually generated is the one
    with the fewest evaluations (at the coarse or 1m step, any of COARSE_HISTORIES too) that catches every
    mutation of the pair (MUTATIONS) that 1m case catches: promtool's cost is evaluations x rules. The
    summed windows read raw (the records' model left out) is one mutation per SLO: once a case of the SLO
    catches it (`raw_proven`), the others need not. `fed`: the test feeds the recorded 5m rates as 1m input
    series (a raw SLI), so its summed windows see one every minute whatever the evaluation step.
    `fine_only`: search the 1m step only (a `for:` changed by less than 5m moves only a 1m case's minute).
    """
    fine_choices = (history_choices(pairs[index][0], max(p[0] for p in pairs)) if start is None
                    else [(start, multiplier) for multiplier in SEVERITY_MULTIPLIERS])
    fine = next((f for b, m in fine_choices
                 if (f := _burn_try(pairs, index, minimum, for_min, b, m, summed, FINE_STEP, fed)) is not None), None)
    if fine is None:
        return None
    must_catch = _caught(pairs, index, minimum, for_min, summed, fine, FINE_STEP, fed)
    if raw_proven:
        must_catch -= {RAW_WINDOWS}
    multipliers = (*SEVERITY_MULTIPLIERS, *NEAR_MULTIPLIERS)
    choices = ([(b, m) for b in sorted({*COARSE_HISTORIES, *(b for b, _ in fine_choices)}) if b <= MAX_HISTORY
                for m in multipliers] if start is None else [(start, m) for m in multipliers])
    best: tuple[Found, int] = fine, FINE_STEP
    # promtool's cost: evaluations up to the firing minute, which comes after the healthy history
    steps = (FINE_STEP,) if fine_only else (COARSE_STEP, FINE_STEP)
    for every, begin, multiplier in sorted(((e, b, m) for e in steps for b, m in choices),
                                           key=lambda c: (c[1] // c[0], c[0] == FINE_STEP)):
        if begin // every >= best[0][1] // best[1]:
            break
        found = _burn_try(pairs, index, minimum, for_min, begin, multiplier, summed, every, fed)
        if found is None or found[1] // every >= best[0][1] // best[1]:
            continue
        if must_catch <= _caught(pairs, index, minimum, for_min, summed, found, every, fed):
            best = found, every
    found, every = best
    return *found, every, RAW_WINDOWS in _caught(pairs, index, minimum, for_min, summed, found, every, fed)


RAW_WINDOWS = len(MUTATIONS)
"""_caught()'s position of the mutation that reads an SLO's summed windows as raw rate()s."""
NEAR_MULTIPLIERS = (1.13, 1.21, 1.33)
"""Incident sizes just above a threshold, also tried in the search: the window ratio then crosses the
threshold slowly, so a factor 10% off moves the firing minute by more than a 5m step."""
COARSE_HISTORIES = (30, 60, 120, 180, 240)
"""Healthy minutes before the step a coarse burn case may also try (shorter than history_choices' when the
mutations it must catch allow)."""


def _fire(pairs: Pairs, minimum: int, for_min: int, summed: frozenset[int], step: timing.Step, horizon: int,
          every: int, fed: bool = False) -> int | None:
    """First robust firing minute of the alert `pairs` on a step incident, evaluated every `every` minutes
    (`fed`: its recorded 5m rates are 1m input series)."""
    records = FINE_STEP if fed else every
    # Healthy (0 errors) before the step, constant after it: every window's ratio only grows.
    return _robust_first(
        lambda s: timing.burn_condition(step, [(lo, sh, th * s, minimum) for lo, sh, th in pairs], summed, records),
        for_min, horizon, monotone_from=step.start, every=every)


def _burn_try(pairs: Pairs, index: int, minimum: int, for_min: int, begin: int, multiplier: float,
              summed: frozenset[int], every: int, fed: bool) -> Found | None:
    """The step incident after `begin` healthy minutes, if pair `index` fires it first, alone, robustly and
    well before every other pair, with a printable $value."""
    long_min = pairs[index][0]
    step = timing.Step(start=begin, incident=min(1.0, pairs[index][2] * multiplier), events=RATE)
    horizon = _horizon(pairs, begin, for_min, every)
    when = _fire(pairs, minimum, for_min, summed, step, horizon, every, fed)
    if when is None or _fire(pairs[index:index + 1], minimum, for_min, summed, step, horizon, every, fed) != when:
        return None
    others = pairs[:index] + pairs[index + 1:]
    rivals = [t for t in (_fire((o,), minimum, for_min, summed, step, horizon, every, fed) for o in others)
              if t is not None]
    if rivals and min(rivals) <= when + every:
        return None
    value = timing.ratio_at(step, when, long_min, long_min in summed, FINE_STEP if fed else every)
    if value is None or not _printable(value * 100):
        return None
    return step, when, value


def _horizon(pairs: Pairs, begin: int, for_min: int, every: int) -> int:
    return begin + max(p[0] for p in pairs) + for_min + 2 * every


def _caught(pairs: Pairs, index: int, minimum: int, for_min: int, summed: frozenset[int], found: Found,
            every: int, fed: bool) -> frozenset[int]:
    """The MUTATIONS of pair `index` (by position) that move the case's firing evaluation.

    A moved firing minute fails the case: either the alert already fires one evaluation before it, or it
    is not firing yet at it. Mutated windows keep the original's recorded form (summed or raw); the last
    mutation reads summed windows raw (the model of the records left out)."""
    step, when, _ = found
    horizon = _horizon(pairs, step.start, for_min, every)
    long_min, short_min, threshold = pairs[index]
    caught = set()
    for position, (scale, long_scale, short_scale) in enumerate(MUTATIONS):
        # a window is at least a minute: halving a 1m window leaves it as it is (no rule has a 0m window)
        mutated = (max(1, round(long_min * long_scale)), max(1, round(short_min * short_scale)), threshold * scale)
        also = frozenset({*summed, *(m for m, o in zip(mutated[:2], pairs[index][:2], strict=True) if o in summed)})
        rule = (*pairs[:index], mutated, *pairs[index + 1:])
        if _fire(rule, minimum, for_min, also, step, horizon, every, fed) != when:
            caught.add(position)
    if summed and _fire(pairs, minimum, for_min, frozenset(), step, horizon, every, fed) != when:
        caught.add(RAW_WINDOWS)
    return frozenset(caught)


def _outage_cases(service: ServicePlan, slo: SLOPlan, alert: AlertPlan) -> list[Case]:
    """A full outage pages at the predicted minute; a one-minute blip does not page."""
    window = _minutes(slo.outage_window)
    summed = window in _summed(slo)  # an outage window as long as a summed one shares its failed-event count
    found = outage_timing(window, slo.outage_error_ratio, slo.min_bad_events.get("outage", 0), summed,
                          _for_minutes(alert.for_))
    if found is None:
        return []
    step, horizon, when, blip_silent = found
    start = step.start
    case = _fire_case(service, slo, alert, step, when, 1.0,
                      f"{alert.name} fires {when - start}m after a full outage")
    if case is None:
        return []
    blip = timing.Step(start=start, incident=1.0, end=start + 1, events=RATE)
    blip_series = slo_series(service, slo, blip, horizon)
    if blip_series is not None and blip_silent:
        blip_case = Case(name=f"{alert.name} stays silent on a 1-minute blip", series=blip_series)
        blip_case.alerts = [{"eval_time": f"{t}m", "alertname": alert.name, "exp_alerts": []}
                            for t in range(start, horizon + 1)]
        return [case, blip_case]
    return [case]


@per_render
def outage_timing(window: int, threshold: float, minimum: int, summed: bool,
                  for_min: int) -> tuple[timing.Step, int, int, bool] | None:
    """(full-outage step, horizon, first firing minute, a 1-minute blip stays silent) of an outage alert, None
    when its firing minute is not robust. Pure in its numbers, so SLOs alike share one simulation."""
    start = max(OUTAGE_START, 2 * window)
    step = timing.Step(start=start, incident=1.0, events=RATE)
    horizon = start + window + for_min + 5
    when = _robust_first(lambda s: timing.ratio_condition(step, window, threshold * s, minimum, summed),
                         for_min, horizon, monotone_from=step.start)
    if when is None:
        return None
    blip = timing.Step(start=start, incident=1.0, end=start + 1, events=RATE)
    silent = timing.first_firing(timing.ratio_condition(blip, window, threshold, minimum, summed),
                                 for_min, horizon) is None
    return step, horizon, when, silent


def _budget_case(service: ServicePlan, slo: SLOPlan, alert: AlertPlan, below: float) -> Case | None:
    found = budget_timing(slo.error_budget, below, slo.period_s // 60, _for_minutes(alert.for_))
    if found is None:
        return None
    step, when, left = found
    return _fire_case(service, slo, alert, step, when, left,
                      f"{alert.name} fires at a steady {step.incident:.4g} error ratio")


@per_render
def budget_timing(budget: float, below: float, period_min: int, for_min: int) -> tuple[timing.Step, int, float] | None:
    """(steady incident, first firing minute, remaining budget then) of a budget alert (`below`: a fraction),
    None when no robust, printable one exists. Pure in its numbers, so SLOs alike share one simulation."""
    # A steady error ratio that leaves a little less than `below` of the budget.
    incident = min(1.0, budget * (1 - below) * 1.05 + budget * below * 0.5)
    step = timing.Step(start=0, incident=incident, events=RATE)
    horizon = for_min + 30
    when = _robust_first(lambda s: timing.budget_condition(step, budget, below * s, period_min, horizon),
                         for_min, horizon)
    if when is None:
        return None
    left = timing.budget_remaining(step, budget, period_min, horizon)[when]
    if left is None or not _printable(left * 100):
        return None
    return step, when, left


def _printable(value: float) -> bool:
    """Does %.4g print the same for any float within 1e-9 of value (Prometheus and Python may differ a little)?"""
    return go_printf_4g(value * (1 - 1e-9)) == go_printf_4g(value * (1 + 1e-9)) == go_printf_4g(value)


GROUP_VALUES = ("burning", "healthy")
"""Values of the group labels in a grouped SLO's two-group case."""


def _fire_case(service: ServicePlan, slo: SLOPlan, alert: AlertPlan, step: timing.Step, when: int, value: float,
               name: str, grouped: bool = False, every: int = FINE_STEP) -> Case | None:
    series = slo_series(service, slo, step, when + 1)
    if series is None:
        return None
    group: dict[str, str] = {}
    if grouped:
        # The burning group gets the incident, the healthy one the same traffic without errors: only the
        # burning group's alert may fire, carrying its labels (exp_alerts lists exactly one alert).
        group = dict.fromkeys(slo.group_by, GROUP_VALUES[0])
        healthy = slo_series(service, slo, timing.Step(start=0, incident=0.0, events=step.events), when + 1)
        both = _in_group(series, group, slo) if healthy is not None else None
        calm = _in_group(healthy or [], dict.fromkeys(slo.group_by, GROUP_VALUES[1]), slo)
        if both is None or calm is None:
            return None
        series = both + calm
        name = f"{name}, in the {'/'.join(slo.group_by)}={GROUP_VALUES[0]} group only"
    expected = _expected(alert, group, value)
    if expected is None:
        return None
    case = Case(name=name, series=series, every=every)
    case.alerts = [
        {"eval_time": f"{when - every}m", "alertname": alert.name, "exp_alerts": []},
        {"eval_time": f"{when}m", "alertname": alert.name, "exp_alerts": [expected]},
    ]
    return case


def _in_group(series: list[tuple[str, str]], group: dict[str, str],
              slo: SLOPlan) -> list[tuple[str, str]] | None:
    """The series relabelled into one group (None when a selector of the SLI pins a group label)."""
    out = []
    for literal, values in series:
        name, labels = identity(literal)
        if any(label in labels for label in group):
            return None
        out.append((series_literal(name, {**labels, **group}), values))
    return out


FED_LABEL = "agentops_fed"
"""Label of a record a test feeds beside the one its rule writes itself (beside_rule)."""


def beside_rule(case: Case) -> Case:
    """The case with its fed records carrying FED_LABEL, and its alert tests made ALERTS queries of those alone.

    A KPI or anomaly query that makes samples from nothing (`sum(increase(x[1h])) or vector(0)`) has its
    rule write the record in every test that feeds no input: a record fed under the same labels is a
    "duplicate sample" in promtool, and the alerts of the rule's own value (the user's constant) are
    neither fed nor predicted. So the fed record gets a label of its own and only its alerts are checked:
    none firing a step before the expected minute, then exactly one, with every expected label.
    """
    series = [(series_literal(name, {**labels, FED_LABEL: "1"}), values)
              for name, labels, values in ((*identity(lit), values) for lit, values in case.series)]
    exprs = list(case.exprs)
    for test in case.alerts:
        firing = {"alertname": test["alertname"], "alertstate": "firing", FED_LABEL: "1"}
        fed = series_literal("ALERTS", firing)
        expr = fed
        if test["exp_alerts"]:
            (one,) = test["exp_alerts"]
            expr = f"absent({series_literal('ALERTS', {**one['exp_labels'], **firing})}) or count({fed}) != 1"
        exprs.append({"expr": expr, "eval_time": test["eval_time"], "exp_samples": []})
    return Case(name=f"{case.name} (fed beside the record its query writes from nothing)", series=series,
                exprs=exprs, every=case.every)


def _kpi_cases(service: ServicePlan) -> list[Case]:
    cases = []
    for kpi in service.kpis:
        if not query_selectors(kpi.query):  # `vector(1)`: its record is a constant a test cannot feed or move
            continue
        labels = {**service.labels, "service": service.service, "team": service.team, **kpi.labels,
                  "kpi": kpi.name}
        for alert in kpi.alerts:
            level = kpi.bound_of(alert.name)
            if level is None or not _has_fire_case(alert):
                continue
            bound, above = level.value, level.direction == "above"
            delta = abs(bound) * 0.5 if bound else 1.0
            healthy, bad = (bound - delta, bound + delta) if above else (bound + delta, bound - delta)
            for_min = _for_minutes(alert.for_)
            when = LEVEL_START + for_min
            values = [healthy] * LEVEL_START + [bad] * (for_min + 2)
            expected = _expected(alert, labels, bad) if _printable(bad) else None
            if expected is None:
                continue
            case = Case(name=f"{alert.name} fires {for_min}m after {kpi.name} crosses {bound:g}",
                        series=[(series_literal(kpi.record, labels), encode_values(values))])
            case.alerts = [
                {"eval_time": f"{when - 1}m", "alertname": alert.name, "exp_alerts": []},
                {"eval_time": f"{when}m", "alertname": alert.name, "exp_alerts": [expected]},
            ]
            cases.append(beside_rule(case) if query_from_nothing(kpi.query) else case)
    return cases


def _anomaly_cases(service: ServicePlan) -> list[Case]:
    """Per detector: its z-score after a jump, its alert's threshold and `for:`, its silence on a flat series.

    A detector's baseline absorbs a jump: k minutes after it, a flat history of H minutes gives
    |z| ~ sqrt(H / k), so a case that waits `for:` on the real chain needs H >= zscore^2 x `for:` minutes,
    every one a promtool evaluation of every rule. So the chain (value, 5m averages, mean, stddev,
    z-score) is checked at the minute of the jump, and the alert on its z-score fed as a series.
    """
    cases = []
    for anomaly in service.anomalies:
        if not query_selectors(anomaly.query):  # a constant: nothing to feed, and it never jumps
            continue
        alert = anomaly.alerts[0]
        labels = {**service.labels, "service": service.service, "team": service.team, **anomaly.labels,
                  "anomaly": anomaly.name}
        zscore = f"{anomaly.records['zscore']}{{service=\"{service.service}\",anomaly=\"{anomaly.name}\"}}"
        series_name = series_literal(anomaly.records["value"], labels)
        values = [JUMP_LOW] * JUMP_START + [JUMP_HIGH] * 2
        z = timing.zscore_value(values, _minutes(anomaly.baseline), JUMP_START)
        if z is not None:
            low, high = sorted((z * (1 - JUMP_TOLERANCE), z * (1 + JUMP_TOLERANCE)))
            jump = Case(name=f"{anomaly.name}'s z-score is {z:.4g} the minute a flat series jumps to "
                             f"{JUMP_HIGH / JUMP_LOW:g}x, none before",
                        series=[(series_name, encode_values(values))])
            # a flat series has no stddev: the rule drops its z-score until the jump
            jump.exprs = [{"expr": zscore, "eval_time": f"{JUMP_START - 1}m", "exp_samples": []},
                          {"expr": f"absent({zscore}) or {zscore} < {low!r} or {zscore} > {high!r}",
                           "eval_time": f"{JUMP_START}m", "exp_samples": []}]
            cases.append(beside_rule(jump) if query_from_nothing(anomaly.query) else jump)
        if _has_fire_case(alert):
            for_min = _for_minutes(alert.for_)
            # just below, then just above: a threshold moved 5% either way fails the case
            good, bad = anomaly.zscore * (1 - ZSCORE_MARGIN), anomaly.zscore * (1 + ZSCORE_MARGIN)
            expected = _expected(alert, labels, bad) if _printable(bad) else None
            if expected is not None:
                when = LEVEL_START + for_min
                fed = Case(name=f"{alert.name} fires {for_min}m after {anomaly.name}'s z-score crosses "
                                f"{anomaly.zscore:g}",
                           series=[(series_literal(anomaly.records["zscore"], labels),
                                    encode_values([good] * LEVEL_START + [bad] * (for_min + 2)))])
                fed.alerts = [
                    {"eval_time": f"{when - 1}m", "alertname": alert.name, "exp_alerts": []},
                    {"eval_time": f"{when}m", "alertname": alert.name, "exp_alerts": [expected]},
                ]
                cases.append(beside_rule(fed) if query_from_nothing(anomaly.query) else fed)
        # flat everywhere: nothing here needs minute resolution
        flat = Case(name=f"{alert.name} stays silent on a flat series (stddev 0, no division by zero)",
                    series=[(series_name, f"100+0x{HEALTHY_MINUTES}")], every=COARSE_STEP)
        flat.alerts = [{"eval_time": f"{HEALTHY_MINUTES}m", "alertname": alert.name, "exp_alerts": []}]
        flat.exprs = [{"expr": zscore,
                       "eval_time": f"{HEALTHY_MINUTES}m", "exp_samples": []}]
        cases.append(beside_rule(flat) if query_from_nothing(anomaly.query) else flat)
    return cases


_SIMPLE = re.compile(r"^\s*(?:(?P<agg>sum|max|min|avg)\s*\(\s*)?(?P<sel>[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?)"
                     r"(?(agg)\s*\))\s*(?P<op>==|!=|>=|<=|>|<)\s*(?P<num>-?[0-9.]+(e[-+]?[0-9]+)?)\s*$")
"""`selector OP number`, optionally inside one aggregation (of one synthetic series: same value, no labels)."""


_RATE = re.compile(r"^\s*(?:(?P<agg>sum|max|min|avg)\s*\(\s*)?(?P<fn>rate|irate|increase)\s*\(\s*"
                   r"(?P<sel>[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?)\s*\[(?P<win>[0-9a-z]+)\]\s*\)(?(agg)\s*\))"
                   r"\s*(?P<op>>=|>)\s*(?P<num>[0-9.]+(e[-+]?[0-9]+)?)\s*$")
"""`rate|irate|increase(selector[window]) > number`, optionally inside one aggregation (of one synthetic counter)."""
_PER_INCREMENT: dict[str, Callable[[int], float]] = {
    "rate": lambda window_s: 1 / window_s, "irate": lambda window_s: 1 / 60, "increase": lambda window_s: 1.0}
"""What one increment of a counter sampled every minute adds to each function's value (a whole window of samples,
aligned with the window's ends: Prometheus 2 then extrapolates nothing)."""
RATE_BELOW, RATE_ABOVE = 0.95, 1.05
"""A rate case's counter rises first at this share of the threshold's pace, then at this share: a threshold 10%
off moves the minute the alert starts waiting (or keeps it silent)."""


def _rate_value(fn: str, diff: float, window_s: int) -> float:
    """The function's value over a window of aligned samples whose counter rose by `diff` (its last minute's
    rise for irate), as Prometheus computes it."""
    return diff if fn == "increase" else diff / (60 if fn == "irate" else window_s)


def _rate_case(alert: AlertPlan) -> Case | None:
    """A counter flat for a whole window (and at least LEVEL_START minutes), then rising for a window at 95% of the
    pace that puts the alert's value on its threshold, then at 105%: the first minute past the threshold and the
    value then are exact (Prometheus 2 extrapolates nothing over samples aligned with the window's ends), so the
    alert waits `for:` from that minute and fires with that value; a threshold or `for:` off fails the case."""
    match = _RATE.match(alert.expr)
    found = series_for(match.group("sel")) if match else None
    if match is None or found is None:
        return None
    seconds = parse_duration(match.group("win"))
    num, strict = float(match.group("num")), match.group("op") == ">"
    if seconds % 60 or seconds == 0 or not (num > 0 or (num == 0 and strict)) or not math.isfinite(num):
        return None
    fn, window_s, for_min = match.group("fn"), int(seconds), _for_minutes(alert.for_)
    window_min = window_s // 60
    full = _PER_INCREMENT[fn](window_s) * (1 if fn == "irate" else window_min)  # a window of rises of 1
    pace = num / full
    # rises are whole multiples of a power of two (about 1/32 of the pace): the counter's values, their
    # differences and sums are then exact in floating point, as in Prometheus
    grain = 2.0 ** (math.floor(math.log2(pace)) - 5) if pace > 0 else 1.0
    low = grain * math.floor(RATE_BELOW * pace / grain)
    start = max(LEVEL_START, window_min)
    name, labels = found
    shows_value = any("$value" in text for text in alert.rule.annotations.values())
    for extra in range(8):  # a faster second pace when the value would print ambiguously at 4 digits
        high = grain * (max(1, math.ceil(RATE_ABOVE * pace / grain)) + extra)  # `> 0`: any rise crosses it
        rises = [0.0] * start + [low] * window_min + [high] * (window_min + for_min + 2)
        counter = [BASE]
        for rise in rises:
            counter.append(counter[-1] + rise)
        if any(b - a != rise for a, b, rise in zip(counter, counter[1:], rises, strict=False)):
            return None  # rises too small (or large) beside the counter to add exactly

        def value(t: int, counter: list[float] = counter) -> float:
            back = 1 if fn == "irate" else window_min
            return _rate_value(fn, counter[t] - counter[t - back], window_s)
        crossed = next((t for t in range(start, len(counter)) if (value(t) > num if strict else value(t) >= num)),
                       None)
        if crossed is None or crossed <= start + window_min:
            return None  # the slower pace already crossed it: no minute to test
        when = crossed + for_min
        expected = _expected(alert, {} if match.group("agg") else {**labels}, value(when))
        if expected is None:
            return None
        if not shows_value or _printable(value(when)):
            break
    else:
        return None
    case = Case(name=f"{alert.name} fires {for_min}m after {fn}({match.group('sel')}[{match.group('win')}]) "
                     f"crosses {num:g}", series=[(series_literal(name, labels), encode_values(counter, exact=True))])
    case.alerts = [{"eval_time": f"{when - 1}m", "alertname": alert.name, "exp_alerts": []},
                   {"eval_time": f"{when}m", "alertname": alert.name, "exp_alerts": [expected]}]
    return case


def _plain_cases(service: ServicePlan) -> tuple[list[Case], list[str]]:
    """Fire tests for plain alerts of the form `selector OP number` or `rate(counter[window]) > number`; the rest
    are listed as untested."""
    cases, untested = [], []
    for alert in service.plain_alerts:
        if not _has_fire_case(alert):
            continue  # listed by service_cases
        match = _SIMPLE.match(alert.expr)
        found = series_for(match.group("sel")) if match else None
        if match is None or found is None:
            rate_case = _rate_case(alert)
            if rate_case is None:
                untested.append(alert.name)
            else:
                cases.append(rate_case)
            continue
        op, num = match.group("op"), float(match.group("num"))
        gap = max(1.0, abs(num))
        bad = {"==": num, "!=": num + 1, ">=": num, "<=": num, ">": num + gap, "<": num - gap}[op]
        good = {"==": num + 1, "!=": num, ">=": num - gap, "<=": num + gap, ">": num, "<": num}[op]
        name, labels = found
        for_min = _for_minutes(alert.for_)
        when = LEVEL_START + for_min
        expected = _expected(alert, {} if match.group("agg") else {**labels}, bad)
        if expected is None:
            untested.append(alert.name)
            continue
        values = [good] * LEVEL_START + [bad] * (for_min + 2)
        case = Case(name=f"{alert.name} fires {for_min}m after {match.group('sel')} {op} {num:g}",
                    series=[(series_literal(name, labels), encode_values(values))])
        case.alerts = [
            {"eval_time": f"{when - 1}m", "alertname": alert.name, "exp_alerts": []},
            {"eval_time": f"{when}m", "alertname": alert.name, "exp_alerts": [expected]},
        ]
        cases.append(case)
    return cases, untested


def _silent(alert: AlertPlan, times: Sequence[int]) -> list[dict[str, Any]]:
    return [{"eval_time": f"{t}m", "alertname": alert.name, "exp_alerts": []} for t in times]


def _fed_cases(service: ServicePlan, title: str, series_of: Any) -> list[tuple[Case, list[SLOPlan]]]:
    """Cases of SLOs fed by `series_of(slo)`, partitioned so that no SLO reads another's inputs."""
    members: list[tuple[SLOPlan, Feed]] = []
    for slo in service.slos:
        series = series_of(slo)
        if series:
            members.append((slo, Feed(series, slo_reads(service, slo))))
    groups = partition([feed for _, feed in members])
    out = []
    for i, group in enumerate(groups):
        slos = [slo for slo, feed in members if any(feed is g for g in group)]
        part = f" (part {i + 1} of {len(groups)}: {', '.join(s.name for s in slos)})" if len(groups) > 1 else ""
        out.append((Case(name=title + part, series=merged_series(group)), slos))
    return out


def silent_without_series(expr: str) -> bool:
    """True when the alert cannot fire while no series exist: its expr is a vector built from selectors.

    A scalar expr (`1`, `time() > bool 0`) always yields one sample, so the alert always fires (the parser
    is the type check for scalars: count() takes only a vector); vector(), absent(), the clock functions
    without an argument and the like make samples from nothing (units.promql.from_nothing).
    """
    try:
        parse(f"count({expr})")
    except ValueError:
        return False
    return not from_nothing(parse(expr))


HEALTHY_CASE = ("healthy traffic (a quarter of the error budget, or of the lowest burn threshold if lower): "
                "no SLO alert fires")


def healthy_ratio(slo: SLOPlan) -> float:
    """Error ratio of the healthy-traffic case: a quarter of the error budget, or of the lowest burn threshold
    when a custom window's factor is below 1 (that window's alert fires below the budget rate by design)."""
    return min([slo.error_budget, *(w.factor * slo.error_budget for w in slo.windows)]) / 4


def steady_minutes(alerts: Iterable[AlertPlan], most: int) -> int:
    """Length of a case of steady input (healthy, zero traffic, absent series), at most `most` minutes: a
    condition that holds on steady input holds from the first 5m evaluation with two samples in its windows
    (minute 5), so an alert whose condition a mistake made true fires by 5m + its `for:`; one more 5m step of
    margin. Shorter than `most` only when every `for:` of the service fits: never weaker than `most`."""
    longest = max((_for_minutes(a.for_) for a in alerts), default=0)
    return min(most, max(STEADY_FLOOR, -(-longest // COARSE_STEP) * COARSE_STEP + 2 * COARSE_STEP))


def _silent_cases(service: ServicePlan) -> list[Case]:
    cases: list[Case] = []
    steady = steady_minutes(service.alerts, HEALTHY_MINUTES)
    checks = (-(-steady // (2 * COARSE_STEP)) * COARSE_STEP, steady)  # halfway and at the end, on the 5m grid
    for case, slos in _fed_cases(service, HEALTHY_CASE,
                                 lambda slo: slo_series(service, slo, timing.Step(
                                     start=0, incident=healthy_ratio(slo), events=RATE), steady)):
        case.every = COARSE_STEP
        for slo in slos:
            for alert in slo.alerts:
                if not (alert.kind == "no-data" and slo.sli_kind == "raw"):  # a raw SLI is fed its recorded ratios
                    case.alerts.extend(_silent(alert, checks))
        cases.append(case)
    zero = Case(name="zero traffic (counters flat): no SLO alert fires, no recorded series is NaN or Inf",
                every=COARSE_STEP)
    fed: list[Feed] = []
    constant = _alerts_from_nothing(service)
    for slo in service.slos:
        flat = slo_series(service, slo, timing.Step(start=-1, incident=0.0, healthy=0.0), steady)
        if flat:
            fed.append(Feed(flat, []))
        sel = f'{{service="{service.service}", slo="{slo.name}"}}'
        if slo.sli_kind != "raw":  # a raw SLI's query is the user's: it may well read 0 (checked finite below)
            for window in slo.record_windows:
                zero.exprs.append({"expr": f"{names.sli_error_record(window)}{sel}",
                                   "eval_time": f"{steady}m", "exp_samples": []})
            zero.exprs.append({"expr": f"{names.BUDGET_REMAINING_RECORD}{sel}", "eval_time": f"{steady}m",
                               "exp_samples": []})
        for alert in slo.alerts:
            if (alert.kind != "no-data" or flat) and alert.name not in constant:
                zero.alerts.extend(_silent(alert, (steady,)))
    zero.series = merged_series(fed)
    records = dict.fromkeys(r.record for g in service.groups for r in g.rules if r.record)
    for record in records:
        sel = f'{record}{{service="{service.service}"}}'
        zero.exprs.append({"expr": f"{sel} unless ({sel} > -Inf < +Inf)", "eval_time": f"{steady}m",
                           "exp_samples": []})
    absent = Case(name="absent series: only the no-data alerts fire", every=COARSE_STEP)
    gone = steady_minutes(service.alerts, ABSENT_MINUTES)
    plain = set(map(id, service.plain_alerts))
    for alert in service.alerts:
        if alert.kind == "no-data":
            expected = _expected(alert, {}, 1.0)
            if expected is not None and _for_minutes(alert.for_) <= gone:
                absent.alerts.append({"eval_time": f"{gone}m", "alertname": alert.name, "exp_alerts": [expected]})
        # generated exprs are known to need series (`or vector(0)` there only fills a missing error
        # counter); a user's plain alert expr is judged by its shape
        elif alert.name in constant:
            continue
        elif silent_without_series(alert.expr) if id(alert) in plain else "absent" not in alert.expr:
            absent.alerts.append({"eval_time": f"{gone}m", "alertname": alert.name, "exp_alerts": []})
    return [c for c in (*cases, zero, absent) if c.alerts]


def _quiet(minutes: int, failures: Sequence[int], offset: int = 0) -> Any:
    """Per-interval (events, failed) of quiet traffic: one event every QUIET_EVERY minutes."""
    def interval(i: int) -> tuple[float, float]:
        j = i + 1
        event = 1.0 if j % QUIET_EVERY == 0 else 0.0
        return event, (event if j in failures else 0.0)
    return interval


SCENARIO_STEPS = (FINE_STEP, FINE_STEP, COARSE_STEP)
"""Evaluation step of each traffic scenario: the quiet and low-traffic ones count single failed events in
windows as short as 2m (minute resolution); the busy day is silence checked every 5 minutes."""


def traffic_scenarios(slo: SLOPlan) -> list[tuple[str, timing.Traffic, list[int]]]:
    """(name, traffic, minutes to check silence at) of the quiet-traffic scenarios of one SLO."""
    return _scenarios(slo.error_budget)


@lru_cache(maxsize=64)
def _scenarios(error_budget: float) -> list[tuple[str, timing.Traffic, list[int]]]:
    """traffic_scenarios() of an error budget, built once (the same objects: their sums are computed once)."""
    quiet = timing.Traffic.of([(QUIET_MINUTES, _quiet(QUIET_MINUTES, (QUIET_FAILURE,)))])
    low = timing.Traffic.of([(LOW_TRAFFIC_START, lambda i: (1.0, 0.0)), (LOW_TRAFFIC_AFTER, lambda i: (1.0, 1.0))])
    healthy_bad = RATE * error_budget / 4
    day_night = timing.Traffic.of([(DAY_MINUTES, lambda i: (RATE, healthy_bad)),
                                   (NIGHT_MINUTES, _quiet(NIGHT_MINUTES, NIGHT_FAILURES))])
    return [
        (f"quiet traffic (1 event every {QUIET_EVERY}m), one failed event at {QUIET_FAILURE}m: "
         "no page, ticket or outage alert", quiet,
         list(range(QUIET_FAILURE, QUIET_MINUTES + 1))),
        (f"low traffic (1 event a minute), full outage from {LOW_TRAFFIC_START}m: the outage and page alerts fire",
         low, list(range(LOW_TRAFFIC_START, LOW_TRAFFIC_START + LOW_TRAFFIC_AFTER + 1, 5))),
        (f"busy day ({RATE:g} events a minute at a quarter of the budget) then a quiet night with "
         f"{len(NIGHT_FAILURES)} failed events: no page, ticket or outage alert", day_night,
         list(range(DAY_MINUTES, DAY_MINUTES + NIGHT_MINUTES + 1, 5))),
    ]


def _traffic_expectations(service: ServicePlan, slo: SLOPlan, traffic: timing.Traffic,
                          times: Sequence[int], every: int = FINE_STEP) -> list[dict[str, Any]]:
    """Page, ticket and outage alerts of an SLO on uneven traffic, at the minutes the simulation predicts."""
    out: list[dict[str, Any]] = []
    horizon = traffic.horizon
    for alert in slo.alerts:
        rule: TrafficRule
        if alert.kind.startswith("burn-"):
            kind = alert.kind.removeprefix("burn-")
            minimum = slo.min_bad_events.get(kind, 0)
            rule = ("burn", tuple((w.long_s // 60, w.short_s // 60, w.factor * slo.error_budget, minimum)
                                  for w in slo.windows if w.severity == kind))
        elif alert.kind == "outage":
            rule = ("outage", ((_minutes(slo.outage_window), 0, slo.outage_error_ratio,
                                slo.min_bad_events.get("outage", 0)),))
        else:
            continue
        robust, when, value = traffic_firing(traffic, rule, _for_minutes(alert.for_), _summed(slo), every)
        if not robust:
            continue  # a window ratio sits on a threshold: no robust expectation
        if when is None:
            out.extend(_silent(alert, [t for t in times if t <= horizon]))
            continue
        expected = _expected(alert, {}, value) if value is not None and _printable(value * 100) else None
        if expected is None:
            continue
        out.append({"eval_time": f"{when - every}m", "alertname": alert.name, "exp_alerts": []})
        out.append({"eval_time": f"{when}m", "alertname": alert.name, "exp_alerts": [expected]})
    return out


TrafficRule = tuple[str, tuple[tuple[int, int, float, int], ...]]
"""("burn", ((long, short, threshold, minimum), ...)) or ("outage", ((window, 0, threshold, minimum),))."""


@lru_cache(maxsize=1024)
def traffic_firing(traffic: timing.Traffic, rule: TrafficRule, for_min: int, summed: frozenset[int] = frozenset(),
                   every: int = FINE_STEP) -> tuple[bool, int | None, float | None]:
    """(robust: nudged thresholds agree, first firing minute or None, $value then) of a burn or outage rule on
    uneven traffic (`summed`: windows summed from the recorded 5m rates). Pure in its arguments, so SLOs alike
    across services share one simulation."""
    kind, pairs = rule
    if kind == "burn":
        def make(scale: float) -> Any:
            return timing.traffic_burn_condition(traffic, [(lo, sh, th * scale, m) for lo, sh, th, m in pairs], summed,
                                                 every)

        def value_of(t: int) -> float | None:
            for pair in pairs:  # `or` keeps the first clause that holds: its long window's ratio
                if timing.traffic_burn_condition(traffic, [pair], summed, every)(t):
                    return traffic.window(t, pair[0], pair[0] in summed, every)[0]
            return None
    else:
        window, _, threshold, minimum = pairs[0]

        def make(scale: float) -> Any:
            return timing.traffic_ratio_condition(traffic, window, threshold * scale, minimum, window in summed, every)

        def value_of(t: int) -> float | None:
            return traffic.window(t, window)[0]
    firsts = {timing.first_firing(make(scale), for_min, traffic.horizon, every=every) for scale in (0.9999, 1.0001)}
    if len(firsts) != 1:
        return False, None, None
    when = firsts.pop()
    return True, when, (None if when is None else value_of(when))


def _traffic_cases(service: ServicePlan) -> list[Case]:
    """Quiet traffic with one failure, a low-traffic outage and a day/night profile, for every counter SLO."""
    counter_slos = [slo for slo in service.slos if slo.sli_kind != "raw"]
    if not counter_slos:
        return []
    cases = []
    for index in range(len(traffic_scenarios(counter_slos[0]))):
        title = traffic_scenarios(counter_slos[0])[index][0]
        scenario = {slo.name: traffic_scenarios(slo)[index] for slo in counter_slos}
        def series_of(slo: SLOPlan, scenario: dict[str, Any] = scenario) -> list[tuple[str, str]] | None:
            return traffic_series(service, slo, scenario[slo.name][1]) if slo.name in scenario else None

        for case, slos in _fed_cases(service, title, series_of):
            case.every = SCENARIO_STEPS[index]
            for slo in slos:
                _, traffic, times = scenario[slo.name]
                case.alerts.extend(_traffic_expectations(service, slo, traffic, times, case.every))
            if case.alerts:
                cases.append(case)
    return cases


def _vanish_case(service: ServicePlan) -> list[Case]:
    """Every series an SLO or KPI reads exists (flat) until VANISH_AT, then vanishes: the no-data alerts fire."""
    flat = f"{_num(BASE)}+0x{VANISH_AT}"
    series: dict[str, str] = {}
    watched: list[tuple[AlertPlan, list[str], str | None]] = []
    for slo in service.slos:
        if slo.sli_kind == "raw":
            for sel in slo.sli.watched:
                found = series_for(sel)
                if found:
                    series.setdefault(series_literal(*found), flat)
        else:
            for lit, values in slo_series(service, slo, timing.Step(start=-1, incident=0.0), VANISH_AT) or []:
                series.setdefault(lit, values)
        watched.extend((a, list(slo.sli.watched), slo.no_data_window)
                       for a in slo.alerts if a.kind == "no-data")
    for kpi in service.kpis:
        selectors = query_selectors(kpi.query)
        for sel in selectors:
            found = series_for(sel)
            if found:
                series.setdefault(series_literal(*found), flat)
        watched.extend((a, selectors, kpi.no_data_window) for a in kpi.alerts if a.kind == "no-data")
    if not watched:
        return []
    from agentops_gen.plan.build import NO_DATA_WINDOW

    case = Case(name=f"series vanish at {VANISH_AT}m (zero traffic before): the no-data alerts fire",
                series=list(series.items()), every=COARSE_STEP)
    fed = [identity(lit) for lit in series]
    for alert, selectors, window in watched:
        if not _has_fire_case(alert):
            continue
        if not all(any(matches(sel, *ident) for ident in fed) for sel in selectors):
            continue  # a selector with no synthetic series: absent from the start
        when = timing.absent_firing(VANISH_AT, _minutes(window or NO_DATA_WINDOW), _for_minutes(alert.for_), case.every)
        expected = _expected(alert, {}, 1.0)
        if expected is None:
            continue
        case.name = (f"series vanish at {VANISH_AT}m (zero traffic before): the no-data alerts fire "
                     f"{when - VANISH_AT}m later")
        case.alerts.append({"eval_time": f"{when - case.every}m", "alertname": alert.name, "exp_alerts": []})
        case.alerts.append({"eval_time": f"{when}m", "alertname": alert.name, "exp_alerts": [expected]})
    return [case] if case.alerts else []


Subject = tuple[list[str], str, str, set[str]]
"""(selectors read, record-name prefix, identifying label=value, alert names) of an SLO, KPI, anomaly or plain
alert (_subjects)."""


def case_reads(subjects: Sequence[Subject], case: Case) -> list[str]:
    """Selectors of every SLO, KPI, anomaly or plain alert a case feeds or asserts (its inputs' readers)."""
    literals = [lit for lit, _ in case.series]
    asserted = {t["alertname"] for t in case.alerts}
    out: list[str] = []
    for selectors, prefix, key, alerts in subjects:
        if alerts & asserted or any(_feeds(tuple(selectors), prefix, key, lit) for lit in literals):
            out.extend(selectors)
    return out


@per_render
def _feeds(selectors: tuple[str, ...], prefix: str, key: str, literal: str) -> bool:
    """Is the input series `literal` read by a subject (case_reads): one of its records (its name starts with
    the record prefix and it carries the subject's label=value) or matched by one of its selectors?"""
    name, labels = identity(literal)
    label, _, value = key.partition("=")
    if prefix and name.startswith(prefix) and labels.get(label) == value:
        return True
    return any(matches(sel, name, labels) for sel in selectors)


def pack(service: ServicePlan, cases: Sequence[Case]) -> list[Case]:
    """Alert cases of different subjects merged into as few promtool cases as possible (first fit).

    promtool evaluates every rule of the file at every minute of every case, so N cases cost N times
    one: cases whose inputs agree on shared series and do not leak into each other's queries run side
    by side, each alert still asserted at its own minutes. Longest first, so short cases ride along.
    Only cases reading the same rule groups are merged: each test file loads only its cases' groups.
    """
    subjects = _subjects(service)
    groups: list[tuple[list[Case], list[Feed]]] = []
    for case in sorted(cases, key=lambda c: -_last_minute(c)):
        feed = Feed(case.series, case_reads(subjects, case))
        target = next((g for g in groups if g[0][0].every == case.every and g[0][0].reads == case.reads
                       and _fits(g[1], feed)), None)
        if target is None:
            groups.append(([case], [feed]))
        else:
            target[0].append(case)
            target[1].append(feed)
    out = []
    for members, feeds in groups:
        merged = Case(name="; ".join(c.name for c in members), series=merged_series(feeds), every=members[0].every,
                      reads=members[0].reads, rules=tuple(sorted({r for c in members for r in c.rules})))
        for member in members:
            merged.alerts.extend(member.alerts)
            merged.exprs.extend(member.exprs)
        out.append(merged)
    return out


def _last_minute(case: Case) -> int:
    return max([int(t["eval_time"][:-1]) for t in case.alerts] + [int(t["eval_time"][:-1]) for t in case.exprs],
               default=0)


def service_cases(service: ServicePlan, reads: RuleReads | None = None) -> tuple[list[Case], list[str]]:
    """Every test case of a service, and the alerts that have no fire test (with the reason); `reads`: the
    service's RuleReads, when the caller has it."""
    cases: list[Case] = []
    untested: list[str] = []
    proven: set[str] = set()
    for slo in service.slos:
        budgets = {names.budget_alert(service.service, slo.name, below): below / 100
                   for below in slo.budget_thresholds}
        # pages first: their shorter windows show the summed records' lag at the coarse step, tickets rarely do
        for alert in sorted(slo.alerts, key=lambda a: a.kind != "burn-page"):
            if alert.kind == "no-data" or not _has_fire_case(alert):
                continue  # the vanished-series case; an alert waiting longer than a fire case holds
            if alert.kind.startswith("burn-"):
                found = _burn_cases(service, slo, alert, proven=proven)
                if slo.group_by and alert.kind == "burn-page":
                    found += _burn_cases(service, slo, alert, grouped=True, proven=proven)[:1]
            elif alert.kind == "outage":
                found = _outage_cases(service, slo, alert)
            else:
                found = [c for c in (_budget_case(service, slo, alert, budgets[alert.name]),) if c is not None]
            if not found:
                untested.append(f"{alert.name} (raw SLI whose query yields a value without any series: its "
                                "recorded ratios cannot be fed, nor its silence tested)" if raw_from_nothing(slo)
                                else f"{alert.name} ({slo.sli_kind} SLI: no synthetic input)")
            cases.extend(found)
    cases.extend(_kpi_cases(service))
    cases.extend(_anomaly_cases(service))
    plain, plain_untested = _plain_cases(service)
    cases.extend(plain)
    reads = RuleReads(service.groups) if reads is None else reads
    for case in cases:
        needs(reads, case)
    cases = pack(service, cases)
    untested.extend(f"{name} (plain alert: expr is not `selector OP number` nor `rate(counter[window]) > number`)"
                    for name in plain_untested)
    untested.extend(f"{alert.name} (for: {alert.for_} is longer than the {LONGEST_FIRE_FOR} a fire case holds its "
                    "condition)" for alert in service.alerts if not _has_fire_case(alert))
    scenarios = [*_traffic_cases(service), *_silent_cases(service)]
    for case in scenarios:
        case.shared = True
    cases.extend(scenarios)
    subjects, watched = _subjects(service), _watched(service)
    for case in cases:
        if not case.name.startswith("absent series"):
            keep_present(service, case, subjects, watched)
    vanish = _vanish_case(service)
    for case in vanish:
        case.shared = True
    cases[-1:-1] = vanish
    for case in cases:
        if case.shared:  # the packed alert cases have theirs (packing merges cases reading the same groups)
            needs(reads, case)
    return cases, untested


def needs(reads: RuleReads, case: Case) -> None:
    """Set the rules a case needs (the alerts it asserts, what its queries read, what those read) and their groups."""
    case.rules = reads.needed((t["alertname"] for t in case.alerts), (t["expr"] for t in case.exprs))
    case.reads = reads.groups(case.rules)


def _subjects(service: ServicePlan) -> list[Subject]:
    """(selectors read, record-name prefix, identifying label=value, alert names) of every SLO, KPI, anomaly
    and plain alert."""
    out = [(slo_reads(service, slo), "slo:", f"slo={slo.name}", {a.name for a in slo.alerts}) for slo in service.slos]
    out += [(query_selectors(k.query), "kpi:", f"kpi={k.name}", {a.name for a in k.alerts})
            for k in service.kpis]
    # an anomaly's chain writes its z-score, which a case of its alert feeds: they must not share a case
    out += [([*query_selectors(a.query), f'{a.records["zscore"]}{{anomaly="{a.name}"}}'], "anomaly:",
             f"anomaly={a.name}", {x.name for x in a.alerts}) for a in service.anomalies]
    out += [(query_selectors(a.expr), "", "", {a.name}) for a in service.plain_alerts]
    return out


def _watched(service: ServicePlan) -> list[str]:
    """Selectors a no-data alert of the service watches, each once."""
    watched = [sel for slo in service.slos if any(a.kind == "no-data" for a in slo.alerts)
               for sel in slo.sli.watched]
    watched += [sel for kpi in service.kpis
                if any(a.kind == "no-data" for a in kpi.alerts) for sel in query_selectors(kpi.query)]
    return list(dict.fromkeys(watched))


def keep_present(service: ServicePlan, case: Case, subjects: list[Subject] | None = None,
                 watched: list[str] | None = None) -> None:
    """Feed a flat series for every no-data selector nothing in the case matches, unless a rule the case
    exercises reads it: a no-data alert firing through a long case costs promtool as much as many rules.
    (`subjects`, `watched`: _subjects() and _watched() of the service, when the caller has them.)"""
    watched = _watched(service) if watched is None else watched
    if not watched or not (case.alerts or case.exprs):
        return
    last = _last_minute(case)
    literals = [lit for lit, _ in case.series]
    added: list[tuple[str, dict[str, str]]] = []
    # Whatever a case feeds or checks must compute exactly as the simulation says: leave its reads alone.
    protected = case_reads(_subjects(service) if subjects is None else subjects, case)
    flat = f"0+0x{last}"
    for sel in watched:
        if any(reads(sel, lit) for lit in literals) or any(matches(sel, *series) for series in added):
            continue
        found = series_for(sel)
        if found is None or any(matches(p, *found) for p in protected):
            continue
        case.series.append((series_literal(*found), flat))
        added.append(found)


class CaseRows(NamedTuple):
    """One case as the template lays it out: plain tuples (no attribute lookups per row), every string a
    quoted YAML scalar except eval times and label names (`40m`, `slo`: safe as they are)."""

    name: str
    series: list[tuple[str, str]]
    """(series, values)"""
    alerts: list[tuple[str, str, list[tuple[list[tuple[str, str]], list[tuple[str, str]]]]]]
    """(eval_time, alertname, [(exp_labels, exp_annotations) as sorted (key, value) rows])"""
    exprs: list[tuple[str, str]]
    """(expr, eval_time)"""


class Quoted(dict[str, str]):
    """yaml_quote of each string, computed once per distinct string of one render (names and values repeat)."""

    def __missing__(self, text: str) -> str:
        quoted = self[text] = yaml_quote(text)
        return quoted


def _sorted_rows(mapping: dict[str, str], key_quote: Quoted | None, quote: Quoted) -> list[tuple[str, str]]:
    """A mapping's (key, quoted value) rows in Jinja's dictsort order (case-insensitive keys)."""
    items = sorted(mapping.items(), key=lambda kv: kv[0].lower())
    if key_quote is None:
        return [(k, quote[v]) for k, v in items]
    return [(key_quote[k], quote[v]) for k, v in items]


def case_rows(case: Case, quote: Quoted) -> CaseRows:
    """A case's rows for the template, its strings quoted through `quote`."""
    alerts = [(test["eval_time"], quote[test["alertname"]],
               [(_sorted_rows(exp["exp_labels"], None, quote), _sorted_rows(exp["exp_annotations"], quote, quote))
                for exp in test["exp_alerts"]])
              for test in case.alerts]
    return CaseRows(name=quote[case.name], series=[(quote[lit], quote[values]) for lit, values in case.series],
                    alerts=alerts, exprs=[(quote[test["expr"]], test["eval_time"]) for test in case.exprs])


def render_service(service: ServicePlan, quote: Quoted | None = None, rules: RuleText | None = None) -> dict[str, str]:
    """The promtool test files of one service and the slices of its rule file they load (`rules`: the rule groups
    already rendered in this render), one file per (groups read, scenario or not, evaluation step): the alert
    cases in `<service>.<groups>[.5m].test.yaml`, the scenarios of every SLO in `<service>[.5m].test.yaml`
    (the first of each step; always a 1m one) and `<service>.<scenario>[.5m].test.yaml`. Each file loads the
    rules its cases need, from a slice named after the first file needing those rules
    (`tests/rules/<service>/<file>.rules.yaml`), or the whole rule file when they need every rule."""
    quote = Quoted() if quote is None else quote
    needed = RuleReads(service.groups)
    cases, untested = service_cases(service, needed)
    everything = tuple(range(len(service.groups)))
    chunks = [rule_chunks(group) for group in group_chunks((rules or RuleText()).block(service))]
    slices: dict[tuple[int, ...], list[str]] = {}
    files: dict[str, str] = {}
    keyed: dict[tuple[bool, tuple[int, ...], int], list[Case]] = {(True, everything, FINE_STEP): []}
    for case in cases:
        keyed.setdefault((case.shared or case.reads == everything, case.reads, case.every), []).append(case)
    first_shared = {every: next((k for k in keyed if k[0] and k[2] == every and keyed[k]), None)
                    for every in (FINE_STEP, COARSE_STEP)}
    if first_shared[FINE_STEP] is None:
        first_shared[FINE_STEP] = (True, everything, FINE_STEP)
    order = sorted(keyed, key=lambda k: (k not in first_shared.values(), not k[0], k[2], k[1]))
    for number, key in enumerate(order):
        shared, reads, every = key
        chosen = keyed[key]
        if not chosen and key != first_shared[FINE_STEP]:
            continue
        label = None if key in first_shared.values() else scenario_label(chosen[0]) if shared else \
            file_label(service, reads)
        path = test_file(service.service, every, label)
        if path in files:  # two group sets named alike (names made safe for a path): keep both
            path = path.replace(".test.yaml", f".{number}.test.yaml")
        kept = sorted({r for case in chosen for r in case.rules})
        if not kept or len(kept) == needed.count:
            reads = everything
            rule_files = [f"../{service.service}.rules.yaml"]
        else:
            reads = needed.groups(kept)
            users = slices.setdefault(tuple(kept), [])  # test files exercising the same rules share one slice
            users.append(path)
            rule_files = [slice_path(service.service, users[0]).removeprefix("prometheus/tests/")]
        files[path] = render_template(
            "prometheus/tests.yaml.j2", service=service.service, source=service.source,
            file_name=path.rsplit("/", 1)[1], rules_files=rule_files,
            cases=[case_rows(c, quote) for c in chosen],
            untested=untested if number == 0 else [], group_order=[service.groups[i].name for i in reads],
            every=every)
    for kept_rules, users in slices.items():
        files[slice_path(service.service, users[0])] = slice_text(
            service.service, service.source, [user.rsplit("/", 1)[1] for user in users],
            slice_block(chunks, needed, kept_rules))
    return files


def scenario_label(case: Case) -> str:
    """A scenario file's name part: the first two words of its first case (`zero-traffic`, `series-vanish`)."""
    return "-".join(re.sub(r"[^a-z0-9]+", " ", case.name.lower()).split()[:2]) or "scenario"


LABEL_LENGTH = 60
"""Longest group list in a test file's name; a longer one is named by its first group and a count."""


def file_label(service: ServicePlan, reads: tuple[int, ...]) -> str:
    """A test file's name part for the groups it loads: their names without the service prefix, a sibling
    group (`<slo>_period`) shortened to its suffix (`<slo>+_period`)."""
    parts: list[str] = []
    full: list[str] = []
    for i in reads:
        part = group_label(service.service, service.groups[i].name)
        sibling = next((p for p in full if part.startswith(p + "_")), None)
        full.append(part)
        parts.append(part.removeprefix(sibling) if sibling else part)
    label = "+".join(parts)
    return label if len(label) <= LABEL_LENGTH else f"{full[0][:LABEL_LENGTH]}+{len(full) - 1}-groups"


def test_file(service: str, every: int = FINE_STEP, label: str | None = None) -> str:
    """Path of a generated test file under out/ (`every`: its evaluation step, 1m or coarse; `label`: the rule
    groups it loads, none for the file loading the whole rule file)."""
    stem = service if label is None else f"{service}.{label}"
    return f"prometheus/tests/{stem}.test.yaml" if every == FINE_STEP else f"prometheus/tests/{stem}.{every}m.test.yaml"


def render(plan: Plan, rules: RuleText | None = None) -> dict[str, str]:
    """Every service's promtool test files and rule slices (unless the platform file switches them off)."""
    if not plan.rule_tests:
        return {}
    clear_memos()
    quote = Quoted()
    rules = rules or RuleText()
    return {path: text for s in plan.services for path, text in render_service(s, quote, rules).items()}
