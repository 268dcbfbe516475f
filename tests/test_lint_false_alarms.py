"""Name-based lint guesses on real third-party metrics: hints (info), consistent, with advice one can follow."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli

from agentops_gen.lint.runner import lint

HEAD = "version: agentops-gen/v1\nservice: demo\nowner: demo-team\n"
NGINX = 'nginx_ingress_controller_requests{ingress="agent"'
TIME_SLICE = (f'avg_over_time((sum(rate({NGINX},status=~"5.."}}[1m])) / sum(rate({NGINX}}}[1m])) > bool 0.05)'
              "[{{ window }}:1m])")
"""Share of bad minutes (more than 5% errors) over the window: a time-slice SLI, fixed [1m] inside on purpose."""


def _lint(tmp_path: Path, body: str) -> list:
    folder = tmp_path / "specs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "demo.yaml").write_text(HEAD + body, encoding="utf-8")
    return lint([folder], disabled=set())


def _raw_slo(error_ratio: str) -> str:
    return ("slos:\n  - name: availability\n    description: Requests without a server error.\n"
            f"    objective: 99\n    sli:\n      raw:\n        error_ratio: '{error_ratio}'\n")


def test_kafka_consumer_lag_gauge_is_a_hint_without_rename_advice(tmp_path: Path) -> None:
    findings = _lint(tmp_path, "slos: []\nkpis:\n  - name: consumer-lag\n    description: Messages behind.\n"
                     "    query: sum by (topic) (kafka_consumergroup_lag_sum{consumergroup=\"agents\"})\n"
                     "    max: 1000\n")
    hits = [f for f in findings if f.check == "promql/counter-without-rate"]
    assert [f.severity for f in hits] == ["info"]
    assert "kafka_consumergroup_lag_sum" in hits[0].message and "rename" not in hits[0].message


def test_time_slice_subquery_is_not_a_missing_window(tmp_path: Path) -> None:
    findings = _lint(tmp_path, _raw_slo(TIME_SLICE))
    assert not [f for f in findings if f.check in ("promql/raw-window-placeholder", "spec/schema")], findings
    specs = tmp_path / "specs"
    result = run_cli("render", str(specs), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr  # render accepts it too


def test_fixed_range_outside_the_window_subquery_is_still_flagged(tmp_path: Path) -> None:
    fixed = (f'sum(rate({NGINX},status=~"5.."}}[{{{{ window }}}}])) / sum(rate({NGINX}}}[30m]))')
    findings = _lint(tmp_path, _raw_slo(fixed))
    hits = [f for f in findings if f.check == "promql/raw-window-placeholder"]
    assert len(hits) == 1 and "[30m]" in hits[0].message and hits[0].severity == "error"


def test_nginx_requests_counter_gets_the_same_hint_in_raw_and_ratio_slis(tmp_path: Path) -> None:
    raw = _lint(tmp_path / "raw", _raw_slo(f'sum(rate({NGINX},status=~"5.."}}[{{{{ window }}}}])) / '
                                           f'sum(rate({NGINX}}}[{{{{ window }}}}]))'))
    ratio = _lint(tmp_path / "ratio", "slos:\n  - name: availability\n    description: Requests without errors.\n"
                  f"    objective: 99\n    sli:\n      ratio:\n        errors: '{NGINX},status=~\"5..\"}}'\n"
                  f"        total: '{NGINX}}}'\n")
    raw_hits = {f.severity for f in raw if f.check == "promql/rate-non-counter"}
    ratio_hits = {f.severity for f in ratio if f.check == "promql/rate-non-counter"}
    assert raw_hits == ratio_hits == {"info"}
    assert not [f for f in raw + ratio if f.check.startswith("promql/") and f.severity != "info"], raw + ratio
