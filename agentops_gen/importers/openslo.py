"""OpenSLO v1 (`apiVersion: openslo/v1`) SLO and SLI documents with Prometheus sources -> Drafts.

Field names follow the OpenSLO v1 specification (github.com/OpenSLO/OpenSLO, README "SLO", "SLI",
"Objectives"). A file holds one object per YAML document, or a list of objects. Every objective of an SLO
becomes one SLO of ours; SLOs are grouped by `spec.service` into one Draft per service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from agentops_gen.importers.draft import Draft, carried_name, kebab, new_draft, split_labels
from agentops_gen.importers.queries import WINDOW, counter_selector, has_window, our_window, sum_rate_selector
from agentops_gen.importers.source import Path_, Reader
from agentops_gen.spec.common import NAME_RE

API_VERSION = "openslo/v1"
KINDS = ("SLO", "SLI", "Service", "DataSource", "AlertPolicy", "AlertCondition", "AlertNotificationTarget")
BUDGETING = ("Occurrences", "Timeslices", "RatioTimeslices")
BAD_WHEN = {"lt": ">=", "lte": ">", "gt": "<=", "gte": "<"}
"""Objective `op` (good when SLI op value) -> the comparison that makes a sample bad."""
THRESHOLD_STEP = "1m"
"""Resolution of the subquery that counts threshold-metric samples: one sample a minute, Prometheus' default
scrape-to-evaluation granularity and OpenSLO's default time slice."""
_SHORTHAND = re.compile(r"^([1-9][0-9]*)([mhdwMQY])\Z")
_APPROX_DAYS = {"M": 30, "Q": 90}
_OBJECT_KEYS = ("apiVersion", "kind", "metadata", "spec")
_METADATA_KEYS = ("name", "displayName", "labels", "annotations")
_SLO_KEYS = ("description", "service", "indicator", "indicatorRef", "timeWindow", "budgetingMethod", "objectives",
             "alertPolicies")
_OBJECTIVE_KEYS = ("displayName", "op", "value", "target", "targetPercent", "timeSliceTarget", "timeSliceWindow",
                   "indicator", "indicatorRef", "compositeWeight")


@dataclass
class _Object:
    """One OpenSLO object and the Reader rooted at it."""

    kind: str
    name: str
    reader: Reader


class _NotCarried(Exception):
    """An SLI the spec language cannot express; the message says why (it becomes a note)."""


def read_documents(readers: list[Reader], period: str | None) -> list[Draft]:
    """Drafts of every service that has an SLO in the documents (problems go to the readers' errors)."""
    objects = [obj for reader in readers for obj in _objects(reader)]
    by_kind: dict[str, dict[str, _Object]] = {}
    for obj in objects:
        by_kind.setdefault(obj.kind, {}).setdefault(obj.name, obj)
    drafts: dict[str, Draft] = {}
    for obj in objects:
        if obj.kind == "SLO":
            _slo(obj, by_kind, drafts, period)
    return [drafts[name] for name in sorted(drafts)]


def _objects(reader: Reader) -> list[_Object]:
    top = reader.value(())
    items = [reader.at((i,)) for i in range(len(top))] if isinstance(top, list) else [reader]
    out = []
    for item in items:
        data = item.value(())
        if not isinstance(data, dict):
            item.error((), "must be a mapping (an OpenSLO object) or a list of them")
            continue
        if data.get("apiVersion") is None:
            item.error((), f"not an OpenSLO object: `apiVersion: {API_VERSION}` is missing")
            continue
        if data.get("apiVersion") != API_VERSION:
            item.error(("apiVersion",), f"only {API_VERSION} is supported, got {data.get('apiVersion')!r}")
            continue
        kind = data.get("kind")
        if kind not in KINDS:
            item.error(("kind",), f"unknown OpenSLO kind {kind!r} (known: {', '.join(KINDS)})")
            continue
        item.mapping((), _OBJECT_KEYS, _OBJECT_KEYS)
        item.mapping(("metadata",), _METADATA_KEYS, ("name",))
        name = item.string(("metadata", "name"))
        if name is not None and isinstance(data.get("spec"), dict):
            out.append(_Object(str(kind), name, item))
    return out


