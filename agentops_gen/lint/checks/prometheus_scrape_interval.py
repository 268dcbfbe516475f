"""prometheus/scrape-interval: a window too short for the scrape interval of the metric it reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import promql_parser
import yaml

from agentops_gen.lint.context import LintContext, finding, seconds
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.queries import metric_name, parsed, walk
from agentops_gen.lint.registry import Check
from agentops_gen.live.series import Server, Use, server, uses
from agentops_gen.units.durations import format_duration

NAME = "prometheus/scrape-interval"
SCRAPES_PER_WINDOW = 4
"""rate() needs two samples in its window; 4 scrapes keep it answering through a missed or late scrape
(Grafana's $__rate_interval uses the same factor)."""
DEFAULT_SCRAPE_INTERVAL = "1m"
"""Prometheus' global scrape_interval default."""
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="A rate window shorter than 4 scrape intervals of the metric it reads, by the scrape config "
            "of the server given to `lint --prometheus`.",
    doc="`rate(x[2m])` over a metric scraped every minute sees two samples at best; one missed or "
        "late scrape and the window holds one sample, so rate() returns nothing and an alert over it "
        "(the 2m outage alert, a 5m burn window) goes blind exactly when scrapes fail. The check reads "
        "`/api/v1/status/config`: the `scrape_interval` of the job a selector's `job=\"...\"` matcher "
        "names, else of the slowest job the metric's series come from, else the global one, and "
        "compares 4 times it with the shortest window that reads the metric: in the spec's own queries, "
        "and for SLIs in the rules generated from them (burn, "
        "outage and shared-rate windows). Lengthen the window (or the outage window) or scrape faster.",
    bad="slos: []\nkpis:\n  - name: request-rate\n    description: Requests per second.\n"
        "    query: sum(rate(shop_requests_total{job=\"shop\"}[2m]))  # flagged\n    min: 1\n",
    good="slos: []\nkpis:\n  - name: request-rate\n    description: Requests per second.\n"
         "    query: sum(rate(shop_requests_total{job=\"shop\"}[5m]))\n    min: 1\n",
    stage="prometheus",
)


def intervals(client: Any) -> tuple[float, dict[str, float]]:
    """(global scrape interval, per job) from the server's loaded configuration."""
    data = client.optional("status/config")
    text = data.get("yaml", "") if isinstance(data, dict) else ""
    try:
        config = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        config = {}
    config = config if isinstance(config, dict) else {}
    glob = config.get("global") if isinstance(config.get("global"), dict) else {}
    default = seconds(str((glob or {}).get("scrape_interval") or DEFAULT_SCRAPE_INTERVAL)) or 60.0
    jobs: dict[str, float] = {}
    for job in config.get("scrape_configs") or []:
        if isinstance(job, dict) and "job_name" in job:
            jobs[str(job["job_name"])] = seconds(str(job.get("scrape_interval") or "")) or default
    return default, jobs


def _plan_windows(ctx: LintContext) -> dict[tuple[str, str], float]:
    """(service, metric) -> shortest range any generated rule reads it over."""
    out: dict[tuple[str, str], float] = {}
    if ctx.plan is None:
        return out
    for svc in ctx.plan.services:
        for group in svc.groups:
            for rule in group.rules:
                for metric, window in _ranges(ctx, rule.expr):
                    key = (svc.service, metric)
                    out[key] = min(out.get(key, window), window)
    return out


def _ranges(ctx: LintContext, text: str) -> Iterator[tuple[str, float]]:
    expr = parsed(ctx, text)
    for node, _ in walk(expr) if expr is not None else ():
        if isinstance(node, promql_parser.MatrixSelector):
            yield metric_name(node.vector_selector), node.range.total_seconds()


def _interval(info: Server, use: Use, default: float, jobs: dict[str, float]) -> tuple[str | None, float]:
    """(job, scrape interval) of a metric: the job its `job="..."` matcher names, else the slowest job
    its series come from, else the global interval."""
    named = next((v for name, op, v in use.matchers if name == "job" and op == "="), None)
    found = [named] if named else info.label_values(use.metric, "job") if "job" in info.label_names(use.metric) \
        else []
    known = [j for j in found if j in jobs]
    if not known:
        return None, default
    slowest = max(known, key=lambda j: jobs[j])
    return slowest, jobs[slowest]


def run(ctx: LintContext) -> Iterator[Finding]:
    """Every selector use whose shortest window holds fewer than 4 scrapes."""
    default, jobs = intervals(ctx.prometheus)
    generated = _plan_windows(ctx)
    info = server(ctx)
    seen: set[tuple[str, tuple[str | int, ...]]] = set()
    for use, _ in uses(ctx):
        q = use.field
        service = str(q.src.data.get("service", ""))
        if q.kind == "selector":
            base = use.metric.removesuffix("_bucket").removesuffix("_count")
            candidates = [w for (s, m), w in generated.items()
                          if s == service and m in (use.metric, base + "_bucket", base + "_count")]
            where = "a generated rule reads it over"
        else:
            candidates = [w for m, w in _ranges(ctx, q.text) if m == use.metric]
            where = "the query reads it over"
        if not candidates or not info.label_names(use.metric):  # a missing metric is prometheus/series' finding
            continue
        job, interval = _interval(info, use, default, jobs)
        shortest = min(candidates)
        if shortest < SCRAPES_PER_WINDOW * interval and (q.src.file, q.path) not in seen:
            seen.add((q.src.file, q.path))  # one finding per field (a histogram's _bucket and _count agree)
            source = f"job {job}" if job else "the global scrape_interval"
            yield finding(q.src, NAME, q.path, f"{use.metric} is scraped every {format_duration(interval)} "
                          f"({source}) but {where} {format_duration(shortest)}: rate() needs "
                          f"{SCRAPES_PER_WINDOW} scrapes ({format_duration(SCRAPES_PER_WINDOW * interval)}) "
                          "to survive a missed one")
