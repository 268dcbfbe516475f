"""Generated promtool tests pass for every valid spec: seeded random specs (tests/spec_fuzz.py), rendered by the
CLI, whose generated test file must pass `promtool test rules`.

`make test` runs a few small specs; `make fuzz-tests` runs many (FUZZ_TESTS=N specs from FUZZ_SEED, full
periods). A failure names its seed: `FUZZ_SEED=<seed> FUZZ_TESTS=1 make fuzz-tests` reproduces it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import generated_tests, run_cli
from spec_fuzz import random_spec

from agentops_gen.targets.prom_tests import HEALTHY_CASE

SMALL_SEEDS = (1, 2, 3)
FUZZ_TESTS = int(os.environ.get("FUZZ_TESTS", "0"))
FUZZ_SEED = int(os.environ.get("FUZZ_SEED", "1000"))

RATIO_AND_RAW = {
    "version": "agentops-gen/v1", "service": "shared-counter", "owner": "team-a", "period": "7d",
    "slos": [
        {"name": "availability", "objective": 99.5,
         "sli": {"ratio": {"errors": 'req_total{job="a",code=~"5.."}', "total": 'req_total{job="a"}'}}},
        {"name": "availability-raw", "objective": 99,
         "sli": {"raw": {"error_ratio": 'sum(rate(req_total{job="a",code=~"5.."}[{{ window }}]))\n/\n'
                                        'sum(rate(req_total{job="a"}[{{ window }}]))'}}},
    ],
}
"""The issue's failing spec: a ratio SLO and a raw SLO on one counter (duplicate samples, NaN at zero traffic)."""


def render_and_test(spec: dict, tmp_path: Path, promtool: str) -> tuple[str, subprocess.CompletedProcess[str]]:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    result = run_cli("render", str(specs), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    test_file = tmp_path / "out" / "prometheus" / "tests" / f"{spec['service']}.test.yaml"
    text = "".join(p.read_text() for p in generated_tests(test_file))
    run = subprocess.run([promtool, "test", "rules", *(p.name for p in generated_tests(test_file))],
                         cwd=test_file.parent, capture_output=True, text=True, timeout=900)
    return text, run


@pytest.mark.tools
def test_ratio_and_raw_slo_on_one_counter(promtool: str, tmp_path: Path) -> None:
    text, run = render_and_test(RATIO_AND_RAW, tmp_path, promtool)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    # The two SLOs read each other's series, so their healthy cases are split rather than merged.
    assert f"{HEALTHY_CASE} (part 2 of 2" in text


@pytest.mark.tools
@pytest.mark.parametrize("seed", SMALL_SEEDS)
def test_random_small_specs(seed: int, promtool: str, tmp_path: Path) -> None:
    _, run = render_and_test(random_spec(seed, small=True), tmp_path, promtool)
    assert run.returncode == 0, f"seed {seed}:\n" + run.stdout[-3000:] + run.stderr


@pytest.mark.tools
@pytest.mark.skipif(FUZZ_TESTS == 0, reason="set FUZZ_TESTS=N (make fuzz-tests)")
@pytest.mark.parametrize("index", range(FUZZ_TESTS))
def test_random_specs(index: int, promtool: str, tmp_path: Path) -> None:
    seed = FUZZ_SEED + index
    _, run = render_and_test(random_spec(seed), tmp_path, promtool)
    assert run.returncode == 0, f"seed {seed}:\n" + run.stdout[-3000:] + run.stderr


def test_generator_covers_the_hard_cases() -> None:
    """The seeds together hold every SLI kind, shared counters, ratio + raw on one counter, KPIs and anomalies."""
    specs = [random_spec(seed, small=True) for seed in range(40)]
    kinds = {next(iter(slo["sli"])) for spec in specs for slo in spec["slos"]}
    assert kinds == {"ratio", "latency", "score", "raw"}
    assert any(sum("ratio" in s["sli"] or "raw" in s["sli"] for s in spec["slos"]) >= 2 for spec in specs)
    assert any(spec.get("kpis") and spec.get("anomalies") for spec in specs)
    assert any("windows" in slo.get("alerting", {}) for spec in specs for slo in spec["slos"])
