"""What a service's dashboard shows, as data: rows of panels whose queries come from the plan.

Every query reads a recorded series the Prometheus target writes (names from plan/names.py) or a
query the spec gave, so a panel shows exactly what the alerts evaluate. Thresholds are the plan's
own numbers (objective, burn factors, KPI bounds, z-score). Grafana specifics (JSON shape, grid
layout) live in targets/grafana*.py.
"""

from __future__ import annotations

import re
from dataclasses import field, replace

import promql_parser

from agentops_gen.plan.grouping import legend
from agentops_gen.plan.model import AlertPlan, AnomalyPlan, KPIBound, KPIPlan, ServicePlan, SLOPlan, UserPanel
from agentops_gen.plan.windows import format_number
from agentops_gen.units import names
from agentops_gen.units.durations import format_duration
from agentops_gen.units.promql import parse
from agentops_gen.units.record import record

Step = tuple[float | None, str]
"""A threshold step: (value, colour); the first step's value is None (-Infinity)."""

UNITS = {"USD": "currencyUSD", "seconds": "s", "percent": "percent", "percentunit": "percentunit",
         "short": "short", "bytes": "bytes", "tokens": "short", "requests": "short", "ratio": "short"}
"""Spec unit -> Grafana unit id; anything else in a spec panel is taken as a Grafana unit id."""
SEVERITY_COLOUR = {"page": "red", "ticket": "orange"}
SEVERITY_COLOURS = {"critical": "red", "warning": "orange", "info": "yellow"}
BUDGET_STEPS: tuple[Step, ...] = ((None, "red"), (0.0, "orange"), (0.25, "green"))
"""Budget remaining without budget alerts: spent (< 0) red, last quarter orange, else green."""


@record
class Query:
    """One PromQL target and its legend (Grafana legendFormat)."""

    expr: str
    legend: str = ""
    ref: str = ""
    """Short name of a series, for per-series styling (band bounds, per-query thresholds)."""


@record
class Link:
    """A link shown on a panel (runbooks)."""

    title: str
    url: str
    tooltip: str = ""


@record
class PanelPlan:
    """One panel: its kind, queries, unit, thresholds and preferred size."""

    kind: str  # timeseries | stat | gauge | bargauge | heatmap | table | text | alertlist
    title: str
    queries: tuple[Query, ...] = ()
    unit: str = "short"
    steps: tuple[Step, ...] = ()
    description: str = ""
    links: tuple[Link, ...] = ()
    width: int = 12
    height: int = 8
    threshold_lines: bool = False
    per_query_steps: dict[str, tuple[Step, ...]] = field(default_factory=dict)
    band: tuple[str, str] | None = None
    """(upper ref, lower ref): fill between two series (anomaly band)."""
    value_map: dict[str, str] = field(default_factory=dict)
    """Exact value -> colour (an `== N` alert condition)."""
    text: str = ""
    label_filter: str = ""
    """alertlist: PromQL-style matchers selecting the service's alerts."""


@record
class RowPlan:
    """A titled row of panels."""

    title: str
    panels: tuple[PanelPlan, ...]
    repeat: str = ""
    """A variable Grafana repeats the row for, once per selected value (a grouped SLO: one row per group)."""


@record
class VariablePlan:
    """A dashboard template variable over one SLO group label; its values come from the recorded series."""

    name: str
    query: str
    """Grafana's label_values(<series>, <label>)."""


@record
class DashboardPlan:
    """A service's dashboard before layout."""

    uid: str
    title: str
    description: str
    team: str
    service: str
    tags: tuple[str, ...]
    rows: tuple[RowPlan, ...]
    variables: tuple[VariablePlan, ...] = ()


def grafana_unit(unit: str) -> str:
    """Grafana unit id of a spec unit (USD -> currencyUSD, seconds -> s)."""
    return UNITS.get(unit, unit)


def dashboard_plan(service: ServicePlan) -> DashboardPlan:
    """The dashboard of one service: summary, one row per SLO, KPIs, anomalies, spec panels, alerts."""
    # the summary panel and the row of an SLO read the same series and budget colours: made once per SLO
    per_slo = [(slo, slo_queries(slo), budget_steps(slo)) for slo in service.slos]
    rows = [_summary_row(service, per_slo)] if per_slo else []
    rows.extend(_slo_row(slo, queries, steps) for slo, queries, steps in per_slo)
    if service.kpis:
        rows.append(RowPlan("KPIs", tuple(p for kpi in service.kpis for p in _kpi_panels(service, kpi))))
    if service.anomalies:
        rows.append(RowPlan("Anomalies", tuple(_anomaly_panel(service, a) for a in service.anomalies)))
    extra = tuple(_spec_panel(p) for p in service.panels)
    if extra:
        rows.append(RowPlan("Service panels", extra))
    rows.append(_alerts_row(service))
    return DashboardPlan(
        uid=names.dashboard_uid(service.service), title=service.service, description=service.description,
        team=service.team, service=service.service, tags=("agentops-gen", service.team, service.service),
        rows=tuple(rows), variables=group_variables(service),
    )


