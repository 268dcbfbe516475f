"""Spec models -> Plan: windows, thresholds, names and rule expressions, each computed once."""

from __future__ import annotations

from agentops_gen.plan import names
from agentops_gen.plan.durations import format_duration, parse_duration
from agentops_gen.plan.model import AlertPlan, AnomalyPlan, KPIPlan, Plan, Rule, RuleGroup, ServicePlan, SLOPlan
from agentops_gen.plan.sli import counter_series, error_ratio_template
from agentops_gen.plan.text import (
    go_template_literal,
    human_duration,
    percent,
    period_span,
    period_words,
    unit_number,
    unit_value,
)
from agentops_gen.plan.windows import (
    BurnWindow,
    burn_threshold,
    custom_window,
    default_windows,
    error_budget,
    exhaustion_seconds,
    format_number,
)
from agentops_gen.spec.service import ServiceSpec
from agentops_gen.spec.signals import KPI, Anomaly, PlainAlert
from agentops_gen.spec.slo import SLO
from agentops_gen.spec.validate import SpecSet

DEFAULT_SEVERITY = {"page": "critical", "ticket": "warning"}
DEFAULT_FOR = {"page": "2m", "ticket": "15m"}
"""`for:` on burn-rate alerts: two 1m evaluations for a page, a quarter hour for a ticket (README)."""
DEFAULT_KEEP_FIRING_FOR = {"page": "5m", "ticket": "15m"}
"""Holds a burn alert through short dips of an intermittent incident, so it does not flap."""
CURRENT_BURN_WINDOW = 5 * 60
ANOMALY_COARSE_INTERVAL = "5m"
"""Anomaly baselines read a 5m-average series recorded every 5m, so a 7d window holds 2016 samples."""


def build_plan(specs: SpecSet) -> Plan:
    """Plan every service of a spec folder."""
    services = []
    for spec_file in specs.services:
        spec = spec_file.spec
        assert isinstance(spec, ServiceSpec)
        source = spec_file.loaded.file
        services.append(plan_service(spec, _relative_source(source, specs)))
    services.sort(key=lambda s: s.service)
    platform = specs.platform.spec if specs.platform else None
    return Plan(services=tuple(services), platform=platform)


def _relative_source(file: str, specs: SpecSet) -> str:
    from pathlib import Path

    try:
        return Path(file).resolve().relative_to(specs.root).as_posix()
    except ValueError:
        return Path(file).name


def plan_service(spec: ServiceSpec, source: str) -> ServicePlan:
    """Plan one service: SLOs, KPIs, anomalies, plain alerts and their rule groups."""
    base = {**spec.labels, "service": spec.service, "team": spec.owner}
    period_s = int(parse_duration(spec.period))
    slo_plans: list[SLOPlan] = []
    groups: list[RuleGroup] = []
    shared = _shared_series(spec)
    for slo in spec.slos:
        slo_plan, slo_groups = _plan_slo(spec, slo, base, period_s, shared)
        slo_plans.append(slo_plan)
        groups.extend(slo_groups)
    if shared:
        groups.insert(0, _shared_group(spec, slo_plans, shared, base))
    kpi_plans = [_plan_kpi(spec, kpi, base) for kpi in spec.kpis]
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
        plain_alerts=tuple(plain), groups=tuple(groups), spec=spec,
    )


SHARED_SERIES_LABEL = "agentops_series"


def _shared_series(spec: ServiceSpec) -> dict[str, str]:
    """Counter series read by two or more SLOs -> the selector of their shared per-window rate."""
    usage: dict[str, int] = {}
    for slo in spec.slos:
        for series in set(counter_series(slo.sli)):
            usage[series] = usage.get(series, 0) + 1
    shared = sorted(s for s, n in usage.items() if n > 1)
    return {
        series: names.shared_rate_record(series, "{{ window }}")
        + _selector({"service": spec.service, SHARED_SERIES_LABEL: str(i)})
        for i, series in enumerate(shared)
    }


def _shared_group(spec: ServiceSpec, slo_plans: list[SLOPlan], shared: dict[str, str],
                  base: dict[str, str]) -> RuleGroup:
    """Recorded rates of shared counters, for every window any SLO reading them needs (first group)."""
    rules = []
    for i, series in enumerate(sorted(shared)):
        windows: set[int] = set()
        for slo_spec, plan in zip(spec.slos, slo_plans, strict=True):
            if series in counter_series(slo_spec.sli):
                windows.update(int(parse_duration(w)) for w in plan.record_windows)
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


