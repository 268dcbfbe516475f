"""Fire cases of plain alerts on a counter's rate: `rate|irate|increase(counter[window]) > number`.

The generated case feeds a counter flat for a window, then rising at 95% of the pace that puts the value on the
threshold, then at 105% or a little more: the minute the value first passes the threshold and the value then are
exact, so the case catches a threshold 10% off, another window and a `for:` a minute off (promtool judges)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import promtool_tests, render_spec, run_cli, write_rules

SPEC = """version: agentops-gen/v1
service: svc
owner: team-a
alerts:
  - name: ErrorsHigh
    expr: sum(rate(errors_total{job="x"}[5m])) > 0.1
    for: 5m
    summary: Errors above 0.1 a second.
    description: 'Now {{ $value | printf "%.4g" }} errors a second.'
  - name: Restarting
    expr: increase(restarts_total{ns="y"}[1h]) > 3
    for: 10m
    summary: Restarts.
    description: '{{ $value | printf "%.4g" }} restarts in an hour.'
  - name: BurstOfRequests
    expr: irate(requests_total{job="x"}[2m]) >= 2
    summary: Burst.
    description: '{{ $value | printf "%.4g" }} requests a second.'
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The spec rendered once: its out/prometheus folder."""
    return render_spec(tmp_path_factory.mktemp("plain"), SPEC)


def test_each_rate_alert_gets_a_fire_case_that_promtool_passes(rendered: Path, promtool: str) -> None:
    text = "".join(p.read_text() for p in (rendered / "tests").glob("*.test.yaml"))
    assert 'ErrorsHigh fires 5m after rate(errors_total{job=\\"x\\"}[5m]) crosses 0.1' in text
    assert 'Restarting fires 10m after increase(restarts_total{ns=\\"y\\"}[1h]) crosses 3' in text
    assert 'BurstOfRequests fires 0m after irate(requests_total{job=\\"x\\"}[2m]) crosses 2' in text
    assert "plain alert" not in text  # none left untested
    result = promtool_tests(promtool, rendered)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr


MUTATIONS = {
    "rate threshold +10%": ("[5m])) > 0.1", "[5m])) > 0.11"),
    "rate threshold -10%": ("[5m])) > 0.1", "[5m])) > 0.09"),
    "rate window 10m": ("errors_total{job=\\\"x\\\"}[5m]", "errors_total{job=\\\"x\\\"}[10m]"),
    "rate for 4m": ('for: "5m"', 'for: "4m"'),
    "increase threshold +10%": ("[1h]) > 3", "[1h]) > 3.3"),
    "increase threshold -10%": ("[1h]) > 3", "[1h]) > 2.7"),
    "increase window 2h": ("[1h]) > 3", "[2h]) > 3"),
    "increase for 11m": ('for: "10m"', 'for: "11m"'),
    "irate threshold +10%": ("[2m]) >= 2", "[2m]) >= 2.2"),
    "irate threshold -10%": ("[2m]) >= 2", "[2m]) >= 1.8"),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_a_wrong_threshold_window_or_for_fails_a_generated_case(rendered: Path, promtool: str, tmp_path: Path,
                                                                mutation: str) -> None:
    old, new = MUTATIONS[mutation]
    rules = rendered / "svc.rules.yaml"
    text = rules.read_text()
    assert text.count(old) == 1, mutation
    copy = tmp_path / "prometheus"
    subprocess.run(["cp", "-r", str(rendered), str(copy)], check=True)
    write_rules(copy / "svc.rules.yaml", text.replace(old, new))
    result = promtool_tests(promtool, copy)
    assert result.returncode == 1, f"{mutation}: no generated case fails"


def test_random_rate_alerts_all_get_fire_cases_that_promtool_passes(tmp_path: Path, promtool: str) -> None:
    """Windows from 1m to 6h, thresholds from 3e-7 to 1e9 (0 too), every function, aggregation and `for:`: each
    alert gets a fire case, and promtool agrees with every firing minute and `$value` (printed with %.4g).
    Found on the way: a counter printed with ten digits, or its runs joined within 1e-9, is not the counter
    the minutes were computed on."""
    import random

    rng = random.Random(8)
    lines = ["version: agentops-gen/v1", "service: svc", "owner: team-a", "alerts:"]
    for i in range(40):
        fn, agg = rng.choice(["rate", "irate", "increase"]), rng.choice(["", "sum", "max", "min", "avg"])
        window = rng.choice(["1m", "2m", "3m", "5m", "7m", "10m", "15m", "30m", "1h", "90m", "2h", "6h"])
        num = rng.choice([0, 0.001, 0.05, 0.1, 1, 2.5, 3, 7, 100, 12345.678, 1e9, 3e-7, 0.333, 42.42])
        op = ">" if num == 0 else rng.choice([">", ">="])
        inner = f'{fn}(m{i}_total{{job="j{i}",code=~"5.."}}[{window}])'
        wait = rng.choice([None, "1m", "2m", "5m", "13m", "30m", "2h"])
        lines += [f"  - name: A{i}", f"    expr: '{f'{agg}({inner})' if agg else inner} {op} {num}'",
                  *([f"    for: {wait}"] if wait else []), "    summary: s",
                  "    description: 'Now {{ $value | printf \"%.4g\" }}.'"]
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs/svc.yaml").write_text("\n".join(lines) + "\n")
    result = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = "".join(p.read_text() for p in (tmp_path / "out/prometheus/tests").glob("*.test.yaml"))
    assert "plain alert" not in text and all(f"A{i} fires " in text for i in range(40))
    result = promtool_tests(promtool, tmp_path / "out/prometheus")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
