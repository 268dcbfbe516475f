"""Every panel query of two example dashboards returns data from a real Prometheus on a healthy week.

aegis-rag (14 spec panels, a latency and a raw SLI, 15 KPIs, plain alerts) and support-agent
(latency, raw, ratio and score SLIs with 7d and custom windows, anomalies). Each example's
rendered rules are loaded into the Debian Prometheus, a week of healthy synthetic traffic for
every metric its panels and rules read is backfilled, and recorded series get their history with
`promtool tsdb create-blocks-from rules`. A panel that would show "No data" (an empty result or
NaN) on a healthy service fails the test.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_tool
from tests.harness import OpenMetrics, Prometheus, daily, running_prometheus

pytestmark = [pytest.mark.slow, pytest.mark.tools]

WEEK = 7 * 86400
LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
"""prometheus_client's default buckets, which aegis_query_latency_seconds uses."""


def _exponential(scale: float, buckets: list[float]) -> dict[float, float]:
    """Bucket shares of latencies exponentially distributed with mean `scale` (p95 = 3 x scale)."""
    return {b: 1 - math.exp(-b / scale) for b in buckets}


def aegis_rag_week(start: int, end: int) -> OpenMetrics:
    """A healthy week of every metric the aegis-rag panels and rules read (names from its spec)."""
    om = OpenMetrics(start=start, end=end)
    job = {"job": "aegis-rag"}
    for i, (intent, model) in enumerate([(i, m) for i in ("factual", "exploratory", "summary")
                                         for m in ("llama3.2:8b", "qwen2.5:7b")]):
        om.counter("aegis_queries_total", {**job, "intent": intent, "model": model}, daily(0.4, phase=i / 12))
    for error_type in ("ValidationError", "OllamaTimeoutError", "QdrantConnectionError"):
        om.counter("aegis_errors_total", {**job, "error_type": error_type}, daily(0.002))  # ~0.3% of queries
    for stage, scale in (("total", 0.2), ("retrieval", 0.05), ("generation", 0.15), ("intent_classification", 0.01)):
        om.histogram("aegis_query_latency_seconds", {**job, "stage": stage}, daily(2.4),
                     _exponential(scale, LATENCY_BUCKETS), mean=scale)
    for cache_type in ("query", "embedding", "retrieval"):
        om.counter("aegis_cache_hits_total", {**job, "cache_type": cache_type}, daily(1.6))
        om.counter("aegis_cache_misses_total", {**job, "cache_type": cache_type}, daily(0.4))
    for fact_type, base in (("episodic", 30000), ("semantic", 15000), ("procedural", 2000)):
        om.gauge("aegis_memory_facts_count", {**job, "fact_type": fact_type}, daily(base, 0.05))
    om.counter("aegis_llm_requests_total", job, daily(2.4))
    om.counter("aegis_llm_tokens_total", job, daily(900))
    om.gauge("aegis_qdrant_points_count", {**job, "collection": "documents"}, daily(250000, 0.01))
    om.gauge("aegis_neo4j_entities_count", job, daily(40000, 0.01))
    om.gauge("aegis_neo4j_relations_count", job, daily(90000, 0.01))
    om.gauge("aegis_llm_monthly_spend_usd", job, lambda t: 120 + (t - start) / WEEK * 30)
    om.gauge("aegis_llm_monthly_budget_usd", job, 500)
    for provider, scale in (("ollama", 0.6), ("openai", 0.9)):
        om.histogram("aegis_llm_latency_seconds", {**job, "provider": provider}, daily(1.2),
                     _exponential(scale, [0.1, 0.25, 0.5, 1, 2.5, 5, 10]), mean=scale)
    for target in ("aegis-rag", "qdrant", "neo4j", "redis"):
        om.gauge("up", {"job": target, "instance": f"{target}:9090"}, 1)
    om.gauge("probe_success", {"job": "ollama-probe", "instance": "ollama:11434"}, 1)
    return om


def support_agent_week(start: int, end: int) -> OpenMetrics:
    """A healthy week of every metric the support-agent panels and rules read (names from its spec)."""
    om = OpenMetrics(start=start, end=end)
    job = {"job": "astradesk"}
    # p95 drifts between ~2.4s and ~3.6s over the day: well inside 8s, and a non-flat anomaly baseline.
    latency = daily(1.0, 0.2)
    om.histogram("http_request_duration_seconds", job, daily(1.5),
                 lambda t: _exponential(latency(t), [0.5, 1, 2.5, 5, 8, 10, 15, 30]), mean=latency)
    for tool, base in (("search_kb", 0.985), ("create_ticket", 0.97), ("lookup_order", 0.99)):
        om.gauge("astradesk_tool_success", {**job, "tool": tool}, daily(base, 0.005))
    om.counter("astradesk_tasks_total", {**job, "outcome": "resolved"}, daily(0.75))
    om.counter("astradesk_tasks_total", {**job, "outcome": "handoff"}, daily(0.25))  # 75% contained
    om.histogram("astradesk_groundedness_score", job, daily(0.5),
                 {0.5: 0.01, 0.6: 0.02, 0.7: 0.03, 0.8: 0.05, 0.9: 0.4, 1: 1.0}, mean=0.88)
    om.gauge("astradesk_cost_usd", job, daily(0.02, 0.2))
    for token_type, base in (("input", 600), ("output", 150)):
        om.histogram("gen_ai_client_token_usage", {**job, "gen_ai_token_type": token_type}, daily(1.0),
                     {256: 0.3, 1024: 0.8, 4096: 1.0}, mean=daily(base, 0.1))
    om.gauge("up", {**job, "instance": "astradesk:8080"}, 1)
    om.gauge("probe_success", {"job": "astradesk-mcp-probe", "instance": "mcp-jira"}, 1)
    return om


