"""The OpenTelemetry Collector of a service, planned from its `telemetry:` section (targets/otel.py lays it out)."""

from __future__ import annotations

from agentops_gen.spec.service import ServiceSpec
from agentops_gen.spec.telemetry import Export, ExporterSettings, Telemetry, endpoint_of
from agentops_gen.units.durations import parse_threshold
from agentops_gen.units.record import record

CURRENT_TYPE = {"otlp": "otlp_grpc", "otlphttp": "otlp_http"}
"""Old exporter spellings in specs -> the type names otelcol-contrib registers since v0.144.0."""
REDACT = "transform/redact"
CARDINALITY = "transform/cardinality"
SPIKE_SHARE = 0.2
"""memory_limiter spike limit as a share of the hard limit (the processor's documented default)."""
CONTEXTS = {"traces": ("resource", "span", "spanevent"), "metrics": ("resource", "datapoint"),
            "logs": ("resource", "log")}
"""OTTL contexts whose attributes may carry personal data, per signal."""
AGGREGATED_TYPES = ("METRIC_DATA_TYPE_SUM", "METRIC_DATA_TYPE_HISTOGRAM", "METRIC_DATA_TYPE_EXPONENTIAL_HISTOGRAM")
"""Metric types whose points are summed after an attribute is dropped; gauges are left as they are,
because the sum of per-user gauges is rarely meaningful."""


@record
class Exporter:
    """One exporter instance of a signal."""

    id: str
    type: str
    endpoint: str
    insecure: bool
    headers: tuple[tuple[str, str], ...] = ()
    """(name, value): values are `${file:PATH}`, which the collector reads at start."""
    tls: tuple[tuple[str, str], ...] = ()
    """(ca_file|cert_file|key_file, path)."""


@record
class Policy:
    """One tail_sampling policy; `settings` goes under the key named like its type."""

    name: str
    type: str
    settings: dict[str, object]


@record
class StatementGroup:
    """OTTL statements run in one context of the transform processor."""

    context: str
    statements: tuple[str, ...]


@record
class Pipeline:
    """One service pipeline."""

    id: str
    processors: tuple[str, ...]
    exporters: tuple[str, ...]


@record
class CollectorPlan:
    """Everything the collector template lays out for one service."""

    service: str
    team: str
    source: str
    grpc_endpoint: str
    http_endpoint: str
    memory_limit_mib: int
    redact_mode: str
    debug: bool
    health_check_endpoint: str
    internal_metrics_port: int
    spike_limit_mib: int
    decision_wait: str
    policies: tuple[Policy, ...]
    redact: dict[str, tuple[StatementGroup, ...]]
    cardinality: tuple[StatementGroup, ...]
    exporters: tuple[Exporter, ...]
    pipelines: tuple[Pipeline, ...]


