"""The Prometheus target judged by promtool: rule files, generated unit tests, hand-checked timing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, SPECS, case_segments, generated_tests, promtool_test_subset, run_cli, write_rules

from agentops_gen.pipeline import plan_paths
from agentops_gen.targets import prom_tests
from agentops_gen.units import names

pytestmark = pytest.mark.tools


def _promtool(promtool: str, *args: str) -> subprocess.CompletedProcess[str]:
    # A generated test file takes 1-2 minutes of CPU: leave room for a loaded CI machine.
    return subprocess.run([promtool, *args], capture_output=True, text=True, timeout=1800)


def test_every_rules_file_passes_promtool_check(rendered_examples: Path, promtool: str) -> None:
    files = sorted((rendered_examples / "prometheus").glob("*.rules.yaml"))
    assert len(files) == 5
    result = _promtool(promtool, "check", "rules", *map(str, files))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == 5


EXAMPLE_SERVICES = ("aegis-rag", "agent-bruno", "agent-platform", "amas", "support-agent")


def test_every_example_service_gets_generated_unit_tests(rendered_examples: Path) -> None:
    tests = rendered_examples / "prometheus" / "tests"
    files = sorted(tests.glob("*.test.yaml"))
    assert {f.name.split(".", 1)[0] for f in files} == set(EXAMPLE_SERVICES)
    for service in EXAMPLE_SERVICES:
        mine = generated_tests(tests / f"{service}.test.yaml")
        assert mine[0].exists() and tests / f"{service}.5m.test.yaml" in mine and len(mine) > 2
        for path in mine:
            doc = yaml.safe_load(path.read_text())
            every = "5m" if path.name.endswith(".5m.test.yaml") else "1m"
            assert doc["evaluation_interval"] == every, path.name
            # the coarse files' checks fall on their evaluations; inputs are still sampled every minute
            assert all(int(t["eval_time"][:-1]) % int(every[:-1]) == 0 for case in doc["tests"]
                       for t in (*case.get("alert_rule_test", []), *case.get("promql_expr_test", [])))
            assert {case["interval"] for case in doc["tests"]} <= {"1m"}


# One test per file, so test workers (make test: pytest -n 2) share the slowest runs of the suite.
@pytest.mark.parametrize("service", EXAMPLE_SERVICES)
def test_generated_unit_tests_pass(rendered_examples: Path, promtool: str, service: str) -> None:
    test_file = rendered_examples / "prometheus" / "tests" / f"{service}.test.yaml"
    result = _promtool(promtool, "test", "rules", *map(str, generated_tests(test_file)))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


MUTATED_PAIR = ("AmasAgentAvailabilityBurnRatePage", "(the 1h/5m pair)")
"""The alert and window pair the two mutations below change in amas' rules."""


def _mutation_fails(promtool: str, rendered: Path, tmp_path: Path, old: str, new: str,
                    mutated: tuple[str, str] = MUTATED_PAIR, every: str = "5m") -> str:
    """promtool's output on the generated cases that fire the mutated pair, run on the mutated amas rules.

    The same cases pass on the rules as rendered, so their failure is the mutation's. The other cases of the
    file are left out: promtool evaluates every rule at every minute of every case, and they cannot tell.
    `every`: the evaluation step of the file the pair's case is generated in."""
    prom = tmp_path / "prometheus"
    shutil.copytree(rendered / "prometheus", prom)
    alert, pair = mutated
    subset = promtool_test_subset(prom / "tests" / "amas.test.yaml", lambda case: any(
        part.startswith(f"{alert} fires") and part.endswith(pair) for part in case_segments(case)),
        "amas-mutated-pair.test.yaml")
    assert yaml.safe_load(subset.read_text())["evaluation_interval"] == every
    original = _promtool(promtool, "test", "rules", str(subset))
    assert original.returncode == 0, original.stdout[-4000:] + original.stderr[-2000:]
    rules = prom / "amas.rules.yaml"
    text = rules.read_text()
    assert old in text, old
    write_rules(rules, text.replace(old, new))
    result = _promtool(promtool, "test", "rules", str(subset))
    assert result.returncode != 0, f"promtool passed with {old!r} -> {new!r}"
    return result.stdout + result.stderr


