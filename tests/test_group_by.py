"""group_by (issue 13): one SLO per label value, proven on promtool with hand-written inputs.

The promtool cases feed several groups at once (one burning, one healthy, one with no errors series at
all, one with zero traffic, one that vanishes) and check what each group's recorded series and alerts
read. The expected values are worked out from the inputs here, not copied from the generated rules.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from conftest import promtool_test_subset, require_tool, run_cli, write_rules

from agentops_gen.pipeline import plan_paths
from tests.test_alertmanager_e2e import alert, free_port, post, sink_config, wait_for

SPEC = {
    "version": "agentops-gen/v1", "service": "llm", "owner": "team-a", "period": "30d",
    "slos": [
        {"name": "completion-availability", "objective": 99, "group_by": ["model"],
         "sli": {"ratio": {"errors": 'llm_completions_total{outcome="error"}', "total": "llm_completions_total"}}},
        {"name": "completion-latency", "objective": 95, "group_by": ["model"],
         "sli": {"latency": {"histogram": "llm_latency_seconds", "threshold": "2s"}}},
    ],
}
AVAILABILITY = 'service="llm", slo="completion-availability"'


def _render(tmp_path: Path, spec: dict) -> Path:  # type: ignore[type-arg]
    (tmp_path / "specs").mkdir(parents=True, exist_ok=True)
    (tmp_path / "specs" / "llm.yaml").write_text(yaml.safe_dump(spec))
    out = tmp_path / "out"
    result = run_cli("render", str(tmp_path / "specs"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def _promtool_test(promtool: str, out: Path, tests: list[dict]) -> subprocess.CompletedProcess[str]:  # type: ignore[type-arg]
    test_file = out / "prometheus" / "tests" / "hand.test.yaml"
    # split groups read each other's records: evaluate them in file order, as the generated tests do
    order = [g["name"] for g in yaml.safe_load((out / "prometheus" / "llm.rules.yaml").read_text())["groups"]]
    test_file.write_text(yaml.safe_dump({"rule_files": ["../llm.rules.yaml"], "evaluation_interval": "1m",
                                         "group_eval_order": order, "tests": tests}, sort_keys=False))
    return subprocess.run([promtool, "test", "rules", str(test_file)], capture_output=True, text=True, timeout=600)


# 100 events a minute per group; the burning model fails half of them.
GROUP_SERIES = [
    {"series": 'llm_completions_total{model="burning",outcome="ok"}', "values": "0+50x60"},
    {"series": 'llm_completions_total{model="burning",outcome="error"}', "values": "0+50x60"},
    {"series": 'llm_completions_total{model="healthy",outcome="ok"}', "values": "0+100x60"},
    {"series": 'llm_completions_total{model="healthy",outcome="error"}', "values": "0+0x60"},
    # never failed: its errors series does not exist, yet its ratio must read 0, not vanish
    {"series": 'llm_completions_total{model="noerrors",outcome="ok"}', "values": "0+100x60"},
    # zero traffic: flat counters, no ratio at all (0/0 is not an error ratio)
    {"series": 'llm_completions_total{model="idle",outcome="ok"}', "values": "5+0x60"},
    {"series": 'llm_completions_total{model="idle",outcome="error"}', "values": "1+0x60"},
    # healthy traffic until minute 10, then its series stop (a model taken out of the scrape)
    {"series": 'llm_completions_total{model="gone",outcome="ok"}', "values": "0+100x10"},
]


def test_each_group_reads_its_own_ratio_and_only_the_burning_one_pages(tmp_path: Path, promtool: str) -> None:
    out = _render(tmp_path, SPEC)
    ratio = f"slo:sli_error:ratio_rate5m{{{AVAILABILITY}}}"
    base = {"service": "llm", "team": "team-a", "slo": "completion-availability"}
    tests = [{
        "interval": "1m",
        "input_series": GROUP_SERIES,
        "promql_expr_test": [
            # burning 50/100 fail, healthy 0/100, noerrors reads 0 with no errors series; idle and gone have none
            {"expr": ratio, "eval_time": "30m", "exp_samples": [
                {"labels": f"slo:sli_error:ratio_rate5m{{{_labels({**base, 'model': 'burning'})}}}", "value": 0.5},
                {"labels": f"slo:sli_error:ratio_rate5m{{{_labels({**base, 'model': 'healthy'})}}}", "value": 0},
                {"labels": f"slo:sli_error:ratio_rate5m{{{_labels({**base, 'model': 'noerrors'})}}}", "value": 0},
            ]},
            # the budget is spent per group: burning burns 50x (0.5 / 0.01), the others not at all
            {"expr": f"slo:current_burn_rate:ratio{{{AVAILABILITY}, model=\"burning\"}}", "eval_time": "30m",
             "exp_samples": [{"labels": "slo:current_burn_rate:ratio{"
                                        + _labels({**base, "model": "burning"}) + "}", "value": 50}]},
            # every firing alert of the SLO at 30m: the burning model's page and ticket, nothing else
            {"expr": 'count by (alertname, model) (ALERTS{alertstate="firing", slo="completion-availability"})',
             "eval_time": "30m",
             "exp_samples": [
                 {"labels": '{alertname="LlmCompletionAvailabilityBurnRatePage", model="burning"}', "value": 1},
                 {"labels": '{alertname="LlmCompletionAvailabilityBurnRateTicket", model="burning"}', "value": 1},
             ]},
            # the gone model stopped at 10m: 10m window + 20m `for` later its own no-data alert fires
            {"expr": 'count by (alertname, model) (ALERTS{alertstate="firing", service="llm", '
                     'alertname="LlmCompletionAvailabilityNoData"})', "eval_time": "29m", "exp_samples": []},
            {"expr": 'count by (alertname, model) (ALERTS{alertstate="firing", service="llm", '
                     'alertname="LlmCompletionAvailabilityNoData"})', "eval_time": "45m",
             "exp_samples": [{"labels": '{alertname="LlmCompletionAvailabilityNoData", model="gone"}', "value": 1}]},
        ],
    }]
    result = _promtool_test(promtool, out, tests)
    assert result.returncode == 0, result.stdout + result.stderr


def _labels(labels: dict[str, str]) -> str:
    return ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))


def test_latency_ratio_per_group(tmp_path: Path, promtool: str) -> None:
    """A grouped latency SLI sums its buckets by the group (the `le` label goes): one ratio per model."""
    out = _render(tmp_path, SPEC)
    base = {"service": "llm", "team": "team-a", "slo": "completion-latency"}
    tests = [{
        "interval": "1m",
        "input_series": [
            # fast: every request within 2s; slow: 40 of 100 over 2s; quiet: no requests
            {"series": 'llm_latency_seconds_bucket{model="fast",le="2"}', "values": "0+100x40"},
            {"series": 'llm_latency_seconds_count{model="fast"}', "values": "0+100x40"},
            {"series": 'llm_latency_seconds_bucket{model="slow",le="2"}', "values": "0+60x40"},
            {"series": 'llm_latency_seconds_count{model="slow"}', "values": "0+100x40"},
            {"series": 'llm_latency_seconds_bucket{model="quiet",le="2"}', "values": "7+0x40"},
            {"series": 'llm_latency_seconds_count{model="quiet"}', "values": "7+0x40"},
        ],
        "promql_expr_test": [
            {"expr": 'slo:sli_error:ratio_rate5m{service="llm", slo="completion-latency"}', "eval_time": "30m",
             "exp_samples": [
                 {"labels": "slo:sli_error:ratio_rate5m{" + _labels({**base, "model": "fast"}) + "}", "value": 0},
                 {"labels": "slo:sli_error:ratio_rate5m{" + _labels({**base, "model": "slow"}) + "}", "value": 0.4},
             ]},
            {"expr": 'count by (alertname, model) (ALERTS{alertstate="firing", slo="completion-latency"})',
             "eval_time": "30m", "exp_samples": [
                 {"labels": '{alertname="LlmCompletionLatencyBurnRatePage", model="slow"}', "value": 1},
                 {"labels": '{alertname="LlmCompletionLatencyBurnRateTicket", model="slow"}', "value": 1},
             ]},
        ],
    }]
    result = _promtool_test(promtool, out, tests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_summed_totals_keep_every_group(tmp_path: Path, promtool: str) -> None:
    """Two total counters summed: a group only one of them has still gets its ratio (and `or vector(0)` would not)."""
    spec = yaml.safe_load(yaml.safe_dump(SPEC))
    spec["slos"] = [{"name": "tool-success", "objective": 99, "group_by": ["tool"],
                     "sli": {"ratio": {"errors": "tool_errors_total",
                                       "total": ["tool_calls_a_total", "tool_calls_b_total"]}}}]
    out = _render(tmp_path, spec)
    base = {"service": "llm", "team": "team-a", "slo": "tool-success"}
    tests = [{
        "interval": "1m",
        "input_series": [
            {"series": 'tool_calls_a_total{tool="search"}', "values": "0+60x20"},
            {"series": 'tool_calls_b_total{tool="search"}', "values": "0+40x20"},
            {"series": 'tool_errors_total{tool="search"}', "values": "0+10x20"},
            {"series": 'tool_calls_b_total{tool="shell"}', "values": "0+50x20"},
        ],
        "promql_expr_test": [
            {"expr": 'slo:sli_error:ratio_rate5m{service="llm", slo="tool-success"}', "eval_time": "15m",
             "exp_samples": [
                 {"labels": "slo:sli_error:ratio_rate5m{" + _labels({**base, "tool": "search"}) + "}", "value": 0.1},
                 {"labels": "slo:sli_error:ratio_rate5m{" + _labels({**base, "tool": "shell"}) + "}", "value": 0},
             ]},
        ],
    }]
    result = _promtool_test(promtool, out, tests)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("slo_patch", "path", "words"), [
    ({"group_by": ["model", "model"]}, "slos[0].group_by", "each label once"),
    ({"group_by": ["le"]}, "slos[0].group_by[0]", "agentops-gen sets or reads"),
    ({"group_by": ["service"]}, "slos[0].group_by[0]", "agentops-gen sets or reads"),
    ({"group_by": ["bad-name"]}, "slos[0].group_by[0]", "not a label name"),
    ({"group_by": ["model"], "labels": {"model": "x"}}, "slos[0].group_by[0]", "also a fixed label"),
    ({"group_by": ["model"], "sli": {"raw": {
        "error_ratio": "sum(rate(e_total[{{ window }}])) / sum(rate(t_total[{{ window }}]))"}}},
     "slos[0].sli.raw.error_ratio", "drops group label(s) model"),
])
def test_bad_group_by_is_one_located_error(tmp_path: Path, slo_patch: dict, path: str,  # type: ignore[type-arg]
                                           words: str) -> None:
    spec = yaml.safe_load(yaml.safe_dump(SPEC))
    spec["slos"] = [{**spec["slos"][0], **slo_patch}]
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "llm.yaml").write_text(yaml.safe_dump(spec))
    result = run_cli("render", str(tmp_path / "specs"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"error: {path}: " in lines[0] and words in lines[0], lines[0]
    assert not (tmp_path / "out").exists()


def test_raw_sli_that_keeps_the_labels_is_accepted(tmp_path: Path) -> None:
    spec = yaml.safe_load(yaml.safe_dump(SPEC))
    spec["slos"] = [{"name": "raw", "objective": 99, "group_by": ["model"], "sli": {"raw": {
        "error_ratio": "sum by (model) (rate(e_total[{{ window }}])) / sum by (model) (rate(t_total[{{ window }}]))",
        "events": "sum by (model) (rate(t_total[{{ window }}]))"}}}]
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "llm.yaml").write_text(yaml.safe_dump(spec))
    _, plan = plan_paths([tmp_path / "specs"])
    bad = [r.expr for g in plan.services[0].groups for r in g.rules if r.record == "slo:sli_bad_events:rate1h"]
    # the recorded ratio (labelled by model) times the events rate of the same model
    assert bad and "* on(model) group_left()\nsum by (model)(" in bad[0]


def test_alertmanager_keeps_groups_apart(tmp_path: Path, amtool: str) -> None:
    """Route group_by and inhibit `equal` carry the group label; the real Alertmanager below proves the effect."""
    spec = {**SPEC, "notify": {"critical": "pager", "warning": "pager"},
            "receivers": {"pager": {"webhook": {"url": "http://pager.example.com/hook"}}}}
    out = _render(tmp_path, spec)
    config = out / "alertmanager" / "alertmanager.yml"
    check = subprocess.run([amtool, "check-config", str(config)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    doc = yaml.safe_load(config.read_text())
    route = next(r for r in doc["route"]["routes"] if r["matchers"] == ['service="llm"'])
    assert route["group_by"] == ["alertname", "service", "slo", "model"]
    assert all("model" in rule["equal"] for rule in doc["inhibit_rules"])


@pytest.mark.slow
def test_real_alertmanager_one_models_page_neither_inhibits_nor_merges_with_anothers(
        tmp_path: Path, bodies: tuple[list[list[dict]], int]) -> None:  # type: ignore[type-arg]
    spec = {**SPEC, "notify": {"critical": "pager", "warning": "pager"},
            "receivers": {"pager": {"webhook": {"url": "http://pager.example.com/hook"}}}}
    out = _render(tmp_path, spec)
    received, sink_port = bodies
    config = sink_config(out / "alertmanager" / "alertmanager.yml", sink_port, tmp_path)
    binary = require_tool("prometheus-alertmanager" if shutil.which("prometheus-alertmanager") else "alertmanager")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with (tmp_path / "am.log").open("w") as log:
        proc = subprocess.Popen([binary, f"--config.file={config}", f"--storage.path={tmp_path / 'data'}",
                                 f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
                                 "--log.level=warn"], stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
        try:
            wait_for("alertmanager to be ready", lambda: _ready(url, proc))
            slo = {"slo": "completion-availability"}
            post(url,
                 alert("LlmCompletionAvailabilityOutage", "llm", "critical", model="a", **slo),
                 alert("LlmCompletionAvailabilityBurnRatePage", "llm", "critical", model="a", **slo),
                 alert("LlmCompletionAvailabilityBurnRatePage", "llm", "critical", model="b", **slo),
                 alert("LlmCompletionAvailabilityBurnRateTicket", "llm", "warning", model="b", **slo))

            def by_model() -> dict[tuple[str, str], dict]:  # type: ignore[type-arg]
                with urllib.request.urlopen(f"{url}/api/v2/alerts", timeout=5) as response:
                    return {(a["labels"]["alertname"], a["labels"]["model"]): a for a in json.loads(response.read())}

            wait_for("the four alerts", lambda: len(by_model()) == 4)
            wait_for("model b's page to be delivered", lambda: any(
                a["labels"]["model"] == "b" for body in list(received) for a in body))
            shown = by_model()
            outage_a = shown[("LlmCompletionAvailabilityOutage", "a")]["fingerprint"]
            # model a's outage silences model a's page, never model b's
            assert shown[("LlmCompletionAvailabilityBurnRatePage", "a")]["status"]["inhibitedBy"] == [outage_a]
            assert shown[("LlmCompletionAvailabilityBurnRatePage", "b")]["status"]["state"] == "active"
            # model b's page silences model b's ticket (same SLO, same model)
            assert shown[("LlmCompletionAvailabilityBurnRateTicket", "b")]["status"]["state"] == "suppressed"
            # each model's alerts arrive in a notification of their own
            groups = {tuple(sorted({a["labels"]["model"] for a in body})) for body in list(received)}
            assert groups and all(len(models) == 1 for models in groups), groups
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.fixture
def bodies() -> Iterator[tuple[list[list[dict]], int]]:  # type: ignore[type-arg]
    """A local webhook server keeping each notification's alerts; (notifications, port)."""
    received: list[list[dict]] = []  # type: ignore[type-arg]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"])))["alerts"])
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _ready(url: str, proc: subprocess.Popen) -> bool:  # type: ignore[type-arg]
    if proc.poll() is not None:
        pytest.fail("alertmanager exited")
    try:
        with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _dashboard(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / "grafana" / "dashboards" / "team-a" / "llm.json").read_text())  # type: ignore[no-any-return]


