"""Sloth `prometheus/v1` service specs and the `PrometheusServiceLevel` CRD (`sloth.slok.dev/v1`) -> Drafts.

Field names follow Sloth v0.16 (`pkg/prometheus/api/v1`, `pkg/kubernetes/api/sloth/v1`): the CRD spells the
same fields in camelCase. Sloth's SLO period and window catalog are command-line options of `sloth
generate`, so they are options of the import too (`--period`, `--windows`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agentops_gen.importers.draft import Draft, carried_name, new_draft, split_labels
from agentops_gen.importers.queries import has_window, latency, our_window, sum_rate_selector
from agentops_gen.importers.source import Path_, Reader
from agentops_gen.spec.common import LABEL_NAME_RE, NAME_RE
from agentops_gen.units.durations import format_duration, parse_duration

SPEC_VERSION = "prometheus/v1"
CRD_API = "sloth.slok.dev/v1"
CRD_KIND = "PrometheusServiceLevel"
WINDOWS_KIND = "AlertWindows"
SEVERITIES = ("critical", "warning", "info")
_SLOTH_LABEL = re.compile(r"\bsloth_[a-z_]+")
"""Labels only Sloth's rules carry (sloth_service, sloth_slo, sloth_window, ...)."""

_CAMEL = {"slo_plugins": "sloPlugins", "error_ratio_query": "errorRatioQuery", "error_query": "errorQuery",
          "total_query": "totalQuery", "page_alert": "pageAlert", "ticket_alert": "ticketAlert"}


@dataclass(frozen=True)
class Window:
    """One row of a Sloth AlertWindows catalog."""

    severity: str
    long: str
    short: str
    budget_percent: float


@dataclass(frozen=True)
class Catalog:
    """A Sloth AlertWindows file: the period it is for and its four window pairs."""

    period: str
    windows: tuple[Window, ...]


class _Keys:
    """Sloth's field names in the flavor being read (snake_case spec, camelCase CRD)."""

    def __init__(self, crd: bool):
        self.crd = crd

    def __call__(self, name: str) -> str:
        return _CAMEL.get(name, name) if self.crd else name


def read_windows(reader: Reader) -> Catalog | None:
    """A Sloth AlertWindows catalog (`sloth.slok.dev/v1`, kind AlertWindows)."""
    top = reader.mapping((), ("apiVersion", "kind", "metadata", "spec"), ("apiVersion", "kind", "spec"))
    if top is None:
        return None
    if top.get("apiVersion") != CRD_API or top.get("kind") != WINDOWS_KIND:
        reader.error(("kind",), f"not a Sloth window catalog: expected apiVersion {CRD_API} and kind {WINDOWS_KIND}")
        return None
    spec = reader.mapping(("spec",), ("sloPeriod", "page", "ticket"), ("sloPeriod", "page", "ticket"))
    period = reader.string(("spec", "sloPeriod"), required=True)
    rows: list[Window] = []
    for severity in ("page", "ticket"):
        if reader.mapping(("spec", severity), ("quick", "slow"), ("quick", "slow")) is None:
            continue
        for speed in ("quick", "slow"):
            at: Path_ = ("spec", severity, speed)
            keys = ("errorBudgetPercent", "shortWindow", "longWindow")
            if reader.mapping(at, keys, keys) is None:
                continue
            budget = reader.number((*at, "errorBudgetPercent"))
            long, short = _window(reader, (*at, "longWindow")), _window(reader, (*at, "shortWindow"))
            if budget is not None and long and short:
                rows.append(Window(severity, long, short, budget))
    if spec is None or period is None or len(rows) != 4:
        return None
    return Catalog(period, tuple(rows))


def _window(reader: Reader, at: Path_) -> str | None:
    """A window in Prometheus' own spelling (24h -> 1d), as Sloth names its recording rules."""
    text = reader.string(at, required=True)
    if text is None:
        return None
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        reader.error(at, str(exc))
        return None
    if seconds <= 0:
        reader.error(at, f"must be longer than 0s (got {text!r})")
        return None
    return format_duration(seconds)


