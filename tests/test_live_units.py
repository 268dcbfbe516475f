"""Pure parts of `lint --prometheus` and `backtest`: alert state machine, rule inlining, printing, options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import promql_parser
import pytest

from agentops_gen.live.backtest import MAX_STEPS, windows
from agentops_gen.live.client import Client, Connection, connection, read_header_file
from agentops_gen.live.episodes import episodes
from agentops_gen.live.expand import Expander, ExpandError, Recording
from agentops_gen.live.promql_text import to_text
from tests.conftest import run_cli

M = 60_000  # one minute in ms
STEPS = [i * M for i in range(30)]


def test_for_delays_the_start_and_a_gap_resets_pending() -> None:
    # present at minutes 3..4 (too short for for: 2m), then 10..14
    present = [3 * M, 4 * M, *(m * M for m in range(10, 15))]
    assert episodes(STEPS, present, for_ms=2 * M, keep_firing_ms=0) == [(12 * M, 15 * M)]


def test_without_for_fires_at_the_first_sample_and_resolves_at_the_first_gap() -> None:
    assert episodes(STEPS, [5 * M, 6 * M, 9 * M], 0, 0) == [(5 * M, 7 * M), (9 * M, 10 * M)]


def test_keep_firing_for_bridges_short_gaps_and_ends_late() -> None:
    present = [*(m * M for m in range(2, 6)), *(m * M for m in range(8, 10))]
    # gap at 6, 7 (< 3m) is bridged; after 9 the alert keeps firing for 3m: resolved at 13
    assert episodes(STEPS, present, for_ms=0, keep_firing_ms=3 * M) == [(2 * M, 13 * M)]


def test_keep_firing_for_does_not_hold_a_pending_alert() -> None:
    assert episodes(STEPS, [2 * M, 3 * M], for_ms=5 * M, keep_firing_ms=10 * M) == []


def test_still_firing_at_the_end_is_open() -> None:
    assert episodes(STEPS, [m * M for m in range(25, 30)], for_ms=M, keep_firing_ms=0) == [(26 * M, None)]


def test_range_is_cut_on_the_step_grid_within_the_point_limit() -> None:
    parts = list(windows(0, 25_000 * 60, 60))
    assert all((b - a) / 60 + 1 <= MAX_STEPS for a, b in parts)
    assert parts[0][0] == 0 and parts[-1][1] == 25_000 * 60
    assert all(b + 60 == c for (_, b), (c, _) in zip(parts, parts[1:], strict=False))


RULES = [
    Recording("job:err:ratio5m", 'sum(rate(err_total{job="a"}[5m])) / sum(rate(req_total{job="a"}[5m]))',
              {"service": "a", "slo": "x"}, "1m"),
    Recording("job:err:ratio5m", 'sum(rate(err_total{job="b"}[5m]))', {"service": "b", "slo": "x"}, "1m"),
    Recording("job:err:ratio1d", 'avg_over_time(job:err:ratio5m{service="a"}[1d])', {"service": "a"}, "5m"),
]


def test_expansion_picks_rules_by_their_static_labels_and_sets_them() -> None:
    out = Expander(RULES).expand('job:err:ratio1d{service="a"} > 0.1')
    promql_parser.parse(out)
    assert 'job="b"' not in out and 'err_total{job="a"}' in out
    assert '[1d:5m]' not in out and "[1d:1m]" in out  # subquery at the interval of the rule it reads
    assert 'label_replace(' in out and '"service", "a", "", ""' in out
    assert '"__name__", "job:err:ratio1d"' in out


def test_expansion_of_several_matching_rules_is_their_union() -> None:
    out = Expander(RULES).expand('job:err:ratio5m{slo="x"}')
    assert 'job="a"' in out and 'job="b"' in out and ") or (" in out


def test_expansion_refuses_a_matcher_on_a_label_the_rule_does_not_set() -> None:
    with pytest.raises(ExpandError, match="`team`"):
        Expander(RULES).expand('job:err:ratio5m{team="t"}')


def test_printing_keeps_escapes_the_parser_printer_drops() -> None:
    text = r'sum by (le) (rate(x_bucket{a="q\"uote",b=~"1\\.0|1"}[5m] offset 1m)) > bool 2'
    assert promql_parser.parse(to_text(promql_parser.parse(text))).prettify() == \
        promql_parser.parse(text).prettify()
    assert r'a="q\"uote"' in to_text(promql_parser.parse(text))


def test_header_file_and_bearer_token(tmp_path: Path) -> None:
    headers = tmp_path / "headers"
    headers.write_text("# tenant\nX-Scope-OrgID: team-a\n\n", encoding="utf-8")
    token = tmp_path / "token"
    token.write_text("s3cret\n", encoding="utf-8")
    conn = connection("http://prom:9090/", bearer_token_file=token, header_file=headers)
    assert conn.url == "http://prom:9090"
    assert conn.headers == {"X-Scope-OrgID": "team-a", "Authorization": "Bearer s3cret"}
    headers.write_text("no colon here\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":1: expected"):
        read_header_file(headers)


def test_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTOPS_GEN_PROMETHEUS_URL", "https://mimir.example/prometheus")
    assert connection(None).url == "https://mimir.example/prometheus"
    monkeypatch.delenv("AGENTOPS_GEN_PROMETHEUS_URL")
    with pytest.raises(ValueError, match="--prometheus"):
        connection(None)


def test_requests_are_capped() -> None:
    client = Client(Connection("http://127.0.0.1:1"), max_requests=0)
    with pytest.raises(Exception, match="more than 0 requests"):
        client.get("labels")


@pytest.mark.parametrize("command", ["lint", "backtest"])
def test_unreachable_server_is_one_line_and_exit_2(command: str) -> None:
    result = run_cli(command, "slo_specs", "--prometheus", "http://127.0.0.1:1", "--timeout", "5")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("agentops-gen: error: prometheus: http://127.0.0.1:1 ")
    assert "cannot connect" in lines[0] and "Traceback" not in result.stderr
    assert result.stdout == ""


class FakeClient:
    """Canned API answers by path."""

    def __init__(self, answers: dict[str, Any]):
        self.answers = answers
        self.requests = 0
        self.conn = Connection("http://fake:9090")

    def get(self, path: str, params: Any = None) -> Any:
        return self.answers.get(path)

    def optional(self, path: str, params: Any = None) -> Any:
        return self.get(path, params)


def test_retention_from_flags_runtime_info_or_default() -> None:
    from agentops_gen.lint.checks.prometheus_retention import retention

    assert retention(FakeClient({"status/flags": {"storage.tsdb.retention.time": "15d"}}))[0] == 15 * 86400
    assert retention(FakeClient({"status/flags": {"storage.tsdb.retention.time": "0s"}}))[0] == 15 * 86400
    assert retention(FakeClient({"status/flags": {"storage.tsdb.retention.time": "0s",
                                                  "storage.tsdb.retention.size": "50GB"}}))[0] is None
    assert retention(FakeClient({"status/runtimeinfo": {"storageRetention": "90d or 100GiB"}}))[0] == 90 * 86400
    assert retention(FakeClient({}))[0] is None


def test_scrape_intervals_per_job_and_global() -> None:
    from agentops_gen.lint.checks.prometheus_scrape_interval import intervals

    yaml_text = ("global:\n  scrape_interval: 30s\n"
                 "scrape_configs:\n- job_name: a\n  scrape_interval: 2m\n- job_name: b\n")
    assert intervals(FakeClient({"status/config": {"yaml": yaml_text}})) == (30.0, {"a": 120.0, "b": 30.0})
    assert intervals(FakeClient({})) == (60.0, {})


class MetadataClient(FakeClient):
    """Every metric exists; /api/v1/metadata types them by name."""

    TYPES = {"queue_depth": "gauge", "jobs_done": "counter", "requests": "counter"}

    def get(self, path: str, params: Any = None) -> Any:
        if path == "metadata":
            name = dict(params)["metric"]
            return {name: [{"type": self.TYPES[name]}]} if name in self.TYPES else {}
        return ["__name__", "job"]


METRIC_TYPES = """\
version: agentops-gen/v1
service: example
owner: team-a
description: Example service.
slos:
  - name: availability
    description: Requests that succeed.
    objective: 99.5
    sli:
      ratio:
        errors: queue_depth{job="a"}
        total: requests_total{job="a"}
