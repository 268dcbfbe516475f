"""How telemetry flows: the OpenTelemetry Collector pipeline of a service."""


import re
from typing import Annotated, Any, Self

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from agentops_gen.errors import CodedValueError
from agentops_gen.spec.common import AttributeName, Duration, Line, SpecModel, Threshold, attribute_name_length

REMOVED_COMPONENT = "telemetry/removed-component"

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


_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+\Z")
"""An HTTP header name (RFC 9110 token)."""


class ExporterSettings(SpecModel):
    """An exporter whose secrets and certificates the collector reads from files at start."""

    endpoint: Line
    """Where the exporter sends to (`host:port` or a URL)."""
    headers_file: dict[str, Line] = {}
    """Header name -> file holding its value (`Authorization`, a Mimir tenant's `X-Scope-OrgID`)."""
    ca_file: Line | None = None
    """Absolute path of the CA certificate the endpoint is checked against."""
    cert_file: Line | None = None
    """Absolute path of the client certificate (with `key_file`)."""
    key_file: Line | None = None
    """Absolute path of the client key (with `cert_file`)."""

    @field_validator("headers_file")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, path in value.items():
            too_long = attribute_name_length(name)
            if too_long:
                raise ValueError(f"header name {too_long}")
            if not _HEADER_NAME.match(name):
                raise ValueError(f"{name!r} is not an HTTP header name")
            if not path.startswith("/"):
                raise ValueError(f"{name}: {path!r} must be an absolute path (the collector's working "
                                 "directory is not the spec folder)")
        return value

    @model_validator(mode="after")
    def _tls(self) -> Self:
        for key in ("ca_file", "cert_file", "key_file"):
            path = getattr(self, key)
            if path is not None and not path.startswith("/"):
                raise ValueError(f"{key}: {path!r} must be an absolute path")
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("set cert_file and key_file together (a client certificate needs its key)")
        if self.endpoint.startswith("http://") and (self.ca_file or self.cert_file):
            raise ValueError("an http:// endpoint does not use TLS; use https:// with ca_file/cert_file")
        return self


def _export_form(value: Any) -> str | None:
    if isinstance(value, str):
        return "@endpoint"
    return "@settings" if isinstance(value, (dict, ExporterSettings)) else None


# Tagged, so a wrong long form reports only its own error (validate.py drops the @tags from error paths)
Export = dict[str, Annotated[Annotated[Line, Tag("@endpoint")] | Annotated[ExporterSettings, Tag("@settings")],
                             Discriminator(_export_form, custom_error_type="exporter_form",
                                           custom_error_message="must be an endpoint, or a mapping with "
                                           "`endpoint` and optional headers_file, ca_file, cert_file, key_file")]]
"""Exporter key -> endpoint, or the endpoint with headers and TLS read from files."""


def endpoint_of(value: str | ExporterSettings) -> str:
    """The endpoint of an exporter entry, in either form."""
    return value if isinstance(value, str) else value.endpoint


def _check_export(signal: str, export: Export) -> Export:
    from agentops_gen.spec.urls import URL_CREDENTIALS, url_credential_problem

    for key, entry in export.items():
        endpoint = endpoint_of(entry)
        kind = key.split("/", 1)[0]
        if kind in REMOVED_EXPORTERS:
            raise CodedValueError(f"exporter `{kind}` {REMOVED_EXPORTERS[kind]}", REMOVED_COMPONENT, (key,), key=True)
        if kind not in SIGNAL_EXPORTERS[signal] or key.count("/") > 1 or key.endswith("/"):
            raise CodedValueError(f"{signal} exporter {key!r} is not one of {', '.join(SIGNAL_EXPORTERS[signal])} "
                                  "(optionally `type/name`)", REMOVED_COMPONENT, (key,), key=True)
        problem = url_credential_problem(endpoint)
        if problem:
            raise CodedValueError(problem, URL_CREDENTIALS, (key,) if isinstance(entry, str) else (key, "endpoint"))
    return export


class OTLPReceiver(SpecModel):
    """Endpoints of the collector's OTLP receiver."""

    grpc_endpoint: Line = "0.0.0.0:4317"
    """OTLP gRPC listen address."""
    http_endpoint: Line = "0.0.0.0:4318"
    """OTLP HTTP listen address."""


class Traces(SpecModel):
    """Trace pipeline: tail sampling keeps errors, slow traces and a share of the rest."""

    keep_errors: bool = True
    """Keep every trace with an error span."""
    keep_slower_than: Threshold | None = None
    """Keep every trace slower than this (`2.5s`, `1500ms` or plain seconds)."""
    sample_percent: float = Field(default=10, ge=0, le=100)
    """Share of the other traces kept (0..100)."""
    decision_wait: Duration = "10s"
    """How long the tail sampler waits for a trace's spans before deciding (LLM traces run for minutes)."""
    export: Export = {}
    """Exporters: `otlp`, `otlphttp` (or `type/name`) -> endpoint, or a mapping with `endpoint`, `headers_file`,
    `ca_file`, `cert_file`, `key_file`."""

    @field_validator("export")
    @classmethod
    def _export(cls, value: Export) -> Export:
        return _check_export("traces", value)


class Metrics(SpecModel):
    """Metric pipeline, with optional high-cardinality attributes to drop."""

    export: Export = {}
    """Exporters: `prometheusremotewrite`, `prometheus`, `otlp`, `otlphttp` (or `type/name`) -> endpoint or settings."""
    drop_attributes: list[AttributeName] = []
    """High-cardinality attributes removed from metrics."""

    @field_validator("export")
    @classmethod
    def _export(cls, value: Export) -> Export:
        return _check_export("metrics", value)


class Logs(SpecModel):
    """Log pipeline."""

    export: Export = {}
    """Exporters: `otlp`, `otlphttp` (or `type/name`) -> endpoint or settings."""

    @field_validator("export")
    @classmethod
    def _export(cls, value: Export) -> Export:
        return _check_export("logs", value)


class Telemetry(SpecModel):
    """`telemetry:` section; exporter values are endpoints."""

    receivers: OTLPReceiver = OTLPReceiver()
    """Where the collector listens for OTLP (gRPC and HTTP)."""
    traces: Traces | None = None
    """The trace pipeline (tail sampling)."""
    metrics: Metrics | None = None
    """The metric pipeline."""
    logs: Logs | None = None
    """The log pipeline."""
    redact: list[AttributeName] = []
    """Attribute keys (personal data) deleted or hashed wherever a signal carries attributes."""
    redact_mode: str = Field(default="delete", pattern="^(delete|hash)$")
    """`delete` the redacted attributes or `hash` their values."""
    debug: bool = False
    """Add the debug exporter to every pipeline."""
    memory_limit_mib: int = Field(default=512, gt=0)
    """The collector's memory limiter, in MiB."""
    insecure: bool = False
    """Send to `host:port` gRPC endpoints without TLS (in-cluster backends); `http://` endpoints never use TLS."""
    health_check_endpoint: Line = "0.0.0.0:13133"
    """Endpoint of the collector's health check extension."""
    internal_metrics_port: int = Field(default=8888, gt=0, lt=65536)
    """Port of the collector's own Prometheus metrics."""

    @model_validator(mode="after")
    def _pipelines(self) -> Self:
        signals = {"traces": self.traces, "metrics": self.metrics, "logs": self.logs}
        if not any(signals.values()):
            raise ValueError("set at least one of traces, metrics, logs (a collector needs a pipeline)")
        for name, section in signals.items():
            if section is not None and not section.export and not self.debug:
                raise ValueError(f"{name}: `export` is empty; name an exporter or set `debug: true`")
        return self
