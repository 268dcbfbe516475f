"""Rule evaluation cost (issue 16, docs/performance.md "Rule evaluation against Sloth"), on the rendered examples.

- A raw window with both a ratio and a failed-event record (5m, and the 1h window of the page pair) reads each
  counter once: its events are recorded, and the ratio divides the two records. Same values as before, so the
  generated promtool tests (test_prometheus.py), the Sloth conformance suite and the minimum-traffic tests
  prove that no firing minute moved.
- The slowly moving rules of an SLO (period ratio, burn rate and budget remaining, constants, budget alerts) run
  in their own group, less often: every PERIOD_GROUP_INTERVAL, below half the 5m lookback. No rule reads a
  record that only a later group of the file writes (promtool evaluates the groups in file order at every step,
  Prometheus independently: a read of a later group would lag one evaluation in the tests).
- The ticket's long windows (1d, 3d: their ratios and failed-event counts) and the ticket alert run in a
  `<group>_long` group every LONG_GROUP_INTERVAL; every window a page reads and every short window stays in the
  SLO's group, evaluated every cycle.
- The outage alert divides the recorded failed events of its window by the events: it reads no failed or good
  counter again (promtool: the same value as the raw ratio it replaces).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import yaml
from conftest import run_cli

from agentops_gen.plan.build import LONG_GROUP_INTERVAL, LONG_GROUP_SUFFIX, PERIOD_GROUP_INTERVAL, PERIOD_GROUP_SUFFIX
from agentops_gen.units.durations import parse_duration

LOOKBACK_S = 300
"""Prometheus' default query lookback delta: an instant query finds no sample older than this."""
RAW_RANGE = re.compile(r"(?<![\w:])([A-Za-z_]\w*(?:\{[^}]*\})?)\[(\w+)\]")
"""`metric{matchers}[window]` of a raw series (a record name has colons: never matched from its start)."""
RECORD_TOKEN = re.compile(r"[A-Za-z_:][\w:]*")
PERIOD_RECORDS = ("slo:objective:ratio", "slo:error_budget:ratio", "slo:time_period:days",
                  "slo:period_burn_rate:ratio", "slo:period_error_budget_remaining:ratio", "slo:info:labels")


def _groups(out: Path) -> dict[str, list[dict[str, Any]]]:
    return {f.name: yaml.safe_load(f.read_text())["groups"] for f in sorted((out / "prometheus").glob("*.rules.yaml"))}


