"""OpenTelemetry Collector configs: out/otel/<service>.collector.yaml for every service with `telemetry:`."""

from __future__ import annotations

from agentops_gen.plan.collector import CARDINALITY, REDACT
from agentops_gen.plan.model import Plan, ServicePlan
from agentops_gen.targets.jinja import render_template

COLLECTOR_VERSION = "0.159.0"
"""otelcol-contrib release whose manifest the output is checked against (OTLP exporter names need >= 0.144.0)."""


def collector_file(service: str) -> str:
    """Collector config of a service under out/."""
    return f"otel/{service}.collector.yaml"


def render_service(service: ServicePlan) -> str:
    """The collector config of one service (one with a `telemetry:` section)."""
    assert service.collector is not None
    return render_template("otel/collector.yaml.j2", c=service.collector, version=COLLECTOR_VERSION,
                           redact_id=REDACT, cardinality_id=CARDINALITY)


def render(plan: Plan) -> dict[str, str]:
    """A collector config for every service with a `telemetry:` section."""
    return {collector_file(s.service): render_service(s) for s in plan.services if s.collector}