def test_a_wrong_factor_fails_the_generated_tests(rendered_examples: Path, promtool: str, tmp_path: Path) -> None:
    """Mutation: the expected times come from the simulation, so a rule with 13 instead of 14.4 fails."""
    output = _mutation_fails(promtool, rendered_examples, tmp_path, "(14.4 * 0.005)", "(13 * 0.005)", every="5m")
    assert "AmasAgentAvailabilityBurnRatePage" in output


def test_a_wrong_window_fails_the_generated_tests(rendered_examples: Path, promtool: str, tmp_path: Path) -> None:
    """Mutation: the page alerts read a 2h window where the plan says 1h."""
    output = _mutation_fails(promtool, rendered_examples, tmp_path, "slo:sli_error:ratio_rate1h{",
                             "slo:sli_error:ratio_rate2h{", every="5m")
    assert "BurnRatePage" in output


@pytest.mark.parametrize("alert, pair, old, new", [
    ("AmasAgentAvailabilityBurnRatePage", "(the 6h/30m pair)", "(6 * 0.005)", "(5.4 * 0.005)"),
    ("AmasAgentAvailabilityBurnRatePage", "(the 6h/30m pair)", "(6 * 0.005)", "(6.6 * 0.005)"),
    ("AmasAgentAvailabilityBurnRatePage", "(the 6h/30m pair)", "slo:sli_error:ratio_rate6h{service=\"amas\", "
     "slo=\"agent-availability\"} > (6", "slo:sli_error:ratio_rate2h{service=\"amas\", "
     "slo=\"agent-availability\"} > (6"),
    ("AmasAgentAvailabilityBurnRateTicket", "(the 3d/6h pair)", "(1 * 0.005)", "(0.9 * 0.005)"),
    ("AmasAgentAvailabilityBurnRateTicket", "(the 3d/6h pair)", "(1 * 0.005)", "(1.1 * 0.005)"),
])
def test_a_wrong_factor_or_window_fails_the_5m_cases(rendered_examples: Path, promtool: str, tmp_path: Path,
                                                      alert: str, pair: str, old: str, new: str) -> None:
    """Mutation: the cases evaluated every 5m still catch a factor 10% off either way and a shorter long
    window (6h -> 2h)."""
    output = _mutation_fails(promtool, rendered_examples, tmp_path, old, new, (alert, pair), "5m")
    assert alert in output


def assert_eval_order_names_every_group(test_file: Path) -> None:
    """A hand-written test's group_eval_order names every group of its rule files, in file order: promtool
    evaluates a group it does not name after the named ones, in map order (a flaky test when groups read
    each other's records)."""
    test = yaml.safe_load(test_file.read_text())
    groups = [group["name"] for rules in test["rule_files"]
              for group in yaml.safe_load((test_file.parent / rules).read_text())["groups"]]
    assert test["group_eval_order"] == groups


