"""Latency thresholds as people write them (`2.5s`, `1.5m`, `2.5`); windows stay Prometheus durations."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import promtool_test_subset, run_cli

from agentops_gen.pipeline import plan_paths
from agentops_gen.targets import otel
from agentops_gen.units.durations import parse_duration, parse_threshold

SPEC = """\
version: agentops-gen/v1
service: demo
owner: demo-team
slos:
  - name: task-latency
    objective: 95
    description: Tasks answered in time.
    sli:
      latency:
        histogram: task_duration_seconds{{service="demo"}}
        threshold: {threshold}
        buckets: [0.1, 0.25, 0.5, 1, 1.5, 2.5, 5, 10, 90]
{tail}"""


@pytest.mark.parametrize(("text", "seconds"), [
    ("2.5s", 2.5), ("0.25s", 0.25), ("1.5m", 90), (".5s", 0.5), ("1.1m", 66), ("2.5", 2.5), ("8", 8),
    (2.5, 2.5), (8, 8), ("1500ms", 1.5), ("1m30s", 90), ("0.5ms", 0.0005),
])
def test_parse_threshold(text: str | float, seconds: float) -> None:
    assert parse_threshold(text) == seconds  # exact: the value becomes an `le` boundary


@pytest.mark.parametrize("text", ["2.5 s", "-1s", "1.5x", "", "1,5s", "1e3s", True, float("nan"), -2])
def test_parse_threshold_refuses(text: str | float) -> None:
    with pytest.raises(ValueError, match=r"duration"):
        parse_threshold(text)


@pytest.mark.parametrize(("text", "hint"), [("1.5h", "1h30m"), ("2.5s", "2s500ms"), ("0.5d", "12h")])
def test_window_error_suggests_the_integer_form(text: str, hint: str) -> None:
    with pytest.raises(ValueError, match=rf"take no decimals: write {hint}$"):
        parse_duration(text)


def _render(tmp_path: Path, threshold: str, tail: str = "") -> Path:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "demo.yaml").write_text(SPEC.format(threshold=threshold, tail=tail), encoding="utf-8")
    result = run_cli("render", str(specs), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    return tmp_path / "out"


@pytest.mark.parametrize(("threshold", "spellings"), [
    ("2.5s", r'le=~"2\\.5"'), ("1.5", r'le=~"1\\.5"'), ("0.25s", r'le=~"0\\.25"'), ("1.5m", r'le=~"90|90\\.0"'),
])
def test_decimal_threshold_renders_rules_promtool_accepts(tmp_path: Path, promtool: str, threshold: str,
                                                          spellings: str) -> None:
    out = _render(tmp_path, threshold)
    rules = (out / "prometheus" / "demo.rules.yaml").read_text()
    assert f'task_duration_seconds_bucket{{service="demo",{spellings}}}[5m]' in rules
    # The generated outage case fires only if the rules' `le` matcher selects the bucket series the generated
    # tests write (as Prometheus spells the boundary); the other cases read the same matcher at 40x the cost.
    fires = promtool_test_subset(out / "prometheus" / "tests" / "demo.test.yaml",
                                 lambda case: "DemoTaskLatencyOutage fires " in case["name"], "fires.test.yaml")
    result = subprocess.run([promtool, "test", "rules", fires.name], cwd=fires.parent,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_decimal_threshold_reaches_otel_as_integer_milliseconds(tmp_path: Path) -> None:
    spec = tmp_path / "demo.yaml"
    spec.write_text(SPEC.format(threshold="1.5s", tail="telemetry:\n  traces: {export: {otlp: tempo:4317}}\n"))
    _, plan = plan_paths([spec])
    doc = yaml.safe_load(otel.render(plan)["otel/demo.collector.yaml"])
    assert doc["processors"]["tail_sampling"]["policies"][1]["latency"] == {"threshold_ms": 1500}


def test_keep_slower_than_takes_decimals(tmp_path: Path) -> None:
    spec = tmp_path / "demo.yaml"
    spec.write_text(SPEC.format(threshold="1.5s",
                                tail="telemetry:\n  traces: {keep_slower_than: 0.25s, export: {otlp: tempo:4317}}\n"))
    _, plan = plan_paths([spec])
    doc = yaml.safe_load(otel.render(plan)["otel/demo.collector.yaml"])
    assert doc["processors"]["tail_sampling"]["policies"][1]["latency"] == {"threshold_ms": 250}


def test_threshold_not_a_bucket_is_still_an_error(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "demo.yaml").write_text(SPEC.format(threshold="2.4s", tail=""), encoding="utf-8")
    result = run_cli("render", str(specs), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "slos[0].sli.latency.threshold: 2.4 is not one of the histogram buckets" in result.stderr


def test_decimal_period_is_refused_with_the_integer_form(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "demo.yaml").write_text(SPEC.format(threshold="1.5s", tail="period: 1.5d\n"), encoding="utf-8")
    result = run_cli("render", str(specs), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "error: period:" in lines[0] and lines[0].endswith("write 1d12h"), result.stderr