def _expand(expr: str, values: dict[str, str]) -> str:
    """A query as Grafana sends it: `$label` replaced by the variable's regex value."""
    for name, value in values.items():
        expr = expr.replace(f"${name}", value)
    return expr


def test_dashboard_has_a_variable_per_group_label_and_grouped_panels(tmp_path: Path) -> None:
    from tests.test_grafana import schema_errors

    spec = yaml.safe_load(yaml.safe_dump(SPEC))
    spec["slos"].append({"name": "plain", "objective": 99,
                         "sli": {"ratio": {"errors": 'req_total{code="500"}', "total": "req_total"}}})
    out = _render(tmp_path, spec)
    dash = _dashboard(out)
    assert schema_errors(dash) == []
    variables = {v["name"]: v for v in dash["templating"]["list"]}
    assert variables["model"]["type"] == "query" and variables["model"]["multi"] and variables["model"]["includeAll"]
    assert variables["model"]["allValue"] == ".*"
    rows = {p["title"]: p for p in dash["panels"] if p["type"] == "row"}
    assert rows["SLO completion-availability: 99% over 30d (model $model)"]["repeat"] == "model"
    assert "repeat" not in rows["SLO plain: 99% over 30d"]
    targets = [t for p in dash["panels"] for t in p.get("targets", [])]
    grouped = [t for t in targets if 'slo="completion-availability"' in t["expr"]]
    plain = [t for t in targets if 'slo="plain"' in t["expr"]]
    # every grouped query but the objective (one per SLO) follows the variable and names the model in its legend
    assert all('model=~"$model"' in t["expr"] and t["legendFormat"].startswith("{{model}} ")
               for t in grouped if "objective" not in t["expr"]), grouped
    assert all("$model" not in t["expr"] and "{{model}}" not in t["legendFormat"] for t in plain)


