"""The generated promtool test files are laid out from prepared rows and memoized work (docs/performance.md,
"Render time at scale", fourth round): the file still says exactly what the cases say, and no memo outlives
the render that filled it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from agentops_gen.pipeline import plan_paths
from agentops_gen.plan import synthetic, timing
from agentops_gen.plan.model import Plan
from agentops_gen.targets import prom_tests

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "slo_specs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _plan(*paths: Path) -> Plan:
    return plan_paths(list(paths))[1]


def _as_yaml(case: prom_tests.Case) -> dict[str, Any]:
    """What promtool should read for a case, built from the Case itself (not from the rows)."""
    out: dict[str, Any] = {"name": case.name, "interval": "1m",
                           "input_series": [{"series": lit, "values": values} for lit, values in case.series]}
    if case.alerts:
        out["alert_rule_test"] = [{"eval_time": t["eval_time"], "alertname": t["alertname"],
                                   "exp_alerts": t["exp_alerts"]} for t in case.alerts]
    if case.exprs:
        out["promql_expr_test"] = [{"expr": t["expr"], "eval_time": t["eval_time"], "exp_samples": []}
                                   for t in case.exprs]
    return out


def test_test_files_say_what_the_cases_say() -> None:
    plan = _plan(SPECS)
    for service in plan.services:
        cases, _ = prom_tests.service_cases(service)
        files = prom_tests.render_service(service)
        assert prom_tests.test_file(service.service) in files
        written = []
        for path, text in files.items():
            if not path.endswith(".test.yaml"):
                continue
            doc = yaml.safe_load(text)
            every = int(doc["evaluation_interval"][:-1])
            loaded = set(doc["group_eval_order"])
            for case in doc["tests"]:
                (source,) = [c for c in cases if _as_yaml(c) == case]
                # each case in the file of its step, loading every group it reads
                assert source.every == every and {service.groups[i].name for i in source.reads} <= loaded, path
                written.append(case)
        def key(case: dict[str, Any]) -> str:
            return json.dumps(case, sort_keys=True)
        assert sorted(map(key, written)) == sorted(key(_as_yaml(c)) for c in cases)


def test_labels_and_annotations_are_listed_in_dictsort_order() -> None:
    quote = prom_tests.Quoted()
    case = prom_tests.Case(name="n", alerts=[{"eval_time": "5m", "alertname": "A", "exp_alerts": [
        {"exp_labels": {"team": "t", "Zone": "z", "alpha": "a"}, "exp_annotations": {"summary": "s", "Desc": "d"}}]}])
    rows = prom_tests.case_rows(case, quote)
    (_, alertname, [(labels, annotations)]), = rows.alerts
    # Jinja's dictsort (what the template used) ignores case; label names stay bare, annotation keys quoted
    assert labels == [("alpha", '"a"'), ("team", '"t"'), ("Zone", '"z"')]
    assert annotations == [('"Desc"', '"d"'), ('"summary"', '"s"')]
    assert alertname == '"A"' and rows.name == '"n"'


def test_a_string_is_quoted_once_per_render() -> None:
    quote = prom_tests.Quoted()
    first = quote['a "b"\nc']
    assert first == '"a \\"b\\"\\nc"' and yaml.safe_load(first) == 'a "b"\nc'
    assert quote['a "b"\nc'] is first and len(quote) == 1


def _memo_sizes() -> list[int]:
    return [memo.cache_info().currsize for memo in prom_tests._RUN_MEMOS]


def test_memos_hold_only_the_last_render(tmp_path: Path) -> None:
    (tmp_path / "step.yaml").write_text((FIXTURES / "prometheus" / "step.spec.yaml").read_text())
    small = _plan(tmp_path)
    prom_tests.render(small)
    alone = _memo_sizes()
    assert any(alone), "the render memoized nothing"
    prom_tests.render(_plan(SPECS))
    assert sum(_memo_sizes()) > sum(alone)
    first = prom_tests.render(small)
    assert _memo_sizes() == alone  # the larger render's entries are gone: a render starts cold
    assert prom_tests.render(small) == first


def test_shared_identity_dicts_are_never_changed() -> None:
    plan = _plan(SPECS)
    prom_tests.render(plan)  # the memo now holds the label dicts every case shared
    literals = {lit for s in plan.services for c in prom_tests.service_cases(s)[0] for lit, _ in c.series}
    assert literals
    for literal in literals:
        assert prom_tests.identity(literal) == synthetic.identity(literal), literal


def test_runs_of_a_traffic_are_its_increments() -> None:
    traffic = timing.Traffic.of([(3, lambda i: (2.0, 0.0)), (2, lambda i: (2.0, 1.0)), (1, lambda i: (0.0, 0.0))])
    bad, good, total = prom_tests.traffic_pieces(traffic)
    assert bad == [(3, 0.0), (2, 1.0), (1, 0.0)]
    assert good == [(3, 2.0), (2, 1.0), (1, 0.0)]
    assert total == [(5, 2.0), (1, 0.0)]
    same = timing.Traffic.of([(3, lambda i: (2.0, 0.0)), (2, lambda i: (2.0, 1.0)), (1, lambda i: (0.0, 0.0))])
    assert same == traffic and hash(same) == hash(traffic) and len({same, traffic}) == 1


def _records_by_definition(step: timing.Step, every: int, size: int) -> list[float]:
    """Prefix sums of the recorded 5m failed-event rates, minute by minute from their definition."""
    sums = [0.0]
    for i in range(size):
        record = 0.0
        if i >= every and i % every == 0:
            first = max(0, i - timing.RECORDED_MIN)
            record = (step.cumulative(i) - step.cumulative(first)) * timing.stretch(i, timing.RECORDED_MIN)
        sums.append(sums[-1] + record)
    return sums


def test_record_sums_grown_on_demand_match_one_pass() -> None:
    for step in (timing.Step(start=30, incident=0.0342), timing.Step(start=7, incident=1.0, end=8, healthy=0.001)):
        for every in (1, 5):
            expected = _records_by_definition(step, every, 3000)
            grown = timing._RecordSums(step, every)
            for t in (0, 1, 63, 64, 65, 200, 129, 2999):  # across every growth boundary, and back
                grown.reach(t)
                assert len(grown.bad) > t + 1
            at_once = timing._RecordSums(step, every)
            at_once.reach(2999)
            for sums in (grown, at_once):
                assert sums.bad[:3001] == expected
                assert sums.events[every + 1] == (every if every < timing.RECORDED_MIN else timing.RECORDED_MIN) * \
                    timing.stretch(every, timing.RECORDED_MIN)
