"""A seeded generator of random VALID service specs whose SLOs, KPIs and anomalies read the same metrics.

Every spec it makes must render, and its generated promtool test file must pass: SLOs sharing counters,
ratio and raw SLIs on the same counter, every SLI kind, several periods and `alerting.windows` tables,
minimum-traffic and no-data options, KPIs and anomalies on the SLOs' metrics (tests/test_spec_fuzz.py).
"""

from __future__ import annotations

import random
from typing import Any

JOBS = ("api", "worker")
REQUESTS = 'agent_requests_total{{job="{job}"}}'
ERRORS = 'agent_requests_total{{job="{job}",code=~"5.."}}'
GOOD = 'agent_requests_total{{job="{job}",code="200"}}'
LATENCY = 'agent_request_duration_seconds{{job="{job}"}}'
SCORE = 'agent_answer_score{{job="{job}"}}'
COST = 'agent_cost_usd{{job="{job}"}}'
RAW_RATIO = ('sum(rate(agent_requests_total{{job="{job}",code=~"5.."}}[{{{{ window }}}}]))\n'
             '/\nsum(rate(agent_requests_total{{job="{job}"}}[{{{{ window }}}}]))')
RAW_GAUGE = '1 - avg(avg_over_time(agent_tool_success{{job="{job}"}}[{{{{ window }}}}]))'
RAW_EVENTS = 'sum(rate(agent_requests_total{{job="{job}"}}[{{{{ window }}}}]))'
OBJECTIVES = (90, 95, 99, 99.5, 99.9)
SMALL_PERIODS = ("1d", "2d", "7d")
PERIODS = (None, "7d", "14d", "28d", "30d", "1d")
KINDS = ("ratio-errors", "ratio-good", "latency", "score", "raw-ratio", "raw-gauge")


def _sli(rng: random.Random, kind: str, job: str) -> dict[str, Any]:
    if kind == "ratio-errors":
        return {"ratio": {"errors": ERRORS.format(job=job), "total": REQUESTS.format(job=job)}}
    if kind == "ratio-good":
        return {"ratio": {"good": GOOD.format(job=job), "total": REQUESTS.format(job=job)}}
    if kind == "latency":
        return {"latency": {"histogram": LATENCY.format(job=job), "threshold": rng.choice(("500ms", "1s", "2s"))}}
    if kind == "score":
        return {"score": {"histogram": SCORE.format(job=job), "above": rng.choice((0.5, 0.8))}}
    if kind == "raw-ratio":
        raw: dict[str, Any] = {"error_ratio": RAW_RATIO.format(job=job)}
        if rng.random() < 0.5:
            raw["events"] = RAW_EVENTS.format(job=job)
        return {"raw": raw}
    return {"raw": {"error_ratio": RAW_GAUGE.format(job=job)}}


def _windows(rng: random.Random, small: bool) -> list[dict[str, Any]] | None:
    if rng.random() < 0.6:
        return None
    if small:
        return [{"severity": "page", "long": "30m", "short": "5m", "factor": rng.choice((6, 10, 14.4))},
                {"severity": "ticket", "long": "2h", "short": "10m", "budget_percent": rng.choice((10, 20))}]
    return [{"severity": "page", "long": "1h", "short": "5m", "budget_percent": 2},
            {"severity": "page", "long": "6h", "short": "30m", "budget_percent": 5},
            {"severity": "ticket", "long": "1d", "short": "2h", "factor": rng.choice((1.4, 3))}]


def _alerting(rng: random.Random, small: bool) -> dict[str, Any]:
    alerting: dict[str, Any] = {}
    windows = _windows(rng, small)
    if windows:
        alerting["windows"] = windows
    for kind in ("page", "ticket"):
        options: dict[str, Any] = {}
        if rng.random() < 0.3:
            options["min_bad_events"] = rng.choice((0, 1, 3, 10))
        if rng.random() < 0.15:
            options["disable"] = True
        if options:
            alerting[kind] = options
    outage: dict[str, Any] = {}
    if rng.random() < 0.3:
        outage["min_bad_events"] = rng.choice((0, 1, 5))
    if rng.random() < 0.2:
        outage["disable"] = True
    if outage:
        alerting["outage"] = outage
    if rng.random() < 0.3:
        alerting["no_data"] = rng.choice(({"disable": True}, {"window": "5m", "for": "10m"}, {"severity": "critical"}))
    if rng.random() < 0.3:
        alerting["budget"] = [{"below": rng.choice((10, 50)), "severity": "warning"}]
    return alerting


def random_spec(seed: int, *, small: bool = False) -> dict[str, Any]:
    """A valid service spec; `small` keeps periods short so its generated tests run in seconds."""
    rng = random.Random(seed)
    job = rng.choice(JOBS)
    spec: dict[str, Any] = {"version": "agentops-gen/v1", "service": f"fuzz-{seed}", "owner": "fuzz-team",
                            "slos": []}
    if small:
        spec["period"] = rng.choice(SMALL_PERIODS)
    elif (period := rng.choice(PERIODS)) is not None:
        spec["period"] = period
    count = rng.randint(2, 3 if small else 5)
    # Raw and ratio SLOs on the same counter: the case that used to break the generated tests.
    kinds = ["ratio-errors", "raw-ratio"] if rng.random() < 0.4 else []
    kinds += [rng.choice(KINDS) for _ in range(count - len(kinds))]
    for i, kind in enumerate(kinds):
        slo: dict[str, Any] = {"name": f"slo-{i}-{kind}", "objective": rng.choice(OBJECTIVES),
                               "sli": _sli(rng, kind, job)}
        if rng.random() < 0.3:
            slo["period"] = rng.choice(SMALL_PERIODS if small else tuple(p for p in PERIODS if p))
        alerting = _alerting(rng, small)
        if alerting:
            slo["alerting"] = alerting
        spec["slos"].append(slo)
    if rng.random() < 0.7:
        spec["kpis"] = [{
            "name": "error-share", "unit": "ratio", "max": 0.05,
            # 0/0 at zero traffic: must be recorded as nothing, never NaN.
            "query": f"sum(rate({ERRORS.format(job=job)}[5m])) / sum(rate({REQUESTS.format(job=job)}[5m]))",
        }, {"name": "cost", "unit": "USD", "max": 0.03, "query": f"avg(avg_over_time({COST.format(job=job)}[30m]))",
            **({"no_data": {"disable": True}} if rng.random() < 0.3 else {})}]
    if rng.random() < 0.5:
        spec["anomalies"] = [{"name": "traffic", "baseline": "1h" if small else rng.choice(("1h", "1d")),
                              "query": f"sum(rate({REQUESTS.format(job=job)}[5m]))"}]
    return spec
