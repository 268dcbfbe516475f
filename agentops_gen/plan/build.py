"""Spec models -> Plan: windows, thresholds, names and rule expressions, each computed once."""

from __future__ import annotations

from dataclasses import replace

from agentops_gen.plan import grouping
from agentops_gen.plan.grouping import GroupBy
from agentops_gen.plan.model import (
    AlertPlan,
    AnomalyPlan,
    HistogramInputs,
    KPIBound,
    KPIPlan,
    MimirPlan,
    Plan,
    PrometheusRuleMeta,
    RatioInputs,
    RawInputs,
    Rule,
    RuleGroup,
    ServicePlan,
    SLIPlan,
    SLOPlan,
    UserPanel,
)
from agentops_gen.plan.platform import plan_platform
from agentops_gen.plan.routing import SEVERITIES
from agentops_gen.plan.sli import (
    bad_events_template,
    counted_bad_events_template,
    counted_ratio,
    counter_series,
    error_ratio_template,
    events_template,
    exact_selector,
    finite,
    query_selectors,
    read_selectors,
)
from agentops_gen.plan.split import Finders, split_groups
from agentops_gen.plan.text import (
    PERCENT_FORMAT,
    VALUE_FORMAT,
    go_template_literal,
    human_duration,
    people_number,
    people_percent,
    period_span,
    period_words,
    unit_number,
    unit_value,
)
from agentops_gen.plan.windows import (
    RECORDED_RATE_WINDOW,
    BurnWindow,
    burn_threshold,
    custom_window,
    default_windows,
    error_budget,
    exhaustion_seconds,
    format_number,
    from_records,
)
from agentops_gen.spec.outputs import PrometheusRuleOutput, PrometheusSettings
from agentops_gen.spec.service import ServiceSpec
from agentops_gen.spec.signals import KPI, Anomaly, PlainAlert
from agentops_gen.spec.slo import SLI, SLO, NoDataAlert
from agentops_gen.spec.validate import SpecSet
from agentops_gen.units import names
from agentops_gen.units.durations import format_duration, parse_duration, parse_threshold

DEFAULT_SEVERITY = {"page": "critical", "ticket": "warning"}
DEFAULT_FOR = {"page": "2m", "ticket": "15m"}
"""`for:` on burn-rate alerts: two 1m evaluations for a page, a quarter hour for a ticket (README)."""
DEFAULT_KEEP_FIRING_FOR = {"page": "5m", "ticket": "15m"}
"""Holds a burn alert through short dips of an intermittent incident, so it does not flap."""
DEFAULT_MIN_BAD_EVENTS = {"page": 5, "ticket": 5, "outage": 2}
"""Failed events an alert needs in its long (outage: only) window before it may fire; README "Minimum traffic"
has the numbers: one failure never fires, a full outage at one event a minute pages within 2 to 7 minutes."""
NO_DATA_WINDOW = "10m"
NO_DATA_FOR = "20m"
"""A no-data alert fires 10m + 20m = 30 minutes after the last sample of the series it watches."""
NO_DATA_SEVERITY = "warning"
CURRENT_BURN_WINDOW = RECORDED_RATE_WINDOW
RECORDED_RATE = format_duration(RECORDED_RATE_WINDOW)
"""RECORDED_RATE_WINDOW as rule names and ranges spell it, formatted once (every SLO reads it several times)."""
_BEFORE_NEXT_RECORD = format_duration(RECORDED_RATE_WINDOW - 1)
PERIOD_GROUP_SUFFIX = "_period"
"""Each SLO's period group is `<its group>_period` (`_` is in no spec name: no other group has that name)."""
PERIOD_GROUP_INTERVAL = "2m"
"""How often the period group runs: the period ratio, burn rate and budget remaining, the constant records and
the budget alerts. They move slowly, and the period sums are the longest reads of all. Below half the 5m
lookback, so a record missed by one late evaluation is still found by instant queries, under Prometheus 2's
closed ranges and 3's left-open ones (pint's group/interval warns from 5m up; Pyrra runs its period-window
group every 2m30s). docs/performance.md has what it saves and what it moves."""
LONG_GROUP_SUFFIX = "_long"
"""Each SLO's long-window group is `<its group>_long`: the ratios and failed-event counts of the windows past 1h
that only tickets read as their long window (1d, 3d), and the ticket alert reading them."""
LONG_GROUP_INTERVAL = PERIOD_GROUP_INTERVAL
"""How often the long-window group runs: a 1d or 3d sum moves by a 5m record in 288 or 864, and a ticket fires
hours into an incident; the bound is the period group's (records stay within the lookback after a missed
evaluation). docs/performance.md ("Third round") has what it saves and which minutes move."""
ANOMALY_COARSE_INTERVAL = "5m"
"""Anomaly baselines read a 5m-average series recorded every 5m, so a 7d window holds 2016 samples."""


def build_plan(specs: SpecSet) -> Plan:
    """Plan every service of a spec folder."""
    services = []
    platform = specs.platform.spec if specs.platform else None
    no_data = platform is None or platform.outputs.no_data_alerts  # type: ignore[union-attr]
    grafana_url = (platform.grafana_url if platform else None) or ""  # type: ignore[union-attr]
    max_rules = (platform.prometheus if platform else PrometheusSettings()).max_rules_per_group  # type: ignore[union-attr]
    finders: Finders = {}  # the SLOs of one kind record the same names in every service
    for spec_file in specs.services:
        spec = spec_file.spec
        assert isinstance(spec, ServiceSpec)
        service = plan_service(spec, _relative_source(spec_file.loaded.file, specs), no_data=no_data,
                               grafana_url=grafana_url)
        services.append(replace(service, groups=split_groups(service.groups, max_rules, finders)))
    services.sort(key=lambda s: s.service)
    outputs = platform.outputs if platform else None  # type: ignore[union-attr]
    return Plan(services=tuple(services), platform=plan_platform(specs),
                prometheus_rule=_prometheus_rule(outputs.prometheus_rule) if outputs else None,
                mimir=MimirPlan(outputs.mimir.rules, outputs.mimir.alertmanager) if outputs and outputs.mimir else None,
                thanos_strategy=outputs.thanos.partial_response_strategy if outputs and outputs.thanos else None,
                rule_tests=outputs is None or bool(outputs.rule_tests),
                backfill=outputs is not None and outputs.backfill)


