"""Every generated name, in one place: record names, alert names, groups, runbook paths, uids.

Record names use the metric-name charset, so kebab-case spec names become snake_case.
"""

from __future__ import annotations

import hashlib

SLI_ERROR_RECORD = "slo:sli_error:ratio_rate{window}"
BAD_EVENTS_RECORD = "slo:sli_bad_events:rate{window}"
EVENTS_RECORD = "slo:sli_events:rate{window}"
OBJECTIVE_RECORD = "slo:objective:ratio"
ERROR_BUDGET_RECORD = "slo:error_budget:ratio"
PERIOD_DAYS_RECORD = "slo:time_period:days"
CURRENT_BURN_RECORD = "slo:current_burn_rate:ratio"
PERIOD_BURN_RECORD = "slo:period_burn_rate:ratio"
BUDGET_REMAINING_RECORD = "slo:period_error_budget_remaining:ratio"
SLO_INFO_RECORD = "slo:info:labels"
"""Renamed in issue 15 (docs/scale-out.md): `mimirtool rules check` wants a colon in every record name."""


def snake(name: str) -> str:
    """kebab-case spec name -> snake_case metric-name part (cost-per-task -> cost_per_task)."""
    return name.replace("-", "_")


def camel(name: str) -> str:
    """kebab-case -> CamelCase (support-agent -> SupportAgent)."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("-") if part)


def sli_error_record(window: str) -> str:
    """Recorded error ratio of an SLO over one window (shared shape with Sloth)."""
    return SLI_ERROR_RECORD.format(window=window)


def bad_events_record(window: str) -> str:
    """Recorded failed events per second of an SLO over one alert window (the minimum-traffic clause)."""
    return BAD_EVENTS_RECORD.format(window=window)


def events_record(window: str) -> str:
    """Recorded events per second of an SLO over one window (the traffic weights of the period ratio)."""
    return EVENTS_RECORD.format(window=window)


def shared_rate_record(series: str, window: str) -> str:
    """Per-window rate of a counter that several SLOs of a service read: agentops:<metric>:rate<window>."""
    return f"agentops:{series.split('{', 1)[0]}:rate{window}"


def kpi_record(kpi: str) -> str:
    """Recorded value of a KPI: kpi:<name>:value."""
    return f"kpi:{snake(kpi)}:value"


def anomaly_record(anomaly: str, what: str) -> str:
    """Recorded series of an anomaly detector (value, mean, stddev, zscore, value_coarse)."""
    return f"anomaly:{snake(anomaly)}:{what}"


def burn_alert(service: str, slo: str, severity: str, override: str | None = None) -> str:
    """Page/ticket burn-rate alert names differ, so each gets its own runbook."""
    base = override[:1].upper() + override[1:] if override else f"{camel(service)}{camel(slo)}"
    return f"{base}BurnRate{severity.capitalize()}" if not override else f"{base}{severity.capitalize()}"


def outage_alert(service: str, slo: str) -> str:
    """Fast full-outage page of an SLO."""
    return f"{camel(service)}{camel(slo)}Outage"


def no_data_alert(service: str, subject: str) -> str:
    """Alert on an SLO's or KPI's series being absent."""
    return f"{camel(service)}{camel(subject)}NoData"


def budget_alert(service: str, slo: str, below: float) -> str:
    """Error-budget-remaining alert of one threshold."""
    return f"{camel(service)}{camel(slo)}ErrorBudgetBelow{_num(below)}"


def kpi_alert(service: str, kpi: str, bound: str) -> str:
    """KPI threshold alert: ...AboveMax or ...BelowMin."""
    return f"{camel(service)}{camel(kpi)}{'AboveMax' if bound == 'max' else 'BelowMin'}"


def kpi_level_alert(service: str, kpi: str, direction: str, severity: str) -> str:
    """Alert of one entry of a KPI's `thresholds`: ...AboveWarning, ...BelowCritical (stable when tuned)."""
    return f"{camel(service)}{camel(kpi)}{direction.capitalize()}{severity.capitalize()}"


def anomaly_alert(service: str, anomaly: str) -> str:
    """Anomaly (z-score) alert."""
    return f"{camel(service)}{camel(anomaly)}Anomaly"


def rule_group(service: str, part: str) -> str:
    """Prometheus rule group name."""
    return f"agentops-{service}-{part}"


def runbook_path(service: str, alert: str) -> str:
    """Runbook file of an alert, relative to the runbooks folder."""
    return f"{service}/{alert}.md"


def runbook_url(base: str | None, service: str, alert: str) -> str:
    """`runbook_url` annotation: base + /<service>/<Alert>.md, or the relative path without a base."""
    path = runbook_path(service, alert)
    return f"{base}/{path}" if base else path


DASHBOARD_UID_MAX = 40
"""Grafana refuses longer dashboard uids."""


def dashboard_uid(service: str) -> str:
    """Stable Grafana dashboard uid: `agentops-<service>` when it fits in 40 characters, else a prefix of it
    plus `_` and a hash of the whole name: two long names with a common prefix never share a uid, and no
    short name (kebab-case, no `_`) can equal a hashed one."""
    uid = f"agentops-{service}"
    if len(uid) <= DASHBOARD_UID_MAX:
        return uid
    digest = hashlib.sha256(service.encode()).hexdigest()[:8]
    return f"{uid[: DASHBOARD_UID_MAX - len(digest) - 1]}_{digest}"  # `_`: never in a spec name


def rules_file(service: str) -> str:
    """Rules file of a service under out/."""
    return f"prometheus/{service}.rules.yaml"


def backfill_file(service: str, level: int) -> str:
    """Backfill rules of one level of a service under out/ (in a folder of its own: never loaded as rules)."""
    return f"prometheus/backfill/{service}.level-{level}.rules.yaml"


def _num(value: float) -> str:
    text = f"{value:g}"
    return text.replace(".", "_")


ALERTMANAGER_CONFIG = "alertmanager/alertmanager.yml"
ALERTMANAGER_TEMPLATE = "alertmanager/templates/agentops.tmpl"
ALERTMANAGER_TEMPLATE_REF = "templates/agentops.tmpl"
"""How alertmanager.yml names the template file: Alertmanager resolves it against the config's folder."""
DEFAULT_RECEIVER = "agentops-default"
"""Root receiver when the platform file names none: no integration, so unknown services' alerts are only shown."""
OUTSIDE_BUSINESS_HOURS = "outside-business-hours"


def receiver(service: str | None, name: str) -> str:
    """Alertmanager receiver name: `<service>-<name>` for a service's own receiver, `name` for the platform's."""
    return f"{service}-{name}" if service else name
