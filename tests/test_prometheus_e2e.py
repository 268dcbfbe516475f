"""A real Prometheus (Debian's binary) runs the rendered amas rules over a backfilled week with an incident."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.harness import OpenMetrics, running_prometheus

pytestmark = [pytest.mark.slow, pytest.mark.tools]

INCIDENT = 30 * 60
"""Every amas agent request fails from 30 minutes before the test starts."""
# The backfill ends at the start of the test (TSDB rejects recorded samples older than its newest
# block, so no future data); the 2m outage window and the 5m page window still hold the incident
# for a few minutes of wall time, long enough for the outage alert and the page's `for: 2m`.
FIRING_TIMEOUT = 240.0


def _week(now: int) -> OpenMetrics:
    end = now
    start = now - 7 * 86400
    incident = now - INCIDENT
    data = OpenMetrics(start=start, end=end)
    labels = {"job": "amas"}
    data.counter("amas_agent_requests_total", {**labels, "status": "success"},
                 lambda t: 0.0 if t > incident else 5.0)
    data.counter("amas_agent_requests_total", {**labels, "status": "error"},
                 lambda t: 5.0 if t > incident else 0.005)
    return data


def _wait_for(prom, alertname: str, state: str) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + FIRING_TIMEOUT
    seen: list[dict] = []
    while time.monotonic() < deadline:
        seen = prom.alerts()
        for alert in seen:
            if alert["labels"].get("alertname") == alertname and alert["state"] == state:
                return alert
        time.sleep(2)
    raise AssertionError(f"{alertname} not {state} within {FIRING_TIMEOUT}s; active: "
                         f"{[(a['labels']['alertname'], a['state']) for a in seen]}")


def _query_eventually(prom, query: str) -> list:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + FIRING_TIMEOUT
    while not (result := prom.query(query)) and time.monotonic() < deadline:
        time.sleep(1)
    return result  # type: ignore[no-any-return]


def test_real_prometheus_records_and_fires(rendered_examples: Path, tmp_path: Path, promtool: str) -> None:
    now = int(time.time()) // 15 * 15
    rules = rendered_examples / "prometheus" / "amas.rules.yaml"
    # Windows past 1h sum the recorded 5m rates: the records of the last 6h are backfilled, as a deployment
    # would (docs/prometheus.md); older history reaches those windows only through the records.
    with running_prometheus([rules], _week(now).chunks(), workdir=tmp_path, eval_interval="15s",
                            rules_from=now - 6 * 3600, rules_to=now) as prom:
        sel = '{service="amas", slo="agent-availability"}'
        outage = _wait_for(prom, "AmasAgentAvailabilityOutage", "firing")
        assert outage["labels"]["severity"] == "critical"
        assert outage["labels"]["team"] == "amas-platform"

        five = prom.query(f"slo:sli_error:ratio_rate5m{sel}")
        assert len(five) == 1 and float(five[0]["value"][1]) > 0.99
        hour = prom.query(f"slo:sli_error:ratio_rate1h{sel}")
        assert 0.4 < float(hour[0]["value"][1]) < 0.6  # 30 of the last 60 minutes failed
        six_hours = prom.query(f"slo:sli_error:ratio_rate6h{sel}")
        assert 0.07 < float(six_hours[0]["value"][1]) < 0.1  # 30 of the last 360 minutes failed
        three_days = prom.query(f"slo:sli_error:ratio_rate3d{sel}")  # 6h of records: the same
        assert 0.07 < float(three_days[0]["value"][1]) < 0.1
        # the burn-rate metadata sits in the SLO's second group (split at 20 rules): its first evaluation
        # may come up to one interval after the outage group's
        burn = _query_eventually(prom, f"slo:current_burn_rate:ratio{sel}")
        assert float(burn[0]["value"][1]) > 150  # 100% errors / 0.5% budget = 200x
        assert prom.query(f"slo:error_budget:ratio{sel}")[0]["value"][1] == "0.005"

        page = _wait_for(prom, "AmasAgentAvailabilityBurnRatePage", "firing")
        assert page["labels"]["slo"] == "agent-availability"
        assert page["annotations"]["runbook_url"].endswith("/amas/AmasAgentAvailabilityBurnRatePage.md")

        active = {a["labels"]["alertname"] for a in prom.alerts()}
        # No series at all for the latency and tool-call SLOs: only their no-data alerts are active (pending for
        # their `for: 20m`); the availability SLO, whose series exist, has none.
        assert {name for name in active if name.startswith(("AmasAgentLatency", "AmasToolCall"))} == {
            "AmasAgentLatencyNoData", "AmasToolCallSuccessNoData"}
        assert "AmasAgentAvailabilityNoData" not in active
