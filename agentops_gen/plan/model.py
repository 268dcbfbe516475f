"""The normalized plan: what every target renders, computed once from the specs."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from agentops_gen.plan.platform import PlatformPlan
from agentops_gen.plan.windows import BurnWindow
from agentops_gen.units.record import record

if TYPE_CHECKING:
    from agentops_gen.plan.collector import CollectorPlan


@record
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


@record
class RuleGroup:
    """A Prometheus rule group; `interval` only when it differs from the global evaluation interval."""

    name: str
    rules: tuple[Rule, ...]
    interval: str | None = None


@record
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
class RatioInputs:
    """A ratio SLI's selectors as written: `errors` or `good`, and the totals (summed when several)."""

    errors: str | None
    good: str | None
    totals: tuple[str, ...]


@dataclass(frozen=True)
class HistogramInputs:
    """A latency or score SLI: the histogram's base name and the bucket bound (threshold in seconds, or `above`)."""

    histogram: str
    bound: float


@dataclass(frozen=True)
class RawInputs:
    """A raw SLI's queries, `{{ window }}` placeholder included."""

    error_ratio: str
    events: str | None


@record
class SLIPlan:
    """What an SLI reads, for the tests that feed it synthetic series; exactly one of the four kinds is set."""

    ratio: RatioInputs | None
    latency: HistogramInputs | None
    score: HistogramInputs | None
    raw: RawInputs | None
    counters: tuple[str, ...]
    """The counter series it takes rate() of, as its rules write them (empty for raw)."""
    watched: tuple[str, ...]
    """Selectors whose absence blinds it (what its no-data alert watches)."""


@record
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
    sli: SLIPlan = field(kw_only=True)
    labels: dict[str, str] = field(kw_only=True)
    """The SLO's own `labels:` as written (the service's and the generated ones are not in it)."""
    outage_window: str = field(kw_only=True)
    outage_error_ratio: float = field(kw_only=True)
    no_data_window: str | None = field(kw_only=True)
    """`alerting.no_data.window` as written (None: the default)."""
    budget_thresholds: tuple[float, ...] = field(kw_only=True)
    """`alerting.budget[].below` in percent, as written."""
    group_by: tuple[str, ...] = ()
    """Labels that make this one SLO per label value; every recorded series and alert carries them."""
    summed_windows: tuple[str, ...] = ()
    """Windows whose error ratio and failed events are summed from the recorded 5m rates, not read raw."""


@record
class KPIBound:
    """One threshold alert of a KPI: it fires while the value stays `above`/`below` `value`."""

    alert: str
    direction: str  # above | below
    value: float
    severity: str
    for_: str
    level: bool
    """True for an entry of `thresholds` (coloured by severity), False for `min`/`max` (always red)."""


@record
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
    labels: dict[str, str] = field(kw_only=True)
    """The KPI's own `labels:` as written."""
    no_data_window: str | None = field(kw_only=True)
    bounds: tuple[KPIBound, ...] = ()
    """Every threshold alert (min, max and `thresholds`), in alert order."""

    def bound_of(self, alert: str) -> KPIBound | None:
        """The bound behind a threshold alert of this KPI (None for its no-data alert)."""
        return next((b for b in self.bounds if b.alert == alert), None)


@record
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
    labels: dict[str, str] = field(kw_only=True)
    """The detector's own `labels:` as written."""
    average: str = field(kw_only=True)
    """Window of the averages the z-score compares: the value's, and the baseline's samples (recorded that often)."""


@record
class UserPanel:
    """A panel the spec adds to the service's dashboard (`dashboard.panels`), as written."""

    type: str
    title: str
    query: str
    legend: str
    unit: str
    description: str


@record
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
    notify: dict[str, tuple[str, ...]] = field(kw_only=True)
    """Severity -> receiver names as `notify:` writes them (the service's own or the platform's)."""
    notify_group_by: tuple[str, ...] | None = field(kw_only=True)
    receivers: tuple[tuple[str, dict[str, list[dict[str, Any]]]], ...] = field(kw_only=True)
    """The service's own receivers, by name: (name, integration type -> config entries as written)."""
    dashboard_base_url: str = field(kw_only=True)
    """Grafana base URL of runbook links: the service's `dashboard_base_url`, else the platform's `grafana_url`."""
    panels: tuple[UserPanel, ...] = field(kw_only=True)
    """The `dashboard.panels` of the spec."""
    collector: CollectorPlan | None = field(kw_only=True)
    """Its OpenTelemetry Collector (None without a `telemetry:` section)."""

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
    def _slo_index(self) -> dict[str, SLOPlan]:
        # One dict per service instead of a scan per lookup: targets look SLOs up once per alert,
        # and a scan each time made a 2,000-SLO render quadratic. Names are unique (validated).
        return {s.name: s for s in self.slos}

    def slo_named(self, name: str) -> SLOPlan | None:
        """The SLO plan of that name, or None."""
        return self._slo_index.get(name)


@record
class PrometheusRuleMeta:
    """Metadata of the PrometheusRule resources (platform `outputs.prometheus_rule`)."""

    namespace: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


@record
class MimirPlan:
    """Which Mimir files the platform file asks for (`outputs.mimir`)."""

    rules: bool
    alertmanager: bool


@record
class Plan:
    """The plan of a spec folder: every service plus platform settings."""

    services: tuple[ServicePlan, ...]
    platform: PlatformPlan
    """The platform file's Alertmanager settings and receivers (the defaults without one; plan/routing reads it)."""
    prometheus_rule: PrometheusRuleMeta | None = field(default=None, kw_only=True)
    """Platform `outputs.prometheus_rule`: write PrometheusRule files with this metadata (None: none)."""
    mimir: MimirPlan | None = field(default=None, kw_only=True)
    """Platform `outputs.mimir`: which Mimir files to write (None: none)."""
    thanos_strategy: str | None = field(default=None, kw_only=True)
    """Platform `outputs.thanos.partial_response_strategy` (None: no Thanos files)."""
    rule_tests: bool = field(default=True, kw_only=True)
    """Platform `outputs.rule_tests`: write the promtool test files."""
    backfill: bool = field(default=False, kw_only=True)
    """Platform `outputs.backfill`: write the backfill rule files."""
