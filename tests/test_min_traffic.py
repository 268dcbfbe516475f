"""Alerts that hold on real traffic (issue 12): minimum failed events, no-data alerts, no NaN, alert text.

Plan-level checks run in milliseconds; the promtool checks render one small spec and prove that its generated
tests catch a rule without the minimum-traffic clause, a no-data alert on the wrong window and a KPI without its
NaN filter.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import SPECS, generated_tests, promtool_test_subset, run_cli, write_rules

from agentops_gen.pipeline import plan_paths
from agentops_gen.plan import timing
from agentops_gen.targets.prom_tests import _summed, traffic_scenarios

SMALL = {
    "version": "agentops-gen/v1", "service": "quiet", "owner": "team-a", "period": "7d",
    "slos": [{"name": "availability", "objective": 99.9,
              "sli": {"ratio": {"errors": 'req_total{job="q",code=~"5.."}', "total": 'req_total{job="q"}'}}}],
    "kpis": [{"name": "error-share", "unit": "ratio", "max": 0.5,
              "query": 'sum(rate(req_total{job="q",code=~"5.."}[5m])) / sum(rate(req_total{job="q"}[5m]))'}],
}


def _plan(spec: dict, tmp_path: Path, platform: dict | None = None):  # type: ignore[no-untyped-def]
    (tmp_path / "specs").mkdir(parents=True)
    (tmp_path / "specs" / "s.yaml").write_text(yaml.safe_dump(spec))
    if platform:
        (tmp_path / "specs" / "platform.yaml").write_text(yaml.safe_dump(
            {"version": "agentops-gen/v1", "kind": "platform", **platform}))
    _, plan = plan_paths([tmp_path / "specs"])
    return plan.services[0]


def test_burn_and_outage_alerts_need_failed_events(tmp_path: Path) -> None:
    service = _plan(SMALL, tmp_path)
    alerts = {a.kind: a for a in service.slos[0].alerts}
    assert alerts["burn-page"].expr.count("slo:sli_bad_events:rate") == 2  # one per page pair
    assert "* 840 > 4.5" in alerts["burn-page"].expr  # 7d: the 14m page window, at least 5 events
    assert "and on()\nslo:sli_bad_events:rate2m" in alerts["outage"].expr and "* 120 > 1.5" in alerts["outage"].expr
    records = [r.record for g in service.groups for r in g.rules if r.record and "bad_events" in r.record]
    # The outage window and the long window of every pair (7d scales 1h/6h/1d/3d by 7/30), and the 5m
    # failed events of the traffic-weighted period ratio (issue 16).
    assert records == ["slo:sli_bad_events:rate2m", "slo:sli_bad_events:rate5m", "slo:sli_bad_events:rate14m",
                       "slo:sli_bad_events:rate1h24m",
                       "slo:sli_bad_events:rate5h36m", "slo:sli_bad_events:rate16h48m"]


def test_min_bad_events_is_tunable_per_alert(tmp_path: Path) -> None:
    spec = yaml.safe_load(yaml.safe_dump(SMALL))
    spec["slos"][0]["alerting"] = {"page": {"min_bad_events": 0}, "ticket": {"min_bad_events": 20},
                                   "outage": {"min_bad_events": 0}}
    alerts = {a.kind: a for a in _plan(spec, tmp_path).slos[0].alerts}
    assert "bad_events" not in alerts["burn-page"].expr and "bad_events" not in alerts["outage"].expr
    assert "> 19.5" in alerts["burn-ticket"].expr


def test_no_data_alerts_and_their_switches(tmp_path: Path) -> None:
    service = _plan(SMALL, tmp_path / "a")
    no_data = {a.name: a for a in service.alerts if a.kind == "no-data"}
    assert set(no_data) == {"QuietAvailabilityNoData", "QuietErrorShareNoData"}
    slo_alert = no_data["QuietAvailabilityNoData"]
    # Only the total counter: an error counter may not exist before the first error.
    assert slo_alert.expr == 'max(\n  absent_over_time(req_total{job="q"}[10m])\n)'
    assert (slo_alert.severity, slo_alert.for_, slo_alert.labels["slo"]) == ("warning", "20m", "availability")
    spec = yaml.safe_load(yaml.safe_dump(SMALL))
    spec["slos"][0]["alerting"] = {"no_data": {"disable": True}}
    spec["kpis"][0]["no_data"] = {"window": "5m", "severity": "critical"}
    service = _plan(spec, tmp_path / "b")
    assert [(a.name, a.severity) for a in service.alerts if a.kind == "no-data"] == [
        ("QuietErrorShareNoData", "critical")]
    service = _plan(SMALL, tmp_path / "c", platform={"outputs": {"no_data_alerts": False}})
    assert not [a for a in service.alerts if a.kind == "no-data"]


def test_user_queries_are_recorded_finite_only() -> None:
    _, plan = plan_paths([SPECS])
    for service in plan.services:
        for group in service.groups:
            for rule in group.rules:
                if rule.record and rule.record.startswith(("kpi:", "anomaly:")) and rule.record.endswith(":value"):
                    assert rule.expr.endswith("> -Inf < +Inf"), rule.record
        for slo in service.slos:
            if slo.sli_kind == "raw":
                assert slo.error_ratio_template.endswith("> -Inf < +Inf")


def test_every_generated_alert_description_shows_its_value_rounded_for_people() -> None:
    _, plan = plan_paths([SPECS])
    for service in plan.services:
        for alert in service.alerts:
            description = alert.rule.annotations["description"]
            if alert.kind not in ("plain", "no-data"):
                assert "$value" in description, alert.name
            # No float noise for people: 0.9333333x, 13.439999.
            assert not re.search(r"\d\.\d{6,}", description + alert.meaning), (alert.name, description)


def test_simulated_behaviour_of_every_example_slo() -> None:
    """Quiet traffic with one failure: no page, ticket or outage; a full outage at one event a minute pages
    within 15 minutes, for every counter SLO of the examples (the generated tests check it in promtool)."""
    _, plan = plan_paths([SPECS])
    checked = 0
    for service in plan.services:
        for slo in service.slos:
            if slo.sli_kind == "raw":
                continue
            (_, quiet, _), (_, low, _), (_, day_night, _) = traffic_scenarios(slo)
            pages = []
            for alert in slo.alerts:
                if alert.kind not in ("burn-page", "burn-ticket", "outage"):
                    continue
                for traffic in (quiet, day_night, low):
                    if alert.kind == "outage":
                        condition = timing.traffic_ratio_condition(
                            traffic, int(slo.outage_window[:-1]), slo.outage_error_ratio,
                            slo.min_bad_events["outage"])
                    else:
                        kind = alert.kind.removeprefix("burn-")
                        condition = timing.traffic_burn_condition(traffic, [
                            (w.long_s // 60, w.short_s // 60, w.factor * slo.error_budget, slo.min_bad_events[kind])
                            for w in slo.windows if w.severity == kind], _summed(slo))
                    fired = timing.first_firing(condition, int((alert.for_ or "0m")[:-1] or 0), traffic.horizon)
                    if traffic is low:
                        if fired is not None and alert.severity == "critical":
                            pages.append(fired - 60)
                    else:
                        assert fired is None, (service.service, alert.name)
            if any(a.severity == "critical" for a in slo.alerts if a.kind in ("burn-page", "outage")):
                assert pages and min(pages) <= 15, (service.service, slo.name, pages)
                checked += 1
    assert checked >= 8


def test_every_example_test_file_has_the_traffic_and_no_data_cases(rendered_examples: Path) -> None:
    tests = rendered_examples / "prometheus" / "tests"
    for path in sorted(p for p in tests.glob("*.test.yaml") if p.name.count(".") == 2):  # a service's 1m file
        names = [t["name"] for f in generated_tests(path) for t in yaml.safe_load(f.read_text())["tests"]]
        for prefix in ("quiet traffic", "low traffic", "busy day", "series vanish", "zero traffic", "absent series"):
            assert any(n.startswith(prefix) for n in names), (path.name, prefix)


def _render(tmp_path: Path, spec: dict) -> Path:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "s.yaml").write_text(yaml.safe_dump(spec))
    result = run_cli("render", str(tmp_path / "specs"), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    return tmp_path / "out" / "prometheus"


def _promtool(promtool: str, prometheus: Path, test_file: str) -> subprocess.CompletedProcess[str]:
    files = [f"tests/{p.name}" for p in generated_tests(prometheus / "tests" / test_file)]
    return subprocess.run([promtool, "test", "rules", *files], cwd=prometheus, capture_output=True, text=True,
                          timeout=900)


@pytest.mark.tools
def test_generated_tests_catch_a_missing_minimum_no_data_window_or_nan_filter(promtool: str, tmp_path: Path) -> None:
    prometheus = _render(tmp_path, SMALL)
    # The whole file passes on the rules as rendered, so each subset below does too: a failure is the mutation's.
    assert _promtool(promtool, prometheus, "quiet.test.yaml").returncode == 0
    rules = prometheus / "quiet.rules.yaml"
    original = rules.read_text()
    for old, new, case in [
        ("* 840 > 4.5", "* 840 > -1", "quiet traffic"),  # the page fires on one failure
        ("* 120 > 1.5", "* 120 > -1", "quiet traffic"),  # so does the outage alert
        ('absent_over_time(req_total{job="q"}[10m])', 'absent_over_time(req_total{job="q"}[20m])',
         "series vanish"),
        (") > -Inf < +Inf", ")", "NaN"),  # the KPI's 0/0 is recorded, and the zero-traffic case sees the NaN
    ]:
        assert old in original, old
        write_rules(rules, original.replace(old, new))
        # Only the generated case meant to catch it (promtool pays every rule at every minute of every case).
        subset = promtool_test_subset(prometheus / "tests" / "quiet.test.yaml", lambda c, case=case: case in c["name"],
                                      "subset.test.yaml")
        result = _promtool(promtool, prometheus, subset.name)
        assert result.returncode != 0, f"promtool passed with {old!r} -> {new!r}"
        assert case in result.stdout + result.stderr, (old, result.stdout[-2000:])