def _plan_slo(spec: ServiceSpec, slo: SLO, base: dict[str, str], default_period_s: int,
              shared: dict[str, str]) -> tuple[SLOPlan, list[RuleGroup]]:
    period_s = int(parse_duration(slo.period)) if slo.period else default_period_s
    period = format_duration(period_s)
    budget = error_budget(slo.objective)
    every = slo_windows(slo, period_s)
    windows = [w for w in every if burn_threshold(w.factor, budget) < 1]
    unreachable = [w for w in every if burn_threshold(w.factor, budget) >= 1]
    record_s = sorted({CURRENT_BURN_WINDOW, *(w.long_s for w in windows), *(w.short_s for w in windows)})
    record_windows = [format_duration(s) for s in record_s]
    template = error_ratio_template(slo.sli, shared)
    labels = {**base, **slo.labels, "slo": slo.name}
    sel_labels = {"service": spec.service, "slo": slo.name}
    sel = _selector(sel_labels)

    sli_rules = tuple(
        Rule(record=names.sli_error_record(w), expr=template.replace("{{ window }}", w), labels=labels)
        for w in record_windows
    )
    five = names.sli_error_record(format_duration(CURRENT_BURN_WINDOW))
    period_record = names.sli_error_record(period)
    meta_rules = (
        Rule(record=period_record, expr=f"avg_over_time({five}{sel}[{period}])", labels=labels),
        Rule(record=names.OBJECTIVE_RECORD, expr=f"vector({format_number(slo.objective / 100)})", labels=labels),
        Rule(record=names.ERROR_BUDGET_RECORD, expr=f"vector({format_number(budget)})", labels=labels),
        Rule(record=names.PERIOD_DAYS_RECORD, expr=f"vector({format_number(period_s / 86400)})", labels=labels),
        Rule(record=names.CURRENT_BURN_RECORD, expr=f"{five}{sel}\n/ on(service, slo) group_left\n"
                                                   f"{names.ERROR_BUDGET_RECORD}{sel}", labels=labels),
        Rule(record=names.PERIOD_BURN_RECORD, expr=f"{period_record}{sel}\n/ on(service, slo) group_left\n"
                                                  f"{names.ERROR_BUDGET_RECORD}{sel}", labels=labels),
        Rule(record=names.BUDGET_REMAINING_RECORD, expr=f"1 - {names.PERIOD_BURN_RECORD}{sel}", labels=labels),
        Rule(record=names.SLO_INFO_RECORD, expr="vector(1)",
             labels={**labels, "objective": format_number(slo.objective), "period": period,
                     "sli_kind": slo.sli.kind}),
    )
    alerts: list[AlertPlan] = []
    alert_rules: list[Rule] = []
    for severity_kind in ("page", "ticket"):
        opts = getattr(slo.alerting, severity_kind)
        pairs = [w for w in windows if w.severity == severity_kind]
        if opts.disable or not pairs:
            continue
        alert, rule = _burn_alert(spec, slo, severity_kind, pairs, budget, period_s, labels, sel)
        alerts.append(alert)
        alert_rules.append(rule)
    if slo.sli.kind in ("ratio", "latency") and not slo.alerting.outage.disable:
        alert, rule = _outage_alert(spec, slo, template, labels)
        alerts.append(alert)
        alert_rules.append(rule)
    for budget_alert in sorted(slo.alerting.budget, key=lambda b: -b.below):
        alert, rule = _budget_alert(spec, slo, budget_alert.below, budget_alert.severity, budget_alert.for_,
                                    period_s, labels, sel)
        alerts.append(alert)
        alert_rules.append(rule)

    # One group per SLO: Prometheus evaluates a group's rules in order, so the alerts always read
    # the error ratios recorded in the same cycle (separate groups would add up to one interval of lag).
    groups = [RuleGroup(names.rule_group(spec.service, slo.name), (*sli_rules, *meta_rules, *alert_rules))]
    plan = SLOPlan(
        name=slo.name, description=slo.description or "", objective=slo.objective, error_budget=budget,
        period_s=period_s, period=period, sli_kind=slo.sli.kind, windows=tuple(windows),
        unreachable=tuple(unreachable), record_windows=tuple(record_windows), error_ratio_template=template,
        selector_labels=sel_labels, alerts=tuple(alerts), runbook=slo.runbook,
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
                labels: dict[str, str], sel: str) -> tuple[AlertPlan, Rule]:
    opts = getattr(slo.alerting, kind)
    name = names.burn_alert(spec.service, slo.name, kind, slo.alerting.name)
    severity = opts.severity or DEFAULT_SEVERITY[kind]
    clauses = []
    for w in pairs:
        threshold = f"({format_number(w.factor)} * {format_number(budget)})"
        clauses.append(
            "(\n"
            f"  {names.sli_error_record(w.long)}{sel} > {threshold}\n"
            "  and\n"
            f"  {names.sli_error_record(w.short)}{sel} > {threshold}\n"
            ")"
        )
    expr = "\nor\n".join(clauses)
    words = period_words(period_s)
    pieces = [
        f"{format_number(w.budget_percent)}% of the budget in {w.long} (burn rate {format_number(w.factor)}x, "
        f"budget gone in {human_duration(exhaustion_seconds(w.factor, period_s))})"
        for w in pairs
    ]
    meaning = (
        f"{slo.name} is spending its {words} error budget ({percent(budget)} of events may fail) too fast: "
        f"this {kind} alert fires on " + " or ".join(pieces) + "."
    )
    summary = f"{spec.service} {slo.name}: error budget burn rate too high ({kind})"
    # Static text: the value is on the dashboard, and static annotations let generated tests match exactly.
    description = (
        f"{go_template_literal(slo.description or slo.name)} Objective {format_number(slo.objective)}% over "
        f"{period_span(period_s)}. {go_template_literal(meaning)}"
    )
    alert_labels = {**labels, **slo.alerting.labels, **opts.labels, "severity": severity}
    annotations = _common_annotations(spec, name, summary, description,
                                      {**slo.alerting.annotations, **opts.annotations})
    for_ = opts.for_ if opts.for_ is not None else DEFAULT_FOR[kind]
    keep = opts.keep_firing_for if opts.keep_firing_for is not None else DEFAULT_KEEP_FIRING_FOR[kind]
    rule = Rule(alert=name, expr=expr, for_=_nonzero(for_), keep_firing_for=_nonzero(keep),
                labels=alert_labels, annotations=annotations)
    return _alert_plan(spec, name, f"burn-{kind}", severity, slo.name, rule, meaning, slo.runbook), rule