def ottl_string(value: str) -> str:
    """An OTTL string literal (keys come from the spec and may hold quotes, backslashes or line breaks)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def latency_threshold_s(spec: ServiceSpec) -> float | None:
    """`keep_slower_than`, else the strictest latency SLO threshold: no trace slower than an objective is dropped."""
    traces = spec.telemetry.traces  # type: ignore[union-attr]
    assert traces is not None
    if traces.keep_slower_than:
        return parse_threshold(traces.keep_slower_than)
    thresholds = [parse_threshold(slo.sli.latency.threshold) for slo in spec.slos if slo.sli.latency]
    return min(thresholds) if thresholds else None


def sampling_policies(spec: ServiceSpec) -> tuple[Policy, ...]:
    """Keep every error, every trace slower than the threshold, and `sample_percent` of the rest."""
    traces = spec.telemetry.traces  # type: ignore[union-attr]
    assert traces is not None
    policies = []
    if traces.keep_errors:
        policies.append(Policy("keep-errors", "status_code", {"status_codes": ["ERROR"]}))
    threshold = latency_threshold_s(spec)
    if threshold is not None:
        policies.append(Policy("keep-slow", "latency", {"threshold_ms": round(threshold * 1000)}))
    # A 0% policy next to others is noise; alone it says "drop everything else", as the spec asks.
    if traces.sample_percent or not policies:
        percent = int(traces.sample_percent) if float(traces.sample_percent).is_integer() else traces.sample_percent
        policies.append(Policy("sample-rest", "probabilistic", {"sampling_percentage": percent}))
    return tuple(policies)


def redact_statements(keys: list[str], mode: str, signal: str) -> tuple[StatementGroup, ...]:
    """Delete (or hash) each personal-data key wherever a signal carries attributes."""
    statements: list[str] = []
    for key in keys:
        attr = f"attributes[{ottl_string(key)}]"
        if mode == "hash":
            # SHA256 takes strings only: a non-string value under a personal-data key is deleted instead.
            statements.append(f"delete_key(attributes, {ottl_string(key)}) where not IsString({attr})")
            statements.append(f"set({attr}, SHA256({attr})) where IsString({attr})")
        else:
            statements.append(f"delete_key(attributes, {ottl_string(key)})")
    return tuple(StatementGroup(ctx, tuple(statements)) for ctx in CONTEXTS[signal])


def cardinality_statements(telemetry: Telemetry) -> tuple[StatementGroup, ...]:
    """Drop high-cardinality point attributes, then merge the points that became identical."""
    dropped = list(telemetry.metrics.drop_attributes) if telemetry.metrics else []
    deletes_pii = telemetry.redact_mode == "delete" and telemetry.redact
    if telemetry.metrics is None or not (dropped or deletes_pii):
        return ()
    groups = []
    if dropped:
        groups.append(StatementGroup("datapoint", tuple(f"delete_key(attributes, {ottl_string(k)})" for k in dropped)))
    # Without merging, two points that differed only by user_id become duplicate series downstream.
    condition = " or ".join(f"type == {t}" for t in AGGREGATED_TYPES)
    groups.append(StatementGroup("metric", (f'aggregate_on_attributes("sum") where {condition}',)))
    return tuple(groups)


def exporters_of(signal: str, export: Export, insecure: bool) -> list[Exporter]:
    """A signal's exporters, with ids unique across signals (`otlp_grpc/traces`)."""
    out = []
    for key, entry in export.items():
        endpoint = endpoint_of(entry)
        headers: tuple[tuple[str, str], ...] = ()
        tls: tuple[tuple[str, str], ...] = ()
        if isinstance(entry, ExporterSettings):
            headers = tuple((name, f"${{file:{path}}}") for name, path in entry.headers_file.items())
            tls = tuple((k, v) for k in ("ca_file", "cert_file", "key_file") if (v := getattr(entry, k)))
        kind, _, name = key.partition("/")
        ctype = CURRENT_TYPE.get(kind, kind)
        plain_grpc = ctype == "otlp_grpc" and (endpoint.startswith("http://") or
                                               (insecure and "://" not in endpoint))
        out.append(Exporter(f"{ctype}/{signal}{'-' + name if name else ''}", ctype, endpoint,
                            plain_grpc and not tls, headers, tls))
    return out


def plan_collector(spec: ServiceSpec, source: str) -> CollectorPlan | None:
    """The collector of one service: pipelines per signal, processors in the recommended order (None: no
    `telemetry:` section)."""
    if spec.telemetry is None:
        return None
    telemetry: Telemetry = spec.telemetry
    exporters: list[Exporter] = []
    pipelines: list[Pipeline] = []
    redact: dict[str, tuple[StatementGroup, ...]] = {}
    cardinality = cardinality_statements(telemetry)
    policies = sampling_policies(spec) if telemetry.traces else ()
    for signal in ("traces", "metrics", "logs"):
        section = getattr(telemetry, signal)
        if section is None:
            continue
        own = exporters_of(signal, section.export, telemetry.insecure)
        exporters.extend(own)
        processors = ["memory_limiter"]
        if signal == "traces":
            processors.append("tail_sampling")
        if telemetry.redact:
            redact[signal] = redact_statements(list(telemetry.redact), telemetry.redact_mode, signal)
            processors.append(REDACT)
        if signal == "metrics" and cardinality:
            processors.append(CARDINALITY)
        processors += ["resource", "batch"]
        ids = [e.id for e in own] + (["debug"] if telemetry.debug else [])
        pipelines.append(Pipeline(signal, tuple(processors), tuple(ids)))
    return CollectorPlan(
        service=spec.service, team=spec.owner, source=source, grpc_endpoint=telemetry.receivers.grpc_endpoint,
        http_endpoint=telemetry.receivers.http_endpoint, memory_limit_mib=telemetry.memory_limit_mib,
        redact_mode=telemetry.redact_mode, debug=telemetry.debug, health_check_endpoint=telemetry.health_check_endpoint,
        internal_metrics_port=telemetry.internal_metrics_port,
        spike_limit_mib=max(1, int(telemetry.memory_limit_mib * SPIKE_SHARE)),
        decision_wait=telemetry.traces.decision_wait if telemetry.traces else "10s",
        policies=policies, redact=redact, cardinality=cardinality, exporters=tuple(exporters),
        pipelines=tuple(pipelines),
    )


