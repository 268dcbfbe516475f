"""Generated promtool unit tests: out/prometheus/tests/<service>.test.yaml.

One case per generated alert: it fires on a step incident of the right size at the minute
plan/timing.py predicts (and not one evaluation earlier), and every alert stays silent on healthy
traffic, on zero traffic and when the series are absent. Expected times come from the timing
simulation, never from the code that writes the rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import promql_parser

from agentops_gen.plan import names, timing
from agentops_gen.plan.durations import format_duration, parse_duration, parse_threshold
from agentops_gen.plan.model import AlertPlan, Plan, ServicePlan, SLOPlan
from agentops_gen.plan.sli import le_values
from agentops_gen.plan.synthetic import complement, matches, series_for, series_literal
from agentops_gen.spec.slo import SLO
from agentops_gen.targets.jinja import render_template

RATE = 100.0
"""Events per minute in synthetic counters."""
BASE = 1_000_000.0
"""Counters start high so Prometheus' extrapolation never clamps at a zero crossing."""
INCIDENT_START = 30
MAX_HISTORY = 6 * 60
"""Healthy minutes before a burn-rate incident: the alert's longest window, capped to keep promtool fast."""
HEALTHY_MINUTES = 180
SEVERITY_MULTIPLIERS = (2.37, 2.71, 3.3, 1.9, 4.1)
"""Incident size = threshold x multiplier; odd multipliers keep window ratios off exact thresholds."""