def group_variables(service: ServicePlan) -> tuple[VariablePlan, ...]:
    """One variable per group label of the service's SLOs, its values read from the budget-remaining series
    (recorded for every group seen in the SLO period)."""
    labels = dict.fromkeys(label for slo in service.slos for label in slo.group_by)
    series = f'{names.BUDGET_REMAINING_RECORD}{{service="{service.service}"}}'
    return tuple(VariablePlan(label, f"label_values({series}, {label})") for label in labels)


def _selector(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def slo_selector(slo: SLOPlan) -> str:
    """The SLO's labels, plus `model=~"$model"` per group label: a grouped SLO's panels follow the variables."""
    sel = _selector(slo.selector_labels)
    if not slo.group_by:
        return sel
    return sel[:-1] + "".join(f', {label}=~"${label}"' for label in slo.group_by) + "}"


def slo_queries(slo: SLOPlan) -> dict[str, str]:
    """The recorded series of an SLO a dashboard reads, by role (sli, sli_period, budget_remaining...)."""
    sel = slo_selector(slo)
    five = names.sli_error_record(format_duration(5 * 60))
    return {
        "objective": f"{names.OBJECTIVE_RECORD}{_selector(slo.selector_labels)}",  # one per SLO, not per group
        "sli": f"1 - {five}{sel}",
        "sli_period": f"1 - {names.sli_error_record(slo.period)}{sel}",
        "budget_remaining": f"{names.BUDGET_REMAINING_RECORD}{sel}",
    }


def burn_rate_query(slo: SLOPlan, window: str) -> str:
    """Burn rate over one window: the recorded error ratio divided by the recorded error budget."""
    return _burn_rate_query(window, slo_selector(slo), _selector(slo.selector_labels))


def _burn_rate_query(window: str, sel: str, budget: str) -> str:
    """burn_rate_query with the SLO's selector and its budget's (one series per SLO: no group labels) made."""
    return f"{names.sli_error_record(window)}{sel} / on(service, slo) group_left {names.ERROR_BUDGET_RECORD}{budget}"


def _runbook_links(alerts: tuple[AlertPlan, ...]) -> tuple[Link, ...]:
    return tuple(Link(f"Runbook: {a.name}", a.runbook_url, a.summary) for a in alerts)


def _summary_row(service: ServicePlan, per_slo: list[tuple[SLOPlan, dict[str, str], tuple[Step, ...]]]) -> RowPlan:
    panels = []
    for slo, q, steps in per_slo:
        panels.append(PanelPlan(
            kind="stat", title=f"{slo.name}: {format_number(slo.objective)}% over {slo.period}",
            queries=(Query(q["objective"], "objective", "objective"),
                     Query(q["sli_period"], legend(slo.group_by, f"SLI ({slo.period})"), "sli"),
                     Query(q["budget_remaining"], legend(slo.group_by, "budget left"), "budget")),
            unit="percentunit", steps=((None, "blue"),),
            # Green only at or above the objective; the budget turns orange in its last quarter.
            per_query_steps={"sli": ((None, "red"), (slo.objective / 100, "green")), "budget": steps},
            description=slo.description or f"{slo.name} ({slo.sli_kind} SLI)",
            links=_runbook_links(slo.alerts), width=8, height=5,
        ))
    return RowPlan(f"{service.service}: SLO summary", tuple(panels))


def budget_steps(slo: SLOPlan) -> tuple[Step, ...]:
    """Budget-remaining colours: the SLO's budget alert levels when it has them, coloured by severity."""
    levels = sorted((condition[2], a.severity) for a in slo.alerts if a.kind == "budget"
                    if (condition := alert_condition(a.expr)) is not None)
    if not levels:
        return BUDGET_STEPS
    # Below 0 the SLO is missed; each band takes the colour of the alert that fires inside it.
    steps: list[Step] = [(None, "red"), (0.0, SEVERITY_COLOURS[levels[0][1]])]
    for i, (below, _) in enumerate(levels):
        steps.append((below, SEVERITY_COLOURS[levels[i + 1][1]] if i + 1 < len(levels) else "green"))
    return tuple(steps)


def _slo_row(slo: SLOPlan, q: dict[str, str], budget: tuple[Step, ...]) -> RowPlan:
    """The row of one SLO (q: its slo_queries, budget: its budget_steps)."""
    sel, budget_sel = slo_selector(slo), _selector(slo.selector_labels)
    links = _runbook_links(slo.alerts)
    objective = slo.objective / 100
    panels = [
        PanelPlan(kind="timeseries", title=f"{slo.name}: SLI vs objective",
                  queries=(Query(q["sli"], legend(slo.group_by, "SLI (5m)")),
                           Query(q["sli_period"], legend(slo.group_by, f"SLI ({slo.period})"))),
                  unit="percentunit", steps=((None, "red"), (objective, "green")), threshold_lines=True,
                  description=f"Share of good events; the dashed line is the objective "
                              f"({format_number(slo.objective)}%).", links=links, width=6),
        PanelPlan(kind="timeseries", title=f"{slo.name}: error budget remaining ({slo.period})",
                  queries=(Query(q["budget_remaining"], legend(slo.group_by, "budget remaining")),),
                  unit="percentunit",
                  steps=budget, threshold_lines=True, links=links, width=6,
                  description=f"Share of the {slo.period} error budget left; below 0 the SLO is missed."),
    ]
    for severity in ("page", "ticket"):
        alert = next((a for a in slo.alerts if a.kind == f"burn-{severity}"), None)
        pairs = [w for w in slo.windows if w.severity == severity]
        if alert is None or not pairs:
            continue
        windows = sorted({s for w in pairs for s in (w.long_s, w.short_s)})
        colour = SEVERITY_COLOUR[severity]
        panels.append(PanelPlan(
            kind="timeseries", title=f"{slo.name}: burn rate, {severity} windows",
            queries=tuple(Query(_burn_rate_query(window, sel, budget_sel), legend(slo.group_by, f"{window} burn rate"))
                          for window in map(format_duration, windows)),
            unit="suffix:x", steps=((None, "green"), *sorted((w.factor, colour) for w in pairs)),
            threshold_lines=True, description=alert.meaning, links=links, width=6,
        ))
    title = f"SLO {slo.name}: {format_number(slo.objective)}% over {slo.period}"
    if slo.group_by:
        # Grafana repeats the row per value of the first group label; the other labels stay series in it.
        first = slo.group_by[0]
        return RowPlan(f"{title} ({first} ${first})", tuple(panels), repeat=first)
    return RowPlan(title, tuple(panels))


def kpi_steps(kpi: KPIPlan) -> tuple[Step, ...]:
    """Green where no threshold is crossed; elsewhere the colour of the most severe crossed one (`min`/`max`
    red, each of `thresholds` its severity's colour)."""
    values = sorted({b.value for b in kpi.bounds})
    if not values:
        return ((None, "green"),)
    # a step starting at v covers [v, next): `above v` counts as crossed there (Grafana's >=), `below v` does not;
    # the first step covers everything under the lowest value.
    steps: list[Step] = [(None, _colour_at(kpi, values[0], before=True))]
    for value in values:
        colour = _colour_at(kpi, value, before=False)
        if colour != steps[-1][1]:
            steps.append((value, colour))
    return tuple(steps)


_COLOUR_RANK = {"green": 0, "yellow": 1, "orange": 2, "red": 3}


def _colour_at(kpi: KPIPlan, x: float, before: bool) -> str:
    """Colour of the KPI at x (or just under x when `before`)."""
    crossed = [b for b in kpi.bounds
               if (b.direction == "above" and (b.value < x if before else b.value <= x))
               or (b.direction == "below" and (b.value >= x if before else b.value > x))]
    colours = ["red" if not b.level else SEVERITY_COLOURS[b.severity] for b in crossed]
    return max(colours, key=_COLOUR_RANK.__getitem__, default="green")


def _legacy_first(kpi: KPIPlan) -> list[KPIBound]:
    """min, max (the order panel descriptions always had), then the `thresholds` levels."""
    return sorted(kpi.bounds, key=lambda b: (b.level, b.level or b.direction == "above"))


def _kpi_panels(service: ServicePlan, kpi: KPIPlan) -> tuple[PanelPlan, PanelPlan]:
    query = Query(f"{kpi.record}{_selector({'service': service.service, 'kpi': kpi.name})}", kpi.name)
    bounds = ", ".join(f"{b.severity} {b.direction} {format_number(b.value)}" if b.level
                       else f"{'max' if b.direction == 'above' else 'min'} {format_number(b.value)}"
                       for b in _legacy_first(kpi))
    per = f" per {kpi.per}" if kpi.per else ""
    description = f"{kpi.description or kpi.name} ({bounds}{per})"
    stat = PanelPlan(kind="stat", title=kpi.name, queries=(query,), unit=grafana_unit(kpi.unit),
                     steps=kpi_steps(kpi), description=description, links=_runbook_links(kpi.alerts),
                     width=4, height=6)
    return stat, replace(stat, kind="timeseries", title=f"{kpi.name} over time", width=8, threshold_lines=True)


def _anomaly_panel(service: ServicePlan, anomaly: AnomalyPlan) -> PanelPlan:
    sel = _selector({"service": service.service, "anomaly": anomaly.name})
    r = anomaly.records
    z = format_number(anomaly.zscore)
    return PanelPlan(
        kind="timeseries", title=f"{anomaly.name}: value and normal band (mean +/- {z} sigma)",
        # the alert compares the value's average over `average` with the band, so the panel draws that
        queries=(Query(f"avg_over_time({r['value']}{sel}[{anomaly.average}])", f"value ({anomaly.average} average)",
                       "value"),
                 Query(f"{r['mean']}{sel}", f"mean ({anomaly.baseline})", "mean"),
                 Query(f"{r['mean']}{sel} + {z} * {r['stddev']}{sel}", f"mean + {z} sigma", "upper"),
                 Query(f"{r['mean']}{sel} - {z} * {r['stddev']}{sel}", f"mean - {z} sigma", "lower")),
        unit=grafana_unit(anomaly.unit), band=("upper", "lower"),
        description=(anomaly.description or anomaly.name) + f" The alert fires outside the band (|z| > {z}).",
        links=_runbook_links(anomaly.alerts), width=12,
    )


def _spec_panel(panel: UserPanel) -> PanelPlan:
    small = panel.type in ("stat", "gauge")
    return PanelPlan(kind=panel.type, title=panel.title, queries=(Query(panel.query, panel.legend),),
                     unit=grafana_unit(panel.unit), steps=((None, "green"),), description=panel.description,
                     width=6 if small else 12, height=8)


_COMPARISONS = {">": "above", ">=": "above", "<": "below", "<=": "below", "==": "equal"}


def alert_condition(expr: str) -> tuple[str, str, float] | None:
    """`<query> <op> <number>` -> (query, op, number); None for any other shape of alert expr."""
    tree = parse(expr)
    if not isinstance(tree, promql_parser.BinaryExpr) or not isinstance(tree.rhs, promql_parser.NumberLiteral):
        return None
    op = str(tree.op)
    if op not in _COMPARISONS or (tree.modifier is not None and tree.modifier.return_bool):
        return None
    return _unparse(tree.lhs), op, float(tree.rhs.val)


def _unparse(expr: promql_parser.Expr) -> str:
    """PromQL text of a parsed expression, without the `name{}` promql-parser prints for a bare name."""
    text = str(expr)
    tidy = re.sub(r"([A-Za-z0-9_:]){}", r"\1", text)
    # Keep the tidy form only if it means the same thing (a `{}` inside a string literal stays).
    return tidy if parse(tidy).prettify() == expr.prettify() else text


def _count_query(expr: str) -> str:
    """`count(expr) or vector(0)`; a scalar expr (`1`, `time() > bool 0`) is wrapped in vector() first,
    as count() takes only a vector. The parser is the type check: the tree has no result type."""
    counted = f"count({expr}) or vector(0)"
    try:
        parse(counted)
    except ValueError:
        return f"count(vector({expr})) or vector(0)"
    return counted


def _plain_panel(alert: AlertPlan) -> PanelPlan:
    condition = alert_condition(alert.expr)
    base = PanelPlan(kind="stat", title=alert.name, description=f"{alert.summary} Fires when: {alert.expr}",
                     links=_runbook_links((alert,)), width=6, height=6)
    if condition is None:
        # An arbitrary condition: count the series that satisfy it (0 = healthy).
        return replace(base, queries=(Query(_count_query(alert.expr), "matching series"),),
                       steps=((None, "green"), (1, "red")))
    query, op, number = condition
    if _COMPARISONS[op] == "above":
        steps: tuple[Step, ...] = ((None, "green"), (number, "red"))
    elif _COMPARISONS[op] == "below":
        steps = ((None, "red"), (number, "green"))
    else:
        steps = ((None, "green"),)
    value_map = {format_number(number): "red"} if op == "==" else {}
    return replace(base, queries=(Query(query),), steps=steps, value_map=value_map)


def _alerts_row(service: ServicePlan) -> RowPlan:
    matcher = f'service="{service.service}"'
    panels = [
        PanelPlan(kind="stat", title="Alerts firing",
                  queries=(Query(f'count(ALERTS{{{matcher}, alertstate="firing"}}) or vector(0)', "firing"),),
                  steps=((None, "green"), (1, "red")), width=4, height=8,
                  description=f"Alerts of {service.service} firing in Prometheus now."),
        PanelPlan(kind="alertlist", title=f"{service.service} alerts", label_filter="{" + matcher + "}",
                  width=20, height=8, description="Firing and pending alerts carrying this service's label."),
    ]
    panels.extend(_plain_panel(a) for a in service.plain_alerts)
    return RowPlan("Alerts", tuple(panels))
