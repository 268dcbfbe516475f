"""Top-level spec documents: `kind: service` (one per service) and `kind: platform` (at most one)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from agentops_gen.spec.common import Duration, Labels, Line, Name, PositiveDuration, SpecModel, Url
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
    kind: Literal["service"] = "service"
    service: Name
    owner: Name
    description: str | None = None
    period: PositiveDuration = "30d"
    labels: Labels = {}
    runbook_base_url: Url | None = None
    dashboard_base_url: Url | None = None
    slos: list[SLO] = []
    kpis: list[KPI] = []
    anomalies: list[Anomaly] = []
    alerts: list[PlainAlert] = []
    notify: Notify = Notify()
    receivers: dict[Name, Receiver] = {}
    telemetry: Telemetry | None = None
    dashboard: Dashboard = Dashboard()


class TimeRange(SpecModel):
    """A daily time range, `HH:MM` to `HH:MM` (end exclusive, `24:00` allowed), as in Alertmanager."""

    start_time: str
    end_time: str

    @field_validator("start_time", "end_time")
    @classmethod
    def _clock(cls, value: str) -> str:
        minutes_of_day(value)
        return value

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
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
    times: list[TimeRange] = [TimeRange(start_time="09:00", end_time="17:00")]
    location: Line = "UTC"

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
    resolve_timeout: Duration = "5m"
    receiver: Name | None = None
    group_by: GroupBy = ["alertname", "service", "slo"]
    group_wait: Duration = "30s"
    group_interval: PositiveDuration = "5m"
    repeat_interval: PositiveDuration = "4h"
    business_hours: BusinessHours | None = None
    templates: list[Line] = []


class Outputs(SpecModel):
    """Optional outputs switched on for every service."""

    prometheus_rule: PrometheusRuleSwitch = None
    """`true`, or the PrometheusRule metadata (namespace, labels, annotations), which also switches it on."""
    mimir: MimirOutput | None = None
    thanos: ThanosOutput | None = None
    rule_tests: bool = True
    no_data_alerts: bool = True
    """`false` drops every SLO's and KPI's no-data alert (absent series)."""


class PlatformSpec(SpecModel):
    """Platform-wide settings (`kind: platform`)."""

    version: Literal["agentops-gen/v1"]
    kind: Literal["platform"]
    description: str | None = None
    labels: Labels = {}
    grafana_url: Url | None = None
    alertmanager: AlertmanagerSettings = AlertmanagerSettings()
    prometheus: PrometheusSettings = PrometheusSettings()
    receivers: dict[Name, Receiver] = {}
    outputs: Outputs = Outputs()