def _slo(obj: _Object, by_kind: dict[str, dict[str, _Object]], drafts: dict[str, Draft], period: str | None) -> None:
    r = obj.reader
    spec = r.mapping(("spec",), _SLO_KEYS, ("service", "budgetingMethod", "objectives"))
    service_name = r.string(("spec", "service"))
    budgeting = r.value(("spec", "budgetingMethod"))
    if budgeting is not None and budgeting not in BUDGETING:
        r.error(("spec", "budgetingMethod"), f"must be one of {', '.join(BUDGETING)}, got {budgeting!r}")
    window = _time_window(r) or (None, [])  # on an error the objectives are still checked; nothing is written
    objectives = r.items(("spec", "objectives"), required=True)
    if spec is None or service_name is None or not objectives:
        if spec is not None and r.value(("spec", "objectives")) == []:
            r.error(("spec", "objectives"), "list at least one objective")
        return
    draft = _draft(obj, service_name, by_kind, drafts, period)
    slo_period, period_notes = window
    multi = len(objectives) > 1
    for i in objectives:
        _objective(obj, i + 1, multi, by_kind, draft, slo_period, period_notes, str(budgeting))


def _draft(obj: _Object, service_name: str, by_kind: dict[str, dict[str, _Object]], drafts: dict[str, Draft],
           period: str | None) -> Draft:
    r = obj.reader
    service, renamed = carried_name(service_name)
    if service in drafts:
        return drafts[service]
    declared = by_kind.get("Service", {}).get(service_name)
    owner = _owner(declared.reader if declared else None) or _owner(r)
    draft = new_draft(service, r.doc.file, owner, r.loc(("spec", "service")), r.name(("spec", "service")))
    drafts[service] = draft
    if renamed:
        draft.note(("service",), renamed)
    if owner is None:
        draft.note(("owner",), "OpenSLO has no owner field and no kebab-case `team`/`owner` label with one value: "
                               "set the owning team here")
    if declared is not None:
        description = declared.reader.string(("spec", "description"))
        if description:
            draft.data["description"] = description
            draft.origin(("description",), declared.reader.loc(("spec", "description")),
                         declared.reader.name(("spec", "description")))
    if period:
        draft.data["period"] = period
    draft.data["slos"] = []
    return draft


def _owner(reader: Reader | None) -> str | None:
    if reader is None:
        return None
    labels = reader.value(("metadata", "labels"))
    if not isinstance(labels, dict):
        return None
    for key in ("owner", "team"):
        value = labels.get(key)
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if isinstance(value, str) and NAME_RE.match(value):
            return value
    return None


def _time_window(r: Reader) -> tuple[str | None, list[str]] | None:
    """(period, notes) of `timeWindow` ((None, []) when absent; None on errors)."""
    items = r.items(("spec", "timeWindow"))
    if not items:
        return None, []
    if len(items) != 1:
        r.error(("spec", "timeWindow"), f"must hold exactly one time window, got {len(items)}")
        return None
    at: Path_ = ("spec", "timeWindow", 0)
    r.mapping(at, ("duration", "isRolling", "calendar"), ("duration",))
    text = r.string((*at, "duration"))
    if text is None:
        return None
    match = _SHORTHAND.match(text)
    if match is None:
        r.error((*at, "duration"), f"must be a duration shorthand such as 28d, 4w or 1M (got {text!r})")
        return None
    count, unit = int(match[1]), match[2]
    notes = []
    if unit in _APPROX_DAYS:
        period = f"{count * _APPROX_DAYS[unit]}d"
        notes.append(f"timeWindow {text} taken as {period}: Prometheus durations have no months or quarters")
    elif unit == "Y":
        period = f"{count}y"
    else:
        period = text
    rolling = r.boolean((*at, "isRolling"))
    calendar = r.value((*at, "calendar"))
    if calendar is not None or rolling is False:
        notes.append(f"not carried over: the calendar-aligned time window ({_calendar(calendar)}): agentops-gen's "
                     f"periods are rolling, so this SLO uses a rolling {period}")
    return period, notes


