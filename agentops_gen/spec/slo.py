"""SLOs: objective, SLI (ratio, latency, score, raw) and per-SLO alerting options."""


import math
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Discriminator, Field, Tag, field_validator, model_validator
from pydantic.types import AllowInfNan

from agentops_gen.spec.common import (
    LABEL_NAME_RE,
    RESERVED_LABELS,
    AlertBase,
    Annotations,
    Duration,
    For,
    Labels,
    Name,
    Period,
    PositiveDuration,
    Severity,
    SpecModel,
    Threshold,
    label_name_length,
)
from agentops_gen.spec.promql_fields import RawWindowQuery, Selector
from agentops_gen.units.durations import parse_duration


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
    """Vector selector of the failed-event counter (agentops-gen adds `rate()` and `sum()`); set this or `good`."""
    good: Selector | None = None
    """Vector selector of the good-event counter; set this or `errors`."""
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
    def _one_of(self) -> Self:
        if (self.errors is None) == (self.good is None):
            raise ValueError("set exactly one of `errors` or `good` (plus `total`)")
        return self


class LatencySLI(SpecModel):
    """Good events are histogram observations at or below `threshold`: `_bucket{le=threshold}` / `_count`."""

    histogram: Selector
    """Histogram base name with its matchers, without `_bucket` (e.g. `task_duration_seconds{job="x"}`)."""
    threshold: Threshold
    """Latency bound of a good event: `1500ms`, `1.5s`, `1m30s` or plain seconds `1.5`; must be a bucket boundary."""
    buckets: list[Bucket] | None = None
    """The histogram's bucket boundaries, when known: lint checks that `threshold` is one of them."""

    @field_validator("histogram")
    @classmethod
    def _base_name(cls, value: str) -> str:
        return _histogram_base(value)


class ScoreSLI(SpecModel):
    """Good events are histogram observations (e.g. a 0..1 quality score) above `above`; bad ones are
    `_bucket{le=above}` / `_count`."""

    histogram: Selector
    """Histogram base name of the score (e.g. a 0..1 quality score), without `_bucket`."""
    above: float
    """A good event scores above this value; it must be a bucket boundary."""
    buckets: list[Bucket] | None = None
    """The histogram's bucket boundaries, when known: lint checks that `above` is one of them."""

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
    too_long = label_name_length(value)
    if too_long:
        raise ValueError(f"label name {too_long}")
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
    """PromQL giving the error ratio over `{{ window }}`, e.g.
    `sum(rate(bad_total[{{ window }}])) / sum(rate(all_total[{{ window }}]))`."""
    events: RawWindowQuery | None = None
    """Events per second over `{{ window }}` (e.g. sum(rate(x_total[{{ window }}]))): enables the
    minimum-bad-events clause and the no-data alert's selectors for a raw SLI."""


class SLI(SpecModel):
    """Exactly one SLI kind."""

    ratio: RatioSLI | None = None
    """Event counters: `errors` or `good`, over `total`."""
    latency: LatencySLI | None = None
    """A histogram: good events are the ones at or below `threshold`."""
    score: ScoreSLI | None = None
    """A histogram of scores: good events are the ones above `above`."""
    raw: RawSLI | None = None
    """Escape hatch: an error-ratio PromQL query with a `{{ window }}` placeholder."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
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
    """Alert severity; unset: `critical` for page, `warning` for ticket."""
    disable: bool = False
    """`true` drops this alert."""
    for_: For | None = Field(default=None, alias="for")
    """How long the condition must hold; unset: 2m for page, 15m for ticket."""
    keep_firing_for: Duration | None = None
    """How long the alert keeps firing after the condition clears (no flapping); unset: 5m page, 15m ticket."""
    min_bad_events: int | None = Field(default=None, ge=0)
    """Failed events the pair's long window must hold before the alert may fire (0: no minimum); unset: 5."""
    labels: Labels = {}
    """Labels added to this alert."""
    annotations: Annotations = {}
    """Annotations added to this alert."""


MIN_BURN_WINDOW = "1m"
"""Shortest burn window: a rate needs two samples, and at a 15-30s scrape a shorter window often holds
one; the generated tests also model the windows minute by minute (30s crashed them)."""
MIN_BURN_FACTOR = 0.001
"""Smallest burn-rate `factor` (and `budget_percent`): the alert text says when such a burn would spend the budget
(the period divided by the factor), which past a thousandfold the period means nothing; a factor near the
smallest float made that time infinite (found by fuzzing)."""


def _burn_window(value: str) -> str:
    if parse_duration(value) < parse_duration(MIN_BURN_WINDOW):
        raise ValueError(f"must be at least {MIN_BURN_WINDOW} (got {value!r}): a rate over a shorter window "
                         "often holds one sample of a 15-30s scrape, and returns nothing")
    return value


BurnWindow = Annotated[PositiveDuration, AfterValidator(_burn_window)]
"""One window of a burn-rate pair: a duration of at least MIN_BURN_WINDOW."""


