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


class KPIThreshold(SpecModel):
    """One level of a KPI: an alert of its own severity when the value stays above or below a number."""

    above: float | None = None
    below: float | None = None
    severity: Severity = "warning"
    for_: Duration | None = Field(default=None, alias="for")

    @model_validator(mode="after")
    def _one_direction(self) -> KPIThreshold:
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
    thresholds: list[KPIThreshold] = []

    @model_validator(mode="after")
    def _bounds(self) -> KPI:
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