kpis:
  - name: queue-growth
    description: Queue growth.
    query: sum(rate(queue_depth{job="a"}[10m]))
    max: 5
  - name: jobs
    description: Jobs done.
    query: sum(jobs_done{job="a"})
    max: 5
  - name: jobs-rate
    description: Jobs per second.
    query: sum(rate(jobs_done{job="a"}[10m])) + absent(jobs_done{job="a"})
    min: 1
"""


def test_metric_type_from_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import agentops_gen.live.client as client_module
    from agentops_gen.lint.runner import lint

    monkeypatch.setattr(client_module, "Client", lambda conn: MetadataClient({}))
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "example.yaml").write_text(METRIC_TYPES, encoding="utf-8")
    found = [f for f in lint([folder], disabled=set(), prometheus=Connection("http://unused:9090"))
             if f.check == "prometheus/metric-type"]
    lines = METRIC_TYPES.splitlines()
    where = {f.location.line: f.message for f in found}
    assert sorted(where) == [n for n, line in enumerate(lines, start=1)
                             if "errors: queue_depth" in line or "rate(queue_depth" in line
                             or "sum(jobs_done" in line]
    assert "gauge" in where[lines.index('        errors: queue_depth{job="a"}') + 1]
    assert "without rate()" in where[lines.index('    query: sum(jobs_done{job="a"})') + 1]


class _Recorder:
    """A local HTTP server answering every GET with a fixed status and body, keeping the request headers."""

    def __init__(self, status: int, body: dict[str, Any]):
        import http.server
        import json
        import threading

        seen: list[dict[str, str]] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                seen.append({k.lower(): v for k, v in self.headers.items()})  # names are case-insensitive
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.seen = seen
        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_auth_headers_are_sent_and_answers_cached(tmp_path: Path) -> None:
    server = _Recorder(200, {"status": "success", "data": ["job"]})
    try:
        headers = tmp_path / "headers"
        headers.write_text("X-Scope-OrgID: team-a\n", encoding="utf-8")
        token = tmp_path / "token"
        token.write_text("s3cret", encoding="utf-8")
        client = Client(connection(server.url, bearer_token_file=token, header_file=headers))
        assert client.get("labels", [("match[]", "up")]) == ["job"]
        assert client.get("labels", [("match[]", "up")]) == ["job"]
        assert client.requests == 1 and len(server.seen) == 1
        assert server.seen[0]["x-scope-orgid"] == "team-a" and server.seen[0]["authorization"] == "Bearer s3cret"
    finally:
        server.close()


def test_a_failing_server_is_one_line_naming_its_error(tmp_path: Path) -> None:
    from agentops_gen.live.client import PrometheusUnavailable

    server = _Recorder(503, {"status": "error", "errorType": "unavailable", "error": "ingesters down"})
    try:
        with pytest.raises(PrometheusUnavailable) as info:
            Client(connection(server.url)).get("query_range")
        assert str(info.value) == f"{server.url} (/api/v1/query_range): HTTP 503 Service Unavailable: ingesters down"
        result = run_cli("backtest", "slo_specs", "--prometheus", server.url)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.count("\n") == 1 and "ingesters down" in result.stderr
    finally:
        server.close()


def test_a_query_the_server_refuses_is_reported_with_its_alert(tmp_path: Path) -> None:
    server = _Recorder(422, {"status": "error", "errorType": "execution", "error": "query timed out"})
    try:
        (tmp_path / "specs").mkdir()
        (tmp_path / "specs" / "s.yaml").write_text(METRIC_TYPES, encoding="utf-8")
        result = run_cli("backtest", str(tmp_path / "specs"), "--prometheus", server.url, "--format", "json")
    finally:
        server.close()
    assert result.returncode == 1
    import json

    alerts = json.loads(result.stdout)["alerts"]
    assert alerts and all("query timed out" in a["error"] and a["episodes"] == [] for a in alerts)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("agentops-gen: warning: ")]
    assert len(warnings) == len(alerts)


class ConfigClient(FakeClient):
    """Two jobs scraped at different intervals; `fast_total` comes from job fast, `slow_total` from slow."""

    CONFIG = ("global:\n  scrape_interval: 1m\nscrape_configs:\n- job_name: fast\n  scrape_interval: 15s\n"
              "- job_name: slow\n  scrape_interval: 2m\n")

    def get(self, path: str, params: Any = None) -> Any:
        match = dict(params or []).get("match[]", "")
        if path == "status/config":
            return {"yaml": self.CONFIG}
        if path == "labels":
            return ["__name__", "job"]
        if path == "label/job/values":
            return ["slow"] if "slow_total" in match else ["fast"]
        return {}


SCRAPE = """\
version: agentops-gen/v1
service: example
owner: team-a
description: Example service.
slos: []
kpis:
  - name: fast
    description: Fast job, 2m window, 15s scrapes.
    query: sum(rate(fast_total[2m]))
    min: 1
  - name: slow
    description: Slow job, 5m window, 2m scrapes.
    query: sum(rate(slow_total[5m]))
    min: 1
  - name: named
    description: The job matcher decides.
    query: sum(rate(fast_total{job="slow"}[5m]))
    min: 1
