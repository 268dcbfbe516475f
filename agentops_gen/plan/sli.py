"""PromQL for an SLI's error ratio over a window, safe at zero traffic.

Dividing by `(total > 0)` drops the sample when there is no traffic (instead of 0/0 = NaN), and
`or vector(0)` stands in for an error/good counter that was never incremented (its series does not
exist yet), so an absent error series reads as 0 errors, not as "no data". A raw SLI's query is the
user's, so its value passes a finiteness filter instead (`> -Inf < +Inf` drops NaN and +-Inf).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import promql_parser

from agentops_gen.plan.grouping import GroupBy, by, on, summed, union, zero_filled
from agentops_gen.plan.windows import format_number
from agentops_gen.spec.slo import SLI
from agentops_gen.units.durations import parse_threshold
from agentops_gen.units.promql import check_query, nodes, selector_parts, substitute_window


def le_values(bound: float) -> list[str]:
    """`le` label spellings of one bucket boundary across client libraries (Go `8`, Python `8.0`).

    Go (client_golang) writes strconv.FormatFloat(v, 'g', -1, 64): exponent form from 1e+06 up and
    below 1e-04; Python (prometheus_client floatToGoString) writes repr(v), switching to Go's
    exponent form from 1e+06. The plain decimal forms are kept too (Prometheus 3 normalises `le`).
    """
    plain = format_number(bound)
    spellings = [_go_float(bound), plain]
    if "." not in plain and "e" not in plain:
        spellings.append(f"{plain}.0")
    return list(dict.fromkeys(spellings))


def _go_float(value: float) -> str:
    """strconv.FormatFloat(value, 'g', -1, 64): shortest digits, %e when the exponent is < -4 or >= 6."""
    from decimal import Decimal

    if value == 0:
        return "0"
    sign, digits, exponent = Decimal(repr(float(value))).normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    exp10 = len(digits) + exponent - 1
    if exp10 < -4 or exp10 >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{'-' if sign else ''}{mantissa}e{'-' if exp10 < 0 else '+'}{abs(exp10):02d}"
    return format_number(value)


def le_matcher(bound: float) -> str:
    """Regex matcher selecting every spelling of a boundary: le=~"8|8\\.0"."""
    alternatives = "|".join(re.escape(v).replace("\\", "\\\\") for v in le_values(bound))
    return f'le=~"{alternatives}"'


def _series(selector: str, suffix: str = "", extra: str = "") -> str:
    name, matchers = selector_parts(selector)
    inner = ",".join(x for x in (matchers, extra) if x)
    return f"{name}{suffix}{{{inner}}}" if inner else f"{name}{suffix}"


def _rate(series: str, shared: dict[str, str], group_by: GroupBy = ()) -> str:
    if series in shared:
        return f"sum({shared[series]})"
    return summed(f"rate({series}[{{{{ window }}}}])", group_by)


def counter_series(sli: SLI) -> list[str]:
    """The counter series an SLI takes rate() of (empty for raw SLIs), as written in its expressions."""
    if sli.ratio is not None:
        part = sli.ratio.errors or sli.ratio.good
        assert part is not None
        return [_series(part), *(_series(t) for t in sli.ratio.totals())]
    if sli.latency is not None:
        hist = sli.latency.histogram
        return [_series(hist, "_bucket", le_matcher(parse_threshold(sli.latency.threshold))), _series(hist, "_count")]
    if sli.score is not None:
        hist = sli.score.histogram
        return [_series(hist, "_bucket", le_matcher(sli.score.above)), _series(hist, "_count")]
    return []


def _counters(sli: SLI, counters: Sequence[str] | None) -> Sequence[str]:
    """counter_series(sli), unless the caller computed it (each call re-reads the SLI's selectors)."""
    return counter_series(sli) if counters is None else counters


def error_ratio_template(sli: SLI, shared: dict[str, str] | None = None, group_by: GroupBy = (),
                         counters: Sequence[str] | None = None) -> str:
    """Error-ratio PromQL with a `{{ window }}` placeholder, for any SLI kind.

    `shared` maps a counter series to a recorded per-window rate that several SLOs of the service
    read, so the same rate() over the same selector and window is evaluated once. `group_by` keeps
    those labels: one ratio per group (plan/grouping.py). `counters`: the SLI's counter_series, when
    the caller has them already.
    """
    rates = shared or {}
    if sli.raw is not None:
        return finite(substitute_window(sli.raw.error_ratio.strip(), "{{ window }}"))  # also Sloth's {{.window}}
    part, *total_series = _counters(sli, counters)
    total_rate = _total_rate(total_series, rates, group_by)
    total = f"({total_rate} > 0)"
    part_rate = zero_filled(_rate(part, rates, group_by), group_by, total_rate)
    if (sli.ratio is not None and sli.ratio.errors is not None) or sli.score is not None:
        return f"{part_rate}\n/\n{total}"
    return f"1 - (\n  {part_rate}\n  /\n  {total}\n)"


def _total_rate(totals: list[str], rates: dict[str, str], group_by: GroupBy = ()) -> str:
    """The events rate: one total counter, or the sum of several."""
    if len(totals) == 1:
        return _rate(totals[0], rates, group_by)
    # each counter may not exist yet (0); a sum of zeros still drops the sample at zero traffic
    each = [_rate(t, rates, group_by) for t in totals]
    every_group = union(each)
    return "(" + " + ".join(zero_filled(r, group_by, every_group) for r in each) + ")"


def error_ratio(sli: SLI, window: str) -> str:
    """Error-ratio PromQL over one concrete window."""
    return substitute_window(error_ratio_template(sli), window)


def finite(query: str) -> str:
    """A user query whose NaN and +-Inf samples are dropped (NaN fails every comparison)."""
    return f"(\n  {query.strip()}\n) > -Inf < +Inf"


def bad_events_template(sli: SLI, ratio_record: str, shared: dict[str, str] | None = None,
                        group_by: GroupBy = (), counters: Sequence[str] | None = None) -> str | None:
    """Failed events per second over `{{ window }}` (None: a raw SLI without `events`).

    For counter SLIs it is the failed-event rate itself (never NaN: no division); a raw SLI's is its
    recorded error ratio times its `events` rate, `ratio_record` being that recorded ratio's selector.
    """
    rates = shared or {}
    if sli.raw is not None:
        if sli.raw.events is None:
            return None
        events = substitute_window(sli.raw.events.strip(), "{{ window }}")
        return f"{ratio_record}\n* {on(group_by)} group_left()\nsum{by(group_by)}(\n  {events}\n)"
    part, *total_series = _counters(sli, counters)
    total_rate = _total_rate(total_series, rates, group_by)
    part_rate = zero_filled(_rate(part, rates, group_by), group_by, total_rate)
    if (sli.ratio is not None and sli.ratio.errors is not None) or sli.score is not None:
        return part_rate
    return f"{total_rate}\n- {part_rate}"


def counted_bad_events_template(sli: SLI, events_record: str, shared: dict[str, str] | None = None,
                                group_by: GroupBy = (), counters: Sequence[str] | None = None) -> str:
    """Failed events per second over `{{ window }}` of a counter SLI whose events rate over the same window is
    recorded just before (`events_record`: its selector): the total counters are then read once, by that record.

    The failed-event counter's rate, zero where it does not exist yet; for a good-event counter, the recorded
    events minus the good rate. Same values as bad_events_template, without the second read of the totals."""
    rates = shared or {}
    part, *_ = _counters(sli, counters)
    part_rate = zero_filled(_rate(part, rates, group_by), group_by, f"sum{by(group_by)}({events_record})")
    if (sli.ratio is not None and sli.ratio.errors is not None) or sli.score is not None:
        return part_rate
    return f"{events_record}\n- {on(group_by)}\n{part_rate}"


def exact_selector(labels: dict[str, str]) -> str:
    """`{a="x", b="y"}` matching every label a rule sets: it reads the series that rule writes, never those of an
    older label set still in the lookback after a spec label change (they would make a second series)."""
    return "{" + ", ".join(f"{name}={_quoted(value)}" for name, value in labels.items()) + "}"


def counted_ratio(bad_record: str, events_record: str) -> str:
    """A window's error ratio from its recorded failed-event and event rates (no sample at zero traffic): the same
    value the raw ratio gives, without reading the counters again."""
    return f"{bad_record}\n/\n({events_record} > 0)"


def events_template(sli: SLI, shared: dict[str, str] | None = None, group_by: GroupBy = (),
                    counters: Sequence[str] | None = None) -> str | None:
    """Events per second over `{{ window }}` (None: a raw SLI without `events`, which has no counts);
    one series per group of a grouped SLO."""
    if sli.raw is not None:
        if sli.raw.events is None:
            return None
        return f"sum{by(group_by)}(\n  {substitute_window(sli.raw.events.strip(), '{{ window }}')}\n)"
    _, *total_series = _counters(sli, counters)
    return _total_rate(total_series, shared or {}, group_by)


def read_selectors(sli: SLI, counters: Sequence[str] | None = None) -> list[str]:
    """Selectors whose absence blinds the SLI: the total counter (errors may not exist yet), or every
    selector of a raw SLI's `events` query (else of its error-ratio query)."""
    if sli.raw is not None:
        return query_selectors(substitute_window(sli.raw.events or sli.raw.error_ratio, "5m"))
    return list(_counters(sli, counters)[1:])


def query_selectors(query: str) -> list[str]:
    """Every distinct vector selector of a query, as text (`x_total{job="a"}`), in order of appearance."""
    found: list[str] = []
    for node in nodes(check_query(query)):
        if isinstance(node, promql_parser.VectorSelector):
            matchers = ",".join(f"{m.name}{_OPS_TEXT[str(m.op)]}{_quoted(m.value)}" for m in node.matchers.matchers
                                if m.name != "__name__" or not node.name)
            name = node.name or ""
            text = f"{name}{{{matchers}}}" if matchers or not name else name
            if text not in found:
                found.append(text)
    return found


_OPS_TEXT = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~",
             "=": "=", "!=": "!=", "=~": "=~", "!~": "!~"}


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
