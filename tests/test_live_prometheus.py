"""`lint --prometheus` and `backtest` against a real Prometheus (Debian's binary) with backfilled history.

One server for the module: 3 days at 1-minute resolution of a small shop service, 15 days of
retention, and a planted incident: every request fails for 30 minutes, 10 hours before the end.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentops_gen.lint.docs import example
from agentops_gen.lint.registry import Check, checks
from agentops_gen.lint.runner import lint
from agentops_gen.live.client import Connection
from tests.conftest import require_tool, run_cli
from tests.harness import OpenMetrics, running_prometheus
from tests.test_lint_checks import flagged_line

pytestmark = [pytest.mark.slow, pytest.mark.tools]

DAY = 86400
END = int(time.time()) // 60 * 60
INCIDENT = END - 10 * 3600
"""Requests fail from the sample after INCIDENT until INCIDENT_END (sample times are minutes)."""
INCIDENT_END = INCIDENT + 30 * 60
LEGACY_UNTIL = END - 2 * DAY


def _success_rate(t: float) -> float:
    return 0.0 if INCIDENT < t <= INCIDENT_END else 5.0


def _error_rate(t: float) -> float:
    return 5.0 if INCIDENT < t <= INCIDENT_END else 0.005


def _history() -> list[str]:
    om = OpenMetrics(start=END - 3 * DAY, end=END, step=60, tiers=())
    job = {"job": "shop"}
    om.counter("shop_requests_total", {**job, "status": "success"}, _success_rate)
    om.counter("shop_requests_total", {**job, "status": "error"}, _error_rate)
    om.counter("shop_checkouts_total", {**job, "status": "success"}, 2.0)
    om.counter("shop_checkouts_total", {**job, "status": "error"}, 0.0005)
    om.histogram("shop_request_duration_seconds", job, 5.0, {0.5: 0.9, 1.0: 0.99, 2.5: 1.0}, 0.3)
    om.gauge("shop_queue_depth", job, 10.0)
    legacy = OpenMetrics(start=END - 3 * DAY, end=LEGACY_UNTIL, step=60, tiers=())
    legacy.counter("shop_legacy_total", job, 1.0)
    return om.chunks() + legacy.chunks()


GOOD = """\
version: agentops-gen/v1
service: shop
owner: shop-team
description: Test shop.
period: 30d
slos:
  - name: availability
    description: Requests that succeed.
    objective: 99.5
    sli:
      ratio:
        good: shop_requests_total{job="shop",status="success"}
        total: shop_requests_total{job="shop"}
  - name: checkout
    description: Checkouts that succeed.
    objective: 99
    sli:
      ratio:
        errors: shop_checkouts_total{job="shop",status="error"}
        total: shop_checkouts_total{job="shop"}
  - name: latency
    description: Requests within 1 s.
    objective: 95
    period: 7d
    sli:
      latency:
        histogram: shop_request_duration_seconds{job="shop"}
        threshold: 1s
        buckets: [0.5, 1, 2.5]
kpis:
  - name: queue-depth
    description: Queued orders.
    query: max(shop_queue_depth{job="shop"})
    unit: short
    max: 50
    for: 10m
    severity: warning
"""

TYPOS = """\
version: agentops-gen/v1
service: shop
owner: shop-team
description: Test shop.
period: 7d
slos:
  - name: availability
    description: Requests that succeed.
    objective: 99.5
    sli:
      ratio:
        good: shop_request_total{job="shop",status="success"}
        total: shop_requests_total{jbo="shop"}
  - name: checkout
    description: Checkouts that succeed.
    objective: 99
    sli:
      ratio:
        errors: shop_checkouts_total{job="shop",status="eror"}
        total: shop_legacy_total{job="shop"}
  - name: latency
    description: Requests within 2 s.
    objective: 95
    sli:
      latency:
        histogram: shop_request_duration_seconds{job="shop"}
        threshold: 2s
        buckets: [0.5, 1, 2, 2.5]
