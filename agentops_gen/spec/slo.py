"""SLOs: objective, SLI (ratio, latency, score, raw) and per-SLO alerting options."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import AfterValidator, Discriminator, Field, Tag, field_validator, model_validator
from pydantic.types import AllowInfNan

from agentops_gen.spec.common import (
    LABEL_NAME_RE,
    RESERVED_LABELS,
    AlertBase,
    Annotations,
    Duration,
    Labels,
    Name,
    PositiveDuration,
    Severity,
    SpecModel,
    Threshold,
)
from agentops_gen.spec.promql_fields import RawWindowQuery, Selector


def _not_nan(value: float) -> float:
    if math.isnan(value):
        raise ValueError("must be a number, not NaN")
    return value


Bucket = Annotated[float, AllowInfNan(True), AfterValidator(_not_nan)]
"""A histogram bucket boundary: `.inf` (the +Inf bucket every histogram has) may be listed, NaN not."""


def _total_form(value: object) -> str | None:
    if isinstance(value, str):
        return "@one"
    return "@several" if isinstance(value, list) else None


# Tagged, so a bad list item reports only its own error (validate.py drops the @tags from error paths)
Totals = Annotated[Annotated[Selector, Tag("@one")] | Annotated[list[Selector], Tag("@several")],
                   Discriminator(_total_form, custom_error_type="total_form",
                                 custom_error_message="must be a vector selector or a list of them")]


class RatioSLI(SpecModel):
    """good/total or errors/total event counters, each one vector selector."""

    errors: Selector | None = None
    good: Selector | None = None
    total: Totals
    """One selector, or several whose rates are summed (requests counted by two ingresses, two versions)."""

    @field_validator("total")
    @classmethod
    def _totals(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, list) and (not value or len(set(value)) != len(value)):
            raise ValueError("list at least one selector, each once")
        return value

    def totals(self) -> list[str]:
        """The total selectors (one, or the list summed)."""
        return [self.total] if isinstance(self.total, str) else list(self.total)

    @model_validator(mode="after")
    def _one_of(self) -> RatioSLI:
        if (self.errors is None) == (self.good is None):
            raise ValueError("set exactly one of `errors` or `good` (plus `total`)")
        return self


class LatencySLI(SpecModel):
    """Good events are histogram observations at or below `threshold`."""

    histogram: Selector
    threshold: Threshold
    buckets: list[Bucket] | None = None

    @field_validator("histogram")
    @classmethod
    def _base_name(cls, value: str) -> str:
        return _histogram_base(value)


class ScoreSLI(SpecModel):
    """Good events are histogram observations (e.g. a 0..1 quality score) above `above`."""

    histogram: Selector
    above: float
    buckets: list[Bucket] | None = None

    @field_validator("histogram")
    @classmethod
    def _base_name(cls, value: str) -> str:
        return _histogram_base(value)


MAX_GROUP_LABELS = 4
GROUP_RESERVED = frozenset({"le", "alertname", "objective", "period", "sli_kind", "agentops_series"})
"""Labels a group cannot be: the histogram bucket label, and labels the generated rules and alerts set."""


def _group_label(value: str) -> str:
    if not LABEL_NAME_RE.match(value) or value.startswith("__"):
        raise ValueError(f"{value!r} is not a label name (^[a-zA-Z_][a-zA-Z0-9_]*$, no leading __)")
    if value in RESERVED_LABELS or value in GROUP_RESERVED:
        raise ValueError(f"{value!r} is a label agentops-gen sets or reads itself; group by a label of your metrics")
    return value


GroupLabel = Annotated[str, AfterValidator(_group_label)]


def _histogram_base(value: str) -> str:
    name = value.split("{", 1)[0].strip()
    for suffix in ("_bucket", "_count", "_sum"):
        if name.endswith(suffix):
            raise ValueError(f"give the histogram's base name without {suffix} (e.g. {name[: -len(suffix)]})")
    return value


class RawSLI(SpecModel):
    """Escape hatch: an error-ratio query with a `{{ window }}` placeholder (as in Sloth)."""

    error_ratio: RawWindowQuery
    events: RawWindowQuery | None = None
    """Events per second over `{{ window }}` (e.g. sum(rate(x_total[{{ window }}]))): enables the
    minimum-bad-events clause and the no-data alert's selectors for a raw SLI."""


