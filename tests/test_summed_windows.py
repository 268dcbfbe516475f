"""Long windows from the recorded 5m rates (issue 16 item 1): each raw series is read for short windows only.

Windows past 1h of SLIs with event counts are failed events over all events, both summed from the recorded 5m
rates; their minimum-traffic counts come from the same records. The generated tests take the firing minutes
from plan/timing.py, which simulates those records: with the raw-window model instead, promtool fails.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import SPECS, generated_tests

from agentops_gen.pipeline import plan_paths, render_paths
from agentops_gen.plan import timing
from agentops_gen.targets import prom_tests
from agentops_gen.units.durations import parse_duration

_RANGE = re.compile(r"\b(rate|increase|sum_over_time|count_over_time|avg_over_time)\(\s*([^\[()]+)\[([0-9a-z]+)\]")

QUIET = {
    "version": "agentops-gen/v1", "service": "summed", "owner": "team-a", "period": "7d",
    "slos": [{"name": "availability", "objective": 99.9,
              "sli": {"ratio": {"errors": 'req_total{job="q",code=~"5.."}', "total": 'req_total{job="q"}'}}}],
}
"""7d: the windows scale to 14m (raw) and 1h24m, 5h36m, 16h48m (summed), plus the 1w period."""


def _ranges(expr: str) -> list[tuple[str, str, int]]:
    return [(fn, sel.strip(), int(parse_duration(w))) for fn, sel, w in _RANGE.findall(expr)]


def test_raw_series_are_read_over_short_windows_only() -> None:
    """Every example SLO with event counts reads its counters over 1h at most (the shared rates too);
    anything longer reads the recorded 5m rates."""
    _, plan = plan_paths([SPECS])
    checked = 0
    for service in plan.services:
        counted = {s.name for s in service.slos if s.sli.raw is None or s.sli.raw.events is not None}
        for group in service.groups:
            for rule in group.rules:
                if rule.labels.get("slo") not in counted and not group.name.endswith("shared-rates"):
                    continue
                for fn, selector, seconds in _ranges(rule.expr):
                    if seconds > 3600:
                        assert fn == "sum_over_time" or fn == "count_over_time", (service.service, rule.record)
                        assert selector.startswith(("slo:sli_bad_events:rate5m{", "slo:sli_events:rate5m{")), \
                            (service.service, rule.record or rule.alert, selector)
                        checked += 1
    assert checked > 50


def test_summed_window_records(tmp_path: Path) -> None:
    """The 1h24m window: failed over all events summed by the SLO's identity (a label change neither splits
    nor doubles it); its failed-event count from the same recorded failed-event rates, no raw read."""
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(QUIET))
    _, plan = plan_paths([tmp_path / "s.yaml"])
    (slo,) = plan.services[0].slos
    assert slo.summed_windows == ("1h24m", "5h36m", "16h48m")
    rules = {r.record: r.expr for g in plan.services[0].groups for r in g.rules if r.record}
    sel = '{service="summed", slo="availability"}'
    assert rules["slo:sli_error:ratio_rate1h24m"] == (
        f"sum by (service, slo) (sum_over_time(slo:sli_bad_events:rate5m{sel}[1h24m]))\n/\n"
        f"(sum by (service, slo) (sum_over_time(slo:sli_events:rate5m{sel}[1h24m])) > 0)")
    # 1h24m is 16.8 x 5m: failed events per second = sum of the 5m rates / records per 5m / 16.8
    assert rules["slo:sli_bad_events:rate1h24m"] == (
        f"sum by (service, slo) (sum_over_time(slo:sli_bad_events:rate5m{sel}[1h24m]))\n/\n"
        f"sum by (service, slo) (count_over_time(slo:sli_bad_events:rate5m{sel}[4m59s]))\n/ 16.8")
    assert "rate(req_total" in rules["slo:sli_error:ratio_rate7m"]  # short windows stay raw
    # the 14m page window has a ratio and a count: its events are recorded once, the ratio divides the records
    assert "rate(req_total" in rules["slo:sli_events:rate14m"]
    assert "rate(" not in rules["slo:sli_error:ratio_rate14m"]
    order = [r.record for g in plan.services[0].groups for r in g.rules if r.record]
    assert order.index("slo:sli_events:rate5m") < order.index("slo:sli_error:ratio_rate1h24m")


def test_summed_window_lags_a_step_by_about_two_minutes() -> None:
    """A step from 0 to 100% errors at minute 600, 100 events a minute: a raw 6h window reads k/360 after k
    minutes; the summed one weighs the last four minutes' records 1/5..4/5 of the way in (5m rates)."""
    step = timing.Step(start=600, incident=1.0, events=100.0)
    for k in (10, 60):
        raw = timing.window_ratio(step, 600 + k, 360)
        summed, bad = timing.summed_window(step, 600 + k, 360)
        assert raw == pytest.approx(k / 360)
        # records at minutes 240+k..600+k (361 of them), each 5 intervals; the incident's share:
        # 1+2+3+4 for the records at 601..604, then 5 for each later one
        assert summed == pytest.approx((10 + 5 * (k - 4)) / (361 * 5))
        # failed events: each in 5 records, so the records' incident shares over 5, x 100 events a minute
        assert bad == pytest.approx((10 + 5 * (k - 4)) / 5 * 100)
        assert timing.ratio_at(step, 600 + k, 360, summed=True) == summed


@pytest.mark.tools
def test_generated_tests_need_the_summed_window_model(promtool: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The generated tests pass with the model of the summed windows and fail with the raw-window one."""
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "s.yaml").write_text(yaml.safe_dump(QUIET))

    def run(name: str) -> subprocess.CompletedProcess[str]:
        out = tmp_path / name
        for path, text in render_paths([tmp_path / "specs"]).items():
            if path.startswith("prometheus/"):
                (out / path).parent.mkdir(parents=True, exist_ok=True)
                (out / path).write_text(text)
        files = [f"tests/{p.name}" for p in generated_tests(out / "prometheus" / "tests" / "summed.test.yaml")]
        return subprocess.run([promtool, "test", "rules", *files], cwd=out / "prometheus",
                              capture_output=True, text=True, timeout=900)

    right = run("right")
    assert right.returncode == 0, right.stdout[-3000:] + right.stderr
    prom_tests.burn_step.cache_clear()
    prom_tests.traffic_firing.cache_clear()
    monkeypatch.setattr(prom_tests, "_summed", lambda slo: frozenset())
    wrong = run("wrong")
    prom_tests.burn_step.cache_clear()
    prom_tests.traffic_firing.cache_clear()
    assert wrong.returncode != 0
    assert "BurnRate" in wrong.stdout + wrong.stderr


def test_a_new_slo_is_not_extrapolated_to_the_whole_window() -> None:
    """One failed event in a new SLO's first 86 minutes of quiet traffic counts as one event in its 1d window
    (a mean rate x 1d would make it 16.7 and pass the minimum of 5)."""
    traffic = timing.Traffic.of([(86, lambda i: (1.0 if i % 10 == 9 else 0.0, 1.0 if i == 49 else 0.0))])
    ratio, bad = traffic.window(86, 1440, summed=True)
    assert bad == pytest.approx(1.0)
    assert ratio is not None and ratio > 0.1
    assert not timing.enough_bad(bad, 5)