@dataclass
class Case:
    """One promtool test group."""

    name: str
    series: list[tuple[str, str]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    exprs: list[dict[str, Any]] = field(default_factory=list)


def _minutes(duration: str | None) -> int:
    return 0 if duration is None else int(parse_duration(duration) // 60)


Pieces = list[tuple[int, float]]
"""A counter's per-minute increments as runs: (number of intervals, increment)."""


def encode(pieces: Pieces, base: float) -> str:
    """promtool expanding notation for a counter: one `a+bxn` run per piece of constant increment."""
    parts: list[str] = []
    value = base
    for n, inc in pieces:
        if n <= 0:
            continue
        if not parts:  # the first run also carries the starting value
            parts.append(f"{_num(value)}+{_num(inc)}x{n}")
        elif n == 1:
            parts.append(_num(value + inc))
        else:
            parts.append(f"{_num(value + inc)}+{_num(inc)}x{n - 1}")
        value += n * inc
    return " ".join(parts) if parts else _num(base)


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


def encode_values(values: Sequence[float | None]) -> str:
    """promtool notation for a sampled series: runs with a constant step become `a+bxn`, gaps `_`."""
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
            tolerance = 1e-9 * max(1.0, abs(step))
            j += 1
            while j < size:
                value = values[j]
                if value is None or abs((value - prev) - step) > tolerance:
                    break
                prev = value
                j += 1
        n = j - i - 1
        if n == 0:
            parts.append(_num(current))
        else:
            sign = "-" if step < 0 else "+"  # promtool spells a falling run a-bxn, not a+-bxn
            parts.append(f"{_num(current)}{sign}{_num(abs(step))}x{n}")
        i = j
    return " ".join(parts)


def _num(value: float) -> str:
    text = f"{value:.10g}"
    return text


def go_printf_4g(value: float) -> str:
    """Go's %.4g (what `printf "%.4g"` prints in a Prometheus template)."""
    text = f"{value:.4g}"
    return text


_LABEL_REF = re.compile(r"\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")


def expand_annotation(text: str, value: float, labels: dict[str, str] | None = None) -> str | None:
    """Expand the template constructs agentops-gen emits (and `{{ $labels.x }}`); None for any other template."""
    known = labels or {}
    out = _LABEL_REF.sub(lambda m: known.get(m.group(1), ""), text)
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
    slo = service.spec_slo(plan.name)
    if slo.sli.raw is not None:
        return _recorded_ratios(service, plan, slo, step, horizon)
    return _counters(slo, step, horizon)


def _recorded_ratios(service: ServicePlan, plan: SLOPlan, slo: SLO, step: timing.Step,
                     horizon: int) -> list[tuple[str, str]] | None:
    """A raw SLI's query is the user's, so its tests feed the recorded per-window error ratios instead."""
    if step.start < 0:
        return None  # "zero traffic" has no recorded form: the ratios are simply absent
    labels = {**service.labels, "service": service.service, "team": service.team, **slo.labels, "slo": plan.name}
    out = []
    for window in plan.record_windows:
        minutes = _minutes(window)
        values = timing.window_ratios(step, horizon, minutes)
        out.append((series_literal(names.sli_error_record(window), labels), encode_values(values)))
    return out


def _flat_totals(selectors: list[str], part_sel: str, part: tuple[str, dict[str, str]], step: timing.Step,
                 horizon: int) -> list[tuple[str, str]] | None:
    """Counters of a summed total's other selectors, constant (None when one overlaps the good/errors part)."""
    out = []
    for selector in selectors:
        series = series_for(selector)
        if series is None or matches(part_sel, *series) or matches(selector, *part):
            return None
        out.append((series_literal(*series), encode(step_pieces(step, horizon, lambda r: 0.0), BASE)))
    return out


def _counters(slo: SLO, step: timing.Step, horizon: int) -> list[tuple[str, str]] | None:
    """Counters (or histogram buckets) whose error ratio follows `step`."""
    flat = step.incident == 0 and step.healthy == 0 and step.start < 0  # zero traffic: nothing moves
    bad = step_pieces(step, horizon, lambda r: 0.0 if flat else r * RATE)
    good = step_pieces(step, horizon, lambda r: 0.0 if flat else RATE - r * RATE)
    total = step_pieces(step, horizon, lambda r: 0.0 if flat else RATE)
    sli = slo.sli
    if sli.ratio is not None:
        part_sel = sli.ratio.errors or sli.ratio.good
        assert part_sel is not None
        part_incs = bad if sli.ratio.errors else good
        other_incs = good if sli.ratio.errors else bad
        part = series_for(part_sel)
        if part is None:
            return None
        first, *more = sli.ratio.totals()
        extra = _flat_totals(more, part_sel, part, step, horizon)  # the first total carries all the traffic
        if extra is None:
            return None
        if matches(first, *part):
            other = complement(first, part_sel, part)
            if other is None:
                return None
            return [(series_literal(*part), encode(part_incs, BASE)),
                    (series_literal(*other), encode(other_incs, BASE)), *extra]
        tot = series_for(first)
        if tot is None or matches(part_sel, *tot):
            return None
        return [(series_literal(*part), encode(part_incs, BASE)), (series_literal(*tot), encode(total, BASE)), *extra]
    hist = sli.latency or sli.score
    if hist is None:
        return None
    base = series_for(hist.histogram)
    if base is None:
        return None
    name, labels = base
    bound = parse_threshold(sli.latency.threshold) if sli.latency else sli.score.above  # type: ignore[union-attr]
    bucket_incs = good if sli.latency else bad
    bucket = series_literal(f"{name}_bucket", {**labels, "le": le_values(bound)[0]})
    count = series_literal(f"{name}_count", labels)
    return [(bucket, encode(bucket_incs, BASE)), (count, encode(total, BASE))]


def _robust_first(make: Any, for_min: int, horizon: int, monotone_from: int | None = None) -> int | None:
    """First firing minute, only if nudging thresholds by 0.01% does not move it (no float ties).

    Every condition here is monotone in its threshold, so the first minute at the real threshold lies
    between those at the two nudged ones: when those agree, it is theirs, and it need not be computed.
    """
    low, high = (timing.first_firing(make(scale), for_min, horizon, monotone_from=monotone_from)
                 for scale in (0.9999, 1.0001))
    return low if low == high else None


def _burn_cases(service: ServicePlan, slo: SLOPlan, alert: AlertPlan) -> list[Case]:
    """One case per window pair, each sized so that pair fires first: a wrong factor or window moves it."""
    kind = alert.kind.removeprefix("burn-")
    pairs = [(w.long_s // 60, w.short_s // 60, w.factor * slo.error_budget) for w in slo.windows if w.severity == kind]
    for_min = _minutes(alert.for_)
    # With full windows the pairs fire at distinct times, so each pair can be made to fire first.
    start = min(max(p[0] for p in pairs), MAX_HISTORY)
    cases = []
    for index, (long_min, short_min, threshold) in enumerate(pairs):
        others = pairs[:index] + pairs[index + 1:]
        for multiplier in SEVERITY_MULTIPLIERS:
            incident = min(1.0, threshold * multiplier)
            step = timing.Step(start=start, incident=incident)
            horizon = start + max(p[0] for p in pairs) + for_min + 2

            def fire(chosen: list[tuple[int, int, float]], step: timing.Step = step,
                     horizon: int = horizon) -> int | None:
                # Healthy (0 errors) before the step, constant after it: every window's ratio only grows.
                return _robust_first(
                    lambda s: timing.burn_condition(step, [(lo, sh, th * s) for lo, sh, th in chosen]),
                    for_min, horizon, monotone_from=step.start)

            when = fire(pairs)
            alone = fire([pairs[index]])
            rivals = [t for t in (fire([o]) for o in others) if t is not None]
            if when is None or alone != when or (rivals and min(rivals) <= when + 1):
                continue
            case = _fire_case(service, slo, alert, step, when, incident,
                              f"{alert.name} fires {when - start}m after a step to {incident:.4g} "
                              f"error ratio (the {format_duration(long_min * 60)}/"
                              f"{format_duration(short_min * 60)} pair)")
            if case is not None:
                cases.append(case)
            break
    return cases


def _outage_cases(service: ServicePlan, slo: SLOPlan, alert: AlertPlan) -> list[Case]:
    """A full outage pages at the predicted minute; a one-minute blip does not page."""
    spec_slo = service.spec_slo(slo.name)
    window = _minutes(spec_slo.alerting.outage.window)
    threshold = spec_slo.alerting.outage.error_ratio
    step = timing.Step(start=INCIDENT_START, incident=1.0)
    horizon = INCIDENT_START + window + _minutes(alert.for_) + 5
    when = _robust_first(lambda s: timing.ratio_condition(step, window, threshold * s), _minutes(alert.for_), horizon,
                         monotone_from=step.start)
    if when is None:
        return []
    case = _fire_case(service, slo, alert, step, when, 1.0,
                      f"{alert.name} fires {when - INCIDENT_START}m after a full outage")
    if case is None:
        return []
    blip = timing.Step(start=INCIDENT_START, incident=1.0, end=INCIDENT_START + 1)
    blip_series = slo_series(service, slo, blip, horizon)
    if blip_series is not None and timing.first_firing(timing.ratio_condition(blip, window, threshold),
                                                       _minutes(alert.for_), horizon) is None:
        blip_case = Case(name=f"{alert.name} stays silent on a 1-minute blip", series=blip_series)
        blip_case.alerts = [{"eval_time": f"{t}m", "alertname": alert.name, "exp_alerts": []}
                            for t in range(INCIDENT_START, horizon + 1)]
        return [case, blip_case]
    return [case]


def _budget_case(service: ServicePlan, slo: SLOPlan, alert: AlertPlan, below: float) -> Case | None:
    # A steady error ratio that leaves a little less than `below` of the budget.
    incident = min(1.0, slo.error_budget * (1 - below) * 1.05 + slo.error_budget * below * 0.5)
    step = timing.Step(start=0, incident=incident)
    horizon = _minutes(alert.for_) + 30
    when = _robust_first(
        lambda s: timing.budget_condition(step, slo.error_budget, below * s, slo.period_s // 60, horizon),
        _minutes(alert.for_), horizon)
    if when is None:
        return None
    return _fire_case(service, slo, alert, step, when, 0.0,
                      f"{alert.name} fires at a steady {incident:.4g} error ratio", value_from_plan=False)


def _fire_case(service: ServicePlan, slo: SLOPlan, alert: AlertPlan, step: timing.Step, when: int, value: float,
               name: str, value_from_plan: bool = True) -> Case | None:
    series = slo_series(service, slo, step, when + 1)
    if series is None:
        return None
    expected = _expected(alert, {}, value)
    if expected is None:
        return None
    case = Case(name=name, series=series)
    case.alerts = [
        {"eval_time": f"{when - 1}m", "alertname": alert.name, "exp_alerts": []},
        {"eval_time": f"{when}m", "alertname": alert.name, "exp_alerts": [expected]},
    ]
    return case


def _kpi_cases(service: ServicePlan) -> list[Case]:
    cases = []
    for kpi_spec, kpi in zip(service.spec.kpis, service.kpis, strict=True):
        labels = {**service.labels, "service": service.service, "team": service.team, **kpi_spec.labels,
                  "kpi": kpi.name}
        for alert in kpi.alerts:
            bound = kpi.max if alert.name.endswith("AboveMax") else kpi.min
            assert bound is not None
            above = alert.name.endswith("AboveMax")
            delta = abs(bound) * 0.5 if bound else 1.0
            healthy, bad = (bound - delta, bound + delta) if above else (bound + delta, bound - delta)
            for_min = _minutes(alert.for_)
            when = INCIDENT_START + for_min
            values = [healthy] * INCIDENT_START + [bad] * (for_min + 2)
            expected = _expected(alert, labels, bad)
            if expected is None:
                continue
            case = Case(name=f"{alert.name} fires {for_min}m after {kpi.name} crosses {bound:g}",
                        series=[(series_literal(kpi.record, labels), encode_values(values))])
            case.alerts = [
                {"eval_time": f"{when - 1}m", "alertname": alert.name, "exp_alerts": []},
                {"eval_time": f"{when}m", "alertname": alert.name, "exp_alerts": [expected]},
            ]
            cases.append(case)
    return cases


def _anomaly_cases(service: ServicePlan) -> list[Case]:
    cases = []
    for spec_anomaly, anomaly in zip(service.spec.anomalies, service.anomalies, strict=True):
        alert = anomaly.alerts[0]
        labels = {**service.labels, "service": service.service, "team": service.team, **spec_anomaly.labels,
                  "anomaly": anomaly.name}
        baseline = _minutes(anomaly.baseline)
        history = min(baseline, 24 * 60)
        for_min = _minutes(alert.for_)
        values = [100.0 if i % 2 == 0 else 110.0 for i in range(history)] + [400.0] * (for_min + 3)
        condition = timing.zscore_condition(values, baseline, anomaly.zscore)
        when = timing.first_firing(condition, for_min, len(values) - 1)
        expected = _expected(alert, labels, 0.0)
        if when is None or expected is None:
            continue
        series_name = series_literal(anomaly.records["value"], labels)
        case = Case(name=f"{alert.name} fires {when - history}m after a jump to ~3x its {anomaly.baseline} mean",
                    series=[(series_name, encode_values(values))])
        case.alerts = [
            {"eval_time": f"{when - 1}m", "alertname": alert.name, "exp_alerts": []},
            {"eval_time": f"{when}m", "alertname": alert.name, "exp_alerts": [expected]},
        ]
        flat = Case(name=f"{alert.name} stays silent on a flat series (stddev 0, no division by zero)",
                    series=[(series_name, f"100+0x{HEALTHY_MINUTES}")])
        flat.alerts = [{"eval_time": f"{HEALTHY_MINUTES}m", "alertname": alert.name, "exp_alerts": []}]
        zscore = f"{anomaly.records['zscore']}{{service=\"{service.service}\",anomaly=\"{anomaly.name}\"}}"
        flat.exprs = [{"expr": zscore,
                       "eval_time": f"{HEALTHY_MINUTES}m", "exp_samples": []}]
        cases.extend([case, flat])
    return cases


_SIMPLE = re.compile(r"^\s*(?:(?P<agg>sum|max|min|avg)\s*\(\s*)?(?P<sel>[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?)"
                     r"(?(agg)\s*\))\s*(?P<op>==|!=|>=|<=|>|<)\s*(?P<num>-?[0-9.]+(e[-+]?[0-9]+)?)\s*$")
"""`selector OP number`, optionally inside one aggregation (of one synthetic series: same value, no labels)."""


def _plain_cases(service: ServicePlan) -> tuple[list[Case], list[str]]:
    """Fire tests for plain alerts of the form `selector OP number`; the rest are listed as untested."""
    cases, untested = [], []
    for alert in service.plain_alerts:
        match = _SIMPLE.match(alert.expr)
        found = series_for(match.group("sel")) if match else None
        if match is None or found is None:
            untested.append(alert.name)
            continue
        op, num = match.group("op"), float(match.group("num"))
        gap = max(1.0, abs(num))
        bad = {"==": num, "!=": num + 1, ">=": num, "<=": num, ">": num + gap, "<": num - gap}[op]
        good = {"==": num + 1, "!=": num, ">=": num - gap, "<=": num + gap, ">": num, "<": num}[op]
        name, labels = found
        for_min = _minutes(alert.for_)
        when = INCIDENT_START + for_min
        expected = _expected(alert, {} if match.group("agg") else {**labels}, bad)
        if expected is None:
            untested.append(alert.name)
            continue
        values = [good] * INCIDENT_START + [bad] * (for_min + 2)
        case = Case(name=f"{alert.name} fires {for_min}m after {match.group('sel')} {op} {num:g}",
                    series=[(series_literal(name, labels), encode_values(values))])
        case.alerts = [
            {"eval_time": f"{when - 1}m", "alertname": alert.name, "exp_alerts": []},
            {"eval_time": f"{when}m", "alertname": alert.name, "exp_alerts": [expected]},
        ]
        cases.append(case)
    return cases, untested


_SAMPLE_FROM_NOTHING = frozenset({"vector", "time", "pi", "absent", "absent_over_time"})
_CLOCK_FUNCTIONS = frozenset({"day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute",
                              "month", "year"})


def silent_without_series(expr: str) -> bool:
    """True when the alert cannot fire while no series exist: its expr is a vector built from selectors.

    A scalar expr (`1`, `time() > bool 0`) always yields one sample, so the alert always fires;
    vector(), time(), pi(), absent() and the clock functions without an argument make samples from
    nothing. The parser is the type check for scalars: count() takes only a vector.
    """
    from agentops_gen.check.promql import nodes, parse

    try:
        parse(f"count({expr})")
    except ValueError:
        return False
    for node in nodes(parse(expr)):
        name = node.func.name if isinstance(node, promql_parser.Call) else None
        if name in _SAMPLE_FROM_NOTHING or (name in _CLOCK_FUNCTIONS and not node.args):
            return False
    return True


def _silent_cases(service: ServicePlan) -> list[Case]:
    slo_alerts = [a for slo in service.slos for a in slo.alerts]
    healthy = Case(name="healthy traffic (a quarter of the error budget): no SLO alert fires")
    zero = Case(name="zero traffic (counters flat): no SLO alert fires and no recording rule yields NaN")
    absent = Case(name="absent series: no generated alert fires")
    for slo in service.slos:
        ok = slo_series(service, slo, timing.Step(start=0, incident=slo.error_budget / 4), HEALTHY_MINUTES)
        if ok:
            healthy.series.extend(ok)
        flat = slo_series(service, slo, timing.Step(start=-1, incident=0.0, healthy=0.0), HEALTHY_MINUTES)
        if flat:
            zero.series.extend(flat)
        sel = f'{{service="{service.service}", slo="{slo.name}"}}'
        for window in slo.record_windows:
            zero.exprs.append({"expr": f"{names.sli_error_record(window)}{sel}", "eval_time": f"{HEALTHY_MINUTES}m",
                               "exp_samples": []})
        zero.exprs.append({"expr": f"{names.BUDGET_REMAINING_RECORD}{sel}", "eval_time": f"{HEALTHY_MINUTES}m",
                           "exp_samples": []})
    for alert in slo_alerts:
        for t in (60, HEALTHY_MINUTES):
            healthy.alerts.append({"eval_time": f"{t}m", "alertname": alert.name, "exp_alerts": []})
        zero.alerts.append({"eval_time": f"{HEALTHY_MINUTES}m", "alertname": alert.name, "exp_alerts": []})
    plain = set(map(id, service.plain_alerts))
    for alert in service.alerts:
        # generated exprs are known to need series (`or vector(0)` there only fills a missing error
        # counter); a user's plain alert expr is judged by its shape
        if silent_without_series(alert.expr) if id(alert) in plain else "absent" not in alert.expr:
            absent.alerts.append({"eval_time": "60m", "alertname": alert.name, "exp_alerts": []})
    absent.series = []
    return [c for c in (healthy, zero, absent) if c.alerts]


def service_cases(service: ServicePlan) -> tuple[list[Case], list[str]]:
    """Every test case of a service, and the alerts that have no fire test (with the reason)."""
    cases: list[Case] = []
    untested: list[str] = []
    for slo in service.slos:
        spec_slo = service.spec_slo(slo.name)
        budgets = {names.budget_alert(service.service, slo.name, b.below): b.below / 100
                   for b in spec_slo.alerting.budget}
        for alert in slo.alerts:
            if alert.kind.startswith("burn-"):
                found = _burn_cases(service, slo, alert)
            elif alert.kind == "outage":
                found = _outage_cases(service, slo, alert)
            else:
                found = [c for c in (_budget_case(service, slo, alert, budgets[alert.name]),) if c is not None]
            if not found:
                untested.append(f"{alert.name} ({slo.sli_kind} SLI: no synthetic input)")
            cases.extend(found)
    cases.extend(_kpi_cases(service))
    cases.extend(_anomaly_cases(service))
    plain, plain_untested = _plain_cases(service)
    cases.extend(plain)
    untested.extend(f"{name} (plain alert: expr is not `selector OP number`)" for name in plain_untested)
    cases.extend(_silent_cases(service))
    return cases, untested


def render_service(service: ServicePlan) -> str:
    """The promtool test file of one service."""
    cases, untested = service_cases(service)
    return render_template("prometheus/tests.yaml.j2", service=service.service, source=service.source,
                           rules_file=f"../{service.service}.rules.yaml", cases=cases, untested=untested,
                           group_order=[g.name for g in service.groups])


def test_file(service: str) -> str:
    """Path of a service's generated test file under out/."""
    return f"prometheus/tests/{service}.test.yaml"


def render(plan: Plan) -> dict[str, str]:
    """Every service's promtool test file (unless the platform file switches them off)."""
    if plan.platform is not None and not plan.platform.outputs.rule_tests:
        return {}
    return {test_file(s.service): render_service(s) for s in plan.services}
