"""Structural validator for OpenTelemetry Collector configs (no Collector binary is available).

Checks what `otelcol-contrib validate` would reject and what the Collector docs recommend:
component types exist (and are neither removed nor a deprecated alias), every reference is
defined, every definition is used, each component supports its pipeline's signal, processor
order (memory_limiter first, batch last, sampling before enrichment), redaction before every
exporter, and, given the core `config.schema.yaml` files, core component settings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from agentops_gen.units.record import record

CORE = "go.opentelemetry.io/collector/"
CONTRIB = "github.com/open-telemetry/opentelemetry-collector-contrib/"
SIGNALS = frozenset({"traces", "metrics", "logs"})
KINDS = ("receivers", "processors", "exporters", "connectors", "extensions")
TOP_LEVEL = frozenset({*KINDS, "service"})


@record
class Component:
    """A component type: the Go module that registers it, its signals and (processors) its order class."""

    module: str
    signals: frozenset[str] = SIGNALS
    rank: int | None = None


# Order classes from the Collector's processor/README.md ("Recommended processors"):
# memory limiter, then sampling/filtering, then context-dependent, then enrichment, then batch.
FIRST, SAMPLING, CONTEXT, ENRICH, LAST = range(5)
_METRICS = frozenset({"metrics"})
_TRACES = frozenset({"traces"})
_LOGS = frozenset({"logs"})
_EXT = frozenset({"extension"})

# Types from tests/fixtures/otel/components.yaml (otelcol-contrib v0.159.0); tests check every
# module against the release manifest, so this table cannot name a component the binary lacks.
COMPONENTS: dict[str, dict[str, Component]] = {
    "receivers": {
        "otlp": Component(CORE + "receiver/otlpreceiver"),
        "prometheus": Component(CONTRIB + "receiver/prometheusreceiver", _METRICS),
        "file_log": Component(CONTRIB + "receiver/filelogreceiver", _LOGS),
        "hostmetrics": Component(CONTRIB + "receiver/hostmetricsreceiver", _METRICS),
    },
    "processors": {
        "memory_limiter": Component(CORE + "processor/memorylimiterprocessor", rank=FIRST),
        "tail_sampling": Component(CONTRIB + "processor/tailsamplingprocessor", _TRACES, SAMPLING),
        "probabilistic_sampler": Component(CONTRIB + "processor/probabilisticsamplerprocessor",
                                           frozenset({"traces", "logs"}), SAMPLING),
        "filter": Component(CONTRIB + "processor/filterprocessor", rank=SAMPLING),
        "k8s_attributes": Component(CONTRIB + "processor/k8sattributesprocessor", rank=CONTEXT),
        "attributes": Component(CONTRIB + "processor/attributesprocessor", rank=ENRICH),
        "resource": Component(CONTRIB + "processor/resourceprocessor", rank=ENRICH),
        "transform": Component(CONTRIB + "processor/transformprocessor", rank=ENRICH),
        "redaction": Component(CONTRIB + "processor/redactionprocessor", rank=ENRICH),
        "batch": Component(CORE + "processor/batchprocessor", rank=LAST),
    },
    "exporters": {
        "otlp_grpc": Component(CORE + "exporter/otlpexporter"),
        "otlp_http": Component(CORE + "exporter/otlphttpexporter"),
        "debug": Component(CORE + "exporter/debugexporter"),
        "prometheus": Component(CONTRIB + "exporter/prometheusexporter", _METRICS),
        "prometheusremotewrite": Component(CONTRIB + "exporter/prometheusremotewriteexporter", _METRICS),
    },
    "connectors": {
        "forward": Component(CORE + "connector/forwardconnector"),
    },
    "extensions": {
        "health_check": Component(CONTRIB + "extension/healthcheckextension", _EXT),
        "pprof": Component(CONTRIB + "extension/pprofextension", _EXT),
        "zpages": Component(CORE + "extension/zpagesextension", _EXT),
    },
}

ALIASES: dict[tuple[str, str], str] = {
    ("exporters", "otlp"): "otlp_grpc",
    ("exporters", "otlphttp"): "otlp_http",
    ("receivers", "filelog"): "file_log",
    ("processors", "k8sattributes"): "k8s_attributes",
}
"""Old type names the Collector still accepts with a deprecation warning; generated configs use the new ones."""

REMOVED: dict[tuple[str, str], str] = {
    ("exporters", "loki"): "removed from otelcol-contrib; Loki 3 ingests OTLP: use otlp_http with http://loki:3100/otlp",
    ("exporters", "logging"): "removed from the Collector; use the debug exporter",
    ("exporters", "jaeger"): "removed from the Collector; Jaeger ingests OTLP: use otlp_grpc",
    ("exporters", "jaeger_thrift"): "removed from the Collector; Jaeger ingests OTLP: use otlp_grpc",
}

SCHEMA_FILES: dict[tuple[str, str], str] = {
    ("receivers", "otlp"): "receiver/otlpreceiver",
    ("processors", "batch"): "processor/batchprocessor",
    ("processors", "memory_limiter"): "processor/memorylimiterprocessor",
    ("exporters", "otlp_grpc"): "exporter/otlpexporter",
    ("exporters", "otlp_http"): "exporter/otlphttpexporter",
    ("exporters", "debug"): "exporter/debugexporter",
    ("extensions", "zpages"): "extension/zpagesextension",
}
"""Core components with a `config.schema.yaml` (contrib components have none yet)."""

TAIL_POLICY_TYPES = frozenset({
    "always_sample", "latency", "numeric_attribute", "probabilistic", "status_code", "string_attribute",
    "rate_limiting", "span_count", "trace_state", "boolean_attribute", "ottl_condition", "and", "composite",
    "drop", "bytes_limiting", "trace_flags", "not",
})
_ID = re.compile(r"^([a-z][a-z0-9_]*)(?:/([^/\s]+))?\Z")
_GO_DURATION = re.compile(r"^(0|[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h))+\Z")
_REDACT_TYPES = frozenset({"redaction"})


def component_type(component_id: str) -> str:
    """`otlp_grpc/traces` -> `otlp_grpc`."""
    return component_id.split("/", 1)[0]


def is_redaction(component_id: str) -> bool:
    """Redaction processors: the `redaction` type, or any processor whose name says `redact`."""
    kind, _, name = component_id.partition("/")
    return kind in _REDACT_TYPES or "redact" in name


def collector_problems(doc: Any, manifest_modules: frozenset[str] | None = None,
                       schemas: SchemaSet | None = None) -> list[str]:
    """Every problem of a parsed collector config (empty when it is valid)."""
    if not isinstance(doc, dict):
        return ["config must be a mapping"]
    problems = [f"unknown top-level key {key!r}" for key in doc if key not in TOP_LEVEL]
    sections = {kind: doc.get(kind) or {} for kind in KINDS}
    for kind, section in sections.items():
        if not isinstance(section, dict):
            problems.append(f"{kind}: must be a mapping")
            sections[kind] = {}
            continue
        for cid, settings in section.items():
            problems += _component_problems(kind, str(cid), settings, manifest_modules, schemas)
    service = doc.get("service")
    if not isinstance(service, dict) or not isinstance(service.get("pipelines"), dict) or not service["pipelines"]:
        return problems + ["service.pipelines: at least one pipeline is required"]
    problems += _service_problems(service, sections)
    return problems


def _component_problems(kind: str, cid: str, settings: Any, manifest: frozenset[str] | None,
                        schemas: SchemaSet | None) -> list[str]:
    where = f"{kind}.{cid}"
    match = _ID.match(cid)
    if not match:
        return [f"{where}: component id must be `type` or `type/name`"]
    ctype = match.group(1)
    if (kind, ctype) in REMOVED:
        return [f"{where}: `{ctype}` {REMOVED[(kind, ctype)]}"]
    if (kind, ctype) in ALIASES:
        return [f"{where}: `{ctype}` is a deprecated alias; use `{ALIASES[(kind, ctype)]}`"]
    component = COMPONENTS[kind].get(ctype)
    if component is None:
        return [f"{where}: unknown {kind[:-1]} type `{ctype}` (not a component agentops-gen knows in otelcol-contrib)"]
    if manifest is not None and component.module not in manifest:
        return [f"{where}: module {component.module} is not in the otelcol-contrib manifest"]
    if settings is not None and not isinstance(settings, dict):
        return [f"{where}: settings must be a mapping"]
    out: list[str] = []
    if schemas is not None and (kind, ctype) in SCHEMA_FILES:
        out += [f"{where}: {msg}" for msg in schemas.problems(SCHEMA_FILES[(kind, ctype)], settings or {})]
    out += [f"{where}: {msg}" for msg in _semantic_problems(kind, ctype, settings or {})]
    return out


def _semantic_problems(kind: str, ctype: str, settings: dict[str, Any]) -> list[str]:
    """Rules the Collector enforces in Go (Validate methods) that no schema expresses."""
    if (kind, ctype) == ("processors", "memory_limiter"):
        out = []
        if not _positive_duration(settings.get("check_interval")):
            out.append("check_interval must be a duration greater than zero")
        if not settings.get("limit_mib") and not settings.get("limit_percentage"):
            out.append("limit_mib or limit_percentage is required")
        return out
    if (kind, ctype) == ("processors", "tail_sampling"):
        return _tail_sampling_problems(settings)
    if (kind, ctype) == ("processors", "transform"):
        known = {"error_mode", "trace_statements", "metric_statements", "log_statements", "profile_statements"}
        return [f"unknown key {key!r}" for key in settings if key not in known]
    return []


def _tail_sampling_problems(settings: dict[str, Any]) -> list[str]:
    policies = settings.get("policies")
    if not isinstance(policies, list) or not policies:
        return ["policies: at least one policy is required"]
    out = []
    names: set[str] = set()
    for i, policy in enumerate(policies):
        if not isinstance(policy, dict) or not policy.get("name") or not policy.get("type"):
            out.append(f"policies[{i}]: needs `name` and `type`")
            continue
        if policy["name"] in names:
            out.append(f"policies[{i}]: duplicate policy name {policy['name']!r}")
        names.add(policy["name"])
        ptype = policy["type"]
        if ptype not in TAIL_POLICY_TYPES:
            out.append(f"policies[{i}]: unknown policy type {ptype!r}")
        elif ptype != "always_sample" and not isinstance(policy.get(ptype), dict):
            out.append(f"policies[{i}]: type {ptype} needs its settings under `{ptype}:`")
    return out


def _positive_duration(value: Any) -> bool:
    return isinstance(value, str) and bool(_GO_DURATION.match(value)) and bool(re.search(r"[1-9]", value))


def _service_problems(service: dict[str, Any], sections: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    used: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for ext in service.get("extensions") or []:
        used["extensions"].add(ext)
        if ext not in sections["extensions"]:
            problems.append(f"service.extensions: {ext!r} is not defined under extensions")
    pipelines: dict[str, dict[str, Any]] = service["pipelines"]
    for pid, pipeline in pipelines.items():
        problems += _pipeline_problems(str(pid), pipeline or {}, sections, used)
    for kind in KINDS:
        for cid in sections[kind]:
            if cid not in used[kind]:
                problems.append(f"{kind}.{cid}: defined but not used in any pipeline")
    problems += _redaction_problems(pipelines, sections)
    problems += _telemetry_problems(service.get("telemetry"))
    return problems


def _pipeline_problems(pid: str, pipeline: dict[str, Any], sections: dict[str, dict[str, Any]],
                       used: dict[str, set[str]]) -> list[str]:
    where = f"service.pipelines.{pid}"
    signal = pid.split("/", 1)[0]
    if signal not in SIGNALS:
        return [f"{where}: pipeline id must start with traces, metrics or logs"]
    problems = [f"{where}: unknown key {key!r}" for key in pipeline if key not in ("receivers", "processors",
                                                                                   "exporters")]
    for role, kinds in (("receivers", ("receivers", "connectors")), ("processors", ("processors",)),
                        ("exporters", ("exporters", "connectors"))):
        ids = pipeline.get(role) or []
        if role != "processors" and not ids:
            problems.append(f"{where}: at least one {role[:-1]} is required")
        if len(set(ids)) != len(ids):
            problems.append(f"{where}.{role}: a component is listed twice")
        for cid in ids:
            kind = next((k for k in kinds if cid in sections[k]), None)
            if kind is None:
                problems.append(f"{where}.{role}: {cid!r} is not defined under {' or '.join(kinds)}")
                continue
            used[kind].add(cid)
            component = COMPONENTS[kind].get(component_type(cid))
            if kind != "connectors" and component and signal not in component.signals:
                problems.append(f"{where}.{role}: {cid!r} does not support {signal}")
    problems += _order_problems(where, list(pipeline.get("processors") or []))
    return problems


def _order_problems(where: str, processors: list[str]) -> list[str]:
    """memory_limiter first, batch last, and no processor of an earlier class after a later one."""
    problems = []
    types = [component_type(p) for p in processors]
    if "memory_limiter" not in types:
        problems.append(f"{where}.processors: memory_limiter is required (first)")
    elif types[0] != "memory_limiter":
        problems.append(f"{where}.processors: memory_limiter must be first (got {processors[0]!r} first)")
    if "batch" not in types:
        problems.append(f"{where}.processors: batch is required (last)")
    elif types[-1] != "batch":
        problems.append(f"{where}.processors: batch must be last (got {processors[-1]!r} last)")
    highest: tuple[int, str] | None = None
    for pid, ptype in zip(processors, types, strict=True):
        component = COMPONENTS["processors"].get(ptype)
        if component is None or component.rank is None or ptype in ("memory_limiter", "batch"):
            continue
        if highest and component.rank < highest[0]:
            problems.append(f"{where}.processors: {pid!r} must run before {highest[1]!r} "
                            "(order: memory_limiter, sampling/filtering, context, enrichment, batch)")
        if not highest or component.rank > highest[0]:
            highest = (component.rank, pid)
    return problems


def _redaction_problems(pipelines: dict[str, dict[str, Any]], sections: dict[str, dict[str, Any]]) -> list[str]:
    """When redaction processors exist, nothing reaches a real exporter without passing one."""
    if not any(is_redaction(p) for p in sections["processors"]):
        return []
    connectors = set(sections["connectors"])
    feeds: dict[str, list[str]] = {}
    for pid, pipeline in pipelines.items():
        for exp in (pipeline or {}).get("exporters") or []:
            if exp in connectors:
                feeds.setdefault(exp, []).append(pid)
    memo: dict[str, bool] = {}

    def redacted(pid: str, seen: frozenset[str]) -> bool:
        if pid in memo:
            return memo[pid]
        pipeline = pipelines.get(pid) or {}
        if any(is_redaction(p) for p in pipeline.get("processors") or []):
            result = True
        else:
            receivers = pipeline.get("receivers") or []
            upstream = [up for r in receivers if r in connectors for up in feeds.get(r, [])]
            result = bool(receivers) and all(r in connectors for r in receivers) and bool(upstream) and all(
                up not in seen and redacted(up, seen | {pid}) for up in upstream)
        memo[pid] = result
        return result

    problems = []
    for pid, pipeline in pipelines.items():
        external = [e for e in (pipeline or {}).get("exporters") or [] if e not in connectors]
        if external and not redacted(pid, frozenset()):
            problems.append(f"service.pipelines.{pid}: exports to {', '.join(external)} before any redaction "
                            "processor has run")
    return problems


def _telemetry_problems(telemetry: Any) -> list[str]:
    if telemetry is None:
        return []
    if not isinstance(telemetry, dict):
        return ["service.telemetry: must be a mapping"]
    metrics = telemetry.get("metrics") or {}
    level = metrics.get("level")
    if level is not None and level not in ("none", "basic", "normal", "detailed"):
        return [f"service.telemetry.metrics.level: {level!r} is not none|basic|normal|detailed"]
    if "address" in metrics:
        return ["service.telemetry.metrics.address: ignored since v0.123.0; use metrics.readers "
                "(pull.exporter.prometheus)"]
    return []


def manifest_modules(manifest: dict[str, Any]) -> frozenset[str]:
    """Go module paths (without version) of an OCB distribution manifest."""
    modules = set()
    for kind in (*KINDS, "providers"):
        for entry in manifest.get(kind) or []:
            modules.add(str(entry["gomod"]).split()[0])
    return frozenset(modules)


class SchemaSet:
    """The core `config.schema.yaml` files, turned into closed JSON Schema 2020-12 (needs jsonschema).

    The files use their own `$ref` dialect and never set additionalProperties, so a misspelt key
    would pass; every object in a value position gets `unevaluatedProperties: false` instead.
    """

    def __init__(self, root: Path) -> None:
        import yaml
        from jsonschema import Draft202012Validator, FormatChecker
        from referencing import Registry, Resource

        resources = []
        for path in sorted(root.rglob("config.schema.yaml")):
            rel = path.parent.relative_to(root).as_posix()
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            _patch(rel, raw)
            doc = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": _urn(rel),
                   **_convert(raw, rel, value=True)}
            doc["$defs"] = {k: _convert(v, rel, value=False) for k, v in (raw.get("$defs") or {}).items()}
            resources.append((_urn(rel), Resource.from_contents(doc)))
        self._registry = Registry().with_resources(resources)
        self._checker = FormatChecker(formats=())
        self._checker.checks("duration")(lambda v: not isinstance(v, str) or bool(_GO_DURATION.match(v)))
        self._validator_cls = Draft202012Validator

    def problems(self, rel: str, settings: dict[str, Any]) -> list[str]:
        """Schema errors of one component's settings, as `path: message`."""
        validator = self._validator_cls({"$ref": _urn(rel)}, registry=self._registry,
                                        format_checker=self._checker)
        out = []
        for error in sorted(validator.iter_errors(settings), key=lambda e: list(map(str, e.absolute_path))):
            # anyOf (`x-optional`: null or the object) hides the real cause: descend past the null branch.
            while error.context:
                causes = [e for e in error.context if e.validator != "type"] or list(error.context)
                error = max(causes, key=lambda e: len(e.absolute_path))
            path = ".".join(str(p) for p in error.absolute_path) or "(root)"
            out.append(f"{path}: {error.message}")
        return out


