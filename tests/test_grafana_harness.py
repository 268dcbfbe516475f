"""The real-Prometheus harness (tests/harness/): OpenMetrics output, rule levels, server lifecycle."""

from __future__ import annotations

import re
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.harness import OpenMetrics, PrometheusError, daily, recording_levels, running_prometheus
from tests.harness.prometheus import _names_in

SAMPLE = re.compile(r"^(?P<series>[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (?P<value>\S+) (?P<t>\d+)$")


def _week() -> OpenMetrics:
    om = OpenMetrics(start=1_700_000_000 // 86400 * 86400, end=1_700_000_000 // 86400 * 86400 + 3 * 86400)
    om.counter("requests_total", {"job": "api"}, daily(2.0))
    om.histogram("latency_seconds", {"job": "api"}, 1.5, lambda t: {0.5: 0.6 + 0.1 * (t % 2), 1: 0.9}, mean=0.4)
    om.gauge("up", {"job": "api"}, 1)
    return om


def _samples(text: str) -> dict[str, list[tuple[int, float]]]:
    series: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match, line
        series[match["series"]].append((int(match["t"]), float(match["value"])))
    return series


def test_openmetrics_follows_the_format_rules() -> None:
    text = _week().text()
    lines = text.splitlines()
    assert lines[-1] == "# EOF"
    assert [line for line in lines if line.startswith("# TYPE")] == [
        "# TYPE requests counter", "# TYPE latency_seconds histogram", "# TYPE up gauge"]
    series = _samples(text)
    assert 'requests_total{job="api"}' in series and 'latency_seconds_bucket{job="api",le="0.5"}' in series
    for name, points in series.items():
        times = [t for t, _ in points]
        assert times == sorted(set(times)), name
        if not name.startswith("up"):
            values = [v for _, v in points]
            assert values == sorted(values), f"{name} is a counter and must not decrease"
    # Buckets are cumulative at every timestamp, whatever the (here oscillating) shape does.
    for (_, half), (_, one), (_, inf) in zip(series['latency_seconds_bucket{job="api",le="0.5"}'],
                                             series['latency_seconds_bucket{job="api",le="1.0"}'],
                                             series['latency_seconds_bucket{job="api",le="+Inf"}'], strict=True):
        assert half <= one <= inf


def test_recent_history_is_finer() -> None:
    om = _week()
    gaps = {b - a for a, b in zip(list(om.times()), list(om.times())[1:], strict=False)}
    assert gaps == {900, 60, 15}
    tail = [t for t in om.times() if t > om.end - 90 * 60]
    assert all(b - a == 15 for a, b in zip(tail, tail[1:], strict=False))


def test_chunks_partition_the_samples_on_day_boundaries() -> None:
    om = _week()
    chunks = om.chunks()
    assert len(chunks) == 4 and all(c.endswith("# EOF\n") for c in chunks)
    merged: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, chunk in enumerate(chunks):
        for name, points in _samples(chunk).items():
            assert all(om.start + i * 86400 <= t < om.start + (i + 1) * 86400 for t, _ in points)
            merged[name].extend(points)
    assert dict(merged) == _samples(om.text())


def test_recording_levels_order_rules_by_what_they_read(tmp_path: Path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text("""groups:
  - name: a
    interval: 5m
    rules:
      - {record: "x:sum", expr: "sum(rate(requests_total[5m]))"}
      - {record: "x:avg", expr: "avg_over_time(x:sum[1h])"}
      - {alert: High, expr: "x:avg > 1"}
  - name: b
    rules:
      - {record: "x:ratio", expr: "x:avg / x:sum"}
      - {record: "x:sum", expr: "vector(1)"}
""")
    levels = recording_levels([rules])
    assert [[(g["name"], [r["record"] for r in g["rules"]]) for g in level] for level in levels] == [
        [("a", ["x:sum"]), ("b", ["x:sum"])], [("a", ["x:avg"])], [("b", ["x:ratio"])]]
    assert levels[0][0]["interval"] == "5m"
    assert _names_in("a:b{x='1'} / on(x) group_left c") == {"a:b", "c"}


def test_recording_levels_follow_rule_instances_not_record_names(tmp_path: Path) -> None:
    """A raw SLI's failed events multiply its ratio, a counter SLI's ratio divides its failed events: by record
    name a cycle, by rule instance (name and label matchers) two levels."""
    rules = tmp_path / "r.yaml"
    rules.write_text("""groups:
  - name: raw
    rules:
      - {record: "slo:ratio", expr: "vector(0.1)", labels: {slo: raw}}
      - {record: "slo:bad", expr: 'slo:ratio{slo="raw"} * 2', labels: {slo: raw}}
  - name: counted
    rules:
      - {record: "slo:bad", expr: "sum(rate(x_total[5m]))", labels: {slo: counted}}
      - {record: "slo:ratio", expr: 'slo:bad{slo="counted"} / 2', labels: {slo: counted}}
      - {record: "slo:all", expr: 'sum(slo:ratio)', labels: {slo: counted}}
""")
    levels = recording_levels([rules])
    assert [[(g["name"], [r["record"] for r in g["rules"]]) for g in level] for level in levels] == [
        [("raw", ["slo:ratio"]), ("counted", ["slo:bad"])],
        [("raw", ["slo:bad"]), ("counted", ["slo:ratio"])],
        [("counted", ["slo:all"])]]


@pytest.mark.slow
@pytest.mark.tools
def test_server_answers_and_is_stopped_even_on_error(tmp_path: Path) -> None:
    require_tool("prometheus")
    require_tool("promtool")
    om = OpenMetrics(start=1_700_000_000 // 7200 * 7200, end=1_700_000_000 // 7200 * 7200 + 3600, tiers=())
    om.gauge("up", {"job": "api"}, 1)
    url = ""
    with pytest.raises(RuntimeError, match="boom"), \
            running_prometheus([], om.chunks(), workdir=tmp_path / "p") as prom:
        url = prom.url
        assert prom.query("up", at=om.end)[0]["value"][1] == "1"
        assert prom.query("1 + 1")[0]["value"][1] == "2"
        with pytest.raises(PrometheusError, match="bad_data"):
            prom.query("sum(")
        raise RuntimeError("boom")
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/-/ready", timeout=2)