def _calendar(calendar: Any) -> str:
    if isinstance(calendar, dict):
        return ", ".join(f"{k} {calendar[k]}" for k in sorted(calendar))
    return "isRolling: false"


def _objective(obj: _Object, number: int, multi: bool, by_kind: dict[str, dict[str, _Object]], draft: Draft,
               period: str | None, period_notes: list[str], budgeting: str) -> None:
    r = obj.reader
    at: Path_ = ("spec", "objectives", number - 1)
    if r.mapping(at, _OBJECTIVE_KEYS) is None:
        return
    target = _target(r, at)
    op = r.value((*at, "op"))
    if op is not None and op not in BAD_WHEN:
        r.error((*at, "op"), f"must be one of {', '.join(BAD_WHEN)}, got {op!r}")
        return
    sli_reader, sli_at = _indicator(r, at, by_kind)
    if target is None or sli_reader is None:
        return
    try:
        kind, body, note = _sli(sli_reader, sli_at, by_kind, r, at)
    except _NotCarried as why:
        draft.note(("slos",), f"not carried over: OpenSLO SLO {obj.name!r} objective {number} (line "
                              f"{r.loc(at).line}): {why}")
        return
    label = r.value((*at, "displayName"))
    base, renamed = carried_name(obj.name)
    name = base
    if multi:
        suffix = kebab(label) if isinstance(label, str) and label.strip() else str(number)
        name = kebab(f"{base}-{suffix}")
    index = len(draft.data["slos"])
    out_at: Path_ = ("slos", index)
    slo: dict[str, Any] = {"name": name, "objective": target}
    draft.origin(out_at, r.loc(at), r.name(at))
    draft.origin((*out_at, "name"), r.loc(("metadata", "name")), r.name(("metadata", "name")))
    draft.origin((*out_at, "objective"), r.loc(at), r.name(at))
    if renamed and not multi:
        draft.note((*out_at, "name"), renamed)
    if multi:
        draft.note((*out_at, "name"), f"objective {number} of OpenSLO SLO {obj.name!r}: one SLO per objective")
    description = r.string(("spec", "description")) or r.string(("metadata", "displayName"))
    if description:
        slo["description"] = description
    if period:
        slo["period"] = period
        draft.origin((*out_at, "period"), r.loc(("spec", "timeWindow")), r.name(("spec", "timeWindow")))
        for note in period_notes:
            draft.note((*out_at, "period"), note)
    labels, label_notes = _labels(r)
    if labels:
        slo["labels"] = labels
        draft.origin((*out_at, "labels"), r.loc(("metadata", "labels")), r.name(("metadata", "labels")))
    if sli_reader.value((*sli_at, "thresholdMetric")) is None:
        for key in ("op", "value"):
            if r.value((*at, key)) is not None:
                label_notes.append(f"not carried over: {key} {r.value((*at, key))!r}: only a thresholdMetric "
                                   "compares against a value")
    for note in label_notes + _unmapped(r, at, budgeting):
        draft.note((*out_at, "name"), note)
    slo["sli"] = {kind: body}
    draft.origin((*out_at, "sli"), sli_reader.loc(sli_at), sli_reader.name(sli_at))
    if note:
        draft.note((*out_at, "sli"), note)
    draft.data["slos"].append(slo)


def _target(r: Reader, at: Path_) -> float | int | None:
    """The objective in percent, from `target` (0..1) or `targetPercent`."""
    target, percent = r.number((*at, "target")), r.number((*at, "targetPercent"))
    if (target is None) == (percent is None):
        r.error(at, "set exactly one of `target` or `targetPercent`")
        return None
    if target is not None:
        if not 0 < target < 1:
            r.error((*at, "target"), f"must be > 0 and < 1 (got {target!r})")
            return None
        value = Decimal(str(target)) * 100  # 0.9995 -> 99.95 exactly, not 99.94999999999999
        return int(value) if value == value.to_integral_value() else float(value)
    assert percent is not None
    if not 0 < percent < 100:
        r.error((*at, "targetPercent"), f"must be > 0 and < 100 (got {percent!r})")
        return None
    return percent


