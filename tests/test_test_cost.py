"""Generated promtool tests stay cheap: cases of different SLOs run side by side, burn cases carry no
more history than their windows need (issue 16; docs/performance.md has the measured seconds)."""

from __future__ import annotations

from pathlib import Path

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
    cases, _ = prom_tests.service_cases(_service("support-agent"))
    names = [c.name.split("; ") for c in cases]
    together = [n for n in names if any(x.startswith("SupportAgentTaskLatencyBurnRateTicket fires") for x in n)]
    assert len(together) == 1
    assert any(x.startswith("SupportAgentToolSuccessBurnRateTicket fires") for x in together[0])
    # each alert is still asserted silent one minute before, and firing at, its own minute
    case = next(c for c in cases if c.name.split("; ") == together[0])
    for alert in ("SupportAgentTaskLatencyBurnRateTicket", "SupportAgentToolSuccessBurnRateTicket"):
        checks = [t for t in case.alerts if t["alertname"] == alert]
        assert [bool(t["exp_alerts"]) for t in checks] == [False, True]
        assert int(checks[1]["eval_time"][:-1]) - int(checks[0]["eval_time"][:-1]) == 1


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


def test_every_example_file_stays_under_its_eval_minute_budget() -> None:
    """promtool's cost is (last eval minute of each case) x (rules of the file): the sum of last minutes,
    counted, not timed. Before issue 16 these were 4,000-7,000 minutes per service."""
    _, plan = plan_paths([SPECS])
    for service in plan.services:
        cases, _ = prom_tests.service_cases(service)
        assert sum(_last(c) for c in cases) <= 3000, service.service
