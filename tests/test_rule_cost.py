"""Each raw counter is read once per window (issue 16): counter SLIs record their failed and all events per
window and divide the records; bench/rule_cost_bench.py measures the samples this saves against Sloth."""

from __future__ import annotations

import re
from pathlib import Path

from agentops_gen.pipeline import plan_paths
from agentops_gen.plan import names

SPECS = Path(__file__).resolve().parent.parent / "slo_specs"


def test_counter_slos_read_each_raw_counter_once_per_window() -> None:
    _, plan = plan_paths([SPECS])
    checked = 0
    for service in plan.services:
        groups = {g.name: g for g in service.groups}
        for slo in service.slos:
            if slo.sli_kind == "raw":
                continue
            rules = groups[names.rule_group(service.service, slo.name)].rules
            text = "\n".join(r.expr for r in rules)
            if "agentops:" in text:
                continue  # counters shared between SLOs are read once per service, by the shared-rates group
            selectors = set(re.findall(r"rate\((\S+)\[5m\]\)", text))
            assert selectors, (service.service, slo.name)
            for window in slo.record_windows:
                reads = re.findall(rf"rate\((\S+)\[{window}\]\)", text)
                assert sorted(reads) == sorted(selectors), (service.service, slo.name, window, reads)
                ratio = next(r.expr for r in rules if r.record == names.sli_error_record(window))
                assert "rate(" not in ratio and names.events_record(window) in ratio
                checked += 1
    assert checked > 20