def _labels(r: Reader) -> tuple[dict[str, str], list[str]]:
    raw = r.value(("metadata", "labels"))
    if not isinstance(raw, dict):
        return {}, []
    flat: dict[str, str] = {}
    notes = []
    for key, value in raw.items():
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            flat[key] = str(value)
        else:
            notes.append(f"label {key}={value!r} not carried over: a Prometheus label has one value")
    kept, more = split_labels(flat)
    return kept, notes + more


def _unmapped(r: Reader, at: Path_, budgeting: str) -> list[str]:
    """Notes on the SLO and objective fields the spec language has no place for."""
    notes = []
    if budgeting != "Occurrences":
        notes.append(f"not carried over: budgetingMethod {budgeting}: agentops-gen budgets by occurrences (the "
                     "ratio of bad to all events over the period); the objective applies to that ratio")
    for key in ("timeSliceTarget", "timeSliceWindow", "compositeWeight"):
        if r.value((*at, key)) is not None:
            notes.append(f"not carried over: {key} {r.value((*at, key))!r}: no time slices or composite budgets "
                         "in agentops-gen")
    if r.value(("spec", "alertPolicies")):
        notes.append("not carried over: alertPolicies: agentops-gen writes multi-window burn-rate page and ticket "
                     "alerts for every SLO (tune them under `alerting`)")
    if r.value(("metadata", "annotations")):
        notes.append("not carried over: metadata.annotations (implementation-specific)")
    if r.value(("spec", "description")) and r.value(("metadata", "displayName")):
        notes.append(f"not carried over: displayName {r.value(('metadata', 'displayName'))!r} (the description is "
                     "kept)")
    return notes


def _indicator(r: Reader, at: Path_, by_kind: dict[str, dict[str, _Object]]) -> tuple[Reader | None, Path_]:
    """The Reader and path of the SLI spec an objective uses (its own indicator first, then the SLO's)."""
    for where in (at, ("spec",)):
        if r.value((*where, "indicator")) is not None:
            r.mapping((*where, "indicator"), ("metadata", "spec"), ("spec",))
            return r, (*where, "indicator", "spec")
        ref = r.value((*where, "indicatorRef"))
        if ref is not None:
            sli = by_kind.get("SLI", {}).get(ref) if isinstance(ref, str) else None
            if sli is None:
                r.error((*where, "indicatorRef"), f"no SLI named {ref!r} in the imported files")
                return None, ()
            return sli.reader, ("spec",)
    r.error(("spec",), "set `indicator` or `indicatorRef`")
    return None, ()


def _sli(s: Reader, at: Path_, by_kind: dict[str, dict[str, _Object]], slo: Reader, objective: Path_
         ) -> tuple[str, dict[str, str], str | None]:
    """(kind, body, note) of our SLI for an OpenSLO SLI spec; _NotCarried when it has no equivalent."""
    data = s.mapping(at, ("description", "thresholdMetric", "ratioMetric"))
    if data is None or (data.get("thresholdMetric") is None) == (data.get("ratioMetric") is None):
        if data is not None:
            s.error(at, "set exactly one of `thresholdMetric` or `ratioMetric`")
        raise _NotCarried("its SLI has errors")
    if data.get("thresholdMetric") is not None:
        return _threshold(s, (*at, "thresholdMetric"), by_kind, slo, objective)
    return _ratio(s, (*at, "ratioMetric"), by_kind)


def _query(s: Reader, at: Path_, by_kind: dict[str, dict[str, _Object]]) -> str:
    """The PromQL of a `{metricSource: ...}` (the type may come from the referenced DataSource)."""
    s.mapping(at, ("metricSource",), ("metricSource",))
    src: Path_ = (*at, "metricSource")
    s.mapping(src, ("metricSourceRef", "type", "spec"), ("spec",))
    kind = s.value((*src, "type"))
    ref = s.value((*src, "metricSourceRef"))
    if kind is None and isinstance(ref, str) and ref in by_kind.get("DataSource", {}):
        kind = by_kind["DataSource"][ref].reader.value(("spec", "type"))
    if not isinstance(kind, str) or kind.lower() != "prometheus":
        raise _NotCarried(f"its SLI reads metric source type {kind!r}; agentops-gen reads Prometheus only")
    query = s.string((*src, "spec", "query"), required=True)
    if query is None:
        raise _NotCarried("its Prometheus metric source has no query")
    return query


