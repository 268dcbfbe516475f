"""KPIs (threshold alerts on a PromQL value), anomalies (z-score) and plain alerts."""


from typing import Literal, Self

from pydantic import Field, model_validator

from agentops_gen.spec.common import (
    AlertName,
    Annotations,
    Duration,
    For,
    Labels,
    Line,
    Name,
    PositiveDuration,
    Severity,
    SpecModel,
    TemplateText,
)
from agentops_gen.spec.promql_fields import Query, VectorQuery
from agentops_gen.spec.slo import NoDataAlert

Unit = Literal["USD", "seconds", "percent", "percentunit", "short", "bytes", "tokens", "requests", "ratio"]


class KPIThreshold(SpecModel):
    """One level of a KPI: an alert of its own severity when the value stays above or below a number."""

    above: float | None = None
    """Fire when the value stays above this; set this or `below`."""
    below: float | None = None
    """Fire when the value stays below this; set this or `above`."""
    severity: Severity = "warning"
    """Severity of this level's alert; one level per direction and severity."""
    for_: For | None = Field(default=None, alias="for")
    """How long this level must be crossed; unset: the KPI's `for`."""

    @model_validator(mode="after")
    def _one_direction(self) -> Self:
        if (self.above is None) == (self.below is None):
            raise ValueError("set exactly one of `above` or `below`")
        return self

    @property
    def direction(self) -> Literal["above", "below"]:
        """`above` or `below`: which side of the number fires."""
        return "above" if self.above is not None else "below"

    @property
    def value(self) -> float:
        """The number the value is compared with."""
        value = self.above if self.above is not None else self.below
        assert value is not None
        return value


class KPI(SpecModel):
    """A value with a `min` and/or `max` threshold, or several `thresholds` of their own severity."""

    name: Name
    """KPI name (kebab-case), unique across the service's slos, kpis, anomalies and alerts; becomes the `kpi` label."""
    description: str | None = None
    """What the value means; shown in alerts, panels and runbooks."""
    query: VectorQuery
    """PromQL giving the value, an instant vector (recorded as `kpi:<name>:value`)."""
    unit: Unit = "short"
    """Unit for alert text and panels: USD, seconds, percent (0..100), percentunit (0..1), short, bytes, tokens,
    requests, ratio."""
    per: Line | None = None
    """What one value is per, for alert text (e.g. `task`: "$0.031 per task")."""
    min: float | None = None
    """Alert (`...BelowMin`, the KPI's `severity`) when the value stays below this."""
    max: float | None = None
    """Alert (`...AboveMax`, the KPI's `severity`) when the value stays above this."""
    for_: For = Field(default="5m", alias="for")
    """How long a bound must be crossed before its alert fires (each of `thresholds` may set its own)."""
    severity: Severity = "warning"
    """Severity of the `min` / `max` alerts."""
    runbook: str | None = None
    """First checks for whoever gets the alert (Markdown), copied into its runbooks."""
    labels: Labels = {}
    """Labels added to the KPI's record and alerts."""
    no_data: NoDataAlert = NoDataAlert()
    """The alert on the KPI's series being absent."""
    thresholds: list[KPIThreshold] = []
    """Several levels, each an alert of its own severity (`...AboveWarning`, `...AboveCritical`); with or instead of
    `min`/`max`."""

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        if self.min is None and self.max is None and not self.thresholds:
            raise ValueError("set `min`, `max` or `thresholds`")
        seen: dict[tuple[str, str], int] = {}
        for index, level in enumerate(self.thresholds):
            # the alert name is built from direction and severity, so a pair may appear once
            first = seen.setdefault((level.direction, level.severity), index)
            if first != index:
                raise ValueError(f"thresholds[{index}] repeats `{level.direction}` with severity "
                                 f"{level.severity!r} of thresholds[{first}]; give each level its own severity")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"`min` ({self.min:g}) is greater than `max` ({self.max:g})")
        return self


MIN_ZSCORE = 0.01
"""Smallest anomaly `zscore`: below it every sample is an anomaly; near the smallest float the generated test's
z-scores 5% either side of it are not representable (found by fuzzing)."""


class Anomaly(SpecModel):
    """A value far (|z| > zscore) from its own mean over `baseline`: its 5m average against the mean and standard
    deviation of its 5m averages."""

    name: Name
    """Anomaly name (kebab-case), unique across the service's slos, kpis, anomalies and alerts; becomes the
    `anomaly` label."""
    description: str | None = None
    """What the value means; shown in the alert, panel and runbook."""
    query: VectorQuery
    """PromQL giving the value watched, an instant vector (recorded as `anomaly:<name>:value`)."""
    baseline: PositiveDuration = "7d"
    """Window the mean and standard deviation are taken over (at least `1h`)."""
    zscore: float = Field(default=3, ge=MIN_ZSCORE)
    """Fire when the value (its 5m average) is more than this many standard deviations (at least 0.01) from its
    mean."""
    for_: For = Field(default="15m", alias="for")
    """How long the z-score must stay beyond `zscore`."""
    severity: Severity = "warning"
    """Severity of the anomaly alert."""
    unit: Unit = "short"
    """Unit for alert text and panels (as for KPIs)."""
    runbook: str | None = None
    """First checks for whoever gets the alert (Markdown)."""
    labels: Labels = {}
    """Labels added to the anomaly's records and alert."""


class PlainAlert(SpecModel):
    """An alert the platform already has, rendered as given plus the spec's labels."""

    name: AlertName
    """Alert name (CamelCase), unique in the service; also its runbook's file name."""
    expr: Query
    """PromQL alert condition, rendered as written."""
    for_: For = Field(default="0s", alias="for")
    """How long `expr` must hold before the alert fires."""
    keep_firing_for: Duration | None = None
    """How long the alert keeps firing after `expr` clears."""
    severity: Severity = "warning"
    """Alert severity (routes through `notify`)."""
    summary: TemplateText | None = None
    """`summary` annotation (a Prometheus template: `{{ $value }}`, `{{ $labels.x }}`)."""
    description: TemplateText | None = None
    """`description` annotation (a Prometheus template)."""
    runbook: str | None = None
    """First checks (Markdown), written into the alert's runbook."""
    group: Name | None = None
    """Rule group the alert goes to (`agentops-<service>-<group>`); unset: `alerts`."""
    labels: Labels = {}
    """Labels added to this alert."""
    annotations: Annotations = {}
    """Further annotations (templates allowed, checked at load)."""
