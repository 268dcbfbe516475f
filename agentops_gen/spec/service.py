"""Top-level spec documents: `kind: service` (one per service) and `kind: platform` (at most one)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from agentops_gen.spec.common import Duration, Labels, Name, SpecModel, Url
from agentops_gen.spec.dashboard import Dashboard
from agentops_gen.spec.routing import Notify, Receiver
from agentops_gen.spec.signals import KPI, Anomaly, PlainAlert
from agentops_gen.spec.slo import SLO
from agentops_gen.spec.telemetry import Telemetry

VERSION = "agentops-gen/v1"


class ServiceSpec(SpecModel):
    """One service's SLOs, KPIs, anomalies, alerts, routing and telemetry."""

    version: Literal["agentops-gen/v1"]
    kind: Literal["service"] = "service"
    service: Name
    owner: Name
    description: str | None = None
    period: Duration = "30d"
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


class BusinessHours(SpecModel):
    """Working hours; ticket-level routes are muted outside them."""

    weekdays: list[str] = ["monday:friday"]
    times: list[dict[str, str]] = [{"start_time": "09:00", "end_time": "17:00"}]
    location: str = "UTC"


class AlertmanagerSettings(SpecModel):
    """Global Alertmanager settings (platform file)."""

    version: str = Field(default="0.25", pattern=r"^0\.\d+$")
    resolve_timeout: Duration = "5m"
    receiver: Name | None = None
    group_by: list[str] = ["alertname", "service", "slo"]
    group_wait: Duration = "30s"
    group_interval: Duration = "5m"
    repeat_interval: Duration = "4h"
    business_hours: BusinessHours | None = None
    templates: list[str] = []


class Outputs(SpecModel):
    """Optional outputs switched on for every service."""

    prometheus_rule: bool = False
    rule_tests: bool = True


class PlatformSpec(SpecModel):
    """Platform-wide settings (`kind: platform`)."""

    version: Literal["agentops-gen/v1"]
    kind: Literal["platform"]
    description: str | None = None
    labels: Labels = {}
    grafana_url: Url | None = None
    alertmanager: AlertmanagerSettings = AlertmanagerSettings()
    receivers: dict[Name, Receiver] = {}
    outputs: Outputs = Outputs()
