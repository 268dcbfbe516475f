"""How telemetry flows: the OpenTelemetry Collector pipeline of a service."""

from __future__ import annotations

from pydantic import Field

from agentops_gen.spec.common import Duration, SpecModel


class OTLPReceiver(SpecModel):
    """Endpoints of the collector's OTLP receiver."""

    grpc_endpoint: str = "0.0.0.0:4317"
    http_endpoint: str = "0.0.0.0:4318"


class Traces(SpecModel):
    """Trace pipeline: tail sampling keeps errors, slow traces and a share of the rest."""

    keep_errors: bool = True
    keep_slower_than: Duration | None = None
    sample_percent: float = Field(default=10, ge=0, le=100)
    decision_wait: Duration = "10s"
    export: dict[str, str] = {}


class Metrics(SpecModel):
    """Metric pipeline, with optional high-cardinality attributes to drop."""

    export: dict[str, str] = {}
    drop_attributes: list[str] = []


class Logs(SpecModel):
    """Log pipeline."""

    export: dict[str, str] = {}


class Telemetry(SpecModel):
    """`telemetry:` section; exporter values are endpoints."""

    receivers: OTLPReceiver = OTLPReceiver()
    traces: Traces | None = None
    metrics: Metrics | None = None
    logs: Logs | None = None
    redact: list[str] = []
    redact_mode: str = Field(default="delete", pattern="^(delete|hash)$")
    debug: bool = False
    memory_limit_mib: int = Field(default=512, gt=0)