class AlertWindow(SpecModel):
    """One multi-window pair of a custom windows table (`alerting.windows`)."""

    severity: Literal["page", "ticket"]
    """`page` or `ticket`: which alert this pair belongs to."""
    long: BurnWindow
    """Long window of the pair (Prometheus duration, at least 1m), e.g. `1h`."""
    short: BurnWindow
    """Short window of the pair (resets the alert quickly after recovery; at least 1m), e.g. `5m`."""
    factor: float | None = Field(default=None, ge=MIN_BURN_FACTOR)
    """Burn-rate factor (at least 0.001): the error ratio must exceed factor x error budget; set this or
    `budget_percent`."""
    budget_percent: float | None = Field(default=None, ge=MIN_BURN_FACTOR, le=100)
    """Share of the period's budget (percent, 0.001 to 100) spent within `long` that fires the pair; set this or
    `factor`."""

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.factor is None) == (self.budget_percent is None):
            raise ValueError("set exactly one of `factor` or `budget_percent`")
        return self


class OutageAlert(SpecModel):
    """Fast page when the SLI is close to 0% good (full outage)."""

    disable: bool = False
    """`true` drops the outage alert."""
    window: PositiveDuration = "2m"
    """Window the error ratio is measured over."""
    error_ratio: float = Field(default=0.9, gt=0, le=1)
    """Error ratio (0..1] at or above which the outage alert fires."""
    for_: For = Field(default="0s", alias="for")
    """How long the condition must hold."""
    severity: Severity = "critical"
    """Severity of the outage alert."""
    min_bad_events: int | None = Field(default=None, ge=0)
    """Failed events the outage window must hold before the alert may fire (0: no minimum); unset: 2."""


class NoDataAlert(SpecModel):
    """Alert when every series an SLO or KPI reads has been absent for `window` (+ `for`)."""

    disable: bool = False
    """`true` drops this no-data alert."""
    window: Duration | None = None
    """How long every series read must be absent (`absent_over_time` range); unset: 10m."""
    for_: For | None = Field(default=None, alias="for")
    """How long the absence must last beyond `window`; unset: 20m."""
    severity: Severity | None = None
    """Severity of the no-data alert; unset: `warning`."""


class BudgetAlert(SpecModel):
    """Alert when the remaining error budget over the SLO period drops below a percentage."""

    below: float = Field(gt=0, lt=100)
    """Fire when less than this percentage (0 < x < 100) of the period's error budget is left; one alert per value."""
    severity: Severity
    """Severity of this budget alert."""
    for_: For = Field(default="5m", alias="for")
    """How long the condition must hold."""


class SLOAlerting(SpecModel):
    """Per-SLO alerting options."""

    name: AlertBase | None = None
    """Base alert name; the page and ticket alerts get `Page` / `Ticket` appended (first letter capitalized)."""
    page: BurnAlert = BurnAlert()
    """The fast-burn alert (pages a human)."""
    ticket: BurnAlert = BurnAlert()
    """The slow-burn alert (opens a ticket)."""
    labels: Labels = {}
    """Labels added to this SLO's alerts only (not to its recording rules)."""
    annotations: Annotations = {}
    """Annotations added to this SLO's alerts (Go templates allowed, checked at load)."""
    windows: list[AlertWindow] | None = None
    """Own multi-window table instead of the default pairs (for 30d: 1h/5m, 6h/30m page; 1d/2h, 3d/6h ticket)."""
    outage: OutageAlert = OutageAlert()
    """The fast page on a full outage (ratio and latency SLIs only)."""
    budget: list[BudgetAlert] = []
    """Opt-in alerts on the error budget left over the period, one per entry."""
    no_data: NoDataAlert = NoDataAlert()
    """The alert on the SLO's series being absent."""


class SLO(SpecModel):
    """One service level objective."""

    name: Name
    """SLO name (kebab-case), unique across the service's slos, kpis, anomalies and alerts; becomes the `slo` label."""
    objective: float
    """Target share of good events, in percent (0 < x < 100), e.g. `99.5`."""
    description: str | None = None
    """What a good event is, in the user's words; shown in alerts, dashboards and runbooks."""
    period: Period | None = None
    """SLO period (Prometheus duration); the error budget is counted over it. Unset: the service's `period`."""
    runbook: str | None = None
    """First checks for whoever is paged (Markdown); copied into every runbook of this SLO."""
    labels: Labels = {}
    """Labels added to this SLO's rules and alerts."""
    group_by: list[GroupLabel] = []
    """One SLO per value of these labels (per model, per tenant, per tool): docs/group-by.md."""
    sli: SLI
    """How good and bad events are counted: exactly one of `ratio`, `latency`, `score`, `raw`."""
    alerting: SLOAlerting = SLOAlerting()
    """Options of this SLO's alerts (burn rate, outage, budget, no data)."""

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