"""


def test_scrape_interval_of_the_job_the_metric_comes_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import agentops_gen.live.client as client_module
    from agentops_gen.lint.runner import lint

    monkeypatch.setattr(client_module, "Client", lambda conn: ConfigClient({}))
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "example.yaml").write_text(SCRAPE, encoding="utf-8")
    found = {f.location.line: f.message for f in lint([folder], disabled=set(), prometheus=Connection("http://x:1"))
             if f.check == "prometheus/scrape-interval"}
    lines = SCRAPE.splitlines()
    assert sorted(found) == [lines.index("    query: sum(rate(slow_total[5m]))") + 1,
                             lines.index('    query: sum(rate(fast_total{job="slow"}[5m]))') + 1]
    assert all("every 2m (job slow)" in m and "over 5m" in m for m in found.values())


BASELINES = """\
version: agentops-gen/v1
service: example
owner: team-a
description: Example service.
period: 14d
slos: []
anomalies:
  - name: long
    description: A four-week baseline.
    query: sum(rate(requests_total[5m]))
    baseline: 28d
  - name: default
    description: The default 7d baseline.
    query: sum(rate(requests_total[5m]))
"""


def test_retention_covers_anomaly_baselines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import agentops_gen.live.client as client_module
    from agentops_gen.lint.runner import lint

    client = FakeClient({"status/flags": {"storage.tsdb.retention.time": "15d"}})
    monkeypatch.setattr(client_module, "Client", lambda conn: client)
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "example.yaml").write_text(BASELINES, encoding="utf-8")
    found = [f for f in lint([folder], disabled=set(), prometheus=Connection("http://x:1"))
             if f.check == "prometheus/retention"]
    assert [f.location.line for f in found] == [BASELINES.splitlines().index("    baseline: 28d") + 1]
    assert "28d baseline" in found[0].message and "keeps 15d" in found[0].message