def _outage_alert(spec: ServiceSpec, slo: SLO, template: str, labels: dict[str, str]) -> tuple[AlertPlan, Rule]:
    outage = slo.alerting.outage
    name = names.outage_alert(spec.service, slo.name)
    expr = f"(\n{template.replace('{{ window }}', outage.window)}\n) > {format_number(outage.error_ratio)}"
    meaning = (
        f"At least {percent(outage.error_ratio)} of {slo.name} events failed over the last {outage.window}: "
        "the service is (close to) fully down. A blip shorter than the window cannot reach the threshold."
    )
    summary = f"{spec.service} {slo.name}: outage, almost every event is failing"
    description = f"{go_template_literal(slo.description or slo.name)} {go_template_literal(meaning)}"
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
    summary = f"{spec.service} {slo.name}: less than {format_number(below)}% of the error budget left"
    description = (f"Objective {format_number(slo.objective)}% over {period_span(period_s)}. "
                   f"{go_template_literal(meaning)}")
    rule = Rule(alert=name, expr=expr, for_=_nonzero(for_),
                labels={**labels, **slo.alerting.labels, "severity": severity},
                annotations=_common_annotations(spec, name, summary, description, dict(slo.alerting.annotations)))
    return _alert_plan(spec, name, "budget", severity, slo.name, rule, meaning, slo.runbook), rule


def _plan_kpi(spec: ServiceSpec, kpi: KPI, base: dict[str, str]) -> KPIPlan:
    record = names.kpi_record(kpi.name)
    sel = _selector({"service": spec.service, "kpi": kpi.name})
    labels = {**base, **kpi.labels, "kpi": kpi.name}
    per = f" per {kpi.per}" if kpi.per else ""
    alerts = []
    for bound, op, value in (("max", ">", kpi.max), ("min", "<", kpi.min)):
        if value is None:
            continue
        name = names.kpi_alert(spec.service, kpi.name, bound)
        word = "above" if bound == "max" else "below"
        summary = (f"{spec.service} {kpi.name} is {unit_value(kpi.unit)}{go_template_literal(per)}, "
                   f"{'limit' if bound == 'max' else 'minimum'} {unit_number(kpi.unit, value)}")
        meaning = (f"{kpi.name} has stayed {word} {unit_number(kpi.unit, value)}{per} for {kpi.for_}."
                   + (f" {kpi.description}" if kpi.description else ""))
        rule = Rule(alert=name, expr=f"{record}{sel} {op} {format_number(value)}", for_=_nonzero(kpi.for_),
                    labels={**labels, "severity": kpi.severity},
                    annotations=_common_annotations(spec, name, summary, go_template_literal(meaning), {}))
        alerts.append(_alert_plan(spec, name, "kpi", kpi.severity, kpi.name, rule, meaning, kpi.runbook))
    return KPIPlan(name=kpi.name, description=kpi.description or "", query=kpi.query, record=record, unit=kpi.unit,
                   per=kpi.per, min=kpi.min, max=kpi.max, alerts=tuple(alerts))


