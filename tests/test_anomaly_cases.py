"""The generated promtool cases of an anomaly detector prove the jump, the threshold and the `for:`.

The former fire case fed a history alternating 100/110 each minute before a jump: the alert fired at minute
26 on the alternation alone (its case was named `fires -1414m after a jump`), so nothing checked the jump.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import promtool_tests, render_spec, write_rules

SPEC = """version: agentops-gen/v1
service: svc
owner: team-a
anomalies:
  - name: tokens
    query: sum(rate(tokens_total[5m]))
    zscore: 3
    for: 15m
  - name: spend
    query: sum(rate(spend_total[5m])) or vector(0)
    zscore: 2.5
    for: 2m
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The spec rendered once: its out/prometheus folder."""
    return render_spec(tmp_path_factory.mktemp("anomaly"), SPEC)


def test_no_case_expects_a_detector_to_fire_before_its_input_jumps(rendered: Path) -> None:
    text = "".join(p.read_text() for p in (rendered / "tests").glob("*.test.yaml"))
    assert not re.search(r"fires -\d+m", text)
    cases = [case for p in (rendered / "tests").glob("*.test.yaml") for case in yaml.safe_load(p.read_text())["tests"]]
    jumps = [s for case in cases for s in case["input_series"] if s["series"].startswith("anomaly:tokens:value")]
    assert jumps, "no case drives the tokens detector's input"
    for series in jumps:
        # flat (no stddev, so no z-score) until the jump, if any: nothing can fire on the history itself
        assert re.fullmatch(r"100\+0x\d+( 400\+0x\d+)?", series["values"]), series["values"]
    assert any(" 400+" in s["values"] for s in jumps)
    assert "SvcTokensAnomaly fires 15m after tokens's z-score crosses 3" in text
    assert "SvcSpendAnomaly fires 2m after spend's z-score crosses 2.5" in text


def test_the_generated_cases_pass_and_catch_a_wrong_detector(rendered: Path, promtool: str, tmp_path: Path) -> None:
    result = promtool_tests(promtool, rendered)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    rules = (rendered / "svc.rules.yaml").read_text()
    mutations = {
        "stdvar for stddev": ("stddev_over_time(anomaly:tokens:", "stdvar_over_time(anomaly:tokens:"),
        "10m averages": ('anomaly=\\"tokens\\"}[5m])', 'anomaly=\\"tokens\\"}[10m])'),
        "threshold 3 -> 3.3": ('anomaly=\\"tokens\\"}) > 3', 'anomaly=\\"tokens\\"}) > 3.3'),
        "threshold 3 -> 2.7": ('anomaly=\\"tokens\\"}) > 3', 'anomaly=\\"tokens\\"}) > 2.7'),
        "for 15m -> 14m": ('for: "15m"', 'for: "14m"'),
        "for 2m -> 1m": ('for: "2m"', 'for: "1m"'),
    }
    for name, (old, new) in mutations.items():
        assert rules.count(old) == 1, name
        folder = tmp_path / re.sub(r"\W+", "-", name)
        shutil.copytree(rendered / "tests", folder / "tests")
        write_rules(folder / "svc.rules.yaml", rules.replace(old, new), rules)
        assert promtool_tests(promtool, folder).returncode == 1, f"{name}: no generated case fails"


def test_a_value_that_swings_each_minute_is_not_an_anomaly(rendered: Path, promtool: str, tmp_path: Path) -> None:
    # 100, 110, 100, ... is 1 standard deviation from its mean at every minute. The baseline is built from
    # 5m averages, whose stddev is near 0 for this series; the raw value against it read as 4-5 standard
    # deviations, and the tokens alert fired at minute 26. The z-score now averages the value the same way.
    value = 'anomaly:tokens:value{anomaly="tokens",service="svc",team="team-a"}'
    test = {
        "rule_files": [str(rendered / "svc.rules.yaml")],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [{"series": value, "values": " ".join(["100 110"] * 60)}],
            "alert_rule_test": [{"eval_time": f"{m}m", "alertname": "SvcTokensAnomaly", "exp_alerts": []}
                                for m in (26, 60, 119)],
            "promql_expr_test": [{"expr": 'abs(anomaly:tokens:zscore{anomaly="tokens"}) > 1.5', "eval_time": f"{m}m",
                                  "exp_samples": []} for m in range(20, 120, 7)],
        }],
    }
    path = tmp_path / "swing.test.yaml"
    path.write_text(yaml.safe_dump(test))
    result = subprocess.run([promtool, "test", "rules", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr


def test_day_and_night_traffic_is_not_an_anomaly(rendered: Path, promtool: str, tmp_path: Path) -> None:
    # A daily cycle between 50 and 150 tokens a second, two days long: the baseline holds the cycle, so the peaks
    # are sqrt(2) standard deviations from the mean and the 3-sigma detector stays silent, day and night.
    value = 'anomaly:tokens:value{anomaly="tokens",service="svc",team="team-a"}'
    step, days = 5, 2
    samples = [100 + 50 * math.sin(2 * math.pi * i * step / 1440) for i in range(days * 1440 // step + 1)]
    test = {
        "rule_files": [str(rendered / "svc.rules.yaml")],
        "evaluation_interval": f"{step}m",
        "tests": [{
            "interval": f"{step}m",
            "input_series": [{"series": value, "values": " ".join(f"{v:.3f}" for v in samples)}],
            # after the first day (the baseline's first hours hold only part of a cycle)
            "alert_rule_test": [{"eval_time": f"{h}h", "alertname": "SvcTokensAnomaly", "exp_alerts": []}
                                for h in range(24, 48, 2)],
            "promql_expr_test": [{"expr": 'abs(anomaly:tokens:zscore{anomaly="tokens"}) > 1.6', "eval_time": f"{h}h",
                                  "exp_samples": []} for h in range(24, 48, 1)]
            # and the z-score exists (the silence is not an empty detector's)
            + [{"expr": 'absent(anomaly:tokens:zscore{anomaly="tokens"})', "eval_time": f"{h}h", "exp_samples": []}
               for h in (30, 42)],
        }],
    }
    path = tmp_path / "daynight.test.yaml"
    path.write_text(yaml.safe_dump(test))
    result = subprocess.run([promtool, "test", "rules", str(path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
