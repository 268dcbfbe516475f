"""Generated promtool tests stay cheap: cases of different SLOs run side by side, burn cases carry no
more history than their windows need (issue 16; docs/performance.md has the measured seconds)."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import promtool_test_subset, write_rules

from agentops_gen.pipeline import plan_paths
from agentops_gen.plan import timing
from agentops_gen.targets import prom_tests
from agentops_gen.targets.prom_tests import Case

SPECS = Path(__file__).resolve().parent.parent / "slo_specs"


def _service(name: str):  # type: ignore[no-untyped-def]
    _, plan = plan_paths([SPECS])
    return next(s for s in plan.services if s.service == name)


def _last(case: Case) -> int:
    return max(int(t["eval_time"][:-1]) for t in (*case.alerts, *case.exprs))


def test_ticket_cases_of_two_slos_run_in_one_promtool_case() -> None:
    service = _service("support-agent")
    proven: set[str] = set()  # as service_cases() does: the pages show the summed records' model first
    burn = [c for kind in ("burn-page", "burn-ticket") for slo in service.slos for a in slo.alerts if a.kind == kind
            for c in prom_tests._burn_cases(service, slo, a, proven=proven)]
    cases = prom_tests.pack(service, [c for c in burn if "BurnRateTicket fires" in c.name])
    names = [c.name.split("; ") for c in cases]
    together = [n for n in names if any(x.startswith("SupportAgentContainmentBurnRateTicket fires") for x in n)]
    assert len(together) == 1
    assert any(x.startswith("SupportAgentGroundednessBurnRateTicket fires") for x in together[0])
    # each alert is still asserted silent one evaluation before, and firing at, its own minute
    case = next(c for c in cases if c.name.split("; ") == together[0])
    for alert in ("SupportAgentContainmentBurnRateTicket", "SupportAgentGroundednessBurnRateTicket"):
        checks = [t for t in case.alerts if t["alertname"] == alert]
        assert [bool(t["exp_alerts"]) for t in checks] == [False, True]
        assert int(checks[1]["eval_time"][:-1]) - int(checks[0]["eval_time"][:-1]) == case.every


def test_cases_feeding_one_series_differently_are_never_packed_together() -> None:
    service = _service("support-agent")
    slo = service.slos[0]
    alert = next(a for a in slo.alerts if a.kind == "burn-page")
    first = prom_tests.slo_series(service, slo, timing.Step(start=60, incident=1.0), 100)
    second = prom_tests.slo_series(service, slo, timing.Step(start=30, incident=1.0), 100)
    assert first and second and first != second
    cases = [Case(name=name, series=series, alerts=[{"eval_time": "90m", "alertname": alert.name, "exp_alerts": []}])
             for name, series in (("a", first), ("b", second), ("c", first))]
    packed = prom_tests.pack(service, cases)
    assert sorted(c.name for c in packed) in (["a; c", "b"], ["a", "b; c"])


def test_a_page_pair_gets_only_the_history_its_windows_need() -> None:
    """The 1h/5m page case of amas needs less than the 6h of history the longest page window would take."""
    amas = _service("amas")
    choices = prom_tests.history_choices(60, 4320)
    assert choices[0][0] == 60 and choices[-1][0] == prom_tests.MAX_HISTORY
    cases, _ = prom_tests.service_cases(amas)
    quick = [c for c in cases if "BurnRatePage fires" in c.name and "(the 1h/5m pair)" in c.name]
    assert quick
    for case in quick:
        member = next(x for x in case.name.split("; ") if "(the 1h/5m pair)" in x)
        assert _last(case) >= int(member.split(" fires ")[1].split("m")[0])


def test_every_example_service_stays_under_its_evaluation_budget() -> None:
    """promtool's cost is (evaluations up to each case's last eval time) x (rules its file loads): both counted,
    not timed. Before issue 16 these were 4,000-7,000 evaluations per service, then 2,150-2,850 (every case at
    1m), 430-530 with a 5m file (a 5m case costs a fifth of a 1m one per minute), every file loading the whole
    rule file: 43,000-86,000 rule evaluations. Files loading only the groups their cases read pack fewer cases
    together (more evaluations: 700-1,090, with a raw SLI's page case at 1m) of far fewer rules: 16,000-37,000.
    Steady cases as long as their `for:` needs, a 1h busy day and a raw SLI's short 1m `for:` case: 710-930
    evaluations, 13,600-30,800 rule evaluations (fifth round). Shorter traffic scenarios and each file loading
    only the rules its cases exercise (a slice per file): 9,000-20,300 rule evaluations (sixth round)."""
    _, plan = plan_paths([SPECS])
    for service in plan.services:
        cases, _ = prom_tests.service_cases(service)
        assert sum(_last(c) // c.every + 1 for c in cases) <= 950, service.service
        files = prom_tests.render_service(service)
        rule_evaluations = 0
        for path, text in files.items():
            if path.endswith(".test.yaml"):
                doc = yaml.safe_load(text)
                (loaded,) = doc["rule_files"]
                groups = (service.groups if loaded.startswith("../") else
                          yaml.safe_load(files[f"prometheus/tests/{loaded}"])["groups"])
                rules = sum(len(g.rules) if hasattr(g, "rules") else len(g["rules"]) for g in groups)
                every = int(doc["evaluation_interval"][:-1])
                rule_evaluations += sum(_last_of(t) // every + 1 for t in doc["tests"]) * rules
        assert rule_evaluations <= 21_000, service.service


def _last_of(case: dict[str, Any]) -> int:
    return max(int(t["eval_time"][:-1]) for t in (*case.get("alert_rule_test", []), *case.get("promql_expr_test", [])))


def test_coarse_cases_sit_on_their_evaluation_grid() -> None:
    """A 5m case checks only at its evaluations, and silence one evaluation (5m) before each firing minute."""
    _, plan = plan_paths([SPECS])
    coarse = [c for s in plan.services for c in prom_tests.service_cases(s)[0] if c.every == prom_tests.COARSE_STEP]
    assert any("BurnRateTicket fires" in c.name for c in coarse)
    assert any(c.name.startswith("busy day") for c in coarse)
    for case in coarse:
        assert all(int(t["eval_time"][:-1]) % case.every == 0 for t in (*case.alerts, *case.exprs)), case.name
        for alert in {t["alertname"] for t in case.alerts if t["exp_alerts"]}:
            checks = [int(t["eval_time"][:-1]) for t in case.alerts if t["alertname"] == alert]
            if len(checks) > 1:  # (the absent-series case checks each no-data alert once, firing)
                assert checks[-1] - checks[-2] == case.every


def test_a_coarse_burn_case_catches_every_mutation_the_1m_case_catches() -> None:
    """The 3d/6h ticket: at 1m with 6h of history it catches a factor 10% off either way (its 3d window
    cannot be told from any window longer than the test); the 5m case catches the same with less history."""
    pairs = ((1440, 120, 3 * 0.001), (4320, 360, 1 * 0.001))
    fine = prom_tests._burn_try(pairs, 1, 5, 15, prom_tests.MAX_HISTORY, 2.37, frozenset(), 1, False)
    assert fine is not None
    must = prom_tests._caught(pairs, 1, 5, 15, frozenset(), fine, 1, False)
    assert must == {0, 1}
    found = prom_tests.burn_step(pairs, 1, 5, 15)
    assert found is not None
    step, when, _, every, _ = found
    assert every == prom_tests.COARSE_STEP and when < fine[1] // 3
    assert prom_tests._caught(pairs, 1, 5, 15, frozenset(), (step, when, 0.0), every, False) >= must


def test_steady_cases_run_as_long_as_the_longest_for_needs_never_longer_than_before() -> None:
    """Healthy, zero-traffic and absent-series inputs are steady: a condition holding on them holds from the first
    5m evaluation with two samples in its windows, so the cases run the service's longest `for:` and two 5m steps
    (40m for the examples' 30m), and as long as before (90m, 60m) when a `for:` needs it."""
    amas = _service("amas")
    assert max(prom_tests._for_minutes(a.for_) for a in amas.alerts) == 30
    assert prom_tests.steady_minutes(amas.alerts, prom_tests.HEALTHY_MINUTES) == 40
    cases = {c.name.split(" ")[0]: c for c in prom_tests.service_cases(amas)[0] if c.shared}
    assert _last(cases["zero"]) == _last(cases["absent"]) == _last(cases["healthy"]) == 40
    kpi = next(a for a in amas.alerts if a.name == "AmasCostPerRequestAboveMax")
    for waits, expected in (("52m", 65), ("1h", 70), ("81m", 90), ("2h", 90)):
        longer = [*amas.alerts, dataclasses.replace(kpi, for_=waits)]
        assert prom_tests.steady_minutes(longer, prom_tests.HEALTHY_MINUTES) == expected
        assert prom_tests.steady_minutes(longer, prom_tests.ABSENT_MINUTES) == min(expected, 60)


@pytest.mark.tools
def test_an_alert_with_the_longest_for_made_true_from_minute_5_fails_the_shortened_absent_case(
        rendered_examples: Path, promtool: str, tmp_path: Path) -> None:
    """amas' longest `for:` (30m, a KPI alert): its condition made true from the first 5m evaluation (a mistake
    reading no series) fires by 35m, inside the 40-minute absent-series case, which then fails."""
    prom = tmp_path / "prometheus"
    shutil.copytree(rendered_examples / "prometheus", prom)
    subset = promtool_test_subset(prom / "tests" / "amas.test.yaml", lambda case: case["name"].startswith("absent"),
                                  "absent-mutated.test.yaml")
    assert "eval_time: 40m" in subset.read_text()

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([promtool, "test", "rules", str(subset)], capture_output=True, text=True, timeout=600)
    assert run().returncode == 0
    rules = prom / "amas.rules.yaml"
    text = rules.read_text()
    start = text.index('- alert: "AmasCostPerRequestAboveMax"')
    expr = text.index("expr: ", start)
    end = text.index("\n", expr)
    assert 'for: "30m"' in text[end:end + 40]
    write_rules(rules, text[:expr] + 'expr: "vector(1) and on() (vector(time()) >= 300)"' + text[end:])
    result = run()
    assert result.returncode != 0
    assert "AmasCostPerRequestAboveMax" in result.stdout + result.stderr
