"""Several thresholds per KPI (`thresholds:`), each with its own severity, beside the single `min`/`max`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import generated_tests, run_cli
from test_alertmanager_config import routes_test

SPEC = """\
version: agentops-gen/v1
service: shop
owner: shop-team
description: A shop.
kpis:
  - name: queue-depth
    description: Jobs waiting.
    query: sum(shop_queue_depth{{job="shop"}})
    unit: short
    for: 10m
{levels}
notify:
  critical: pager
  warning: chat
  info: tickets
receivers:
  pager:
    pagerduty: {{routing_key_file: /etc/alertmanager/secrets/shop-pagerduty}}
  chat:
    slack: {{api_url_file: /etc/alertmanager/secrets/shop-slack, channel: "#shop"}}
  tickets:
    webhook: {{url: "http://tickets.example.com/alertmanager"}}
"""
LEVELS = """\
    thresholds:
      - {above: 50, severity: warning}
      - {above: 200, severity: critical, for: 2m}
      - {below: 1, severity: info}"""


def _render(tmp_path: Path, levels: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "shop.yaml").write_text(SPEC.format(levels=levels), encoding="utf-8")
    return run_cli("render", str(specs), "--out", str(tmp_path / "out")), tmp_path / "out"


def _alerts(out: Path) -> dict[str, dict[str, object]]:
    doc = yaml.safe_load((out / "prometheus" / "shop.rules.yaml").read_text())
    return {r["alert"]: r for g in doc["groups"] for r in g["rules"] if "alert" in r}


@pytest.fixture(scope="module")
def levels_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result, out = _render(tmp_path_factory.mktemp("levels"), LEVELS)
    assert result.returncode == 0, result.stderr
    return out


def test_one_alert_per_level_with_its_own_severity_and_for(levels_out: Path) -> None:
    alerts = _alerts(levels_out)
    sel = '{service="shop", kpi="queue-depth"}'
    got = {name: (r["expr"], r.get("for"), r["labels"]["severity"]) for name, r in alerts.items()  # type: ignore[index]
           if name != "ShopQueueDepthNoData"}
    assert got == {
        "ShopQueueDepthAboveWarning": (f"kpi:queue_depth:value{sel} > 50", "10m", "warning"),
        "ShopQueueDepthAboveCritical": (f"kpi:queue_depth:value{sel} > 200", "2m", "critical"),
        "ShopQueueDepthBelowInfo": (f"kpi:queue_depth:value{sel} < 1", "10m", "info"),
    }
    summary = alerts["ShopQueueDepthAboveCritical"]["annotations"]["summary"]  # type: ignore[index]
    assert summary.endswith("critical threshold 200")


def test_rules_and_generated_tests_pass_promtool(levels_out: Path, promtool: str) -> None:
    prom = levels_out / "prometheus"
    check = subprocess.run([promtool, "check", "rules", "shop.rules.yaml"], cwd=prom, capture_output=True,
                           text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    docs = [yaml.safe_load(p.read_text()) for p in generated_tests(prom / "tests" / "shop.test.yaml")]
    firing = {(a["alertname"], a["eval_time"]) for doc in docs for t in doc["tests"]
              for a in t.get("alert_rule_test", []) if a["exp_alerts"]}
    # each level has a case that sees it fire exactly its own `for` after the value crosses it
    names = {name for name, _ in firing}
    assert {"ShopQueueDepthAboveWarning", "ShopQueueDepthAboveCritical", "ShopQueueDepthBelowInfo"} <= names
    files = [p.name for p in generated_tests(prom / "tests" / "shop.test.yaml")]
    run = subprocess.run([promtool, "test", "rules", *files], cwd=prom / "tests", capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_each_level_routes_to_its_severity_receiver(levels_out: Path, amtool: str) -> None:
    config = levels_out / "alertmanager" / "alertmanager.yml"
    check = subprocess.run([amtool, "check-config", str(config)], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stdout + check.stderr
    for alert, receiver in (("ShopQueueDepthAboveCritical", "shop-pager"), ("ShopQueueDepthAboveWarning", "shop-chat"),
                            ("ShopQueueDepthBelowInfo", "shop-tickets")):
        severity = alert.removeprefix("ShopQueueDepthAbove").removeprefix("ShopQueueDepthBelow").lower()
        got = routes_test(amtool, config, alertname=alert, service="shop", severity=severity, kpi="queue-depth")
        assert got == [receiver], alert


def test_critical_level_silences_the_warning_level_only(levels_out: Path) -> None:
    doc = yaml.safe_load((levels_out / "alertmanager" / "alertmanager.yml").read_text())
    rules = [r for r in doc.get("inhibit_rules", []) if "kpi" in r["equal"]]
    assert rules == [{
        "source_matchers": ['service="shop"', 'alertname=~"ShopQueueDepthAboveCritical"'],
        "target_matchers": ['service="shop"', 'alertname=~"ShopQueueDepthAboveWarning"'],
        "equal": ["service", "kpi"],
    }]  # not the no-data alert (also a warning of this KPI)


def test_dashboard_colours_each_level_by_severity(levels_out: Path) -> None:
    dash = json.loads((levels_out / "grafana" / "dashboards" / "shop-team" / "shop.json").read_text())
    panels = [p for p in dash["panels"] if p.get("title") == "queue-depth"]
    assert len(panels) == 1
    steps = [(s["value"], s["color"]) for s in panels[0]["fieldConfig"]["defaults"]["thresholds"]["steps"]]
    # under 1: info (yellow); 1..50 fine; from 50 warning orange; from 200 critical red
    assert steps == [(None, "yellow"), (1, "green"), (50, "orange"), (200, "red")]
    assert "(warning above 50, critical above 200, info below 1)" in panels[0]["description"]


def test_each_level_has_its_runbook(levels_out: Path) -> None:
    page = (levels_out / "runbooks" / "shop" / "ShopQueueDepthAboveCritical.md").read_text()
    assert "queue-depth above its critical threshold" in page
    assert "| Severity | critical |" in page and "| Fires after | 2m |" in page
    assert (levels_out / "runbooks" / "shop" / "ShopQueueDepthBelowInfo.md").is_file()


def test_max_and_thresholds_together(tmp_path: Path) -> None:
    result, out = _render(tmp_path, "    max: 500\n    severity: critical\n"
                                    "    thresholds: [{above: 50, severity: warning}]")
    assert result.returncode == 0, result.stderr
    alerts = _alerts(out)
    assert alerts["ShopQueueDepthAboveMax"]["labels"]["severity"] == "critical"  # type: ignore[index]
    assert alerts["ShopQueueDepthAboveWarning"]["labels"]["severity"] == "warning"  # type: ignore[index]


@pytest.mark.parametrize(("levels", "where", "message"), [
    ("    thresholds: [{above: 1, below: 0, severity: warning}]", "kpis[0].thresholds[0]",
     "set exactly one of `above` or `below`"),
    ("    thresholds: [{severity: warning}]", "kpis[0].thresholds[0]", "set exactly one of `above` or `below`"),
    ("    thresholds: [{above: 1, severity: warning}, {above: 5, severity: warning}]", "kpis[0]",
     "thresholds[1] repeats `above` with severity 'warning' of thresholds[0]"),
    ("    thresholds: [{above: 1, severity: page}]", "kpis[0].thresholds[0].severity", "critical"),
    ("    thresholds: []", "kpis[0]", "set `min`, `max` or `thresholds`"),
    ("    thresholds: [{above: .nan}]", "kpis[0].thresholds[0].above", "finite number"),
])
def test_bad_levels_are_one_line_errors(tmp_path: Path, levels: str, where: str, message: str) -> None:
    result, out = _render(tmp_path, levels)
    assert result.returncode == 2 and not out.exists()
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f": error: {where}: " in lines[0] and message in lines[0], lines[0]
    assert "shop.yaml:" in lines[0]