def test_hand_written_step_tests_for_30d_and_28d(promtool: str, tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(FIXTURES / "prometheus" / "step.spec.yaml", specs)
    out = tmp_path / "out"
    result = run_cli("render", str(specs), "--out", str(out))
    assert result.returncode == 0, result.stderr
    shutil.copy(FIXTURES / "prometheus" / "step.test.yaml", out / "prometheus")
    assert_eval_order_names_every_group(out / "prometheus" / "step.test.yaml")
    result = _promtool(promtool, "test", "rules", str(out / "prometheus" / "step.test.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheusrule_groups_equal_the_rule_file(rendered_examples: Path) -> None:
    for rules in sorted((rendered_examples / "prometheus").glob("*.rules.yaml")):
        service = rules.name.removesuffix(".rules.yaml")
        crd = yaml.safe_load((rendered_examples / "kubernetes" / f"{service}.prometheusrule.yaml").read_text())
        assert crd["apiVersion"] == "monitoring.coreos.com/v1"
        assert crd["kind"] == "PrometheusRule"
        assert crd["spec"]["groups"] == yaml.safe_load(rules.read_text())["groups"]


def test_outage_alert_pages_within_two_minutes() -> None:
    """AMAS: "complete failure alerts within 2 minutes" at 1m scrape and evaluation intervals."""
    _, plan = plan_paths([SPECS])
    amas = next(s for s in plan.services if s.service == "amas")
    outages = [a for a in amas.alerts if a.kind == "outage"]
    assert outages
    cases, _ = prom_tests.service_cases(amas)
    for alert in outages:
        fire = next(c for c in cases if f"{alert.name} fires" in c.name)  # cases of other SLOs may ride along
        fired_at = next(int(t["eval_time"].removesuffix("m")) for t in fire.alerts
                        if t["alertname"] == alert.name and t["exp_alerts"])
        start = max(prom_tests.OUTAGE_START, 2 * int(next(s for s in amas.slos if s.name == alert.subject)
                                                     .outage_window.removesuffix("m")))
        assert fired_at - start <= 2 and fire.every == 1
        assert any(f"{alert.name} stays silent on a 1-minute blip" in c.name.split("; ") for c in cases)


def test_every_alert_has_a_fire_test_except_listed_plain_ones() -> None:
    _, plan = plan_paths([SPECS])
    for service in plan.services:
        cases, untested = prom_tests.service_cases(service)
        fired = {t["alertname"] for c in cases for t in c.alerts if t["exp_alerts"] and " fire" in c.name}
        for alert in service.alerts:
            if alert.name not in fired:
                assert any(u.startswith(alert.name + " ") for u in untested), alert.name
        slo_kinds = {slo.name: slo.sli_kind for slo in service.slos}
        for alert in service.alerts:
            if alert.kind.startswith("burn-") or alert.kind in ("outage", "budget"):
                if slo_kinds[alert.subject] != "raw":
                    assert alert.name in fired, alert.name


def test_zero_traffic_case_checks_every_recording_rule_is_empty(rendered_examples: Path) -> None:
    files = generated_tests(rendered_examples / "prometheus" / "tests" / "amas.test.yaml")
    zero = next(t for f in files for t in yaml.safe_load(f.read_text())["tests"]
                if t["name"].startswith("zero traffic"))
    exprs = {e["expr"] for e in zero["promql_expr_test"]}
    assert 'slo:sli_error:ratio_rate5m{service="amas", slo="agent-availability"}' in exprs
    assert all(e["exp_samples"] == [] for e in zero["promql_expr_test"])
    assert all(a["exp_alerts"] == [] for a in zero["alert_rule_test"])


def test_burn_machinery_fits_in_sloths_17_rules() -> None:
    _, plan = plan_paths([SPECS])
    for service in plan.services:
        groups = {g.name: g for g in service.groups}
        for slo in service.slos:
            group = groups[names.rule_group(service.service, slo.name)]
            # The failed-event rates of the minimum-traffic clauses come on top (docs/performance.md).
            burn = [r for r in group.rules if (r.record and not r.record.startswith(("slo:sli_bad_events:",
                                                                                     "slo:sli_events:")))
                    or (r.alert and "BurnRate" in r.alert)]
            assert len(burn) <= 17, (service.service, slo.name, len(burn))


def test_windows_for_periods_use_sloth_factors() -> None:
    _, plan = plan_paths([SPECS])
    amas = next(s for s in plan.services if s.service == "amas")
    rules = "\n".join(r.expr for g in amas.groups for r in g.rules)
    assert names.sli_error_record("30d") in rules


def test_plain_alert_names_cannot_collide_with_generated_ones(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "shop.yaml").write_text(
        "version: agentops-gen/v1\nservice: shop\nowner: team\n"
        "kpis:\n  - {name: cost, query: sum(x), max: 1}\n"
        "alerts:\n  - {name: ShopCostAboveMax, expr: up == 0}\n  - {name: README, expr: up == 0}\n")
    result = run_cli("render", str(specs), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0].endswith("shop.yaml:7:12: error: alerts[0].name: 'ShopCostAboveMax' is the name of an alert "
                             "agentops-gen generates for KPI cost; choose another name")
    assert lines[1].endswith("shop.yaml:8:12: error: alerts[1].name: README is the runbook index's file name; "
                             "choose another alert name")
    assert not (tmp_path / "out").exists()
