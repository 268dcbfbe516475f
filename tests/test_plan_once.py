"""Work the planner does once per SLO or service and hands on: what it hands on is what each consumer
would have computed from the spec itself (the render-time work of issue 16 item 4)."""

from __future__ import annotations

from pathlib import Path

from agentops_gen.pipeline import plan_paths
from agentops_gen.plan.sli import counter_series, error_ratio_template, read_selectors
from agentops_gen.spec.service import ServiceSpec

SPEC = """\
version: agentops-gen/v1
service: demo
owner: demo-team
slos:
  - name: availability
    objective: 99
    sli: {ratio: {errors: 'requests_total{job="demo",code=~"5.."}', total: 'requests_total{job="demo"}'}}
  - name: success
    objective: 98
    sli: {ratio: {good: 'requests_total{job="demo",code="200"}', total: 'requests_total{job="demo"}'}}
  - name: latency
    objective: 95
    sli: {latency: {histogram: 'duration_seconds{job="demo"}', threshold: 2.5s}}
  - name: per-model
    objective: 97
    group_by: [model]
    sli: {ratio: {errors: 'calls_total{job="demo",ok="false"}', total: ['calls_total{job="demo"}', 'b_total']}}
"""


def test_each_slo_is_planned_with_its_own_counters(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(SPEC, encoding="utf-8")
    specs, plan = plan_paths([tmp_path])
    spec = specs.services[0].spec
    assert isinstance(spec, ServiceSpec)
    (service,) = plan.services
    assert [s.name for s in service.slos] == [s.name for s in spec.slos]
    kinds = set()
    for slo_spec, slo in zip(spec.slos, service.slos, strict=True):
        kinds.add(slo.sli_kind)
        assert list(slo.sli.counters) == counter_series(slo_spec.sli), slo.name
        assert list(slo.sli.watched) == read_selectors(slo_spec.sli), slo.name
        if slo.group_by:
            assert slo.error_ratio_template == error_ratio_template(slo_spec.sli, {}, slo.group_by), slo.name
    assert kinds == {"ratio", "latency"}
    # the two ratio SLOs read requests_total{job="demo"} from one shared rate; the others read their own
    shared = [r for g in service.groups if g.name.endswith("shared-rates") for r in g.rules]
    assert shared and all('requests_total{job="demo"}' in r.expr for r in shared)
    availability, success = service.slos[0], service.slos[1]
    assert "rate(requests_total{job=\"demo\"}" not in availability.error_ratio_template
    assert "rate(requests_total{job=\"demo\"}" not in success.error_ratio_template
    assert 'rate(duration_seconds_bucket{job="demo",le=~' in service.slos[2].error_ratio_template
    assert 'rate(b_total[' in service.slos[3].error_ratio_template