def _kpi_group(spec: ServiceSpec, plans: list[KPIPlan], base: dict[str, str]) -> RuleGroup:
    rules: list[Rule] = []
    for kpi_spec, plan in zip(spec.kpis, plans, strict=True):
        rules.append(Rule(record=plan.record, expr=plan.query, labels={**base, **kpi_spec.labels, "kpi": plan.name}))
        rules.extend(_rules_of(plan.alerts))
    return RuleGroup(names.rule_group(spec.service, "kpis"), tuple(rules))


def _plan_anomaly(spec: ServiceSpec, anomaly: Anomaly) -> AnomalyPlan:
    records = {what: names.anomaly_record(anomaly.name, what)
               for what in ("value", "value_coarse", "mean", "stddev", "zscore")}
    name = names.anomaly_alert(spec.service, anomaly.name)
    sel = _selector({"service": spec.service, "anomaly": anomaly.name})
    labels = {**spec.labels, "service": spec.service, "team": spec.owner, **anomaly.labels,
              "anomaly": anomaly.name, "severity": anomaly.severity}
    meaning = (f"{anomaly.name} is more than {format_number(anomaly.zscore)} standard deviations away from its "
               f"mean over the last {anomaly.baseline}, for {anomaly.for_}."
               + (f" {anomaly.description}" if anomaly.description else ""))
    summary = (f"{spec.service} {anomaly.name} is unusual "
               f"(more than {format_number(anomaly.zscore)} standard deviations)")
    rule = Rule(alert=name, expr=f"abs({records['zscore']}{sel}) > {format_number(anomaly.zscore)}",
                for_=_nonzero(anomaly.for_), labels=labels,
                annotations=_common_annotations(spec, name, summary, go_template_literal(meaning), {}))
    alert = _alert_plan(spec, name, "anomaly", anomaly.severity, anomaly.name, rule, meaning, anomaly.runbook)
    return AnomalyPlan(name=anomaly.name, description=anomaly.description or "", query=anomaly.query,
                       zscore=anomaly.zscore, baseline=anomaly.baseline, unit=anomaly.unit, records=records,
                       alerts=(alert,))


def _anomaly_groups(spec: ServiceSpec, anomalies: list[Anomaly], plans: list[AnomalyPlan],
                    base: dict[str, str]) -> list[RuleGroup]:
    fast: list[Rule] = []
    slow: list[Rule] = []
    for anomaly, plan in zip(anomalies, plans, strict=True):
        labels = {**base, **anomaly.labels, "anomaly": plan.name}
        sel = _selector({"service": spec.service, "anomaly": plan.name})
        r = plan.records
        fast.append(Rule(record=r["value"], expr=plan.query, labels=labels))
        slow.append(Rule(record=r["value_coarse"], expr=f"avg_over_time({r['value']}{sel}[{ANOMALY_COARSE_INTERVAL}])",
                         labels=labels))
        # Mean and stddev read the 5m series (a 7d baseline is 2016 samples, not 10080) but are
        # recorded every cycle: a series written only every 5m would fall out of the 5m lookback and
        # blank the z-score (and reset the alert's `for:`) whenever an evaluation runs late.
        fast.append(Rule(record=r["mean"], expr=f"avg_over_time({r['value_coarse']}{sel}[{plan.baseline}])",
                         labels=labels))
        fast.append(Rule(record=r["stddev"], expr=f"stddev_over_time({r['value_coarse']}{sel}[{plan.baseline}])",
                         labels=labels))
        # `stddev > 0` drops the sample for a flat series: no division by zero, no alert.
        fast.append(Rule(record=r["zscore"],
                         expr=f"({r['value']}{sel} - {r['mean']}{sel})\n/\n({r['stddev']}{sel} > 0)", labels=labels))
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
