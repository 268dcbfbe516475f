"""SLI error-ratio PromQL: `le` spelled by any client library, and a safe shape at zero traffic."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

from agentops_gen.plan.sli import error_ratio, error_ratio_template, le_matcher, le_values
from agentops_gen.spec.slo import SLI


def sli(data: dict[str, Any]) -> SLI:
    return SLI.model_validate(data)


def matcher_regex(matcher: str) -> str:
    """The regex Prometheus applies, read back through the PromQL parser (string escapes undone)."""
    expr = promql_parser.parse(f"x{{{matcher}}}")
    (m,) = [m for m in expr.matchers.matchers if m.name == "le"]
    return str(m.value)


@pytest.mark.parametrize(("bound", "matches", "rejects"), [
    (8, ["8", "8.0"], ["80", "8.05", "18", "8.", "8x0"]),  # Go writes 8, Python 8.0
    (2.5, ["2.5"], ["2x5", "25", "2.50"]),
    (0.8, ["0.8"], ["0x8", "0.85"]),
    (30, ["30", "30.0"], ["3", "300"]),
    (1e6, ["1e+06", "1000000", "1000000.0"], ["1e+060", "1e 06"]),  # both clients write 1e+06
    (1e-05, ["1e-05"], ["1e-050"]),
])
def test_le_matcher_matches_every_spelling_and_only_those(bound: float, matches: list[str], rejects: list[str]) -> None:
    regex = matcher_regex(le_matcher(bound))
    for value in matches:
        assert re.fullmatch(regex, value), (regex, value)  # Prometheus anchors regex matchers
    for value in rejects:
        assert not re.fullmatch(regex, value), (regex, value)


def test_le_values() -> None:
    assert le_values(8) == ["8", "8.0"]
    assert le_values(8.0) == ["8", "8.0"]
    assert le_values(2.5) == ["2.5"]
    assert le_matcher(8) == 'le=~"8|8\\\\.0"'


RATIO_ERRORS = {"ratio": {"errors": 'req_total{job="a",code=~"5.."}', "total": 'req_total{job="a"}'}}
RATIO_GOOD = {"ratio": {"good": "ok_total", "total": "all_total"}}
LATENCY = {"latency": {"histogram": 'h_seconds{job=~"go|py"}', "threshold": "8s"}}
SCORE = {"score": {"histogram": "quality_score", "above": 0.8}}
RAW = {"raw": {"error_ratio": "1 - sum(rate(ok_total[{{ window }}])) / sum(rate(all_total[{{ window }}]))"}}


def test_zero_traffic_shapes() -> None:
    # errors: an absent error counter counts as 0 (`or vector(0)`); no traffic gives no sample (`> 0`), not NaN
    assert error_ratio_template(sli(RATIO_ERRORS)) == (
        '(sum(rate(req_total{job="a",code=~"5.."}[{{ window }}])) or vector(0))\n'
        "/\n"
        '(sum(rate(req_total{job="a"}[{{ window }}])) > 0)'
    )
    assert error_ratio_template(sli(RATIO_GOOD)) == (
        "1 - (\n"
        "  (sum(rate(ok_total[{{ window }}])) or vector(0))\n"
        "  /\n"
        "  (sum(rate(all_total[{{ window }}])) > 0)\n"
        ")"
    )
    assert error_ratio(sli(LATENCY), "5m") == (
        "1 - (\n"
        '  (sum(rate(h_seconds_bucket{job=~"go|py",le=~"8|8\\\\.0"}[5m])) or vector(0))\n'
        "  /\n"
        '  (sum(rate(h_seconds_count{job=~"go|py"}[5m])) > 0)\n'
        ")"
    )
    assert error_ratio(sli(SCORE), "1h") == (
        '(sum(rate(quality_score_bucket{le=~"0\\\\.8"}[1h])) or vector(0))\n'
        "/\n"
        "(sum(rate(quality_score_count[1h])) > 0)"
    )
    # A raw query is the user's: 0/0 is possible, so NaN and +-Inf are filtered out.
    assert error_ratio(sli(RAW), "30m") == (
        "(\n  1 - sum(rate(ok_total[30m])) / sum(rate(all_total[30m]))\n) > -Inf < +Inf")


@pytest.mark.parametrize("data", [RATIO_ERRORS, RATIO_GOOD, LATENCY, SCORE, RAW])
def test_every_kind_parses_as_promql(data: dict[str, Any]) -> None:
    for window in ("5m", "1h30m", "4w"):
        promql_parser.parse(error_ratio(sli(data), window))


@pytest.mark.tools
def test_promtool_evaluates_both_le_spellings_and_zero_traffic(tmp_path: Path, promtool: str) -> None:
    """Real evaluation: a Go and a Python exporter behind one latency SLI, and the zero-traffic cases."""
    rules = {"groups": [{"name": "sli", "rules": [
        {"record": "latency:error_ratio", "expr": error_ratio(sli(LATENCY), "5m")},
        {"record": "errors:error_ratio", "expr": error_ratio(sli(RATIO_ERRORS), "5m")},
        {"record": "good:error_ratio", "expr": error_ratio(sli(RATIO_GOOD), "5m")},
    ]}]}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules))
    series = [
        # per minute: Python job 10 requests, 9 within 8s (le="8.0"); Go job 10 requests, 10 within 8s (le="8")
        ('h_seconds_bucket{job="py",le="8.0"}', "0+9x10"),
        ('h_seconds_count{job="py"}', "0+10x10"),
        ('h_seconds_bucket{job="go",le="8"}', "0+10x10"),
        ('h_seconds_count{job="go"}', "0+10x10"),
        # neighbouring buckets that must not be read as the 8s boundary
        ('h_seconds_bucket{job="go",le="80"}', "0+10x10"),
        ('h_seconds_bucket{job="py",le="8.5"}', "0+10x10"),
        # traffic but the 5xx series never appeared: 0 errors, not "no data"
        ('req_total{job="a",code="200"}', "0+10x10"),
        # a total that exists but does not move (no traffic): no sample instead of NaN
        ("all_total", "5x10"),
    ]
    test = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": [{
        "interval": "1m",
        "input_series": [{"series": s, "values": v} for s, v in series],
        "promql_expr_test": [
            # good = (9 + 10) / (10 + 10) = 0.95 -> error ratio 0.05 (only one spelling: 0.55 or 0.5)
            # (promtool 2.42 compares exactly; 1 - 0.95 is 0.04999999999999993 in floats)
            {"expr": "round(latency:error_ratio, 0.0001)", "eval_time": "10m",
             "exp_samples": [{"labels": "{}", "value": 0.05}]},
            {"expr": "errors:error_ratio", "eval_time": "10m",
             "exp_samples": [{"labels": "errors:error_ratio", "value": 0}]},
            {"expr": "good:error_ratio", "eval_time": "10m", "exp_samples": []},
        ],
    }]}
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(test, sort_keys=False))
    result = subprocess.run([promtool, "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
