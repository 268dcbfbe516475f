"""How telemetry flows: the OpenTelemetry Collector pipeline of a service."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from agentops_gen.spec.common import Duration, Line, SpecModel, Threshold

SIGNAL_EXPORTERS = {
    "traces": ("otlp", "otlp_grpc", "otlphttp", "otlp_http"),
    "logs": ("otlp", "otlp_grpc", "otlphttp", "otlp_http"),
    "metrics": ("prometheusremotewrite", "prometheus", "otlp", "otlp_grpc", "otlphttp", "otlp_http"),
}
"""Exporter types a signal's `export:` may name (old and new spellings of the OTLP exporters)."""
REMOVED_EXPORTERS = {
    "loki": "was removed from otelcol-contrib; Loki 3 ingests OTLP: use `otlphttp: http://loki:3100/otlp`",
    "logging": "was removed from the Collector; set `telemetry.debug: true` for the debug exporter",
    "jaeger": "was removed from the Collector; Jaeger ingests OTLP: use `otlp: jaeger:4317`",
}


def _check_export(signal: str, export: dict[str, str]) -> dict[str, str]:
    from agentops_gen.spec.urls import url_credential_problem

    for key, endpoint in export.items():
        kind = key.split("/", 1)[0]
        if kind in REMOVED_EXPORTERS:
            raise ValueError(f"exporter `{kind}` {REMOVED_EXPORTERS[kind]}")
        if kind not in SIGNAL_EXPORTERS[signal] or key.count("/") > 1 or key.endswith("/"):
            raise ValueError(f"{signal} exporter {key!r} is not one of {', '.join(SIGNAL_EXPORTERS[signal])} "
                             "(optionally `type/name`)")
        problem = url_credential_problem(endpoint)
        if problem:
            raise ValueError(f"{key}: {problem}")
    return export


class OTLPReceiver(SpecModel):
    """Endpoints of the collector's OTLP receiver."""

    grpc_endpoint: Line = "0.0.0.0:4317"
    http_endpoint: Line = "0.0.0.0:4318"


class Traces(SpecModel):
    """Trace pipeline: tail sampling keeps errors, slow traces and a share of the rest."""

    keep_errors: bool = True
    keep_slower_than: Threshold | None = None
    sample_percent: float = Field(default=10, ge=0, le=100)
    decision_wait: Duration = "10s"
    export: dict[str, Line] = {}

    @field_validator("export")
    @classmethod
    def _export(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_export("traces", value)


class Metrics(SpecModel):
    """Metric pipeline, with optional high-cardinality attributes to drop."""

    export: dict[str, Line] = {}
    drop_attributes: list[Line] = []

    @field_validator("export")
    @classmethod
    def _export(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_export("metrics", value)


class Logs(SpecModel):
    """Log pipeline."""

    export: dict[str, Line] = {}

    @field_validator("export")
    @classmethod
    def _export(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_export("logs", value)


class Telemetry(SpecModel):
    """`telemetry:` section; exporter values are endpoints."""

    receivers: OTLPReceiver = OTLPReceiver()
    traces: Traces | None = None
    metrics: Metrics | None = None
    logs: Logs | None = None
    redact: list[Line] = []
    redact_mode: str = Field(default="delete", pattern="^(delete|hash)$")
    debug: bool = False
    memory_limit_mib: int = Field(default=512, gt=0)
    insecure: bool = False
    """Send to `host:port` gRPC endpoints without TLS (in-cluster backends); `http://` endpoints never use TLS."""
    health_check_endpoint: Line = "0.0.0.0:13133"
    internal_metrics_port: int = Field(default=8888, gt=0, lt=65536)

    @model_validator(mode="after")
    def _pipelines(self) -> Telemetry:
        signals = {"traces": self.traces, "metrics": self.metrics, "logs": self.logs}
        if not any(signals.values()):
            raise ValueError("set at least one of traces, metrics, logs (a collector needs a pipeline)")
        for name, section in signals.items():
            if section is not None and not section.export and not self.debug:
                raise ValueError(f"{name}: `export` is empty; name an exporter or set `debug: true`")
        return self
