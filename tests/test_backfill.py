"""Backfill rule files (platform `outputs.backfill`): the records long windows read, by level, for promtool.

The windows past 1h, the period ratio and the anomaly baselines read recorded series over hours to weeks;
right after a first deploy those hold minutes. The backfill files hold exactly the records some rule reads
over a range, plus what those read, split into levels promtool can write one after the other.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import yaml
from conftest import require_tool

from agentops_gen.pipeline import plan_paths, render_paths
from agentops_gen.plan.history import history_levels
from agentops_gen.plan.model import Rule, RuleGroup
from agentops_gen.units.promql import ParseCache, active
from tests.harness import OpenMetrics, running_prometheus

HOUR, DAY = 3600, 86400


def _levels(*groups: RuleGroup) -> list[list[tuple[str, str | None]]]:
    with active(ParseCache()):
        backfill = history_levels(groups)
    return [[(str(r.record), r.labels.get("slo")) for g in level for r in g.rules] for level in backfill.levels]


def _record(name: str, expr: str, slo: str | None = None) -> Rule:
    return Rule(expr=expr, record=name, labels={"slo": slo} if slo else {})


def test_only_records_read_over_a_range_and_what_they_read() -> None:
    """A 5m rate summed over 1d is backfilled; a window ratio an alert reads at the instant is not; nor alerts."""
    rules = (
        _record("bad:rate5m", 'sum(rate(err_total[5m]))', "a"),
        _record("all:rate5m", 'sum(rate(req_total[5m]))', "a"),
        _record("ratio:1d", 'sum_over_time(bad:rate5m{slo="a"}[1d]) / sum_over_time(all:rate5m{slo="a"}[1d])', "a"),
        _record("ratio:1h", 'sum(rate(err_total[1h])) / sum(rate(req_total[1h]))', "a"),
        Rule(expr='ratio:1d{slo="a"} > 0.01 and ratio:1h{slo="a"} > 0.01', alert="Burn"),
    )
    assert _levels(RuleGroup("g", rules)) == [[("bad:rate5m", "a"), ("all:rate5m", "a")]]


def test_records_are_matched_per_rule_by_their_labels() -> None:
    """Two SLOs write the same record name: only the one whose `slo` a range selector names is backfilled."""
    rules = (
        _record("bad:rate5m", 'sum(rate(err_total{job="a"}[5m]))', "a"),
        _record("bad:rate5m", 'sum(rate(err_total{job="b"}[5m]))', "b"),
        _record("bad:1d", 'sum_over_time(bad:rate5m{slo="b"}[1d])', "b"),
    )
    assert _levels(RuleGroup("g", rules)) == [[("bad:rate5m", "b")]]


def test_what_a_backfilled_record_reads_at_the_instant_is_backfilled_a_level_before() -> None:
    """A raw SLI's failed events: its 5m error ratio times its events, both read at the instant; the failed
    events are summed over 1d, so the ratio and the events need a past first."""
    rules = (
        _record("ratio:5m", "sum(rate(err_total[5m])) / sum(rate(req_total[5m]))", "a"),
        _record("all:rate5m", "sum(rate(req_total[5m]))", "a"),
        _record("bad:rate5m", 'ratio:5m{slo="a"} * all:rate5m{slo="a"}', "a"),
        _record("bad:1d", 'sum_over_time(bad:rate5m{slo="a"}[1d])', "a"),
    )
    assert _levels(RuleGroup("g", rules)) == [[("ratio:5m", "a"), ("all:rate5m", "a")], [("bad:rate5m", "a")]]


def test_a_record_reading_a_record_waits_a_level_and_keeps_its_group_interval() -> None:
    """An anomaly baseline: the 7d mean reads a 5m average (interval 5m) of a raw value; two levels."""
    raw = RuleGroup("values", (_record("value", 'sum(rate(tokens_total[5m]))'),))
    coarse = RuleGroup("baselines", (
        _record("value_coarse", "avg_over_time(value[5m])"),
        _record("mean", "avg_over_time(value_coarse[7d])"),
    ), interval="5m")
    with active(ParseCache()):
        backfill = history_levels((raw, coarse))
    assert [[(g.name, g.interval, [r.record for r in g.rules]) for g in level] for level in backfill.levels] == [
        [("values-backfill-0", None, ["value"])],
        [("baselines-backfill-1", "5m", ["value_coarse"])],
    ]
    assert backfill.reach == 7 * DAY


def test_reach_counts_a_subquery_range() -> None:
    """max_over_time(x[1h:5m]) reads x over 1h; a range inside the subquery adds its own."""
    rules = (_record("x", "sum(rate(req_total[5m]))"), _record("y", "max_over_time(avg_over_time(x[30m])[1h:5m])"))
    with active(ParseCache()):
        assert history_levels((RuleGroup("g", rules),)).reach == 1.5 * HOUR


def test_the_examples_backfill_their_5m_rates_and_anomaly_values(tmp_path: Path) -> None:
    """slo_specs: level 0 holds the recorded 5m counts every summed window reads, level 1 the coarse anomaly
    values the 7d baselines read; every file is a rule file promtool accepts, named after its level."""
    _, plan = plan_paths([Path("slo_specs")])
    assert plan.backfill
    files = {path: text for path, text in render_paths([Path("slo_specs")]).items()
             if path.startswith("prometheus/backfill/")}
    assert sorted(files) == [f"prometheus/backfill/{name}.rules.yaml" for name in (
        "aegis-rag.level-0", "aegis-rag.level-1", "agent-bruno.level-0", "agent-bruno.level-1",
        "agent-platform.level-0", "amas.level-0", "amas.level-1", "support-agent.level-0", "support-agent.level-1")]
    amas = {r["record"] for level in ("0", "1")
            for g in yaml.safe_load(files[f"prometheus/backfill/amas.level-{level}.rules.yaml"])["groups"]
            for r in g["rules"]}
    assert amas == {"slo:sli_events:rate5m", "slo:sli_bad_events:rate5m", "anomaly:latency_regression:value",
                    "anomaly:token_usage:value", "anomaly:latency_regression:value_coarse",
                    "anomaly:token_usage:value_coarse"}
    assert "--start=<30d before>" in files["prometheus/backfill/amas.level-0.rules.yaml"]
    assert "run level 1" in files["prometheus/backfill/amas.level-0.rules.yaml"]
    promtool = require_tool("promtool")
    for path, text in files.items():
        (tmp_path / Path(path).name).write_text(text)
    result = subprocess.run([promtool, "check", "rules", *sorted(str(p) for p in tmp_path.iterdir())],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


SPEC = {
    "version": "agentops-gen/v1", "service": "fresh", "owner": "team-a", "period": "7d",
    "slos": [{"name": "availability", "objective": 99,
              "sli": {"ratio": {"errors": 'req_total{job="f",code="500"}', "total": 'req_total{job="f"}'}}}],
    "anomalies": [{"name": "load", "description": "Request rate far from its week.",
                   "query": 'sum(rate(req_total{job="f"}[5m]))', "baseline": "7d", "zscore": 3}],
}
PLATFORM = {"version": "agentops-gen/v1", "kind": "platform", "outputs": {"backfill": True, "rule_tests": False}}


def _history(end: int) -> OpenMetrics:
    """Two days: 2 requests a second, 1% failing, except 4% from 12h to 8h before the end."""
    om = OpenMetrics(start=end - 2 * DAY, end=end, step=60, tiers=())
    start = end - 2 * DAY
    om.counter("req", {"job": "f", "code": "200"}, lambda t: 2 * (0.96 if 36 * HOUR <= t - start < 40 * HOUR else 0.99))
    om.counter("req", {"job": "f", "code": "500"}, lambda t: 2 * (0.04 if 36 * HOUR <= t - start < 40 * HOUR else 0.01))
    return om


def test_backfilled_levels_give_a_first_deploy_its_long_windows(tmp_path: Path) -> None:
    """A real Prometheus with two days of raw counters and no recorded past: after promtool writes the backfill
    files' levels in order, the 16h48m summed window reads the raw truth over 16h48m and the anomaly baseline
    has a week's mean; without them the same queries find nothing."""
    require_tool("prometheus")
    require_tool("promtool")
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "fresh.yaml").write_text(yaml.safe_dump(SPEC))
    (specs / "platform.yaml").write_text(yaml.safe_dump(PLATFORM))
    files = render_paths([specs])
    out = tmp_path / "out"
    for path, text in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text)
    levels = sorted((out / "prometheus" / "backfill").iterdir())
    assert [p.name for p in levels] == ["fresh.level-0.rules.yaml", "fresh.level-1.rules.yaml"]
    groups = yaml.safe_load((out / "prometheus/fresh.rules.yaml").read_text())["groups"]
    rules = {r["record"]: r["expr"] for g in groups for r in g["rules"] if "record" in r}
    window = rules["slo:sli_error:ratio_rate16h48m"]
    truth = 'sum(increase(req_total{job="f",code="500"}[16h48m])) / sum(increase(req_total{job="f"}[16h48m]))'
    end = (int(time.time()) // 60) * 60 - 2 * HOUR  # a past the server's head does not cover
    history = _history(end).chunks()
    with running_prometheus([], history, workdir=tmp_path / "without", load_rules=False) as prom:
        assert prom.query(window, at=end) == []
        assert prom.query(rules["anomaly:load:mean"], at=end) == []
    with running_prometheus([], history, workdir=tmp_path / "with", load_rules=False, rules_from=end - 2 * DAY + 600,
                            rules_to=end, backfill=levels) as prom:
        ours = float(prom.query(window, at=end)[0]["value"][1])
        raw = float(prom.query(truth, at=end)[0]["value"][1])
        # 4h at 4% and 12h48m at 1% of equal traffic: (4 x 0.04 + 12.8 x 0.01) / 16.8 = 1.714%
        assert abs(raw - 0.288 / 16.8) < 0.0005
        assert abs(ours - raw) < 0.0005, (ours, raw)
        mean = prom.query(rules["anomaly:load:mean"], at=end)
        assert abs(float(mean[0]["value"][1]) - 2.0) < 0.05


def test_every_long_window_of_an_example_service_reads_its_backfilled_past(tmp_path: Path) -> None:
    """support-agent (latency, raw, ratio and score SLIs, a per-tool SLO, three anomalies): after its level files
    are backfilled over 6h of a healthy week, every record that reads a backfilled record over a range has a
    value at the end (error ratios between 0 and 1), and none has without them."""
    from tests.test_grafana_prometheus import support_agent_week

    require_tool("prometheus")
    require_tool("promtool")
    files = render_paths([Path("slo_specs")])
    levels = []
    for path in sorted(p for p in files if p.startswith("prometheus/backfill/support-agent.")):
        levels.append(tmp_path / Path(path).name)
        levels[-1].write_text(files[path])
    assert [p.name for p in levels] == ["support-agent.level-0.rules.yaml", "support-agent.level-1.rules.yaml"]
    backfilled = {r["record"] for p in levels for g in yaml.safe_load(p.read_text())["groups"] for r in g["rules"]}
    groups = yaml.safe_load(files["prometheus/support-agent.rules.yaml"])["groups"]
    recorded = {r["record"] for g in groups for r in g["rules"] if "record" in r}
    # queried on their own (no rules run): a reader of a record that is not backfilled is empty either way
    readers = {r["record"]: r["expr"] for g in groups for r in g["rules"] if "record" in r
               and "_over_time(" in r["expr"] and any(f"{name}{{" in r["expr"] for name in backfilled)
               and not any(f"{name}{{" in r["expr"] for name in recorded - backfilled)}
    assert {"slo:sli_error:ratio_rate3d", "anomaly:token_usage:mean"} <= set(readers), sorted(readers)
    end = (int(time.time()) // 60) * 60 - 2 * HOUR
    history = support_agent_week(end - 2 * DAY, end).chunks()
    with running_prometheus([], history, workdir=tmp_path / "without", load_rules=False) as prom:
        assert [name for name, expr in readers.items() if prom.query(expr, at=end)] == []
    with running_prometheus([], history, workdir=tmp_path / "with", load_rules=False, rules_from=end - 6 * HOUR,
                            rules_to=end, backfill=levels) as prom:
        empty = [name for name, expr in readers.items() if not prom.query(expr, at=end)]
        assert empty == []
        for name, expr in readers.items():
            if name.startswith("slo:sli_error:ratio_rate"):
                assert all(0 <= float(s["value"][1]) <= 1 for s in prom.query(expr, at=end)), name
