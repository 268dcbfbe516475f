"""A ratio SLI whose `total` sums several selectors (requests counted by two ingresses)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import generated_tests, run_cli

from agentops_gen.lint.runner import lint

SPEC = """\
version: agentops-gen/v1
service: demo
owner: demo-team
slos:
  - name: availability
    objective: 99
    description: Requests without a server error, over both ingresses.
    sli:
      ratio:
        errors: gateway_errors_total{{job="gateway"}}
        total: {total}
"""
TOTALS = """['nginx_ingress_controller_requests_total{ingress="public"}', 'grpc_server_handled_total{job="gateway"}']"""


def _render(tmp_path: Path, total: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "demo.yaml").write_text(SPEC.format(total=total), encoding="utf-8")
    return run_cli("render", str(specs), "--out", str(tmp_path / "out")), tmp_path / "out"


def test_summed_total_rules_and_generated_tests_pass_promtool(tmp_path: Path, promtool: str) -> None:
    result, out = _render(tmp_path, TOTALS)
    assert result.returncode == 0, result.stderr
    # the expressions as parsed: a one-line expression is a quoted YAML scalar (since issue 16 the events
    # of each window have their own record)
    doc = yaml.safe_load((out / "prometheus" / "demo.rules.yaml").read_text())
    rules = "\n".join(r["expr"] for g in doc["groups"] for r in g["rules"])
    assert ('(sum(rate(nginx_ingress_controller_requests_total{ingress="public"}[5m])) or vector(0)) + '
            '(sum(rate(grpc_server_handled_total{job="gateway"}[5m])) or vector(0))') in rules
    tests = "".join(p.read_text() for p in generated_tests(out / "prometheus" / "tests" / "demo.test.yaml"))
    assert 'grpc_server_handled_total{job=\\"gateway\\"}' in tests  # the second total is fed too
    files = [p.name for p in generated_tests(out / "prometheus" / "tests" / "demo.test.yaml")]
    check = subprocess.run([promtool, "test", "rules", *files], cwd=out / "prometheus" / "tests",
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize(("total", "message"), [
    ("[]", "list at least one selector"),
    ("""['a_total{job="x"}', 'a_total{job="x"}']""", "each once"),
    ("""['a_total{job="x"}', 'rate(b_total[5m])']""", "slos[0].sli.ratio.total[1]"),
])
def test_bad_summed_totals(tmp_path: Path, total: str, message: str) -> None:
    result, out = _render(tmp_path, total)
    assert result.returncode == 2 and not out.exists()
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr, result.stderr


def test_lint_reads_each_summed_selector(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    total = """['a_total{job="x"}', 'nginx_ingress_controller_requests{ingress="public"}']"""
    (folder / "demo.yaml").write_text(SPEC.format(total=total), encoding="utf-8")
    hits = [f for f in lint([folder], disabled=set()) if f.check == "promql/rate-non-counter"]
    assert [(f.severity, "nginx_ingress_controller_requests" in f.message) for f in hits] == [("info", True)]
