"""Sloth conformance helpers: read Sloth's specs and outputs, translate specs into ours, parse burn-rate alerts.

Everything here is independent of agentops_gen's own code (durations, factors and expressions are parsed
and computed again), so a bug in the generator cannot hide in the yardstick.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SLOTH = Path(__file__).resolve().parent / "fixtures" / "sloth"
SLOTH_VERSION = "v0.16.0"
"""Stands in for `{{ .version }}` in Sloth's integration templates (it only reaches `sloth_slo_info`)."""

RESERVED_LABELS = {"service", "team", "slo", "severity"}
"""Labels agentops-gen sets itself; Sloth's `severity` alert label maps to our page/ticket severities."""

CONFORMANCE_ALERTING = {
    "page": {"for": "0s", "keep_firing_for": "0s"},
    "ticket": {"for": "0s", "keep_firing_for": "0s"},
    "outage": {"disable": True},
}
"""Sloth's alerts have no `for:` and no `keep_firing_for`, and Sloth has no outage alert."""

_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}
_DURATION = re.compile(r"(\d+)(ms|[smhdwy])")


def seconds(duration: str) -> int:
    """Seconds of a Prometheus duration (`1h30m` -> 5400, `4w` -> 2419200)."""
    parts = _DURATION.findall(duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise ValueError(f"not a Prometheus duration: {duration!r}")
    return round(sum(int(n) * _UNIT_S[u] for n, u in parts))


# --- Sloth's inputs -------------------------------------------------------------------------------------------


def load_sloth_spec(path: Path) -> dict[str, Any]:
    """A Sloth spec (`prometheus/v1`, or the `PrometheusServiceLevel` CRD) with the CRD's camelCase keys
    mapped to the `prometheus/v1` spelling."""
    doc = yaml.safe_load(path.read_text())
    if doc.get("kind") != "PrometheusServiceLevel":
        return doc
    spec = doc["spec"]
    slos = []
    for slo in spec["slos"]:
        slo = dict(slo)
        events = slo["sli"].get("events")
        if events:
            slo["sli"] = {"events": {"error_query": events["errorQuery"], "total_query": events["totalQuery"]}}
        raw = slo["sli"].get("raw")
        if raw:
            slo["sli"] = {"raw": {"error_ratio_query": raw["errorRatioQuery"]}}
        alerting = dict(slo.get("alerting") or {})
        for camel, snake in (("pageAlert", "page_alert"), ("ticketAlert", "ticket_alert")):
            if camel in alerting:
                alerting[snake] = alerting.pop(camel)
        slo["alerting"] = alerting
        slos.append(slo)
    return {"version": "prometheus/v1", "service": spec["service"], "labels": spec.get("labels") or {},
            "slos": slos}


@dataclass(frozen=True)
class WindowPair:
    """One row of a Sloth AlertWindows catalog."""

    severity: str  # page | ticket
    long_s: int
    short_s: int
    budget_percent: float

    def factor(self, period_s: int) -> float:
        """Burn rate that spends `budget_percent` of the budget in the long window (Sloth's formula)."""
        return self.budget_percent * (period_s / 3600) / 100 / (self.long_s / 3600)


def load_windows(path: Path) -> tuple[int, list[WindowPair]]:
    """(SLO period, window pairs: page quick, page slow, ticket quick, ticket slow) of an AlertWindows file."""
    spec = yaml.safe_load(path.read_text())["spec"]
    pairs = [
        WindowPair(sev, seconds(spec[sev][speed]["longWindow"]), seconds(spec[sev][speed]["shortWindow"]),
                   float(spec[sev][speed]["errorBudgetPercent"]))
        for sev in ("page", "ticket") for speed in ("quick", "slow")
    ]
    return seconds(spec["sloPeriod"]), pairs


# --- Sloth spec -> our spec -----------------------------------------------------------------------------------

_WINDOW = r"\[\{\{\s*\.window\s*\}\}\]"
_SUM_RATE = re.compile(r"^\s*sum\s*\(\s*rate\s*\(\s*(?P<sel>[a-zA-Z_:][\w:]*(?:\{[^}]*\})?)\s*" + _WINDOW
                       + r"\s*\)\s*\)\s*$")
_LATENCY_ERRORS = re.compile(
    r"^\s*\(?\s*sum\s*\(\s*rate\s*\(\s*(?P<name>[a-zA-Z_:][\w:]*)_count\{(?P<m1>[^}]*)\}\s*" + _WINDOW
    + r"\s*\)\s*\)\s*-\s*sum\s*\(\s*rate\s*\(\s*(?P=name)_bucket\{(?P<m2>[^}]*)\}\s*" + _WINDOW
    + r"\s*\)\s*\)\s*\)?\s*$"
)


def _matchers(text: str) -> list[str]:
    return [m.strip() for m in re.findall(r'[a-zA-Z_]\w*\s*(?:=~|!=|!~|=)\s*"(?:[^"\\]|\\.)*"', text)]


def translate_sli(sli: dict[str, Any]) -> dict[str, Any]:
    """Sloth SLI -> ours: a plain `sum(rate(...))` pair becomes a ratio SLI, `_count - _bucket{le}` over `_count`
    a latency SLI, anything else the raw escape hatch with Sloth's own `(errors)\\n/\\n(total)` division."""
    if "raw" in sli:
        return {"raw": {"error_ratio": sli["raw"]["error_ratio_query"]}}
    errors, total = sli["events"]["error_query"], sli["events"]["total_query"]
    err_m, total_m = _SUM_RATE.match(errors), _SUM_RATE.match(total)
    if err_m and total_m:
        return {"ratio": {"errors": err_m["sel"], "total": total_m["sel"]}}
    lat = _LATENCY_ERRORS.match(errors)
    if lat and total_m:
        count = _matchers(lat["m1"])
        bucket = _matchers(lat["m2"])
        le = [m for m in bucket if m.startswith("le=")]
        if len(le) == 1 and sorted(set(bucket) - set(le)) == sorted(count) \
                and total_m["sel"].replace(" ", "") == f"{lat['name']}_count{{{','.join(count)}}}".replace(" ", ""):
            threshold_ms = round(float(le[0].split('"')[1]) * 1000)
            threshold = f"{threshold_ms // 1000}s" if threshold_ms % 1000 == 0 else f"{threshold_ms}ms"
            return {"latency": {"histogram": f"{lat['name']}{{{','.join(count)}}}", "threshold": threshold}}
    return {"raw": {"error_ratio": f"({errors.strip()})\n/\n({total.strip()})"}}


def _labels(labels: dict[str, Any] | None) -> dict[str, str]:
    return {k: str(v) for k, v in (labels or {}).items() if k not in RESERVED_LABELS}


def translate(sloth: dict[str, Any], *, period: str | None = None, windows: list[WindowPair] | None = None,
              conformance: bool = True) -> dict[str, Any]:
    """Our spec for a Sloth spec. `conformance` sets what makes both tools' alerts comparable (no `for:`, no
    `keep_firing_for`, no outage alert); `windows` becomes `alerting.windows` with `budget_percent`."""
    labels = _labels(sloth.get("labels"))
    spec: dict[str, Any] = {
        "version": "agentops-gen/v1",
        "service": sloth["service"],
        "owner": labels.get("owner", "sloth-conformance"),
        "labels": labels,
        "slos": [],
    }
    if period:
        spec["period"] = period
    for slo in sloth["slos"]:
        sloth_alerting = slo.get("alerting") or {}
        alerting: dict[str, Any] = {}
        if sloth_alerting.get("name"):
            alerting["name"] = sloth_alerting["name"]
        if sloth_alerting.get("labels"):
            alerting["labels"] = _labels(sloth_alerting["labels"])
        if sloth_alerting.get("annotations"):
            alerting["annotations"] = dict(sloth_alerting["annotations"])
        for ours, theirs in (("page", "page_alert"), ("ticket", "ticket_alert")):
            alert = sloth_alerting.get(theirs) or {}
            options: dict[str, Any] = dict(CONFORMANCE_ALERTING[ours]) if conformance else {}
            if alert.get("disable"):
                options["disable"] = True
            if _labels(alert.get("labels")):
                options["labels"] = _labels(alert.get("labels"))
            if alert.get("annotations"):
                options["annotations"] = dict(alert["annotations"])
            if options:
                alerting[ours] = options
        if conformance:
            alerting["outage"] = dict(CONFORMANCE_ALERTING["outage"])
        if windows:
            alerting["windows"] = [
                {"severity": w.severity, "long": _duration(w.long_s), "short": _duration(w.short_s),
                 "budget_percent": w.budget_percent}
                for w in windows
            ]
        ours_slo: dict[str, Any] = {"name": slo["name"], "objective": slo["objective"]}
        if slo.get("description"):
            ours_slo["description"] = slo["description"]
        if _labels(slo.get("labels")):
            ours_slo["labels"] = _labels(slo.get("labels"))
        ours_slo["sli"] = translate_sli(slo["sli"])
        if alerting:
            ours_slo["alerting"] = alerting
        spec["slos"].append(ours_slo)
    return spec


def _duration(secs: int) -> str:
    for unit in ("d", "h", "m"):
        if secs % _UNIT_S[unit] == 0:
            return f"{secs // _UNIT_S[unit]}{unit}"
    return f"{secs}s"


# --- Sloth's expected outputs ---------------------------------------------------------------------------------


def sloth_rules_text(path: Path) -> str:
    """Sloth's expected rule file as Prometheus loads it: integration templates filled in (`{{ .version }}`,
    `{{"{{` escaping undone, per SOURCE.md), the PrometheusRule CRD unwrapped to its `groups`."""
    text = path.read_text()
    if path.name.endswith(".tpl"):
        text = text.replace("{{ .version }}", SLOTH_VERSION).replace('{{"{{', "{{").replace('}}"}}', "}}")
    doc = yaml.safe_load(text)
    if doc.get("kind") == "PrometheusRule":
        return yaml.safe_dump({"groups": doc["spec"]["groups"]}, sort_keys=False, width=1000)
    return text


# --- burn-rate alerts of either tool ----------------------------------------------------------------------------

_CLAUSE = re.compile(
    r"slo:sli_error:ratio_rate(?P<window>\w+?)\{(?P<sel>[^}]*)\}\s*>\s*"
    r"\(\s*(?P<factor>[0-9.eE+-]+)\s*\*\s*(?P<budget>[0-9.eE+-]+)\s*\)"
)
_SLO_MATCHER = re.compile(r'(?<![\w])(?:sloth_slo|slo)="([^"]+)"')


def burn_clauses(expr: str) -> list[re.Match[str]]:
    """The `ratio_rate<W>{...} > (F * B)` comparisons of a burn alert, in order (window, sel, factor, budget)."""
    return list(_CLAUSE.finditer(expr))


@dataclass(frozen=True)
class BurnPair:
    """One (long, short) window pair of a burn-rate alert as written in a rule file."""

    slo: str
    severity: str
    long_s: int
    short_s: int
    factor: float
    budget: float


def burn_pairs(groups: list[dict[str, Any]], severity_of: Any) -> list[BurnPair]:
    """Every window pair of every burn-rate alert: `severity_of(rule)` says page/ticket (None: not a burn alert).

    An alert expression is `(A > (F * B) and C > (F * B)) or ...`: clauses come in twos with the same threshold.
    """
    out = []
    for group in groups:
        for rule in group["rules"]:
            if "alert" not in rule or severity_of(rule) is None:
                continue
            clauses = list(_CLAUSE.finditer(rule["expr"]))
            assert clauses and len(clauses) % 2 == 0, f"unexpected burn alert expr: {rule['expr']}"
            for a, b in zip(clauses[::2], clauses[1::2], strict=True):
                assert (a["factor"], a["budget"]) == (b["factor"], b["budget"]), rule["expr"]
                slos = {*_SLO_MATCHER.findall(a["sel"]), *_SLO_MATCHER.findall(b["sel"])}
                assert len(slos) == 1, rule["expr"]
                wa, wb = seconds(a["window"]), seconds(b["window"])
                out.append(BurnPair(slos.pop(), severity_of(rule), max(wa, wb), min(wa, wb),
                                    float(a["factor"]), float(a["budget"])))
    return out


def sloth_severity(rule: dict[str, Any]) -> str | None:
    """Sloth marks its burn alerts with `sloth_severity: page|ticket`."""
    return (rule.get("labels") or {}).get("sloth_severity")


def our_severity(rule: dict[str, Any]) -> str | None:
    """Our burn alerts are named `...Page` / `...Ticket` (plan/names.py: burn_alert)."""
    name = rule["alert"]
    if not _CLAUSE.search(rule["expr"]):
        return None
    return "page" if name.endswith("Page") else "ticket" if name.endswith("Ticket") else None


def record_windows(groups: list[dict[str, Any]], slo: str, slo_label: str) -> set[str]:
    """Window suffixes of the `slo:sli_error:ratio_rate<W>` series recorded for one SLO."""
    prefix = "slo:sli_error:ratio_rate"
    return {
        rule["record"][len(prefix):]
        for group in groups for rule in group["rules"]
        if rule.get("record", "").startswith(prefix) and (rule.get("labels") or {}).get(slo_label) == slo
    }


def rules_of_slo(groups: list[dict[str, Any]], slo: str, slo_label: str) -> list[dict[str, Any]]:
    """Every rule of one SLO: recording rules by their label, alerts by the SLO matcher in their expression."""
    out = []
    for group in groups:
        for rule in group["rules"]:
            if "record" in rule:
                if (rule.get("labels") or {}).get(slo_label) == slo:
                    out.append(rule)
            elif slo in _SLO_MATCHER.findall(rule["expr"]) or (rule.get("labels") or {}).get(slo_label) == slo:
                out.append(rule)
    return out