def read_document(reader: Reader, period: str | None, catalog: Catalog | None) -> Draft | None:
    """The Draft of one Sloth document (None when it has errors, which are in reader.errors)."""
    top = reader.value(())
    if not isinstance(top, dict):
        reader.error((), "must be a mapping (a Sloth spec)")
        return None
    if top.get("version") == SPEC_VERSION:
        reader.mapping((), ("version", "service", "labels", "slo_plugins", "slos"), ("version", "service"))
        return _service(reader, (), _Keys(False), period, catalog, [])
    if top.get("apiVersion") == CRD_API and top.get("kind") == CRD_KIND:
        reader.mapping((), ("apiVersion", "kind", "metadata", "spec", "status"), ("spec",))
        reader.mapping(("spec",), ("service", "labels", "sloPlugins", "slos"), ("service",))
        notes = []
        meta = reader.value(("metadata",))
        if isinstance(meta, dict):
            for key in sorted(meta):
                notes.append(f"not carried over: CRD metadata.{key} ({_short(meta[key])}): set the PrometheusRule "
                             "metadata in the platform file (`outputs.prometheus_rule`)")
        return _service(reader, ("spec",), _Keys(True), period, catalog, notes)
    where = "version" if "version" in top else "apiVersion" if "apiVersion" in top else None
    reader.error((where,) if where else (), f"not a Sloth spec: expected `version: {SPEC_VERSION}`, or "
                 f"`apiVersion: {CRD_API}` with `kind: {CRD_KIND}`", key=False)
    return None


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _service(reader: Reader, at: Path_, k: _Keys, period: str | None, catalog: Catalog | None,
             notes: list[str]) -> Draft | None:
    raw_name = reader.string((*at, "service"), required=True)
    labels = reader.string_map((*at, "labels"))
    if raw_name is None:
        return None
    service, renamed = carried_name(raw_name)
    owner = next((labels[key] for key in ("owner", "team") if NAME_RE.match(labels.get(key, ""))), None)
    draft = new_draft(service, reader.doc.file, owner, reader.loc((*at, "service")), reader.name((*at, "service")))
    if renamed:
        draft.note(("service",), renamed)
    if owner is None:
        draft.note(("owner",), "Sloth has no owner field and no kebab-case `owner`/`team` label: set the owning "
                               "team here")
    for note in notes:
        draft.note((), note)
    if period:
        draft.data["period"] = period
    kept, label_notes = split_labels(labels)
    if owner is not None and owner == labels.get("team") and "owner" not in labels:
        label_notes = [note if not note.startswith("label team=") else
                       f"label team={owner!r} is the `owner` (agentops-gen writes it as the `team` label)"
                       for note in label_notes]
    if kept:
        draft.data["labels"] = kept
        draft.origin(("labels",), reader.loc((*at, "labels")), reader.name((*at, "labels")))
    for note in label_notes:
        draft.note(("labels",) if kept else (), note)
    if reader.value((*at, k("slo_plugins"))) is not None:
        draft.note((), f"not carried over: `{k('slo_plugins')}`: Sloth SLO plugins run Go code inside Sloth; "
                       "agentops-gen has no plugins")
    slos: list[dict[str, Any]] = []
    draft.data["slos"] = slos
    for i in reader.items((*at, "slos"), required=True):
        slo = _slo(reader, (*at, "slos", i), k, draft, len(slos), catalog)
        if slo is not None:
            slos.append(slo)
    return draft


