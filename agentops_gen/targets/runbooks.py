"""Runbooks: out/runbooks/<service>/<AlertName>.md for every generated alert, and a README.md index."""

from __future__ import annotations

import re
import shlex

from agentops_gen.plan.model import AlertPlan, KPIBound, Plan, ServicePlan, SLOPlan
from agentops_gen.plan.text import (
    ESCAPED_OPEN,
    human_duration,
    people_number,
    people_percent,
    period_span,
    period_words,
)
from agentops_gen.plan.windows import BurnWindow, burn_threshold, exhaustion_seconds, format_number
from agentops_gen.targets.jinja import environment, render_template
from agentops_gen.units import names
from agentops_gen.units.record import record

SEVERITIES = ("critical", "warning", "info")
KIND_WORDS = {
    "burn-page": "error budget burning fast (page)",
    "burn-ticket": "error budget burning steadily (ticket)",
    "outage": "outage (almost every event failing)",
    "budget": "error budget running out",
    "no-data": "no data (the series it reads are absent)",
    "kpi": "KPI out of bounds",
    "anomaly": "anomaly (z-score)",
    "plain": "platform alert",
}
EVENT_WORDS = {"ratio": "failing", "latency": "slower than the objective's threshold",
               "score": "scoring at or below the objective's bar", "raw": "counted as bad by the SLI query"}
SILENCE_FOR = {"critical": "1h", "warning": "4h", "info": "24h"}
"""Suggested silence length: long enough to work the incident, short enough not to hide the next one."""
SLO_KINDS = frozenset({"burn-page", "burn-ticket", "outage", "budget", "no-data"})
_THRESHOLD = re.compile(r"<\s*([0-9.eE+-]+)\s*$")
_LABEL_TEMPLATE = re.compile(r"\{\{\s*\$labels\.(\w+)\s*\}\}")
_ANY_TEMPLATE = re.compile(r"\{\{.*?\}\}")


def untemplate(text: str) -> str:
    """Alert text without Prometheus templating: `{{ $labels.instance }}` -> `<instance>`, values -> `(value)`."""
    kept = text.replace(ESCAPED_OPEN, "\x00")  # user text's own `{{`, escaped by go_template_literal
    return _ANY_TEMPLATE.sub("(value)", _LABEL_TEMPLATE.sub(r"<\1>", kept)).replace("\x00", "{{")


@record
class Runbook:
    """Everything one runbook page shows, with the math done."""

    alert: AlertPlan
    service: str
    team: str
    source: str
    kind_words: str
    headline: str
    slo: SLOPlan | None
    meaning: str
    budget_math: tuple[str, ...]
    impact: str
    sli_query: str | None
    dashboard_url: str
    silence: str
    receivers: tuple[str, ...]
    group_by: tuple[str, ...] = ()
    """The SLO's group labels: the alert is about the group its labels name."""
    group_query: str | None = None
    """The recorded 5m error ratio of one group, `<label>` placeholders to fill from the alert."""


def runbook_file(alert: AlertPlan) -> str:
    """Runbook of an alert under out/ (the path its `runbook_url` ends with)."""
    return f"runbooks/{alert.runbook_path}"


def index_file(service: str) -> str:
    """Index of a service's runbooks under out/."""
    return f"runbooks/{service}/README.md"


def headline(alert: AlertPlan, bound: KPIBound | None = None) -> str:
    """One plain line about the alert (summaries may hold Prometheus templates, so they are not reused)."""
    if alert.kind == "kpi" and bound is not None and bound.level:
        return f"{alert.subject} {bound.direction} its {bound.severity} threshold"
    if alert.kind == "kpi":
        return f"{alert.subject} {'above its maximum' if alert.name.endswith('AboveMax') else 'below its minimum'}"
    if alert.kind == "plain":
        return untemplate(alert.summary)
    return f"{alert.subject}: {KIND_WORDS[alert.kind].split(' (')[0]}"


@record
class PairWords:
    """One window pair of a burn alert as its runbook spells it (budget math and impact both read it)."""

    window: BurnWindow
    long: str
    short: str
    factor: str
    """The burn rate rounded for people (14.4)."""
    budget_gone: str
    """How long the period's budget lasts at that burn rate (2d2h)."""


