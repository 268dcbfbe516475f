"""Runbooks: one per alert, linked from every alert's runbook_url, with the numbers spelled out."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from agentops_gen.pipeline import plan_paths, render_paths
from agentops_gen.targets.markdown import md_cell, md_code, md_fence

SPEC = """\
version: agentops-gen/v1
service: demo-agent
owner: demo-team
description: "Demo | agent with `ticks`\\nand a second line"
period: 30d
labels: {tier: "a|b`c"}
slos:
  - name: availability
    objective: 99.5
    description: "Requests | that `succeed`"
    runbook: |
      1. Check the `gateway` logs.
      2. Roll back the last deploy.
    sli:
      ratio:
        errors: req_total{service="demo-agent",status="error"}
        total: req_total{service="demo-agent"}
    alerting:
      budget: [{below: 25, severity: warning}]
alerts:
  - name: DemoDown
    expr: up{job="demo"} == 0
    for: 1m
    severity: critical
    summary: "Demo `down` | on {{ $labels.instance }}"
"""


def alerts_of(rules_file: Path) -> dict[str, dict[str, str]]:
    """alert name -> annotations, from a rendered Prometheus rules file."""
    doc = yaml.safe_load(rules_file.read_text())
    return {r["alert"]: r["annotations"] for g in doc["groups"] for r in g["rules"] if "alert" in r}


def runbook_target(url: str, base: str | None, service: str) -> str:
    """The runbooks/-relative path a runbook_url points at (base URL + /<service>/<Alert>.md, or relative)."""
    if base:
        assert url.startswith(base + "/"), url
        url = url[len(base) + 1:]
    assert url.startswith(f"{service}/") and url.endswith(".md"), url
    return url


def cells(line: str) -> list[str]:
    """Cells of a Markdown table row, split on pipes that are not backslash-escaped."""
    return re.split(r"(?<!\\)\|", line.strip())[1:-1]


@pytest.fixture(scope="module")
def demo_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("specs") / "demo.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def demo(demo_spec: Path) -> dict[str, str]:
    """Every rendered file of the demo spec, checked as the CLI checks it."""
    return render_paths([demo_spec])


# --- links between alerts and runbooks -----------------------------------------------------------

def test_every_alert_links_to_an_existing_runbook_and_back(rendered_examples: Path) -> None:
    """No alert without a runbook, no runbook without an alert, for every example service."""
    rule_files = sorted((rendered_examples / "prometheus").glob("*.rules.yaml"))
    assert rule_files
    for rules in rule_files:
        service = rules.name.removesuffix(".rules.yaml")
        alerts = alerts_of(rules)
        base = _base_url(service)
        targets = {runbook_target(a["runbook_url"], base, service) for a in alerts.values()}
        for target in targets:
            assert (rendered_examples / "runbooks" / target).is_file(), target
        books = {f"{service}/{p.name}" for p in (rendered_examples / "runbooks" / service).glob("*.md")
                 if p.name != "README.md"}
        assert books == targets, service


def _base_url(service: str) -> str | None:
    from conftest import SPECS

    for path in SPECS.glob("*.yaml"):
        doc = yaml.safe_load(re.sub(r"!include\s+\S+", "null", path.read_text()))
        if isinstance(doc, dict) and doc.get("service") == service:
            return doc.get("runbook_base_url")
    raise AssertionError(f"no spec for {service}")


def test_relative_runbook_url_without_a_base(demo: dict[str, str]) -> None:
    alerts = alerts_of_text(demo["prometheus/demo-agent.rules.yaml"])
    assert alerts, "demo spec has alerts"
    for name, notes in alerts.items():
        assert notes["runbook_url"] == f"demo-agent/{name}.md"
        assert f"runbooks/demo-agent/{name}.md" in demo
    books = {p for p in demo if p.startswith("runbooks/") and not p.endswith("README.md")}
    assert books == {f"runbooks/demo-agent/{n}.md" for n in alerts}


def alerts_of_text(text: str) -> dict[str, dict[str, str]]:
    doc = yaml.safe_load(text)
    return {r["alert"]: r["annotations"] for g in doc["groups"] for r in g["rules"] if "alert" in r}


def test_index_lists_every_alert_by_severity(demo: dict[str, str], demo_spec: Path) -> None:
    index = demo["runbooks/demo-agent/README.md"]
    service = plan_paths([demo_spec])[1].services[0]
    headings = re.findall(r"^## (\w+)$", index, flags=re.M)
    assert headings == ["Critical", "Warning"]
    for alert in service.alerts:
        section = index.split(f"## {alert.severity.capitalize()}", 1)[1].split("\n## ", 1)[0]
        assert f"[{alert.name}]({alert.name}.md)" in section


# --- content -------------------------------------------------------------------------------------

def test_runbook_content_of_every_example_alert(rendered_examples: Path) -> None:
    """Exact PromQL, owner, silence command and dashboard link in every runbook."""
    for rules in sorted((rendered_examples / "prometheus").glob("*.rules.yaml")):
        service = rules.name.removesuffix(".rules.yaml")
        doc = yaml.safe_load(rules.read_text())
        for rule in (r for g in doc["groups"] for r in g["rules"] if "alert" in r):
            book = (rendered_examples / "runbooks" / service / f"{rule['alert']}.md").read_text()
            assert rule["expr"].rstrip("\n") in book, rule["alert"]
            assert f"Team `{rule['labels']['team']}`" in book
            silence = next(line for line in book.splitlines() if line.startswith("amtool silence add"))
            assert silence.startswith(f"amtool silence add alertname={rule['alert']} service={service} ")
            assert " --comment=" in silence
            assert f"/d/agentops-{service}" in book
            assert f"| Severity | {rule['labels']['severity']} |" in book


def test_burn_rate_math_checked_by_hand(demo: dict[str, str]) -> None:
    """99.5% over 30d: budget 0.5%; page at 14.4x (7.2%) lasts 50h = 2d2h; ticket at 1x lasts 30d."""
    page = demo["runbooks/demo-agent/DemoAgentAvailabilityBurnRatePage.md"]
    assert "its 30-day error budget is 0.5% of events" in page
    assert "Burn rate 14.4x: the error ratio is above 7.2% (14.4 x 0.5%)" in page
    assert "At this rate the 30-day budget is gone in 2d2h" in page
    assert "Burn rate 6x" in page and "gone in 5d" in page
    ticket = demo["runbooks/demo-agent/DemoAgentAvailabilityBurnRateTicket.md"]
    assert "Burn rate 1x" in ticket and "gone in 30d" in ticket
    outage = demo["runbooks/demo-agent/DemoAgentAvailabilityOutage.md"]
    assert "A full outage spends the whole 30-day budget in 3h36m" in outage  # 0.005 x 30d = 216 min
    budget = demo["runbooks/demo-agent/DemoAgentAvailabilityErrorBudgetBelow25.md"]
    assert "the error ratio averaged more than 0.375%" in budget  # 75% of 0.5% spent


def test_first_checks_come_from_the_spec(demo: dict[str, str]) -> None:
    page = demo["runbooks/demo-agent/DemoAgentAvailabilityBurnRatePage.md"]
    checks = page.split("## First checks\n", 1)[1].split("\n## ", 1)[0]
    assert "1. Check the `gateway` logs.\n2. Roll back the last deploy." in checks
    down = demo["runbooks/demo-agent/DemoDown.md"]
    assert "1. Open the dashboard" in down.split("## First checks\n", 1)[1]


def test_sli_query_shown_for_slo_alerts(demo: dict[str, str]) -> None:
    page = demo["runbooks/demo-agent/DemoAgentAvailabilityBurnRatePage.md"]
    assert 'req_total{service="demo-agent",status="error"}[5m]' in page


def test_user_strings_do_not_break_tables(demo: dict[str, str]) -> None:
    """Backticks, pipes and line breaks in descriptions, labels and summaries stay inside their cells."""
    for path, text in demo.items():
        if not path.startswith("runbooks/"):
            continue
        table: list[str] = []
        for line in text.splitlines() + [""]:
            if line.startswith("|"):
                table.append(line)
                continue
            if table:
                widths = {len(cells(row)) for row in table}
                assert len(widths) == 1, (path, table)
            table = []
    down = demo["runbooks/demo-agent/DemoDown.md"]
    assert "| `tier` | ``a\\|b`c`` |" in down
    assert "Demo \\`down\\` \\| on \\<instance\\>" in down  # Prometheus templating is not shown raw
    assert "{{" not in down.split("## PromQL", 1)[0]
    assert "Demo \\| agent with \\`ticks\\` and a second line" in demo["runbooks/demo-agent/README.md"]


def test_markdown_helpers() -> None:
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x") == "`` `x ``"
    assert md_code("rate(x{a=\"b|c\"}[5m])\n  > 1") == "`rate(x{a=\"b\\|c\"}[5m]) > 1`"
    assert md_cell("a|b\nc") == "a\\|b c"
    assert md_cell("user_id and _x_") == "user_id and \\_x\\_"
    assert md_fence("a ``` b", "promql") == "````promql\na ``` b\n````"
    assert md_cell(r"\ ` * [ ] < > |") == r"\\ \` \* \[ \] \< \> \|"  # every syntax character, once
    assert md_cell("a_\\_b") == "a\\_\\\\\\_b"  # underscores beside a backslash are at a word's edge


def test_a_burn_alerts_windows_are_spelt_once_for_its_budget_math_and_impact(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """pair_words runs once per SLO alert of a render (issue 16 item 4), and what budget_math and impact write
    from it is what they write computing the windows themselves."""
    from agentops_gen.targets import runbooks

    _, plan = plan_paths([Path(__file__).resolve().parent.parent / "slo_specs"])
    calls: list[str] = []
    real = runbooks.pair_words

    def counting(alert: Any, slo: Any) -> Any:
        calls.append(alert.name)
        return real(alert, slo)

    monkeypatch.setattr(runbooks, "pair_words", counting)
    runbooks.render(plan)
    # an SLO's alerts (a KPI's no-data alert has no SLO)
    slo_alerts = [(a, s) for s in plan.services for a in s.alerts
                  if a.kind in runbooks.SLO_KINDS and s.slo_named(a.subject) is not None]
    assert sorted(calls) == sorted(a.name for a, _ in slo_alerts)
    burns = 0
    for alert, service in slo_alerts:
        slo = service.slo_named(alert.subject)
        assert slo is not None
        pairs = real(alert, slo)
        burns += bool(pairs)
        assert bool(pairs) == alert.kind.startswith("burn-")
        assert runbooks.budget_math(alert, slo, pairs) == runbooks.budget_math(alert, slo)
        assert runbooks.impact(alert, slo, service, pairs) == runbooks.impact(alert, slo, service)
        for p in pairs:
            assert p.window.severity == alert.kind.removeprefix("burn-")
            assert (p.long, p.short) == (p.window.long, p.window.short)
            assert f"Burn rate {p.factor}x" in " ".join(runbooks.budget_math(alert, slo, pairs))
    assert burns > 10