"""


@pytest.fixture(scope="module")
def prom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Prometheus for the module: the shop's history, 15 days of retention, global scrape 1m."""
    require_tool("promtool")
    require_tool("prometheus")
    with running_prometheus([], _history(), workdir=tmp_path_factory.mktemp("live-prom"),
                            retention="15d") as server:
        yield server.url


def _folder(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir(parents=True)
    (folder / "shop.yaml").write_text(text, encoding="utf-8")
    return folder


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def _online(prom: str, folder: Path) -> list:  # type: ignore[type-arg]
    return [f for f in lint([folder], disabled=set(), prometheus=Connection(prom))
            if f.check.startswith("prometheus/")]


def test_good_spec_has_no_series_finding(prom: str, tmp_path: Path) -> None:
    found = _online(prom, _folder(tmp_path, GOOD))
    assert [f.format() for f in found if "series" in f.check] == []
    # 30d on a server that keeps 15d: flagged at the `period:` the SLOs inherit; the 7d SLO is fine
    retention = [f for f in found if f.check == "prometheus/retention"]
    assert {f.location.line for f in retention} == {_line(GOOD, "period: 30d")}
    assert len(retention) == 2 and all("keeps 15d" in f.message for f in retention)
    # the outage alert reads the request counters over 2m, under 4 scrapes of the global 1m interval
    scrape = [f for f in found if f.check == "prometheus/scrape-interval"]
    assert {f.location.line for f in scrape} >= {_line(GOOD, "good: shop_requests_total"),
                                                  _line(GOOD, "total: shop_requests_total")}
    assert all("over 2m" in f.message for f in scrape)


def test_typos_are_found_at_their_lines(prom: str, tmp_path: Path) -> None:
    found = {(f.check, f.location.line): f.message for f in _online(prom, _folder(tmp_path, TYPOS))}
    series = {line: msg for (check, line), msg in found.items() if check == "prometheus/series"}
    assert set(series) == {_line(TYPOS, "shop_request_total"), _line(TYPOS, "jbo="), _line(TYPOS, '"eror"'),
                           _line(TYPOS, "shop_legacy_total")}
    assert "never existed" in series[_line(TYPOS, "shop_request_total")]
    assert "did you mean shop_requests_total" in series[_line(TYPOS, "shop_request_total")]
    assert "no label `jbo`" in series[_line(TYPOS, "jbo=")]
    assert 'status="eror"' in series[_line(TYPOS, '"eror"')] and "success" in series[_line(TYPOS, '"eror"')]
    assert "disappeared" in series[_line(TYPOS, "shop_legacy_total")]
    le = {line: msg for (check, line), msg in found.items() if check == "prometheus/series-le-bucket"}
    assert list(le) == [_line(TYPOS, "threshold: 2s")]
    assert "'2' or '2.0'" in le[_line(TYPOS, "threshold: 2s")] and "1.0" in le[_line(TYPOS, "threshold: 2s")]
    assert not [k for k in found if k[0] == "prometheus/retention"]  # 7d fits in 15d


def test_online_checks_are_off_without_prometheus(tmp_path: Path) -> None:
    found = lint([_folder(tmp_path, TYPOS)], disabled=set())
    assert not [f for f in found if f.check.startswith("prometheus/")]


def _error_ratio(t: int, window: int) -> float:
    """The availability SLI's error ratio at evaluation time t over `window` seconds, from the data model."""
    samples = range(t - window + 60, t + 1, 60)  # the increments inside (t - window, t]
    errors = sum(_error_rate(s) * 60 for s in samples)
    return errors / (errors + sum(_success_rate(s) * 60 for s in samples))


def _first(start: int, condition) -> int:  # type: ignore[no-untyped-def]
    t = start
    while not condition(t):
        t += 60
    return t


def test_backtest_finds_the_incident_for_the_page_alert_only(prom: str, tmp_path: Path) -> None:
    folder = _folder(tmp_path, GOOD)
    result = run_cli("backtest", str(folder), "--prometheus", prom, "--range", "2d", "--end", str(END),
                     "--format", "json")
    assert result.returncode == 0, result.stderr
    alerts = json.loads(result.stdout)["alerts"]
    fired = {a["alert"]: a for a in alerts if a["episodes"]}
    budget = 14.4 * 0.005, 6 * 0.005

    def page(t: int) -> bool:
        return (_error_ratio(t, 3600) > budget[0] and _error_ratio(t, 300) > budget[0]) or \
            (_error_ratio(t, 6 * 3600) > budget[1] and _error_ratio(t, 1800) > budget[1])

    pending = _first(INCIDENT, page)
    assert pending == INCIDENT + 5 * 60  # 1h ratio first above 7.2% after 5 failing minutes
    last = _first(pending, lambda t: not page(t))
    assert fired["ShopAvailabilityBurnRatePage"]["episodes"] == [
        {"start": _rfc3339(pending + 120), "end": _rfc3339(last + 300)}]  # for: 2m, keep_firing_for: 5m
    assert fired["ShopAvailabilityBurnRatePage"]["labels"] == {
        "service": "shop", "slo": "availability", "severity": "critical", "team": "shop-team"}
    outage = _first(INCIDENT, lambda t: _error_ratio(t, 120) > 0.9)
    assert fired["ShopAvailabilityOutage"]["episodes"][0]["start"] == _rfc3339(outage) == _rfc3339(INCIDENT + 120)
    assert {name for name in fired if not name.startswith("ShopAvailability")} == set()
    assert {a["alert"] for a in alerts} >= {"ShopCheckoutBurnRatePage", "ShopLatencyBurnRatePage",
                                            "ShopQueueDepthAboveMax"}


def test_backtest_text_lists_noisy_alerts_first(prom: str, tmp_path: Path) -> None:
    result = run_cli("backtest", str(_folder(tmp_path, GOOD)), "--prometheus", prom, "--range", "2d",
                     "--end", str(END))
    assert result.returncode == 0, result.stderr
    rows = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  Shop")
            and ":" not in line.split()[0]]
    assert rows[0].startswith("ShopAvailability") and rows[-1] != rows[0]
    assert result.stdout.startswith("service shop: ")


