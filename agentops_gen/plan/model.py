"""The normalized plan: what every target renders, computed once from the specs."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from agentops_gen.plan.windows import BurnWindow


@dataclass(frozen=True)
class Rule:
    """One Prometheus rule (recording when `record` is set, alerting when `alert` is set)."""

    expr: str
    record: str | None = None
    alert: str | None = None
    for_: str | None = None
    keep_firing_for: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)

    def written_labels(self) -> dict[str, str]:
        """Labels as the rule file holds them: Prometheus expands an alert's labels as Go templates, so
        `{{` in a label value is escaped there and the alert carries the literal text (`labels` keeps it)."""
        if self.alert is None:
            return self.labels
        from agentops_gen.plan.text import go_template_literal

        return {key: go_template_literal(value) for key, value in self.labels.items()}


@dataclass(frozen=True)
class RuleGroup:
    """A Prometheus rule group; `interval` only when it differs from the global evaluation interval."""

    name: str
    rules: tuple[Rule, ...]
    interval: str | None = None


@dataclass(frozen=True)
class AlertPlan:
    """Everything about one generated alert that rules, routes, runbooks and tests need."""

    name: str
    kind: str  # burn-page | burn-ticket | outage | budget | kpi | anomaly | plain
    severity: str
    subject: str  # the SLO, KPI, anomaly or alert name it belongs to
    expr: str
    for_: str | None
    summary: str
    description: str
    runbook_url: str
    runbook_path: str
    first_checks: str | None
    labels: dict[str, str]
    meaning: str
    """What firing means, in the user's terms (budget math spelled out)."""
    rule: Rule


@dataclass(frozen=True)
class SLOPlan:
    """One SLO with its windows, thresholds and record names resolved."""

    name: str
    description: str
    objective: float
    error_budget: float
    period_s: int
    period: str
    sli_kind: str
    windows: tuple[BurnWindow, ...]
    unreachable: tuple[BurnWindow, ...]
    """Window pairs dropped because factor x budget >= 1 (an error ratio above 100% never happens)."""
    record_windows: tuple[str, ...]
    error_ratio_template: str
    selector_labels: dict[str, str]
    alerts: tuple[AlertPlan, ...]
    runbook: str | None
    bad_event_windows: tuple[str, ...] = ()
    """Windows of the recorded failed-event rates (the minimum-traffic clauses read them)."""
    min_bad_events: dict[str, int] = field(default_factory=dict)
    """page / ticket / outage -> failed events its alert needs in its window (0: no minimum)."""
    group_by: tuple[str, ...] = ()
    """Labels that make this one SLO per label value; every recorded series and alert carries them."""


@dataclass(frozen=True)
class KPIPlan:
    """A KPI and its bounds."""

    name: str
    description: str
    query: str
    record: str
    unit: str
    per: str | None
    min: float | None
    max: float | None
    alerts: tuple[AlertPlan, ...]


@dataclass(frozen=True)
class AnomalyPlan:
    """An anomaly detector and its recorded series."""

    name: str
    description: str
    query: str
    zscore: float
    baseline: str
    unit: str
    records: dict[str, str]
    alerts: tuple[AlertPlan, ...]


@dataclass(frozen=True)
class ServicePlan:
    """Everything generated for one service."""

    service: str
    team: str
    description: str
    source: str
    labels: dict[str, str]
    slos: tuple[SLOPlan, ...]
    kpis: tuple[KPIPlan, ...]
    anomalies: tuple[AnomalyPlan, ...]
    plain_alerts: tuple[AlertPlan, ...]
    groups: tuple[RuleGroup, ...]
    spec: Any
    """The validated ServiceSpec, for targets that pass user sections through (receivers, telemetry)."""

    @property
    def alerts(self) -> tuple[AlertPlan, ...]:
        """Every alert of the service, in rule-file order."""
        out: list[AlertPlan] = []
        for slo in self.slos:
            out.extend(slo.alerts)
        for kpi in self.kpis:
            out.extend(kpi.alerts)
        for anomaly in self.anomalies:
            out.extend(anomaly.alerts)
        out.extend(self.plain_alerts)
        return tuple(out)

    @cached_property
    def _slo_index(self) -> dict[str, tuple[SLOPlan, Any]]:
        # One dict per service instead of a scan per lookup: targets look SLOs up once per alert,
        # and a scan each time made a 2,000-SLO render quadratic. Names are unique (validated).
        specs = {s.name: s for s in getattr(self.spec, "slos", ())}
        return {s.name: (s, specs.get(s.name)) for s in self.slos}

    def slo_named(self, name: str) -> SLOPlan | None:
        """The SLO plan of that name, or None."""
        found = self._slo_index.get(name)
        return found[0] if found else None

    def spec_slo(self, name: str) -> Any:
        """The validated spec SLO (spec.slo.SLO) behind the SLO plan of that name."""
        return self._slo_index[name][1]


@dataclass(frozen=True)
class Plan:
    """The plan of a spec folder: every service plus platform settings."""

    services: tuple[ServicePlan, ...]
    platform: Any
    """The validated PlatformSpec, or None when the folder has no platform file."""