def _slo(reader: Reader, at: Path_, k: _Keys, draft: Draft, index: int, catalog: Catalog | None
         ) -> dict[str, Any] | None:
    data = reader.mapping(at, ("name", "description", "objective", "plugins", "labels", "sli", "alerting"),
                          ("name", "objective", "sli"))
    if data is None:
        return None
    raw_name = reader.string((*at, "name"))
    objective = reader.number((*at, "objective"))
    sli = _sli(reader, (*at, "sli"), k)
    if raw_name is None or objective is None or sli is None:  # still check the alerting block for errors
        _alerting(reader, (*at, "alerting"), k, Draft(service="", sources=[], data={}), ("scratch",), None)
    if raw_name is None or objective is None:
        return None
    out_at: Path_ = ("slos", index)
    name, renamed = carried_name(raw_name)
    if sli is None:
        if isinstance(reader.value((*at, "sli", "plugin")), dict):
            plugin = reader.value((*at, "sli", "plugin", "id"))
            draft.note(("slos",), f"not carried over: SLO {raw_name!r} (line {reader.loc(at).line}): its SLI is the "
                                  f"Sloth plugin {plugin!r}, Go code agentops-gen cannot run; write its error ratio "
                                  "as a `raw` SLI")
        return None
    slo: dict[str, Any] = {"name": name, "objective": objective}
    _origin(draft, reader, out_at, at)
    _origin(draft, reader, (*out_at, "name"), (*at, "name"))
    _origin(draft, reader, (*out_at, "objective"), (*at, "objective"))
    if renamed:
        draft.note((*out_at, "name"), renamed)
    description = reader.string((*at, "description"))
    if description:
        slo["description"] = description
        _origin(draft, reader, (*out_at, "description"), (*at, "description"))
    labels, label_notes = split_labels(reader.string_map((*at, "labels")))
    if labels:
        slo["labels"] = labels
        _origin(draft, reader, (*out_at, "labels"), (*at, "labels"))
    for note in label_notes:
        draft.note((*out_at, "labels") if labels else (*out_at, "name"), note)
    if reader.value((*at, "plugins")) is not None:
        draft.note((*out_at, "name"), "not carried over: `plugins`: Sloth SLO plugins run Go code inside Sloth; "
                                      "agentops-gen has no plugins")
    kind, body, sli_note = sli
    slo["sli"] = {kind: body}
    _origin(draft, reader, (*out_at, "sli"), (*at, "sli"))
    events: Path_ = (*at, "sli", "events")
    sources = {"errors": (*events, k("error_query")), "total": (*events, k("total_query")),
               "histogram": (*events, k("error_query")), "threshold": (*events, k("error_query")),
               "events": (*events, k("total_query")),
               "error_ratio": (*at, "sli", "raw", k("error_ratio_query")) if kind == "raw" and "events" not in body
               else (*events, k("error_query"))}
    for key in body:
        _origin(draft, reader, (*out_at, "sli", kind, key), sources[key])
    if sli_note:
        draft.note((*out_at, "sli"), sli_note)
    alerting = _alerting(reader, (*at, "alerting"), k, draft, (*out_at, "alerting"), catalog)
    if alerting:
        slo["alerting"] = alerting
    return slo


def _origin(draft: Draft, reader: Reader, out: Path_, src: Path_) -> None:
    draft.origin(out, reader.loc(src), reader.name(src))


def _query(reader: Reader, at: Path_) -> str | None:
    query = reader.string(at, required=True)
    if query is not None and not has_window(query):
        reader.error(at, "query has no {{.window}} placeholder (Sloth fills in each alert window there)")
        return None
    return query


def _sli(reader: Reader, at: Path_, k: _Keys) -> tuple[str, dict[str, Any], str | None] | None:
    """(kind, body, note) of our SLI for a Sloth SLI; None for a plugin SLI or on errors."""
    data = reader.mapping(at, ("raw", "events", "plugin"))
    if data is None:
        return None
    given = [key for key in ("raw", "events", "plugin") if data.get(key) is not None]
    if len(given) != 1:
        reader.error(at, f"set exactly one of raw, events, plugin (got {', '.join(given) or 'none'})")
        return None
    if given[0] == "plugin":
        reader.mapping((*at, "plugin"), ("id", "options"), ("id",))
        return None
    if given[0] == "raw":
        reader.mapping((*at, "raw"), (k("error_ratio_query"),), (k("error_ratio_query"),))
        ratio = _query(reader, (*at, "raw", k("error_ratio_query")))
        return ("raw", {"error_ratio": our_window(ratio)}, None) if ratio else None
    reader.mapping((*at, "events"), (k("error_query"), k("total_query")), (k("error_query"), k("total_query")))
    errors = _query(reader, (*at, "events", k("error_query")))
    total = _query(reader, (*at, "events", k("total_query")))
    if errors is None or total is None:
        return None
    err_sel, total_sel = sum_rate_selector(errors), sum_rate_selector(total)
    if err_sel and total_sel:
        return "ratio", {"errors": err_sel, "total": total_sel}, None
    slow = latency(errors, total)
    if slow:
        return "latency", {"histogram": slow[0], "threshold": slow[1]}, None
    body = {"error_ratio": f"({our_window(errors)})\n/\n({our_window(total)})", "events": our_window(total)}
    return "raw", body, ("Sloth events SLI kept as a raw SLI (errors / total, as Sloth divides them): the queries "
                         "are not the plain sum(rate(x[{{.window}}])) form a ratio SLI takes")


