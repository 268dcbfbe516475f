"""Top-level spec documents: `kind: service` (one per service) and `kind: platform` (at most one)."""


from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, field_validator, model_validator

from agentops_gen.spec.common import Duration, Labels, Line, Name, Period, PositiveDuration, SpecModel, Url
from agentops_gen.spec.dashboard import Dashboard
from agentops_gen.spec.outputs import MimirOutput, PrometheusRuleSwitch, PrometheusSettings, ThanosOutput
from agentops_gen.spec.routing import MIN_ALERTMANAGER, GroupBy, Notify, Receiver, version_tuple
from agentops_gen.spec.signals import KPI, Anomaly, PlainAlert
from agentops_gen.spec.slo import SLO
from agentops_gen.spec.telemetry import Telemetry
from agentops_gen.spec.timeintervals import check_location, minutes_of_day, weekday_range

VERSION = "agentops-gen/v1"


class ServiceSpec(SpecModel):
    """One service's SLOs, KPIs, anomalies, alerts, routing and telemetry."""

    version: Literal["agentops-gen/v1"]
    """Spec language version; `agentops-gen/v1` is the only one."""
    kind: Literal["service"] = "service"
    """`service` (one file per service) or `platform` (at most one file per folder)."""
    service: Name
    """Service name, unique across the folder; every generated series and alert carries it as `service="..."`."""
    owner: Name
    """Owning team (same charset as names); becomes the `team` label and the Grafana folder."""
    description: str | None = None
    """Free text about the service; shown on its dashboard and runbook index."""
    period: Period = "30d"
    """Default SLO period (a Prometheus duration such as `28d`); an SLO may set its own."""
    labels: Labels = {}
    """Labels added to every generated rule and alert; `service`, `team`, `slo` and `severity` are reserved."""
    runbook_base_url: Url | None = None
    """Base of each alert's `runbook_url` (base + `/<service>/<Alert>.md`); without it the path is relative to
    `out/runbooks/` and not clickable in chat (lint warns: `alerting/relative-runbook-url`)."""
    dashboard_base_url: Url | None = None
    """Grafana base URL; every alert gets a `dashboard_url` annotation linking the service's dashboard."""
    slos: list[SLO] = []
    """Service level objectives: each gets recording rules, burn-rate alerts, tests, panels and runbooks."""
    kpis: list[KPI] = []
    """Threshold alerts on a PromQL value (cost per task, p95 latency, queue depth)."""
    anomalies: list[Anomaly] = []
    """Z-score detectors: alert when a value drifts far from its own mean over a baseline."""
    alerts: list[PlainAlert] = []
    """Plain alerts the platform already has, rendered as given plus the service's labels."""
    notify: Notify = Notify()
    """Which receivers each severity goes to (the service's Alertmanager routes)."""
    receivers: dict[Name, Receiver] = {}
    """Receivers of this service by name: Alertmanager integrations (Slack, PagerDuty, email...)."""
    telemetry: Telemetry | None = None
    """The OpenTelemetry Collector pipeline of the service (one collector config per service)."""
    dashboard: Dashboard = Dashboard()
    """Extra Grafana panels beside the generated ones."""


class TimeRange(SpecModel):
    """A daily time range, `HH:MM` to `HH:MM` (end exclusive, `24:00` allowed), as in Alertmanager."""

    start_time: str
    """Start, `HH:MM` (inclusive)."""
    end_time: str
    """End, `HH:MM` (exclusive; `24:00` allowed)."""

    @field_validator("start_time", "end_time")
    @classmethod
    def _clock(cls, value: str) -> str:
        minutes_of_day(value)
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if minutes_of_day(self.start_time) >= minutes_of_day(self.end_time):
            raise ValueError(f"start_time {self.start_time} must be before end_time {self.end_time}")
        return self


def _weekdays(value: str) -> str:
    weekday_range(value)
    return value


Weekdays = Annotated[str, AfterValidator(_weekdays)]