def pair_words(alert: AlertPlan, slo: SLOPlan) -> tuple[PairWords, ...]:
    """The window pairs of a burn alert, each formatted once (none for other alerts)."""
    if not alert.kind.startswith("burn-"):
        return ()
    severity = alert.kind.removeprefix("burn-")
    return tuple(PairWords(w, w.long, w.short, people_number(w.factor),
                           human_duration(exhaustion_seconds(w.factor, slo.period_s)))
                 for w in slo.windows if w.severity == severity)


def budget_math(alert: AlertPlan, slo: SLOPlan, pairs: tuple[PairWords, ...] | None = None) -> tuple[str, ...]:
    """The error-budget arithmetic behind an SLO alert, one sentence per fact (pairs: its pair_words)."""
    words = period_words(slo.period_s)
    if alert.kind == "no-data":
        return ()
    lines = [f"The {slo.name} SLO is {format_number(slo.objective)}% over {period_span(slo.period_s)}, so its "
             f"{words} error budget is {people_percent(slo.error_budget)} of events."]
    if alert.kind.startswith("burn-"):
        for p in pair_words(alert, slo) if pairs is None else pairs:
            w = p.window
            lines.append(
                f"Burn rate {p.factor}x: the error ratio is above "
                f"{people_percent(burn_threshold(w.factor, slo.error_budget))} ({p.factor} x "
                f"{people_percent(slo.error_budget)}) over both the last {p.long} and the last {p.short}. At this "
                f"rate the {words} budget is gone in {p.budget_gone}; "
                f"{people_number(w.budget_percent)}% of it is spent by the time the {p.long} window fires.")
    elif alert.kind == "outage":
        lines.append(f"A full outage spends the whole {words} budget in "
                     f"{human_duration(slo.error_budget * slo.period_s)}.")
    elif alert.kind == "budget":
        match = _THRESHOLD.search(alert.expr)
        if match:
            left = float(match.group(1))
            lines.append(f"Less than {people_percent(left)} of the budget is left: over the last "
                         f"{period_span(slo.period_s)} the error ratio averaged more than "
                         f"{people_percent((1 - left) * slo.error_budget)}.")
    return tuple(lines)


def impact(alert: AlertPlan, slo: SLOPlan | None, service: ServicePlan,
           pairs: tuple[PairWords, ...] | None = None) -> str:
    """What users feel while the alert fires (pairs: the alert's pair_words)."""
    about = f" ({slo.description.rstrip('.')})" if slo and slo.description else ""
    if alert.kind.startswith("burn-") and slo:
        bad = EVENT_WORDS.get(slo.sli_kind, "failing")
        words = period_words(slo.period_s)
        cases = "; ".join(
            f"if the {p.long}/{p.short} pair fired, more than {people_percent(p.window.factor * slo.error_budget)} "
            f"of events are {bad} ({p.factor}x the rate the objective allows) and the "
            f"{words} budget is gone within {p.budget_gone} if nothing changes"
            for p in (pair_words(alert, slo) if pairs is None else pairs))
        return (f"{slo.name}{about} is missing its objective for many users: {cases}. The alert's description "
                "gives the error ratio now; the dashboard shows which pair is over its line.")
    if alert.kind == "outage" and slo:
        if slo.sli_kind == "latency":
            return (f"{slo.name}{about} is too slow for almost everyone: requests of {service.service} still get "
                    "answers, but almost none within the objective's threshold.")
        return f"{slo.name}{about} is failing for almost everyone: users of {service.service} get errors."
    if alert.kind == "no-data":
        return (f"Nothing is known about {alert.subject} of {service.service}: its dashboards are empty and its "
                "other alerts cannot fire, whatever users experience. The service may be fine (a renamed metric) "
                "or fully down (scrape target gone).")
    if alert.kind == "budget" and slo:
        return (f"Little room is left for failures of {slo.name}{about} this period: one more incident may miss "
                "the SLO. Slow down releases and risky changes until the budget recovers.")
    if alert.kind == "kpi":
        return (f"The {alert.subject} KPI of {service.service} is outside the bound its owners agreed on: users may "
                "not notice yet, but the KPI contract is broken while this fires.")
    if alert.kind == "anomaly":
        return (f"{alert.subject} behaves unlike its own recent past: often the first sign of a model, prompt, "
                "traffic or cost change, before any SLO moves.")
    return f"A platform check of {service.service} failed: {untemplate(alert.summary)}"