def _ratio(s: Reader, at: Path_, by_kind: dict[str, dict[str, _Object]]) -> tuple[str, dict[str, str], str | None]:
    data = s.mapping(at, ("counter", "good", "bad", "total", "rawType", "raw")) or {}
    counter = s.boolean((*at, "counter"))
    if data.get("raw") is not None:
        raw_type = s.value((*at, "rawType"))
        if raw_type not in ("success", "failure"):
            s.error((*at, "rawType"), f"must be success or failure with `raw`, got {raw_type!r}")
            raise _NotCarried("its SLI has errors")
        query = _query(s, (*at, "raw"), by_kind)
        if not has_window(query):
            raise _NotCarried("its raw ratio query has no window placeholder; agentops-gen evaluates the ratio over "
                              f"each alert window: write it with [{WINDOW}] as a raw SLI")
        ratio = our_window(query)
        return "raw", {"error_ratio": ratio if raw_type == "failure" else _wrap("1 - (", ratio, ")")}, None
    numerators = [key for key in ("good", "bad") if data.get(key) is not None]
    if len(numerators) != 1 or data.get("total") is None:
        s.error(at, "set `good` or `bad` (one of them) and `total`, or `raw` with `rawType`")
        raise _NotCarried("its SLI has errors")
    role = numerators[0]
    part, total = _query(s, (*at, role), by_kind), _query(s, (*at, "total"), by_kind)
    ours = "errors" if role == "bad" else "good"
    pair = sum_rate_selector(part), sum_rate_selector(total)
    if pair[0] and pair[1]:
        return "ratio", {ours: pair[0], "total": pair[1]}, None
    if has_window(part) and has_window(total):
        body = f"({our_window(part)})\n/\n({our_window(total)})"
        ratio = body if role == "bad" else _wrap("1 - (", body, ")")
        return "raw", {"error_ratio": ratio, "events": our_window(total)}, \
            "kept as a raw SLI: the queries are not the plain sum(rate(x[{{ window }}])) form a ratio SLI takes"
    selectors = counter_selector(part), counter_selector(total)
    if counter and selectors[0] and selectors[1]:
        return "ratio", {ours: selectors[0], "total": selectors[1]}, \
            "the counters' selectors; agentops-gen computes sum(rate(selector[window])) for each alert window"
    if not counter:
        raise _NotCarried("its good/bad and total queries are gauges (counter: false) without a window "
                          "placeholder; write their ratio over the window as a raw SLI")
    raise _NotCarried("its counter queries are neither one selector, sum(selector), nor written with a window "
                      "placeholder; write them as a raw SLI")


def _wrap(head: str, body: str, tail: str) -> str:
    """`head`, the body indented by two spaces, `tail`: one line each."""
    return "\n".join([head, *("  " + line for line in body.splitlines()), tail])


def _threshold(s: Reader, at: Path_, by_kind: dict[str, dict[str, _Object]], slo: Reader, objective: Path_
               ) -> tuple[str, dict[str, str], str | None]:
    query = _query(s, at, by_kind)
    op, value = slo.value((*objective, "op")), slo.number((*objective, "value"))
    if op is None or value is None:
        slo.error(objective, "a thresholdMetric objective needs `op` and `value`")
        raise _NotCarried("its objective has errors")
    if has_window(query):
        raise _NotCarried("its threshold query has a window placeholder; a threshold metric is compared sample by "
                          "sample")
    bad = BAD_WHEN[str(op)]
    ratio = _wrap("avg_over_time((", f"({query.strip()}) {bad} bool {value!r}", f")[{WINDOW}:{THRESHOLD_STEP}])")
    return "raw", {"error_ratio": ratio}, \
        (f"thresholdMetric ({op} {value!r}) carried as the share of {THRESHOLD_STEP} samples in each window where "
         "the query is on the wrong side of the value (Occurrences of a threshold metric)")