class BusinessHours(SpecModel):
    """Working hours; ticket-level routes are muted outside them."""

    weekdays: list[Weekdays] = ["monday:friday"]
    """Day ranges (`monday:friday`, `saturday`)."""
    times: list[TimeRange] = [TimeRange(start_time="09:00", end_time="17:00")]
    """Time ranges of each listed day."""
    location: Line = "UTC"
    """IANA time zone of the ranges (e.g. `Europe/Berlin`)."""

    @field_validator("location")
    @classmethod
    def _location(cls, value: str) -> str:
        check_location(value)
        return value


def _am_version(value: str) -> str:
    if version_tuple(value) < MIN_ALERTMANAGER:
        raise ValueError(f"Alertmanager {value} is not supported; the oldest supported version is "
                         f"{'.'.join(map(str, MIN_ALERTMANAGER))}")
    return value


class AlertmanagerSettings(SpecModel):
    """Global Alertmanager settings (platform file)."""

    version: Annotated[str, AfterValidator(_am_version)] = Field(default="0.25", pattern=r"^0\.\d+$")
    """Alertmanager version the config targets (`0.25` or newer): newer keys are refused for older targets."""
    resolve_timeout: Duration = "5m"
    """Alertmanager's `global.resolve_timeout`."""
    receiver: Name | None = None
    """Root receiver (a platform receiver) for alerts no service route matches; unset: one that only shows them."""
    group_by: GroupBy = ["alertname", "service", "slo"]
    """Labels alerts are grouped by (`...`: every label)."""
    group_wait: Duration = "30s"
    """Wait before the first notification of a new group."""
    group_interval: PositiveDuration = "5m"
    """Wait before notifying about new alerts of a group already notified."""
    repeat_interval: PositiveDuration = "4h"
    """Wait before repeating a notification that is still firing."""
    business_hours: BusinessHours | None = None
    """Working hours; warning and info routes are muted outside them."""
    templates: list[Line] = []
    """Extra notification template files (paths as Alertmanager sees them)."""


class Outputs(SpecModel):
    """Optional outputs switched on for every service."""

    prometheus_rule: PrometheusRuleSwitch = None
    """`true`, or the PrometheusRule metadata (namespace, labels, annotations), which also switches it on."""
    mimir: MimirOutput | None = None
    """Files for `mimirtool rules load` and `mimirtool alertmanager load` (out/mimir/)."""
    thanos: ThanosOutput | None = None
    """Thanos ruler files with `partial_response_strategy` (out/thanos/)."""
    rule_tests: bool = True
    """Write the generated promtool unit tests (`out/prometheus/tests/`)."""
    no_data_alerts: bool = True
    """`false` drops every SLO's and KPI's no-data alert (absent series)."""
    backfill: bool = False
    """Write backfill rule files (`out/prometheus/backfill/`): the records the long windows, the period and the
    anomaly baselines read, for `promtool tsdb create-blocks-from rules` once after a first deploy."""


class PlatformSpec(SpecModel):
    """Platform-wide settings (`kind: platform`)."""

    version: Literal["agentops-gen/v1"]
    """Spec language version; `agentops-gen/v1` is the only one."""
    kind: Literal["platform"]
    """Must be `platform` for the platform file."""
    description: str | None = None
    """Free text about the platform."""
    labels: Labels = {}
    """Labels added to every generated rule of every service; `service`, `team`, `slo` and `severity` are reserved."""
    grafana_url: Url | None = None
    """Grafana base URL, used for dashboard links when a service sets no `dashboard_base_url`."""
    alertmanager: AlertmanagerSettings = AlertmanagerSettings()
    """Global Alertmanager settings: version, root receiver, grouping, timing, business hours."""
    prometheus: PrometheusSettings = PrometheusSettings()
    """Rule-file settings: `max_rules_per_group` (Mimir and Cortex refuse groups of more than 20 by default)."""
    receivers: dict[Name, Receiver] = {}
    """Platform-wide receivers by name (the root `alertmanager.receiver`, shared on-call); services may name them in
    `notify`."""
    outputs: Outputs = Outputs()
    """Optional outputs switched on or off for every service."""