EXAMPLES = {"aegis-rag": ("aegis-infra", aegis_rag_week), "support-agent": ("agent-ops", support_agent_week)}


@pytest.fixture(scope="module", params=sorted(EXAMPLES))
def example(request: pytest.FixtureRequest, rendered_examples: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Any:
    """(Prometheus with the example's rules, a healthy week and 2h of recorded history; end time; panels)."""
    require_tool("promtool")
    require_tool("prometheus")
    service = request.param
    team, week = EXAMPLES[service]
    end = int(time.time()) // 60 * 60 - 120
    rules = rendered_examples / "prometheus" / f"{service}.rules.yaml"
    dashboard = rendered_examples / "grafana" / "dashboards" / team / f"{service}.json"
    dash = json.loads(dashboard.read_text())
    panels = _all_values(dash)
    with running_prometheus([rules], week(end - WEEK, end).chunks(), workdir=tmp_path_factory.mktemp(service),
                            rules_from=end - 2 * 3600, rules_to=end) as prom:
        yield prom, end, panels


def _all_values(dash: dict[str, Any]) -> list[dict[str, Any]]:
    """The panels with each query variable (a grouped SLO's label) set to All, as Grafana sends it."""
    text = json.dumps(dash["panels"])
    for variable in dash["templating"]["list"]:
        if variable["type"] == "query":
            text = text.replace(f"${variable['name']}", variable["allValue"])
    return list(json.loads(text))


def _values(result: list[dict[str, Any]]) -> list[float]:
    return [float(sample["value"][1]) for sample in result]


Example = tuple[Prometheus, int, list[dict[str, Any]]]


def test_every_panel_query_returns_data_on_a_healthy_service(example: Example) -> None:
    prom, end, panels = example
    empty, nan = [], []
    checked = 0
    for panel in panels:
        for target in panel.get("targets", []):
            values = _values(prom.query(target["expr"], at=end))
            checked += 1
            where = f"{panel['title']} [{target['refId']}]: {target['expr']}"
            if not values:
                empty.append(where)
            elif any(math.isnan(v) for v in values):
                nan.append(where)
    assert empty == [] and nan == [], f"no data: {empty}\nNaN: {nan}"
    assert checked > 30


def test_time_series_panels_have_a_line_over_the_last_hour(example: Example) -> None:
    prom, end, panels = example
    for panel in panels:
        if panel["type"] != "timeseries":
            continue
        for target in panel["targets"]:
            series = prom.query_range(target["expr"], end - 3600, end, 60)
            assert series and max(len(s["values"]) for s in series) >= 50, (panel["title"], target["expr"])


def test_the_healthy_week_reads_as_healthy(example: Example) -> None:
    """Summary stats: SLI at or above the objective, budget left; burn rates below their alert thresholds."""
    prom, end, panels = example
    summary = panels[1:panels.index(next(p for p in panels[1:] if p["type"] == "row"))]
    assert summary and all(p["type"] == "stat" for p in summary)
    for panel in summary:
        objective, sli, budget = (_values(prom.query(t["expr"], at=end))[0] for t in panel["targets"])
        assert sli >= objective and 0 < budget <= 1, panel["title"]
    for panel in panels:
        if "burn rate" in panel["title"]:
            lowest = min(s["value"] for s in panel["fieldConfig"]["defaults"]["thresholds"]["steps"][1:])
            for target in panel["targets"]:
                assert max(_values(prom.query(target["expr"], at=end))) < lowest, target["expr"]


def test_the_alert_list_filter_matches_the_loaded_alert_rules(example: Example) -> None:
    prom, _, panels = example
    (alertlist,) = [p for p in panels if p["type"] == "alertlist"]
    label_filter = alertlist["options"]["alertInstanceLabelFilter"]
    alerting = [r for g in prom.rules() for r in g["rules"] if r["type"] == "alerting"]
    assert alerting and all(label_filter == f'{{service="{r["labels"]["service"]}"}}' for r in alerting)
    assert len({r["labels"]["service"] for r in alerting}) == 1
