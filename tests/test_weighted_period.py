"""The period error ratio is failed over all events (traffic-weighted) and survives a spec label change
(issue 16): hand-written promtool tests with numbers worked out by hand (tests/fixtures/prometheus/weighted.*)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from conftest import run_cli
from test_prometheus import assert_eval_order_names_every_group

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "prometheus"


def _render(tmp_path: Path) -> Path:
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(FIXTURES / "weighted.spec.yaml", specs)
    out = tmp_path / "out"
    result = run_cli("render", str(specs), "--out", str(out))
    assert result.returncode == 0, result.stderr
    shutil.copy(FIXTURES / "weighted.test.yaml", out / "prometheus")
    assert_eval_order_names_every_group(out / "prometheus" / "weighted.test.yaml")
    return out / "prometheus"


def repr_yaml(text: str) -> str:
    """A double-quoted YAML scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _test(promtool: str, prometheus: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool, "test", "rules", "weighted.test.yaml"], cwd=prometheus, capture_output=True,
                          text=True, timeout=300)


def test_day_night_period_ratio_is_failed_over_all_events(promtool: str, tmp_path: Path) -> None:
    result = _test(promtool, _render(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_mean_of_5m_ratios_fails_the_hand_written_test(promtool: str, tmp_path: Path) -> None:
    """Mutation: the pre-issue-16 period rule (Sloth's value: the mean of the 5m ratios) reads about 25%."""
    prometheus = _render(tmp_path)
    rules = prometheus / "weighted-agent.rules.yaml"
    text = rules.read_text()
    old_rule = repr_yaml('avg_over_time(slo:sli_error:ratio_rate5m{service="weighted-agent", slo="availability"}[30d])')
    mutated, n = re.subn(r'(record: "slo:sli_error:ratio_rate30d"\n\s+expr: )\|-\n(\s+.*\n){3}',
                         lambda m: m.group(1) + old_rule + "\n", text)
    assert n == 1
    rules.write_text(mutated)
    result = _test(promtool, prometheus)
    assert result.returncode != 0
    assert "2950 / 608400" in result.stdout + result.stderr  # the day/night case's expression