def _slo_groups(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The groups of SLOs: they record `slo:sli_error:ratio_rate<W>` (split parts included)."""
    return [g for g in groups if any(r.get("record", "").startswith("slo:sli_error:ratio_rate") for r in g["rules"])]


def test_each_counter_is_read_once_per_window_with_a_ratio_and_a_count(rendered_examples: Path) -> None:
    """Where a window has both `slo:sli_error:ratio_rate<W>` and `slo:sli_bad_events:rate<W>`, the ratio divides
    the two records and reads no counter. Past 5m every `counter[W]` appears in one rule only (it was two: the
    ratio's and the count's). The 5m failed events are backfilled, so they read the raw counters only: a
    good-event SLI's total counter is read by them and by the 5m events."""
    checked = set()
    for file, groups in _groups(rendered_examples).items():
        for group in _slo_groups(groups):
            records = {r["record"]: r["expr"] for r in group["rules"] if "record" in r}
            for record, expr in records.items():
                window = record.removeprefix("slo:sli_error:ratio_rate")
                if window == record or f"slo:sli_bad_events:rate{window}" not in records or "_over_time" in expr:
                    continue
                if "-Inf" in records.get("slo:sli_error:ratio_rate5m", ""):
                    continue  # a raw SLI: its queries are the user's, and may read a counter twice
                assert RAW_RANGE.findall(expr) == [], (file, group["name"], record, expr)
                checked.add((file, group["name"], window))
                if window == "5m":
                    continue
                readers: dict[str, list[str]] = {}
                for rule in group["rules"]:
                    for selector, w in set(RAW_RANGE.findall(rule["expr"])):
                        if w == window:
                            readers.setdefault(selector, []).append(rule.get("record") or rule["alert"])
                assert readers, (file, group["name"], window)
                for selector, rules in readers.items():
                    assert len(rules) == 1, f"{file} {group['name']}: {selector}[{window}] read by {rules}"
    windows = {w for _, _, w in checked}
    assert {"5m", "1h"} <= windows, windows  # the 1h page window of every 30d example SLO with event counts
    assert len(checked) >= 20, checked


def test_the_slow_rules_run_in_their_own_group_below_the_lookback(rendered_examples: Path) -> None:
    """Every SLO has a `<group>_period` group right after its own, every PERIOD_GROUP_INTERVAL, holding the period
    and budget records and the budget alerts; the interval leaves room for one late evaluation in the lookback."""
    every = parse_duration(PERIOD_GROUP_INTERVAL)
    assert 2 * every < LOOKBACK_S
    seen = 0
    for file, groups in _groups(rendered_examples).items():
        names = [g["name"] for g in groups]
        for group in groups:
            if not group["name"].endswith(PERIOD_GROUP_SUFFIX):
                continue
            seen += 1
            assert group.get("interval") == PERIOD_GROUP_INTERVAL, (file, group["name"])
            owner = group["name"].removesuffix(PERIOD_GROUP_SUFFIX)
            assert owner in names and names.index(owner) < names.index(group["name"]), (file, group["name"])
            records = {r["record"] for r in group["rules"] if "record" in r}
            assert set(PERIOD_RECORDS) <= records, (file, group["name"], records)
            alerts = [r for r in group["rules"] if "alert" in r]
            assert all(_budget_alert(a) for a in alerts), alerts
        for group in groups:
            if group["name"].endswith(PERIOD_GROUP_SUFFIX) or group.get("interval"):
                continue
            for rule in group["rules"]:
                assert rule.get("record") not in PERIOD_RECORDS, (file, group["name"], rule)
                assert not _budget_alert(rule), (file, group["name"], rule["alert"])
    assert seen >= 10
    budget_alerts = [r for groups in _groups(rendered_examples).values() for g in groups for r in g["rules"]
                     if _budget_alert(r)]
    assert budget_alerts  # amas has budget alerts: the check above is not vacuous


WINDOW_RECORD = re.compile(r"slo:(?:sli_error:ratio_rate|sli_bad_events:rate|sli_events:rate)(\w+)\{")


def test_the_ticket_and_its_long_windows_run_in_their_own_group(rendered_examples: Path) -> None:
    """Every SLO with a ticket on summed 1d/3d windows has a `<group>_long` group between its own and its period
    group, every LONG_GROUP_INTERVAL, holding exactly the ticket alert and the 1d and 3d ratios and counts it
    reads; the page reads no record of it, and the ticket's short windows (2h, 6h) stay in the SLO's group."""
    every = parse_duration(LONG_GROUP_INTERVAL)
    assert 2 * every < LOOKBACK_S
    seen = paged = 0
    for file, groups in _groups(rendered_examples).items():
        by_name = {g["name"]: g for g in groups}
        names = list(by_name)
        for group in groups:
            if not group["name"].endswith(LONG_GROUP_SUFFIX):
                continue
            seen += 1
            owner = group["name"].removesuffix(LONG_GROUP_SUFFIX)
            assert group.get("interval") == LONG_GROUP_INTERVAL, (file, group["name"])
            assert names.index(owner) + 1 == names.index(group["name"]), (file, names)
            assert names[names.index(group["name"]) + 1] == owner + PERIOD_GROUP_SUFFIX, (file, names)
            alerts = [r for r in group["rules"] if "alert" in r]
            assert [a["alert"].endswith("Ticket") for a in alerts] == [True], (file, group["name"])
            records = {(r["record"], r["labels"]["slo"]) for r in group["rules"] if "record" in r}
            ticket_reads = {(m.group(0)[:-1], alerts[0]["labels"]["slo"])
                            for m in WINDOW_RECORD.finditer(alerts[0]["expr"]) if m.group(1) in ("1d", "3d")}
            assert records == ticket_reads, (file, group["name"])
            page = [r for r in by_name[owner]["rules"] if r.get("alert", "").endswith("Page")]
            assert not any(record in alert["expr"] for alert in page for record, _ in records), (file, owner)
            paged += len(page)
            kept = {r["record"] for r in by_name[owner]["rules"] if "record" in r}
            assert {"slo:sli_error:ratio_rate2h", "slo:sli_error:ratio_rate6h"} <= kept, (file, owner)
    assert seen >= 8 and paged >= 6, (seen, paged)  # the 30d SLOs of the example services with ticket alerts


OUTAGE_SECONDS = re.compile(r"\* (\d+) > ")
"""The outage window's seconds, from its failed-event clause (`slo:sli_bad_events:rate2m{...} * 120 > 1.5`)."""


def test_the_outage_alert_reads_its_failed_events_from_the_record(rendered_examples: Path) -> None:
    """The outage alert's ratio divides `slo:sli_bad_events:rate<W>` (recorded from the counters just before) by
    the events over W, written as the SLO's 5m events record writes them: beside those it reads no counter and no
    shared rate (no failed, good or bucket series a second time)."""
    seen = 0
    for file, groups in _groups(rendered_examples).items():
        for group in _slo_groups(groups):
            records = {r["record"]: r["expr"] for r in group["rules"] if "record" in r}
            for rule in group["rules"]:
                if not rule.get("alert", "").endswith("Outage"):
                    continue
                w = f"{int(OUTAGE_SECONDS.findall(rule['expr'])[-1]) // 60}m"
                assert rule["expr"].startswith(f"(\nslo:sli_bad_events:rate{w}{{"), (file, rule["alert"])
                events = records["slo:sli_events:rate5m"].replace("[5m]", f"[{w}]").replace(":rate5m{", f":rate{w}{{")
                assert events in rule["expr"], (file, rule["alert"], events)
                rest = rule["expr"].replace(events, "")
                assert not RAW_RANGE.findall(rest) and "agentops:" not in rest, (file, rule["alert"], rest)
                seen += 1
    assert seen >= 10, seen


def _budget_alert(rule: dict[str, Any]) -> bool:
    return "alert" in rule and "slo:period_error_budget_remaining:ratio" in rule["expr"]


def test_no_slo_rule_reads_a_record_only_a_later_group_writes(rendered_examples: Path) -> None:
    """An SLO's reads point at the same or an earlier group, so promtool (groups in file order at every step) sees what
    one group would; the burn rate of the 5m window divides by the budget itself, not by the period group's
    record."""
    for file, groups in _groups(rendered_examples).items():
        written: dict[tuple[str, str], int] = {}  # (record, slo label) -> first group writing it
        for i, group in enumerate(groups):
            for rule in group["rules"]:
                if "record" in rule:
                    slo = (rule.get("labels") or {}).get("slo", "")
                    written.setdefault((rule["record"], slo), i)
                    written.setdefault((rule["record"], ""), i)
        for i, group in enumerate(groups):
            for rule in group["rules"]:
                slo = (rule.get("labels") or {}).get("slo", "")
                if not slo:
                    continue  # KPIs and anomalies (whose 5m baselines read a range of a later group's record)
                tokens = set(RECORD_TOKEN.findall(rule["expr"]))
                later = {t for t in tokens if written.get((t, slo), written.get((t, ""), -1)) > i}
                assert not later, f"{file} {group['name']} {rule.get('record') or rule['alert']} reads {later}"


COUNTED_SPEC = {
    "version": "agentops-gen/v1", "service": "counted", "owner": "team-a",
    "slos": [
        {"name": "latency", "objective": 99,
         "sli": {"latency": {"histogram": 'lat_seconds{job="c"}', "threshold": "0.5s", "buckets": [0.1, 0.5, 1]}}},
        {"name": "errors", "objective": 99,
         "sli": {"ratio": {"errors": 'req_total{job="c",code="500"}', "total": 'req_total{job="c"}'}}},
        {"name": "good", "objective": 99,
         "sli": {"ratio": {"good": 'req_total{job="c",code="200"}', "total": 'req_total{job="c"}'}}},
    ],
}
# The 1h records as they were before (each read the raw counters itself), written out by hand.
RAW_1H = {
    "latency": (
        '1 - ((sum(rate(lat_seconds_bucket{job="c",le="0.5"}[1h])) or vector(0))'
        ' / (sum(rate(lat_seconds_count{job="c"}[1h])) > 0))',
        'sum(rate(lat_seconds_count{job="c"}[1h]))'
        ' - (sum(rate(lat_seconds_bucket{job="c",le="0.5"}[1h])) or vector(0))'),
    "errors": (
        '(sum(rate(req_total{job="c",code="500"}[1h])) or vector(0)) / (sum(rate(req_total{job="c"}[1h])) > 0)',
        '(sum(rate(req_total{job="c",code="500"}[1h])) or vector(0))'),
    "good": (
        '1 - ((sum(rate(req_total{job="c",code="200"}[1h])) or vector(0)) / (sum(rate(req_total{job="c"}[1h])) > 0))',
        'sum(rate(req_total{job="c"}[1h])) - (sum(rate(req_total{job="c",code="200"}[1h])) or vector(0))'),
}
COUNTED_INPUTS = [
    # traffic, an hour without any (flat counters), traffic again; the good bucket exists from minute 30 only
    ('lat_seconds_count{job="c"}', "0+10x60 600+0x60 600+10x120"),
    ('lat_seconds_bucket{job="c",le="0.5"}', "_x30 300+9x30 570+0x60 570+5x120"),
    ('req_total{job="c",code="200"}', "_x20 0+8x220"),
    ('req_total{job="c",code="500"}', "0+2x100 200+0x40 200+6x100"),
]
COUNTED_TIMES = ("5m", "21m", "25m", "45m", "70m", "100m", "130m", "170m", "230m")


def test_the_counted_1h_records_equal_the_raw_ones(promtool: str, tmp_path: Path) -> None:
    """promtool: at every probed minute (first samples, an absent good counter, an hour of zero traffic, traffic
    again) each SLO's 1h ratio and failed-event records, and its outage alert's 2m ratio, have a sample exactly
    when the raw expressions they replace do, with the same value (to 1e-12): latency, failed-counter and
    good-counter ratio SLIs, the last two through their shared rates."""
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "counted.yaml").write_text(yaml.safe_dump(COUNTED_SPEC, sort_keys=False))
    out = tmp_path / "out"
    result = run_cli("render", str(specs), "--out", str(out))
    assert result.returncode == 0, result.stderr
    prometheus = out / "prometheus"
    rule_groups = yaml.safe_load((prometheus / "counted.rules.yaml").read_text())["groups"]
    groups = [g["name"] for g in rule_groups]
    outages = {r["labels"]["slo"]: r["expr"] for g in rule_groups for r in g["rules"]
               if r.get("alert", "").endswith("Outage")}
    checks = []
    for slo, (ratio, bad) in RAW_1H.items():
        sel = f'{{service="counted", slo="{slo}"}}'
        # the outage alert's ratio over 2m, `(\n<ratio>\n) > 0.9 and ...`, against the raw 2m ratio
        outage = outages[slo][2:outages[slo].index("\n) > ")]
        for record, raw in ((f"slo:sli_error:ratio_rate1h{sel}", ratio), (f"slo:sli_bad_events:rate1h{sel}", bad),
                            (f"({outage})", ratio.replace("[1h]", "[2m]"))):
            for at in COUNTED_TIMES:
                checks.append({"expr": f"(count({record}) or vector(0)) - (count({raw}) or vector(0))",
                               "eval_time": at, "exp_samples": [{"value": 0}]})
                checks.append({"expr": f"abs({record} - on() ({raw})) > 1e-12", "eval_time": at, "exp_samples": []})
    test = {"rule_files": ["counted.rules.yaml"], "evaluation_interval": "1m", "group_eval_order": groups,
            "tests": [{"interval": "1m", "input_series": [{"series": s, "values": v} for s, v in COUNTED_INPUTS],
                       "promql_expr_test": checks}]}
    (prometheus / "counted-equal.test.yaml").write_text(yaml.safe_dump(test, sort_keys=False, width=1000))
    run = subprocess.run([promtool, "test", "rules", "counted-equal.test.yaml"], cwd=prometheus,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