def _alerting(reader: Reader, at: Path_, k: _Keys, draft: Draft, out_at: Path_, catalog: Catalog | None
              ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    data = reader.mapping(at, ("name", "labels", "annotations", k("page_alert"), k("ticket_alert")), optional=True)
    if data is not None:
        name = reader.string((*at, "name"))
        if name:
            out["name"] = name
            _origin(draft, reader, (*out_at, "name"), (*at, "name"))
            draft.note((*out_at, "name"), "Sloth's page and ticket alerts share this name (told apart by "
                                          "`sloth_severity`); agentops-gen appends Page / Ticket")
        labels, notes = split_labels(reader.string_map((*at, "labels")))
        if labels:
            out["labels"] = labels
            _origin(draft, reader, (*out_at, "labels"), (*at, "labels"))
        for note in notes:
            draft.note(out_at, note)
        annotations = _annotations(reader, (*at, "annotations"), draft, out_at)
        if annotations:
            out["annotations"] = annotations
            _origin(draft, reader, (*out_at, "annotations"), (*at, "annotations"))
        for ours, theirs, default in (("page", k("page_alert"), "critical"), ("ticket", k("ticket_alert"), "warning")):
            alert = _burn_alert(reader, (*at, theirs), draft, (*out_at, ours), default)
            if alert:
                out[ours] = alert
                _origin(draft, reader, (*out_at, ours), (*at, theirs))
    if catalog is not None:
        out["windows"] = [{"severity": w.severity, "long": w.long, "short": w.short,
                           "budget_percent": w.budget_percent} for w in catalog.windows]
    if out:
        _origin(draft, reader, out_at, at if data is not None else at[:-1])
    return out


def _annotations(reader: Reader, at: Path_, draft: Draft, out_at: Path_) -> dict[str, str]:
    kept = {}
    for key, value in reader.string_map(at).items():
        if LABEL_NAME_RE.match(key):
            kept[key] = value
            sloth_label = _SLOTH_LABEL.search(value)
            if sloth_label:
                draft.note(out_at, f"annotation {key!r} reads Sloth's label {sloth_label.group()}: agentops-gen's "
                                   "alerts carry `service` and `slo` instead; edit the template")
        else:
            draft.note(out_at, f"annotation {key!r} not carried over: not a Prometheus label name")
    return kept


def _burn_alert(reader: Reader, at: Path_, draft: Draft, out_at: Path_, default: str) -> dict[str, Any]:
    data = reader.mapping(at, ("disable", "labels", "annotations"), optional=True)
    if data is None:
        return {}
    out: dict[str, Any] = {}
    if reader.boolean((*at, "disable")):
        out["disable"] = True
    labels = reader.string_map((*at, "labels"))
    severity = labels.pop("severity", None)
    if severity in SEVERITIES:
        out["severity"] = severity
    elif severity is not None:
        draft.note(out_at, f"label severity={severity!r} not carried over: agentops-gen severities are "
                           f"critical/warning/info (this alert is {default!r}); route it with `notify`")
    kept, notes = split_labels(labels)
    if kept:
        out["labels"] = kept
    for note in notes:
        draft.note(out_at, note)
    annotations = _annotations(reader, (*at, "annotations"), draft, out_at)
    if annotations:
        out["annotations"] = annotations
    return out