def dashboard_url(service: ServicePlan, plan: Plan) -> str:
    """The service's Grafana dashboard; a bare `/d/<uid>` path when no Grafana URL is known."""
    return f"{service.dashboard_base_url}/d/{names.dashboard_uid(service.service)}"


def silence_command(alert: AlertPlan, service: str, group_by: tuple[str, ...] = ()) -> str:
    """amtool command that silences exactly this alert of this service (of one group: its labels from the shell,
    `MODEL=gpt-4o amtool ...`, and the command refuses to run without them)."""
    comment = f"{alert.name}: acknowledged, see runbook {alert.runbook_path}"
    groups = "".join(f' {label}="${{{label.upper()}:?set {label.upper()} to the alert\'s {label} label}}"'
                     for label in group_by)
    return (f"amtool silence add alertname={shlex.quote(alert.name)} service={shlex.quote(service)}{groups} "
            f"--comment={shlex.quote(comment)} --duration={SILENCE_FOR.get(alert.severity, '2h')}")


def _bound(alert: AlertPlan, service: ServicePlan) -> KPIBound | None:
    kpi = next((k for k in service.kpis if k.name == alert.subject), None) if alert.kind == "kpi" else None
    return kpi.bound_of(alert.name) if kpi else None


def group_query(slo: SLOPlan) -> str | None:
    """`slo:sli_error:ratio_rate5m{service=..., slo=..., model="<model>"}`: one group's recorded error ratio."""
    if not slo.group_by:
        return None
    matchers = [f'{k}="{v}"' for k, v in slo.selector_labels.items()] + [f'{g}="<{g}>"' for g in slo.group_by]
    return f"{names.sli_error_record('5m')}{{{', '.join(matchers)}}}"


def plan_runbook(alert: AlertPlan, service: ServicePlan, plan: Plan) -> Runbook:
    """Resolve the numbers and links of one alert's runbook."""
    slo = service.slo_named(alert.subject) if alert.kind in SLO_KINDS else None
    pairs = pair_words(alert, slo) if slo else ()  # budget math and impact spell the same windows
    return Runbook(
        alert=alert, service=service.service, team=service.team, source=service.source,
        kind_words=KIND_WORDS[alert.kind], headline=headline(alert, _bound(alert, service)), slo=slo,
        meaning=untemplate(alert.meaning), budget_math=budget_math(alert, slo, pairs) if slo else (),
        impact=impact(alert, slo, service, pairs),
        sli_query=slo.error_ratio_template.replace("{{ window }}", "5m") if slo and alert.kind != "no-data" else None,
        dashboard_url=dashboard_url(service, plan),
        silence=silence_command(alert, service.service, slo.group_by if slo else ()),
        receivers=service.notify.get(alert.severity, ()),
        group_by=slo.group_by if slo else (), group_query=group_query(slo) if slo else None,
    )


def render_service(service: ServicePlan, plan: Plan) -> dict[str, str]:
    """One runbook per alert of a service, plus its index."""
    books = [plan_runbook(a, service, plan) for a in service.alerts]
    page = environment().get_template("runbooks/runbook.md.j2")  # looked up (and its file stat'ed) once, not per alert
    files = {runbook_file(b.alert): page.render(r=b) for b in books}
    by_severity = [(sev, [b for b in books if b.alert.severity == sev]) for sev in SEVERITIES]
    files[index_file(service.service)] = render_template(
        "runbooks/index.md.j2", service=service, by_severity=[(s, bs) for s, bs in by_severity if bs],
        dashboard_url=dashboard_url(service, plan))
    return files


def render(plan: Plan) -> dict[str, str]:
    """Runbooks of every service."""
    files: dict[str, str] = {}
    for service in plan.services:
        files.update(render_service(service, plan))
    return files