def _prometheus_rule(meta: PrometheusRuleOutput | None) -> PrometheusRuleMeta | None:
    """The PrometheusRule metadata the platform file sets (None: no PrometheusRule files)."""
    if meta is None:
        return None
    return PrometheusRuleMeta(namespace=meta.namespace, labels=dict(meta.labels), annotations=dict(meta.annotations))


def _relative_source(file: str, specs: SpecSet) -> str:
    from pathlib import Path

    try:
        return Path(file).resolve().relative_to(specs.root).as_posix()
    except ValueError:
        return Path(file).name


def plan_service(spec: ServiceSpec, source: str, *, no_data: bool = True, grafana_url: str = "") -> ServicePlan:
    """Plan one service: SLOs, KPIs, anomalies, plain alerts and their rule groups (`no_data`, `grafana_url`:
    platform settings)."""
    from agentops_gen.plan.collector import plan_collector

    base = {**spec.labels, "service": spec.service, "team": spec.owner}
    period_s = int(parse_duration(spec.period))
    slo_plans: list[SLOPlan] = []
    groups: list[RuleGroup] = []
    # each SLO's counter series, read from its selectors once: the rules, the shared rates and the
    # SLI plan all spell them the same way
    counters = [counter_series(slo.sli) for slo in spec.slos]
    shared = _shared_series(spec, counters)
    for slo, slo_counters in zip(spec.slos, counters, strict=True):
        slo_plan, slo_groups = _plan_slo(spec, slo, base, period_s, shared, no_data, slo_counters)
        slo_plans.append(slo_plan)
        groups.extend(slo_groups)
    if shared:
        groups.insert(0, _shared_group(spec, slo_plans, shared, base, counters))
    kpi_plans = [_plan_kpi(spec, kpi, base, no_data) for kpi in spec.kpis]
    if kpi_plans:
        groups.append(_kpi_group(spec, kpi_plans, base))
    anomaly_plans = [_plan_anomaly(spec, a) for a in spec.anomalies]
    if anomaly_plans:
        groups.extend(_anomaly_groups(spec, spec.anomalies, anomaly_plans, base))
    plain = [_plan_plain(spec, a) for a in spec.alerts]
    groups.extend(_plain_groups(spec, spec.alerts, plain, base))
    return ServicePlan(
        service=spec.service, team=spec.owner, description=spec.description or "", source=source,
        labels=dict(spec.labels), slos=tuple(slo_plans), kpis=tuple(kpi_plans), anomalies=tuple(anomaly_plans),
        plain_alerts=tuple(plain), groups=tuple(groups),
        notify={severity: tuple(getattr(spec.notify, severity)) for severity in SEVERITIES},
        notify_group_by=tuple(spec.notify.group_by) if spec.notify.group_by is not None else None,
        receivers=tuple((name, receiver.integrations()) for name, receiver in sorted(spec.receivers.items())),
        dashboard_base_url=spec.dashboard_base_url or grafana_url,
        panels=tuple(UserPanel(type=p.type, title=p.title, query=p.query, legend=p.legend or "", unit=p.unit,
                               description=p.description or "") for p in spec.dashboard.panels),
        collector=plan_collector(spec, source),
    )


def sli_plan(sli: SLI, counters: list[str] | None = None) -> SLIPlan:
    """The selectors and bounds an SLI reads (counters: its counter_series, when the caller has them)."""
    counters = counter_series(sli) if counters is None else counters
    ratio = RatioInputs(sli.ratio.errors, sli.ratio.good, tuple(sli.ratio.totals())) if sli.ratio else None
    latency = (HistogramInputs(sli.latency.histogram, parse_threshold(sli.latency.threshold))
               if sli.latency else None)
    score = HistogramInputs(sli.score.histogram, sli.score.above) if sli.score else None
    raw = RawInputs(sli.raw.error_ratio, sli.raw.events) if sli.raw else None
    return SLIPlan(ratio=ratio, latency=latency, score=score, raw=raw, counters=tuple(counters),
                   watched=tuple(read_selectors(sli, counters)))


SHARED_SERIES_LABEL = "agentops_series"


def _shared_series(spec: ServiceSpec, counters: list[list[str]]) -> dict[str, str]:
    """Counter series read by two or more SLOs -> the selector of their shared per-window rate (counters: each
    SLO's counter_series)."""
    usage: dict[str, int] = {}
    for slo, slo_counters in zip(spec.slos, counters, strict=True):
        if slo.group_by:
            continue  # a grouped SLO sums by its labels: it reads its own rates
        for series in set(slo_counters):
            usage[series] = usage.get(series, 0) + 1
    shared = sorted(s for s, n in usage.items() if n > 1)
    return {
        series: names.shared_rate_record(series, "{{ window }}")
        + _selector({"service": spec.service, SHARED_SERIES_LABEL: str(i)})
        for i, series in enumerate(shared)
    }


