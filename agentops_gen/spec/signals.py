"""KPIs (threshold alerts on a PromQL value), anomalies (z-score) and plain alerts."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from agentops_gen.spec.common import (
    AlertName,
    Annotations,
    Duration,
    Labels,
    Line,
    Name,
    PositiveDuration,
    Severity,
    SpecModel,
    TemplateText,
)
from agentops_gen.spec.promql_fields import Query
from agentops_gen.spec.slo import NoDataAlert

Unit = Literal["USD", "seconds", "percent", "percentunit", "short", "bytes", "tokens", "requests", "ratio"]


class KPI(SpecModel):
    """A value with a `min` and/or `max` threshold."""

    name: Name
    description: str | None = None
    query: Query
    unit: Unit = "short"
    per: Line | None = None
    min: float | None = None
    max: float | None = None
    for_: Duration = Field(default="5m", alias="for")
    severity: Severity = "warning"
    runbook: str | None = None
    labels: Labels = {}
    no_data: NoDataAlert = NoDataAlert()

    @model_validator(mode="after")
    def _bounds(self) -> KPI:
        if self.min is None and self.max is None:
            raise ValueError("set `min`, `max` or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"`min` ({self.min:g}) is greater than `max` ({self.max:g})")
        return self


class Anomaly(SpecModel):
    """A value far (|z| > zscore) from its own mean over `baseline`."""

    name: Name
    description: str | None = None
    query: Query
    baseline: PositiveDuration = "7d"
    zscore: float = Field(default=3, gt=0)
    for_: Duration = Field(default="15m", alias="for")
    severity: Severity = "warning"
    unit: Unit = "short"
    runbook: str | None = None
    labels: Labels = {}


class PlainAlert(SpecModel):
    """An alert the platform already has, rendered as given plus the spec's labels."""

    name: AlertName
    expr: Query
    for_: Duration = Field(default="0s", alias="for")
    keep_firing_for: Duration | None = None
    severity: Severity = "warning"
    summary: TemplateText | None = None
    description: TemplateText | None = None
    runbook: str | None = None
    group: Name | None = None
    labels: Labels = {}
    annotations: Annotations = {}