def _rfc3339(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


ONLINE = [c for c in checks() if c.stage == "prometheus" and c.bad]


@pytest.mark.parametrize("check", ONLINE, ids=[c.name for c in ONLINE])
def test_docs_examples_against_the_server(prom: str, tmp_path: Path, check: Check) -> None:
    bad, good = example(check, "bad"), example(check, "good")
    hits = [f for f in _online(prom, _folder(tmp_path / "bad", bad)) if f.check == check.name]
    assert [f.location.line for f in hits] == [flagged_line(bad)], [f.format() for f in hits]
    assert [f.format() for f in _online(prom, _folder(tmp_path / "good", good)) if f.check == check.name] == []


def test_every_alert_of_the_examples_evaluates_on_the_real_server(prom: str) -> None:
    # burn, outage, budget, KPI, anomaly (7d baselines as nested subqueries) and plain alerts: each one
    # inlined onto raw series must be a query the server accepts (no data here, so nothing fires)
    result = run_cli("backtest", "slo_specs", "--prometheus", prom, "--range", "1h", "--format", "json")
    assert result.returncode == 0, result.stderr
    alerts = json.loads(result.stdout)["alerts"]
    assert not [a for a in alerts if "error" in a]
    names = {a["alert"] for a in alerts}
    assert {"AmasAgentAvailabilityBurnRatePage", "AmasAgentAvailabilityErrorBudgetBelow5", "AmasDown"} <= names
    assert {"AmasMemoryUsageAboveMax", "AmasLatencyRegressionAnomaly", "AmasTokenUsageAnomaly"} <= names