def _shared_group(spec: ServiceSpec, slo_plans: list[SLOPlan], shared: dict[str, str],
                  base: dict[str, str], counters: list[list[str]]) -> RuleGroup:
    """Recorded rates of shared counters, for every window any SLO reading them needs (first group)."""
    rules = []
    for i, series in enumerate(sorted(shared)):
        windows: set[int] = set()
        for slo_spec, plan, slo_counters in zip(spec.slos, slo_plans, counters, strict=True):
            if not slo_spec.group_by and series in slo_counters:
                windows.update(int(parse_duration(w)) for w in plan.record_windows if w not in plan.summed_windows)
                if plan.sli_kind in ("ratio", "latency") and not slo_spec.alerting.outage.disable:
                    windows.add(int(parse_duration(slo_spec.alerting.outage.window)))
        for w in sorted(windows):
            window = format_duration(w)
            rules.append(Rule(record=names.shared_rate_record(series, window), expr=f"sum(rate({series}[{window}]))",
                              labels={**base, SHARED_SERIES_LABEL: str(i)}))
    return RuleGroup(names.rule_group(spec.service, "shared-rates"), tuple(rules))


def slo_windows(slo: SLO, period_s: int) -> list[BurnWindow]:
    """The window table of an SLO: the spec's override or the default for its period."""
    if slo.alerting.windows:
        return [custom_window(w.severity, int(parse_duration(w.long)), int(parse_duration(w.short)), period_s,
                              w.factor, w.budget_percent) for w in slo.alerting.windows]
    return default_windows(period_s)