GROUPED_DASHBOARD_SPEC = {
    "version": "agentops-gen/v1", "service": "llm", "owner": "team-a", "period": "7d",
    "slos": [{"name": "completion-availability", "objective": 99, "group_by": ["model"],
              "sli": {"ratio": {"errors": 'llm_completions_total{outcome="error"}',
                                "total": "llm_completions_total"}}}],
}


@pytest.mark.slow
def test_real_prometheus_serves_every_panel_per_group(tmp_path: Path) -> None:
    """Real Prometheus, rules backfilled over 6h of traffic: each panel shows one series per model, the
    variable lists the models, and picking one model leaves only its series."""
    import time

    from tests.harness import OpenMetrics, running_prometheus

    require_tool("promtool")
    require_tool("prometheus")
    out = _render(tmp_path, GROUPED_DASHBOARD_SPEC)
    end = int(time.time()) // 60 * 60 - 120
    start = end - 6 * 3600
    om = OpenMetrics(start=start, end=end)
    # steady: 2 completions/s, 0.5% fail; degraded: 2/s, 40% fail; never-failed: no errors series at all
    for model, ok, errors in (("steady", 1.99, 0.01), ("degraded", 1.2, 0.8), ("never-failed", 2.0, None)):
        om.counter("llm_completions_total", {"model": model, "outcome": "ok"}, ok)
        if errors is not None:
            om.counter("llm_completions_total", {"model": model, "outcome": "error"}, errors)
    dash = _dashboard(out)
    rules = out / "prometheus" / "llm.rules.yaml"
    with running_prometheus([rules], om.chunks(), workdir=tmp_path / "prom", rules_from=end - 2 * 3600,
                            rules_to=end) as prom:
        variable = next(v for v in dash["templating"]["list"] if v["name"] == "model")
        series = variable["definition"].removeprefix("label_values(").rsplit(",", 1)[0]
        assert sorted(prom.api("label/model/values", **{"match[]": series})) == ["degraded", "never-failed",
                                                                                  "steady"]
        checked = 0
        for panel in dash["panels"]:
            for target in panel.get("targets", []):
                if "objective" in target["expr"] or 'slo="completion-availability"' not in target["expr"]:
                    continue
                everyone = prom.query(_expand(target["expr"], {"model": ".*"}), at=end)
                assert sorted(s["metric"].get("model", "") for s in everyone) == \
                    ["degraded", "never-failed", "steady"], (panel["title"], target["expr"], everyone)
                one = prom.query(_expand(target["expr"], {"model": "degraded"}), at=end)
                assert [s["metric"]["model"] for s in one] == ["degraded"], (panel["title"], target["expr"])
                checked += 1
        assert checked >= 6
        # the degraded model burns 40x its budget (0.4 / 0.01); the others well under 1x
        burn = {s["metric"]["model"]: float(s["value"][1]) for s in prom.query(
            'slo:sli_error:ratio_rate5m{slo="completion-availability"} / on(service, slo) group_left '
            'slo:error_budget:ratio{slo="completion-availability"}', at=end)}
        assert burn["degraded"] == pytest.approx(40, rel=0.02)
        assert burn["steady"] == pytest.approx(0.5, rel=0.05) and burn["never-failed"] == 0