class SLI(SpecModel):
    """Exactly one SLI kind."""

    ratio: RatioSLI | None = None
    latency: LatencySLI | None = None
    score: ScoreSLI | None = None
    raw: RawSLI | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SLI:
        set_kinds = [k for k in ("ratio", "latency", "score", "raw") if getattr(self, k) is not None]
        if len(set_kinds) != 1:
            raise ValueError(f"set exactly one of ratio, latency, score, raw (got {', '.join(set_kinds) or 'none'})")
        return self

    @property
    def kind(self) -> str:
        """The SLI kind that is set."""
        return next(k for k in ("ratio", "latency", "score", "raw") if getattr(self, k) is not None)


class BurnAlert(SpecModel):
    """Options of the page or ticket burn-rate alert."""

    severity: Severity | None = None
    disable: bool = False
    for_: Duration | None = Field(default=None, alias="for")
    keep_firing_for: Duration | None = None
    min_bad_events: int | None = Field(default=None, ge=0)
    """At least this many failed events in the pair's long window (0: no minimum; default in plan/build.py)."""
    labels: Labels = {}
    annotations: Annotations = {}


class AlertWindow(SpecModel):
    """One multi-window pair of a custom windows table (`alerting.windows`)."""

    severity: Literal["page", "ticket"]
    long: PositiveDuration
    short: PositiveDuration
    factor: float | None = Field(default=None, gt=0)
    budget_percent: float | None = Field(default=None, gt=0, le=100)

    @model_validator(mode="after")
    def _one_of(self) -> AlertWindow:
        if (self.factor is None) == (self.budget_percent is None):
            raise ValueError("set exactly one of `factor` or `budget_percent`")
        return self


class OutageAlert(SpecModel):
    """Fast page when the SLI is close to 0% good (full outage)."""

    disable: bool = False
    window: PositiveDuration = "2m"
    error_ratio: float = Field(default=0.9, gt=0, le=1)
    for_: Duration = Field(default="0s", alias="for")
    severity: Severity = "critical"
    min_bad_events: int | None = Field(default=None, ge=0)
    """At least this many failed events in the outage window (0: no minimum; default in plan/build.py)."""


class NoDataAlert(SpecModel):
    """Alert when every series an SLO or KPI reads has been absent for `window` (+ `for`)."""

    disable: bool = False
    window: Duration | None = None
    for_: Duration | None = Field(default=None, alias="for")
    severity: Severity | None = None


class BudgetAlert(SpecModel):
    """Alert when the remaining error budget over the SLO period drops below a percentage."""

    below: float = Field(gt=0, lt=100)
    severity: Severity
    for_: Duration = Field(default="5m", alias="for")


class SLOAlerting(SpecModel):
    """Per-SLO alerting options."""

    name: AlertBase | None = None
    page: BurnAlert = BurnAlert()
    ticket: BurnAlert = BurnAlert()
    labels: Labels = {}
    annotations: Annotations = {}
    windows: list[AlertWindow] | None = None
    outage: OutageAlert = OutageAlert()
    budget: list[BudgetAlert] = []
    no_data: NoDataAlert = NoDataAlert()


class SLO(SpecModel):
    """One service level objective."""

    name: Name
    objective: float
    description: str | None = None
    period: PositiveDuration | None = None
    runbook: str | None = None
    labels: Labels = {}
    group_by: list[GroupLabel] = []
    """One SLO per value of these labels (per model, per tenant, per tool): docs/group-by.md."""
    sli: SLI
    alerting: SLOAlerting = SLOAlerting()

    @field_validator("group_by")
    @classmethod
    def _group_once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("list each label once")
        if len(value) > MAX_GROUP_LABELS:
            raise ValueError(f"at most {MAX_GROUP_LABELS} labels (every combination of values is its own SLO)")
        return value

    @field_validator("objective", mode="before")
    @classmethod
    def _no_percent_sign(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().endswith("%"):
            number = value.strip()[:-1].strip()
            raise ValueError(f"write the percentage as a plain number, without `%` (objective: {number})")
        return value

    @field_validator("objective")
    @classmethod
    def _objective(cls, value: float) -> float:
        if not 0 < value < 100:
            raise ValueError(f"must be > 0 and < 100 (got {value:g})")
        return value