def _selector(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def min_bad_events(slo: SLO, kind: str) -> int:
    """The minimum number of failed events of an SLO's page, ticket or outage alert (0: none)."""
    opts = slo.alerting.outage if kind == "outage" else getattr(slo.alerting, kind)
    if slo.sli.raw is not None and slo.sli.raw.events is None:
        return 0  # a raw SLI without `events` has no event counts (README, lint slo/raw-without-events)
    return DEFAULT_MIN_BAD_EVENTS[kind] if opts.min_bad_events is None else int(opts.min_bad_events)


def bad_events_clause(window: str, minimum: int, sel: str, seconds: int | None = None) -> str:
    """`at least minimum failed events in window`: rate x seconds, compared with minimum - 0.5 (rates are floats);
    `seconds`: the window's, when the caller has them."""
    seconds = int(parse_duration(window)) if seconds is None else seconds
    return f"{names.bad_events_record(window)}{sel} * {seconds} > {format_number(minimum - 0.5)}"


PERIOD_BY = ("service", "slo")
"""The period ratio is summed by these labels only: a changed spec label starts new recorded series, and the
old ones (up to a period long) add into the same SLO instead of splitting it (Sloth #311)."""


def period_ratio_expr(period: str, sel: str, *, counts: bool, group_by: GroupBy = ()) -> str:
    """Error ratio over the SLO period (or any window summed from the records): failed events over all events
    (traffic-weighted: a quiet night weighs its few events, not its minutes), from the recorded 5m rates;
    without event counts (a raw SLI without `events`) the mean of the recorded 5m ratios. A grouped SLO keeps
    one ratio per group."""
    by = ", ".join((*PERIOD_BY, *group_by))
    window = RECORDED_RATE
    if counts:
        # Every recorded 5m rate counts each interval five times, on both sides of the division alike.
        return (f"sum by ({by}) (sum_over_time({names.bad_events_record(window)}{sel}[{period}]))\n/\n"
                f"(sum by ({by}) (sum_over_time({names.events_record(window)}{sel}[{period}])) > 0)")
    five = names.sli_error_record(window)
    return (f"sum by ({by}) (sum_over_time({five}{sel}[{period}]))\n/\n"
            f"sum by ({by}) (count_over_time({five}{sel}[{period}]))")


def long_only_windows(windows: list[BurnWindow], summed: set[int]) -> set[int]:
    """Summed windows (past 1h) that are a ticket's long window and no page's or ticket's short one: they can run
    less often with the ticket. A page's windows and every short window stay in the SLO's group, evaluated every
    cycle (a short window is what makes an alert stop, and it moves fast)."""
    fast = {w.short_s for w in windows} | {w.long_s for w in windows if w.severity == "page"}
    return {w.long_s for w in windows if w.severity == "ticket" and w.long_s in summed} - fast


def summed_bad_events_expr(window: str, sel: str, group_by: GroupBy = ()) -> str:
    """Failed events per second over a window, from the recorded 5m failed-event rates: their sum over the
    window counts each failed event once per record that covers it, i.e. (records per 5m) times for 5m x 1
    per second; summed by the SLO's identity like the period ratio (a label change neither splits nor doubles it).

    The records per 5m are counted over `[4m59s]`: 300 s / the evaluation interval under Prometheus 2's
    closed ranges and 3's left-open ones alike. Unlike the mean rate x the window, this does not stretch the
    first minutes of a new SLO's history to the whole window."""
    by = ", ".join((*PERIOD_BY, *group_by))
    five = f"{names.bad_events_record(RECORDED_RATE)}{sel}"
    per_window = format_number(parse_duration(window) / RECORDED_RATE_WINDOW)
    return (f"sum by ({by}) (sum_over_time({five}[{window}]))\n/\n"
            f"sum by ({by}) (count_over_time({five}[{_BEFORE_NEXT_RECORD}]))\n/ {per_window}")


def _plan_slo(spec: ServiceSpec, slo: SLO, base: dict[str, str], default_period_s: int,
              shared: dict[str, str], no_data: bool, counters: list[str]) -> tuple[SLOPlan, list[RuleGroup]]:
    period_s = int(parse_duration(slo.period)) if slo.period else default_period_s
    period = format_duration(period_s)
    budget = error_budget(slo.objective)
    every = slo_windows(slo, period_s)
    windows = [w for w in every if burn_threshold(w.factor, budget) < 1]
    unreachable = [w for w in every if burn_threshold(w.factor, budget) >= 1]
    record_s = sorted({CURRENT_BURN_WINDOW, *(w.long_s for w in windows), *(w.short_s for w in windows)})
    spelt = {s: format_duration(s) for s in record_s}  # each window formatted once: rules, bad events, plan
    record_windows = [spelt[s] for s in record_s]
    group_by = tuple(slo.group_by)
    template = error_ratio_template(slo.sli, {} if group_by else shared, group_by, counters)
    labels = {**base, **slo.labels, "slo": slo.name}
    sel_labels = {"service": spec.service, "slo": slo.name}
    sel = _selector(sel_labels)

    events = events_template(slo.sli, {} if group_by else shared, group_by, counters)
    # With event counts, windows past RAW_WINDOW_MAX sum the recorded 5m rates: the raw counters are read
    # for the short windows only (the recorded rates come first, the windows summed from them after).
    summed = {s for s in record_s if events is not None and from_records(s)}
    bad_windows: set[int] = set()
    for kind in ("page", "ticket"):
        if not getattr(slo.alerting, kind).disable and min_bad_events(slo, kind):
            bad_windows.update(w.long_s for w in windows if w.severity == kind)
    outage_on = slo.sli.kind in ("ratio", "latency") and not slo.alerting.outage.disable
    if outage_on and min_bad_events(slo, "outage"):
        bad_windows.add(int(parse_duration(slo.alerting.outage.window)))
    if events is not None:
        bad_windows.add(RECORDED_RATE_WINDOW)  # the failed events of the summed windows and the period ratio
    # A raw window with both a ratio and a failed-event record (5m, the 1h page window) records its events too
    # and its ratio divides the two records: the ratio reads no counter again (past 5m no count does either).
    counted = {s for s in record_s if s in bad_windows and s not in summed and events is not None
               and slo.sli.raw is None}
    spelt.update((s, format_duration(s)) for s in bad_windows if s not in spelt)
    shared_rates = {} if group_by else shared
    raw_rules: list[Rule] = []
    summed_rules: list[Rule] = []
    own = exact_selector(labels)
    ratio_windows = {s for s in record_s if s not in summed}
    for seconds in sorted(ratio_windows | (bad_windows - summed)):  # by window; a record before its readers
        w = spelt[seconds]
        if seconds in counted:
            assert events is not None
            events_sel = f"{names.events_record(w)}{own}"
            if seconds == RECORDED_RATE_WINDOW:
                # The 5m failed events are summed by the long windows and backfilled (plan/history.py): from the
                # raw counters only. Read from the events record, a backfill pass would pair them with events
                # recorded by another pass, at its own evaluation offset within the minute.
                bad = bad_events_template(slo.sli, "", shared_rates, group_by, counters)
            else:
                bad = counted_bad_events_template(slo.sli, events_sel, shared_rates, group_by, counters)
            assert bad is not None
            raw_rules += [
                Rule(record=names.events_record(w), expr=events.replace("{{ window }}", w), labels=labels),
                Rule(record=names.bad_events_record(w), expr=bad.replace("{{ window }}", w), labels=labels),
                Rule(record=names.sli_error_record(w),
                     expr=counted_ratio(f"{names.bad_events_record(w)}{own}", events_sel), labels=labels),
            ]
            continue
        if seconds in ratio_windows:
            raw_rules.append(Rule(record=names.sli_error_record(w), expr=template.replace("{{ window }}", w),
                                  labels=labels))
        if seconds in bad_windows:
            raw_bad = bad_events_template(slo.sli, f"{names.sli_error_record(w)}{sel}", shared_rates, group_by,
                                          counters)
            assert raw_bad is not None
            raw_rules.append(Rule(record=names.bad_events_record(w), expr=raw_bad.replace("{{ window }}", w),
                                  labels=labels))
    slow = long_only_windows(windows, summed) if not group_by else set()
    long_rules: list[Rule] = []
    for s, w in zip(record_s, record_windows, strict=True):
        if s in summed:
            (long_rules if s in slow else summed_rules).append(
                Rule(record=names.sli_error_record(w), expr=period_ratio_expr(w, sel, counts=True, group_by=group_by),
                     labels=labels))
    for s in sorted(bad_windows & summed):
        (long_rules if s in slow else summed_rules).append(
            Rule(record=names.bad_events_record(spelt[s]), expr=summed_bad_events_expr(spelt[s], sel, group_by),
                 labels=labels))
    five_window = RECORDED_RATE
    if events is not None and RECORDED_RATE_WINDOW not in counted:
        raw_rules.append(Rule(record=names.events_record(five_window), expr=events.replace("{{ window }}", five_window),
                              labels=labels))
    five = names.sli_error_record(five_window)
    period_record = names.sli_error_record(period)
    # A burn window as long as the period already records the period's ratio under the same name: a second
    # rule would write the same series with another value (promtool: "duplicate sample for timestamp").
    period_rules = () if period_s in record_s else (
        Rule(record=period_record, expr=period_ratio_expr(period, sel, counts=events is not None, group_by=group_by),
             labels=labels),)
    budget_text = format_number(budget)
    current_burn = Rule(record=names.CURRENT_BURN_RECORD, expr=f"{five}{sel} / {budget_text}", labels=labels)
    period_group_rules = [
        *period_rules,
        Rule(record=names.OBJECTIVE_RECORD, expr=f"vector({format_number(slo.objective / 100)})", labels=labels),
        Rule(record=names.ERROR_BUDGET_RECORD, expr=f"vector({budget_text})", labels=labels),
        Rule(record=names.PERIOD_DAYS_RECORD, expr=f"vector({format_number(period_s / 86400)})", labels=labels),
        Rule(record=names.PERIOD_BURN_RECORD, expr=f"{period_record}{sel} / {budget_text}", labels=labels),
        Rule(record=names.BUDGET_REMAINING_RECORD, expr=f"1 - {names.PERIOD_BURN_RECORD}{sel}", labels=labels),
        Rule(record=names.SLO_INFO_RECORD, expr="vector(1)",
             labels={**labels, "objective": format_number(slo.objective), "period": period,
                     "sli_kind": slo.sli.kind}),
    ]
    alerts: list[AlertPlan] = []
    alert_rules: list[Rule] = []
    for severity_kind in ("page", "ticket"):
        opts = getattr(slo.alerting, severity_kind)
        pairs = [w for w in windows if w.severity == severity_kind]
        if opts.disable or not pairs:
            continue
        alert, rule = _burn_alert(spec, slo, severity_kind, pairs, budget, period_s, labels, sel,
                                  min_bad_events(slo, severity_kind))
        alerts.append(alert)
        # an alert reading a long-window record runs after it, in its group (a read of a later group lags)
        (long_rules if any(w.long_s in slow for w in pairs) else alert_rules).append(rule)
    if outage_on:
        outage_s = int(parse_duration(slo.alerting.outage.window))
        outage_ratio = template.replace("{{ window }}", slo.alerting.outage.window)
        if outage_s in counted:
            outage_ratio = counted_ratio(f"{names.bad_events_record(spelt[outage_s])}{own}",
                                         f"{names.events_record(spelt[outage_s])}{own}")
        elif outage_s in bad_windows and outage_s not in summed and events is not None:
            # its failed events are recorded just before: the alert reads only the events, each counter once
            outage_ratio = (f"{names.bad_events_record(spelt[outage_s])}{own}\n/ {grouping.on(group_by)}\n"
                            f"({events.replace('{{ window }}', spelt[outage_s])} > 0)")
        alert, rule = _outage_alert(spec, slo, outage_ratio, labels, sel, group_by)
        alerts.append(alert)
        alert_rules.append(rule)
    for budget_alert in sorted(slo.alerting.budget, key=lambda b: -b.below):
        alert, rule = _budget_alert(spec, slo, budget_alert.below, budget_alert.severity, budget_alert.for_,
                                    period_s, labels, sel)
        alerts.append(alert)
        period_group_rules.append(rule)
    read = read_selectors(slo.sli, counters)
    if no_data and not slo.alerting.no_data.disable and read:  # a raw SLI of no series cannot go absent
        known = f"{names.sli_error_record(record_windows[-1])}{sel}"
        alert, rule = _no_data_alert(spec, slo.name, slo.alerting.no_data, read,
                                     {**labels, **slo.alerting.labels}, dict(slo.alerting.annotations),
                                     f"the {slo.name} SLO", slo.runbook, (group_by, known))
        alerts.append(alert)
        alert_rules.append(rule)

    # Prometheus evaluates a group's rules in order, so the burn, outage and no-data alerts always read the
    # error ratios recorded in the same cycle (separate groups would add up to one interval of lag). The long-window
    # and period groups come after it and read only its records (and their own): promtool, which evaluates every
    # group at every step in file order, then sees the same values as with one group.
    groups = [RuleGroup(names.rule_group(spec.service, slo.name), (*raw_rules, *summed_rules, current_burn,
                                                                    *alert_rules))]
    if long_rules:
        groups.append(RuleGroup(names.rule_group(spec.service, slo.name + LONG_GROUP_SUFFIX), tuple(long_rules),
                                interval=LONG_GROUP_INTERVAL))
    groups.append(RuleGroup(names.rule_group(spec.service, slo.name + PERIOD_GROUP_SUFFIX), tuple(period_group_rules),
                            interval=PERIOD_GROUP_INTERVAL))
    plan = SLOPlan(
        name=slo.name, description=slo.description or "", objective=slo.objective, error_budget=budget,
        period_s=period_s, period=period, sli_kind=slo.sli.kind, windows=tuple(windows),
        unreachable=tuple(unreachable), record_windows=tuple(record_windows), error_ratio_template=template,
        selector_labels=sel_labels, alerts=tuple(alerts), runbook=slo.runbook, group_by=group_by,
        bad_event_windows=tuple(spelt[w] for w in sorted(bad_windows)),
        min_bad_events={kind: min_bad_events(slo, kind) for kind in ("page", "ticket", "outage")},
        sli=sli_plan(slo.sli, counters), labels=dict(slo.labels), outage_window=slo.alerting.outage.window,
        outage_error_ratio=slo.alerting.outage.error_ratio, no_data_window=slo.alerting.no_data.window,
        budget_thresholds=tuple(b.below for b in slo.alerting.budget),
        summed_windows=tuple(spelt[s] for s in sorted(summed)),
    )
    return plan, groups


def _common_annotations(spec: ServiceSpec, alert: str, summary: str, description: str,
                        extra: dict[str, str]) -> dict[str, str]:
    url = names.runbook_url(spec.runbook_base_url, spec.service, alert)
    out = {"summary": summary, "description": description, "runbook_url": url}
    if spec.dashboard_base_url:
        out["dashboard_url"] = f"{spec.dashboard_base_url}/d/{names.dashboard_uid(spec.service)}"
    out.update(extra)
    return out


def _burn_alert(spec: ServiceSpec, slo: SLO, kind: str, pairs: list[BurnWindow], budget: float, period_s: int,
                labels: dict[str, str], sel: str, minimum: int) -> tuple[AlertPlan, Rule]:
    opts = getattr(slo.alerting, kind)
    name = names.burn_alert(spec.service, slo.name, kind, slo.alerting.name)
    severity = opts.severity or DEFAULT_SEVERITY[kind]
    clauses = []
    longs = [w.long for w in pairs]  # BurnWindow formats on each read
    budget_text = format_number(budget)
    for w, long in zip(pairs, longs, strict=True):
        threshold = f"({format_number(w.factor)} * {budget_text})"
        # The long window's ratio comes first: `and` keeps its value, so $value is the long window's error ratio.
        lines = [f"{names.sli_error_record(long)}{sel} > {threshold}",
                 f"{names.sli_error_record(w.short)}{sel} > {threshold}"]
        if minimum:
            lines.append(bad_events_clause(long, minimum, sel, w.long_s))
        clauses.append("(\n  " + "\n  and\n  ".join(lines) + "\n)")
    expr = "\nor\n".join(clauses)
    words = period_words(period_s)
    pieces = [
        f"{people_number(w.budget_percent)}% of the budget in {long} (over {people_percent(w.factor * budget)} "
        f"of events failing, burn rate {people_number(w.factor)}x: budget gone in "
        f"{human_duration(exhaustion_seconds(w.factor, period_s))})"
        for w, long in zip(pairs, longs, strict=True)
    ]
    meaning = (
        f"{slo.name} is spending its {words} error budget ({people_percent(budget)} of events may fail) too fast: "
        f"this {kind} alert fires on " + " or ".join(pieces)
        + (f", once at least {minimum} events failed in that window." if minimum else ".")
    )
    summary = (f"{spec.service} {slo.name}{grouping.naming(tuple(slo.group_by))}: "
               f"error budget burn rate too high ({kind})")
    long_windows = " or ".join(dict.fromkeys(longs))
    description = (
        f"{go_template_literal(slo.description or slo.name)} Now {PERCENT_FORMAT} of events fail over the last "
        f"{long_windows}. Objective {format_number(slo.objective)}% over {period_span(period_s)}. "
        f"{go_template_literal(meaning)}"
    )
    alert_labels = {**labels, **slo.alerting.labels, **opts.labels, "severity": severity}
    annotations = _common_annotations(spec, name, summary, description,
                                      {**slo.alerting.annotations, **opts.annotations})
    for_ = opts.for_ if opts.for_ is not None else DEFAULT_FOR[kind]
    keep = opts.keep_firing_for if opts.keep_firing_for is not None else DEFAULT_KEEP_FIRING_FOR[kind]
    rule = Rule(alert=name, expr=expr, for_=_nonzero(for_), keep_firing_for=_nonzero(keep),
                labels=alert_labels, annotations=annotations)
    return _alert_plan(spec, name, f"burn-{kind}", severity, slo.name, rule, meaning, slo.runbook), rule


def _outage_alert(spec: ServiceSpec, slo: SLO, ratio: str, labels: dict[str, str],
                  sel: str, group_by: GroupBy) -> tuple[AlertPlan, Rule]:
    outage = slo.alerting.outage
    name = names.outage_alert(spec.service, slo.name)
    minimum = min_bad_events(slo, "outage")
    expr = f"(\n{ratio}\n) > {format_number(outage.error_ratio)}"
    if minimum:
        # The ratio has only the group labels (sum by), the recorded count the SLO's too: match on the group.
        expr += f"\nand {grouping.on(group_by)}\n{bad_events_clause(outage.window, minimum, sel)}"
    what = "are slower than the objective allows" if slo.sli.kind == "latency" else "failed"
    state = "(close to) stalled" if slo.sli.kind == "latency" else "(close to) fully down"
    meaning = (
        f"More than {people_percent(outage.error_ratio)} of {slo.name} events {what} over the last "
        f"{outage.window}: the service is {state}. A one-minute blip cannot fill the window"
        + (f", and fewer than {minimum} failed events in it never fire the alert." if minimum else ".")
    )
    summary = (f"{spec.service} {slo.name}{grouping.naming(group_by)}: outage, almost every event is "
               + ("too slow" if slo.sli.kind == "latency" else "failing"))
    description = (f"{go_template_literal(slo.description or slo.name)} Now {PERCENT_FORMAT} of events "
                   f"{'are too slow' if slo.sli.kind == 'latency' else 'fail'} over the last {outage.window}. "
                   f"{go_template_literal(meaning)}")
    rule = Rule(alert=name, expr=expr, for_=_nonzero(outage.for_),
                labels={**labels, **slo.alerting.labels, "severity": outage.severity},
                annotations=_common_annotations(spec, name, summary, description, dict(slo.alerting.annotations)))
    return _alert_plan(spec, name, "outage", outage.severity, slo.name, rule, meaning, slo.runbook), rule


def _budget_alert(spec: ServiceSpec, slo: SLO, below: float, severity: str, for_: str, period_s: int,
                  labels: dict[str, str], sel: str) -> tuple[AlertPlan, Rule]:
    name = names.budget_alert(spec.service, slo.name, below)
    expr = f"{names.BUDGET_REMAINING_RECORD}{sel} < {format_number(below / 100)}"
    words = period_words(period_s)
    meaning = (f"Less than {format_number(below)}% of the {words} error budget of {slo.name} is left; "
               "releases and risky changes should slow down until it recovers.")
    summary = (f"{spec.service} {slo.name}{grouping.naming(tuple(slo.group_by))}: less than "
               f"{format_number(below)}% of the error budget left")
    description = (f"Now {PERCENT_FORMAT} of the budget is left. Objective {format_number(slo.objective)}% over "
                   f"{period_span(period_s)}. {go_template_literal(meaning)}")
    rule = Rule(alert=name, expr=expr, for_=_nonzero(for_),
                labels={**labels, **slo.alerting.labels, "severity": severity},
                annotations=_common_annotations(spec, name, summary, description, dict(slo.alerting.annotations)))
    return _alert_plan(spec, name, "budget", severity, slo.name, rule, meaning, slo.runbook), rule


def _no_data_alert(spec: ServiceSpec, subject: str, opts: NoDataAlert, selectors: list[str], labels: dict[str, str],
                   annotations: dict[str, str], what: str, first_checks: str | None,
                   groups: tuple[GroupBy, str] = ((), "")) -> tuple[AlertPlan, Rule]:
    """An alert when any series the SLO or KPI reads has had no sample for `window` (+ `for`); for a grouped SLO
    also per group: `groups` is (group labels, the recorded ratio whose groups are known)."""
    name = names.no_data_alert(spec.service, subject)
    window = opts.window or NO_DATA_WINDOW
    for_ = opts.for_ if opts.for_ is not None else NO_DATA_FOR
    severity = opts.severity or NO_DATA_SEVERITY
    # max() drops the selectors' labels: one alert per SLO/KPI, labelled like its other alerts.
    expr = "max(\n  " + "\n  or\n  ".join(f"absent_over_time({s}[{window}])" for s in selectors) + "\n)"
    group_by, known = groups
    if group_by:
        # absent_over_time() only sees a selector with no series at all; a group whose series stopped
        # while others go on is a group the longest recorded ratio still knows and no selector has a sample of.
        by = grouping.by(group_by)
        expr += "".join(f"\nor\n(\n  group{by}({known})\n  unless\n  group{by}(present_over_time({s}[{window}]))\n)"
                        for s in selectors)
    reads = ", ".join(f"`{s}`" for s in selectors)
    total = human_duration(parse_duration(window) + parse_duration(for_))
    meaning = (f"No sample of {reads} for {total}: {what} cannot be measured (metric renamed, label changed, "
               "scrape target gone or exporter down), so none of its other alerts can fire. Zero traffic is not "
               "no data: a counter that stays flat still has samples.")
    summary = f"{spec.service} {subject}{grouping.naming(group_by)}: no data for {total}"
    description = go_template_literal(meaning)
    rule = Rule(alert=name, expr=expr, for_=_nonzero(for_), labels={**labels, "severity": severity},
                annotations=_common_annotations(spec, name, summary, description, annotations))
    return _alert_plan(spec, name, "no-data", severity, subject, rule, meaning, first_checks), rule


def _plan_kpi(spec: ServiceSpec, kpi: KPI, base: dict[str, str], no_data: bool) -> KPIPlan:
    record = names.kpi_record(kpi.name)
    sel = _selector({"service": spec.service, "kpi": kpi.name})
    labels = {**base, **kpi.labels, "kpi": kpi.name}
    per = f" per {kpi.per}" if kpi.per else ""
    bounds = _kpi_bounds(spec.service, kpi)
    alerts = []
    for bound in bounds:
        op = ">" if bound.direction == "above" else "<"
        for_ = bound.for_
        limit = (f"{bound.severity} threshold" if bound.level
                 else "limit" if bound.direction == "above" else "minimum")
        summary = (f"{spec.service} {kpi.name} is {unit_value(kpi.unit)}{go_template_literal(per)}, "
                   f"{limit} {unit_number(kpi.unit, bound.value)}")
        meaning = (f"{kpi.name} has stayed {bound.direction} {unit_number(kpi.unit, bound.value)}{per} for {for_}."
                   + (f" {kpi.description}" if kpi.description else ""))
        description = f"Now {unit_value(kpi.unit)}{per}. {go_template_literal(meaning)}"
        rule = Rule(alert=bound.alert, expr=f"{record}{sel} {op} {format_number(bound.value)}", for_=_nonzero(for_),
                    labels={**labels, "severity": bound.severity},
                    annotations=_common_annotations(spec, bound.alert, summary, description, {}))
        alerts.append(_alert_plan(spec, bound.alert, "kpi", bound.severity, kpi.name, rule, meaning, kpi.runbook))
    selectors = query_selectors(kpi.query)
    if no_data and not kpi.no_data.disable and selectors:  # a query of no series (vector(1)) cannot go absent
        alerts.append(_no_data_alert(spec, kpi.name, kpi.no_data, selectors, labels, {},
                                     f"the {kpi.name} KPI", kpi.runbook)[0])
    return KPIPlan(name=kpi.name, description=kpi.description or "", query=kpi.query, record=record, unit=kpi.unit,
                   per=kpi.per, min=kpi.min, max=kpi.max, alerts=tuple(alerts), labels=dict(kpi.labels),
                   no_data_window=kpi.no_data.window, bounds=tuple(bounds))


def _kpi_bounds(service: str, kpi: KPI) -> list[KPIBound]:
    """`max`, `min` (the KPI's severity), then each of `thresholds` (its own severity)."""
    bounds = [KPIBound(names.kpi_alert(service, kpi.name, bound), direction, value, kpi.severity, kpi.for_,
                       level=False)
              for bound, direction, value in (("max", "above", kpi.max), ("min", "below", kpi.min))
              if value is not None]
    bounds += [KPIBound(names.kpi_level_alert(service, kpi.name, t.direction, t.severity), t.direction, t.value,
                        t.severity, t.for_ or kpi.for_, level=True) for t in kpi.thresholds]
    return bounds


def _kpi_group(spec: ServiceSpec, plans: list[KPIPlan], base: dict[str, str]) -> RuleGroup:
    rules: list[Rule] = []
    for kpi_spec, plan in zip(spec.kpis, plans, strict=True):
        rules.append(Rule(record=plan.record, expr=finite(plan.query),
                          labels={**base, **kpi_spec.labels, "kpi": plan.name}))
        rules.extend(_rules_of(plan.alerts))
    return RuleGroup(names.rule_group(spec.service, "kpis"), tuple(rules))


def _plan_anomaly(spec: ServiceSpec, anomaly: Anomaly) -> AnomalyPlan:
    records = {what: names.anomaly_record(anomaly.name, what)
               for what in ("value", "value_coarse", "mean", "stddev", "zscore")}
    name = names.anomaly_alert(spec.service, anomaly.name)
    sel = _selector({"service": spec.service, "anomaly": anomaly.name})
    labels = {**spec.labels, "service": spec.service, "team": spec.owner, **anomaly.labels,
              "anomaly": anomaly.name, "severity": anomaly.severity}
    meaning = (f"{anomaly.name} (its {ANOMALY_COARSE_INTERVAL} average) is more than {format_number(anomaly.zscore)} "
               f"standard deviations away from its mean over the last {anomaly.baseline}, for {anomaly.for_}."
               + (f" {anomaly.description}" if anomaly.description else ""))
    summary = (f"{spec.service} {anomaly.name} is unusual "
               f"(more than {format_number(anomaly.zscore)} standard deviations)")
    description = f"Now {VALUE_FORMAT} standard deviations from its mean. {go_template_literal(meaning)}"
    rule = Rule(alert=name, expr=f"abs({records['zscore']}{sel}) > {format_number(anomaly.zscore)}",
                for_=_nonzero(anomaly.for_), labels=labels,
                annotations=_common_annotations(spec, name, summary, description, {}))
    alert = _alert_plan(spec, name, "anomaly", anomaly.severity, anomaly.name, rule, meaning, anomaly.runbook)
    return AnomalyPlan(name=anomaly.name, description=anomaly.description or "", query=anomaly.query,
                       zscore=anomaly.zscore, baseline=anomaly.baseline, unit=anomaly.unit, records=records,
                       alerts=(alert,), labels=dict(anomaly.labels), average=ANOMALY_COARSE_INTERVAL)


def _anomaly_groups(spec: ServiceSpec, anomalies: list[Anomaly], plans: list[AnomalyPlan],
                    base: dict[str, str]) -> list[RuleGroup]:
    fast: list[Rule] = []
    slow: list[Rule] = []
    for anomaly, plan in zip(anomalies, plans, strict=True):
        labels = {**base, **anomaly.labels, "anomaly": plan.name}
        sel = _selector({"service": spec.service, "anomaly": plan.name})
        r = plan.records
        fast.append(Rule(record=r["value"], expr=finite(plan.query), labels=labels))
        slow.append(Rule(record=r["value_coarse"], expr=f"avg_over_time({r['value']}{sel}[{plan.average}])",
                         labels=labels))
        # Mean and stddev read the 5m series (a 7d baseline is 2016 samples, not 10080) but are
        # recorded every cycle: a series written only every 5m would fall out of the 5m lookback and
        # blank the z-score (and reset the alert's `for:`) whenever an evaluation runs late.
        fast.append(Rule(record=r["mean"], expr=f"avg_over_time({r['value_coarse']}{sel}[{plan.baseline}])",
                         labels=labels))
        fast.append(Rule(record=r["stddev"], expr=f"stddev_over_time({r['value_coarse']}{sel}[{plan.baseline}])",
                         labels=labels))
        # The value is averaged like the baseline's samples: the stddev of 5m averages is smaller than a
        # noisy value's own (white noise: by up to sqrt(6)), so a raw value would read as several standard
        # deviations off on noise alone. `stddev > 0` drops the sample for a flat series: no alert.
        fast.append(Rule(record=r["zscore"],
                         expr=f"(avg_over_time({r['value']}{sel}[{plan.average}]) - {r['mean']}{sel})"
                              f"\n/\n({r['stddev']}{sel} > 0)", labels=labels))
        fast.extend(_rules_of(plan.alerts))
    return [
        RuleGroup(names.rule_group(spec.service, "anomaly-baselines"), tuple(slow), interval=ANOMALY_COARSE_INTERVAL),
        RuleGroup(names.rule_group(spec.service, "anomalies"), tuple(fast)),
    ]


def _plan_plain(spec: ServiceSpec, alert: PlainAlert) -> AlertPlan:
    labels = {**spec.labels, "service": spec.service, "team": spec.owner, **alert.labels, "severity": alert.severity}
    summary = alert.summary or f"{spec.service}: {alert.name}"
    description = alert.description or summary
    rule = Rule(alert=alert.name, expr=alert.expr, for_=_nonzero(alert.for_),
                keep_firing_for=_nonzero(alert.keep_firing_for) if alert.keep_firing_for else None, labels=labels,
                annotations=_common_annotations(spec, alert.name, summary, description, dict(alert.annotations)))
    return _alert_plan(spec, alert.name, "plain", alert.severity, alert.name, rule, description, alert.runbook)


def _plain_groups(spec: ServiceSpec, alerts: list[PlainAlert], plans: list[AlertPlan],
                  base: dict[str, str]) -> list[RuleGroup]:
    by_group: dict[str, list[Rule]] = {}
    for alert, plan in zip(alerts, plans, strict=True):
        by_group.setdefault(alert.group or "alerts", []).extend(_rules_of((plan,)))
    return [RuleGroup(names.rule_group(spec.service, g), tuple(rules)) for g, rules in by_group.items()]


def _alert_plan(spec: ServiceSpec, name: str, kind: str, severity: str, subject: str, rule: Rule, meaning: str,
                first_checks: str | None) -> AlertPlan:
    return AlertPlan(
        name=name, kind=kind, severity=severity, subject=subject, expr=rule.expr, for_=rule.for_,
        summary=rule.annotations["summary"], description=rule.annotations["description"],
        runbook_url=rule.annotations["runbook_url"], runbook_path=names.runbook_path(spec.service, name),
        first_checks=first_checks, labels=dict(rule.labels), meaning=meaning, rule=rule,
    )


def _rules_of(alerts: tuple[AlertPlan, ...] | list[AlertPlan]) -> list[Rule]:
    return [a.rule for a in alerts]


def _nonzero(duration: str | None) -> str | None:
    """`for: 0s` is Prometheus' default; omit it so the rules read as written."""
    if duration is None or parse_duration(duration) == 0:
        return None
    return duration