def test_runbook_names_the_group_in_its_promql_and_silence(tmp_path: Path) -> None:
    out = _render(tmp_path, SPEC)
    book = (out / "runbooks" / "llm" / "LlmCompletionAvailabilityBurnRatePage.md").read_text()
    assert 'slo:sli_error:ratio_rate5m{service="llm", slo="completion-availability", model="<model>"}' in book
    command = book.split("```sh\n", 1)[1].split("\n```", 1)[0]
    # run the command as written, with a stand-in amtool that prints its arguments
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "amtool").write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    (bin_dir / "amtool").chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    ran = subprocess.run(["sh", "-c", command], capture_output=True, text=True, env={**env, "MODEL": "gpt-4o"},
                         timeout=30)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[:4] == ["silence", "add", "alertname=LlmCompletionAvailabilityBurnRatePage",
                                           "service=llm"]
    assert "model=gpt-4o" in ran.stdout.splitlines()
    # without the group's value the shell refuses: no silence of every model by accident
    unset = subprocess.run(["sh", "-c", command], capture_output=True, text=True, env=env, timeout=30)
    assert unset.returncode != 0 and unset.stdout == "" and "set MODEL" in unset.stderr


def _grouped_cases_only(out: Path) -> Path:
    """The generated test files cut down to their two-group cases (the rest is covered by test_prometheus)."""
    return promtool_test_subset(out / "prometheus" / "tests" / "llm.test.yaml", lambda t: "group only" in t["name"],
                                "grouped.test.yaml")


