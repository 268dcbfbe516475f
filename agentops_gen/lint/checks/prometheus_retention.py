"""prometheus/retention: an SLO period longer than the live server keeps data."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from agentops_gen.lint.context import LintContext, finding, items, seconds, slos_with_budget
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check
from agentops_gen.units.durations import format_duration

NAME = "prometheus/retention"
DEFAULT_RETENTION = "15d"
"""Prometheus' retention when neither a time nor a size limit is set."""
CHECK = Check(
    name=NAME,
    severity="error",
    summary="An SLO period (or anomaly baseline) longer than the retention of the server given to "
            "`lint --prometheus` (`storage.tsdb.retention.time`).",
    doc="A 30-day SLO on a Prometheus that keeps 15 days computes its budget over 15 days at best: "
        "the period ratio and every budget alert are wrong, silently. The check reads the server's "
        "flags (`/api/v1/status/flags`, else `/api/v1/status/runtimeinfo`); without a time limit "
        "Prometheus keeps 15 days. A size-only limit cannot be checked (a note on stderr), nor can "
        "servers that expose neither endpoint (Mimir, Cortex, Thanos: check their block retention). "
        "The same holds for an anomaly's `baseline`. Keep the data longer (a long-term store such as "
        "Thanos or Mimir) or shorten the period.",
    bad="slos:\n  - name: availability\n    description: Requests that succeed.\n    objective: 99.5\n"
        "    period: 30d  # flagged\n    sli:\n      ratio:\n"
        "        good: shop_requests_total{job=\"shop\",status=\"success\"}\n"
        "        total: shop_requests_total{job=\"shop\"}\n",
    good="slos:\n  - name: availability\n    description: Requests that succeed.\n    objective: 99.5\n"
         "    period: 14d\n    sli:\n      ratio:\n"
         "        good: shop_requests_total{job=\"shop\",status=\"success\"}\n"
         "        total: shop_requests_total{job=\"shop\"}\n",
    stage="prometheus",
)


def retention(client: Any) -> tuple[float | None, str]:
    """(retention in seconds or None when unknown, how it was found)."""
    flags = client.optional("status/flags")
    if isinstance(flags, dict):
        time_flag = str(flags.get("storage.tsdb.retention.time") or "0s")
        size_flag = str(flags.get("storage.tsdb.retention.size") or "0B")
        value = seconds(time_flag)
        if value:
            return value, f"storage.tsdb.retention.time={time_flag}"
        if size_flag not in ("0", "0B"):
            return None, f"retention is size-based only (storage.tsdb.retention.size={size_flag})"
        return seconds(DEFAULT_RETENTION), f"the default {DEFAULT_RETENTION} (no retention flag set)"
    info = client.optional("status/runtimeinfo")
    text = str(info.get("storageRetention") or "") if isinstance(info, dict) else ""
    value = seconds(text.split(" ")[0]) if text else None
    if value:
        return value, f"storageRetention={text}"
    return None, "the server exposes neither /api/v1/status/flags nor a time in /api/v1/status/runtimeinfo"


def run(ctx: LintContext) -> Iterator[Finding]:
    """Every SLO whose period exceeds the server's retention."""
    kept, how = retention(ctx.prometheus)
    if kept is None:
        print(f"agentops-gen: note: {NAME} not checked: {how}", file=sys.stderr)
        return
    for src, i, slo, _objective, period in slos_with_budget(ctx):
        if period > kept:
            path: tuple[str | int, ...] = ("slos", i, "period") if "period" in slo else \
                ("period",) if "period" in src.data else ("slos", i, "name")
            yield finding(src, NAME, path, f"SLO {slo.get('name')} has a {format_duration(period)} period but "
                          f"the server keeps {format_duration(kept)} ({how}): its budget is computed over "
                          "less data than the period")
    yield from _baselines(ctx, kept, how)


def _baselines(ctx: LintContext, kept: float, how: str) -> Iterator[Finding]:
    """Anomaly baselines (the plan's, defaults applied) longer than the retention."""
    plans = {(svc.service, a.name): a for svc in (ctx.plan.services if ctx.plan else ()) for a in svc.anomalies}
    for src in ctx.specs():
        for i, item in items(src.data, "anomalies"):
            plan = plans.get((str(src.data.get("service")), str(item.get("name"))))
            baseline = seconds(plan.baseline) if plan else None
            if plan is not None and baseline is not None and baseline > kept:
                path: tuple[str | int, ...] = ("anomalies", i, "baseline" if "baseline" in item else "name")
                yield finding(src, NAME, path, f"anomaly {item.get('name')} compares with a "
                              f"{plan.baseline} baseline but the server keeps {format_duration(kept)} "
                              f"({how}): its mean and stddev cover less than the baseline")
