"""Sloth conformance helpers: read Sloth's specs, window catalogs and outputs, parse burn-rate alerts.

Everything here is independent of agentops_gen's own code (durations, factors and expressions are parsed
and computed again), so a bug in the generator or in `agentops-gen import sloth` cannot hide in the yardstick.
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