def test_generated_tests_fire_only_the_burning_groups_alert(tmp_path: Path, promtool: str) -> None:
    out = _render(tmp_path, SPEC)
    path = _grouped_cases_only(out)
    doc = yaml.safe_load(path.read_text())
    # packed: cases of different SLOs may share one promtool case, their names joined by "; "
    names = [n for t in doc["tests"] for n in t["name"].split("; ") if "group only" in n]
    assert len(names) == 2 and all("in the model=burning group only" in n for n in names), names
    for case in doc["tests"]:
        series = [s["series"] for s in case["input_series"]]
        assert any('model="burning"' in s for s in series) and any('model="healthy"' in s for s in series)
        # (other SLOs' cases may ride along: only the alerts of the two-group cases are judged here)
        grouped = {n.split(" fires ")[0] for n in case["name"].split("; ") if "group only" in n}
        fired = [a for t in case["alert_rule_test"] if t["alertname"] in grouped for a in t["exp_alerts"]]
        assert fired and [a["exp_labels"]["model"] for a in fired] == ["burning"] * len(fired)
        assert all("(model=burning)" in a["exp_annotations"]["summary"] for a in fired)
    result = subprocess.run([promtool, "test", "rules", str(path)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    # the same cases catch rules that sum the groups together
    rules = out / "prometheus" / "llm.rules.yaml"
    write_rules(rules, rules.read_text().replace("sum by (model)(", "sum("))
    broken = subprocess.run([promtool, "test", "rules", str(path)], capture_output=True, text=True, timeout=600)
    assert broken.returncode != 0


def test_outage_minimum_events_are_counted_per_group(tmp_path: Path, promtool: str) -> None:
    """A quiet model failing its one call is no outage, even while a busy model has many failures (below 90%)."""
    out = _render(tmp_path, SPEC)
    outage = 'ALERTS{alertname="LlmCompletionAvailabilityOutage", alertstate="firing"}'
    tests = [{
        "interval": "1m",
        "input_series": [
            # quiet: one call at minute 20, and it fails (ratio 1 over the 2m window, 1 failed event < 2)
            {"series": 'llm_completions_total{model="quiet",outcome="ok"}', "values": "0+0x40"},
            {"series": 'llm_completions_total{model="quiet",outcome="error"}', "values": "0+0x19 1+0x20"},
            # busy: 100 calls a minute, half fail (ratio 0.5, below the outage's 0.9)
            {"series": 'llm_completions_total{model="busy",outcome="ok"}', "values": "0+50x40"},
            {"series": 'llm_completions_total{model="busy",outcome="error"}', "values": "0+50x40"},
            # down: 100 calls a minute, all failing from minute 20: its outage fires
            {"series": 'llm_completions_total{model="down",outcome="ok"}', "values": "0+100x19 1900+0x20"},
            {"series": 'llm_completions_total{model="down",outcome="error"}', "values": "0+0x19 0+100x20"},
        ],
        "promql_expr_test": [
            # minute 20: only the quiet model's failed call is in the 2m window; minute 21: down's too
            {"expr": f"count by (model) ({outage})", "eval_time": "20m", "exp_samples": []},
            *({"expr": f"count by (model) ({outage})", "eval_time": f"{t}m",
               "exp_samples": [{"labels": '{model="down"}', "value": 1}]} for t in (21, 22)),
        ],
    }]
    result = _promtool_test(promtool, out, tests)
    assert result.returncode == 0, result.stdout + result.stderr