def _urn(rel: str) -> str:
    return f"urn:otelcol:{rel}"


def _ref(ref: str, rel: str) -> str:
    """Dialect `$ref` -> JSON Schema `$ref` (see SOURCE.md: `name`, `/pkg/path.name`, `./sub.name`)."""
    if "/" not in ref:
        return f"#/$defs/{ref}"
    path, _, name = ref.rpartition(".")
    if path.startswith("./"):
        path = f"{rel}/{path[2:]}"
    return f"{_urn(path.lstrip('/'))}#/$defs/{name}"


def _convert(node: Any, rel: str, value: bool) -> Any:
    """Rewrite refs and `x-optional`, and close objects found in value positions."""
    if isinstance(node, list):
        return [_convert(n, rel, value) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, sub in node.items():
        if key == "$ref":
            out[key] = _ref(sub, rel)
        elif key == "$defs" or key.startswith("x-"):
            continue
        elif key == "properties":
            out[key] = {k: _convert(v, rel, value=True) for k, v in sub.items()}
        elif key in ("items", "additionalProperties") and isinstance(sub, dict):
            out[key] = _convert(sub, rel, value=True)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [_convert(v, rel, value=False) for v in sub]
        else:
            out[key] = sub
    objectish = out.get("type") == "object" or "properties" in out or "allOf" in out or "$ref" in out
    if value and objectish:
        out["unevaluatedProperties"] = False
    if node.get("x-optional"):
        out = {"anyOf": [{"type": "null"}, out]}
    return out


def _patch(rel: str, raw: dict[str, Any]) -> None:
    """The three drifts SOURCE.md found by validating the core repo's own testdata."""
    defs = raw.get("$defs") or {}
    if rel == "config/configtelemetry":
        defs["level"] = {"type": "string", "enum": ["none", "basic", "normal", "detailed"]}
    if rel == "config/configopaque":
        defs["map_list"] = {"anyOf": [dict(defs["map_list"]), {"type": "object", "additionalProperties":
                                                                 {"type": "string"}}]}
    if rel == "config/confighttp":
        props = defs["server_config"]["properties"]
        props.setdefault("transport", {"$ref": "/config/confignet.transport_type"})
        props.setdefault("dialer", {"$ref": "/config/confignet.dialer_config"})
