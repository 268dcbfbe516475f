"""Generated OpenTelemetry Collector configs: what the spec asks for, accepted by the validator."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, SPECS

from agentops_gen.check.otel import SchemaSet, collector_problems, manifest_modules
from agentops_gen.check.outputs import OutputError, check_outputs
from agentops_gen.errors import SpecErrors
from agentops_gen.pipeline import plan_paths
from agentops_gen.targets import otel

OTEL = FIXTURES / "otel"
MANIFEST = manifest_modules(yaml.safe_load((OTEL / "distributions" / "otelcol-contrib.manifest.yaml").read_text()))

BASE_SPEC = """\
version: agentops-gen/v1
service: demo-agent
owner: demo-team
slos:
  - name: latency
    objective: 95
    sli:
      latency:
        histogram: req_duration_seconds{service="demo-agent"}
        threshold: 2s
  - name: slow-latency
    objective: 99
    sli:
      latency:
        histogram: req_duration_seconds{service="demo-agent"}
        threshold: 5s
"""


@pytest.fixture(scope="module")
def schemas() -> SchemaSet:
    return SchemaSet(OTEL / "core-config-schema")


def render_spec(tmp_path: Path, telemetry: str, head: str = BASE_SPEC) -> dict[str, Any]:
    """Render one spec with the given `telemetry:` block; the parsed collector config."""
    spec = tmp_path / "specs" / "demo.yaml"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(head + telemetry, encoding="utf-8")
    _, plan = plan_paths([spec])
    files = otel.render(plan)
    return yaml.safe_load(files["otel/demo-agent.collector.yaml"])


def spec_error(tmp_path: Path, telemetry: str) -> str:
    with pytest.raises(SpecErrors) as info:
        render_spec(tmp_path, telemetry)
    return "\n".join(e.format() for e in info.value.errors)


def statements(doc: dict[str, Any], processor: str, key: str) -> list[str]:
    return [s for group in doc["processors"][processor][key] for s in group["statements"]]


# --- the example specs -------------------------------------------------------------------------

def test_every_service_with_telemetry_gets_a_collector(rendered_examples: Path) -> None:
    with_telemetry = {p.stem for p in SPECS.glob("*.yaml") if "\ntelemetry:" in p.read_text()}
    rendered = {p.name.removesuffix(".collector.yaml") for p in (rendered_examples / "otel").glob("*.yaml")}
    assert with_telemetry and rendered == with_telemetry


def test_example_collectors_pass_the_validator(rendered_examples: Path, schemas: SchemaSet) -> None:
    """With the release manifest and the core schemas, which the render-time check does not load."""
    for path in sorted((rendered_examples / "otel").glob("*.yaml")):
        assert collector_problems(yaml.safe_load(path.read_text()), MANIFEST, schemas) == [], path.name


def test_support_agent_collector(rendered_examples: Path) -> None:
    """AstraDesk: errors + >8s + 10% kept, PII deleted everywhere, no loki exporter, cardinality dropped."""
    doc = yaml.safe_load((rendered_examples / "otel" / "support-agent.collector.yaml").read_text())
    policies = {p["type"]: p for p in doc["processors"]["tail_sampling"]["policies"]}
    assert policies["status_code"]["status_code"] == {"status_codes": ["ERROR"]}
    assert policies["latency"]["latency"] == {"threshold_ms": 8000}
    assert policies["probabilistic"]["probabilistic"] == {"sampling_percentage": 10}
    for key in ("trace_statements", "log_statements", "metric_statements"):
        assert 'delete_key(attributes, "user.email")' in statements(doc, "transform/redact", key)
    assert 'delete_key(attributes, "user_id")' in statements(doc, "transform/cardinality", "metric_statements")
    assert set(doc["exporters"]) == {"otlp_grpc/traces", "prometheus/metrics", "otlp_http/logs"}
    assert doc["exporters"]["otlp_http/logs"]["endpoint"] == "http://loki:3100/otlp"
    pipes = doc["service"]["pipelines"]
    assert pipes["traces"]["processors"] == ["memory_limiter", "tail_sampling", "transform/redact", "resource", "batch"]
    assert pipes["metrics"]["processors"] == ["memory_limiter", "transform/redact", "transform/cardinality",
                                              "resource", "batch"]
    assert doc["service"]["extensions"] == ["health_check"]
    assert doc["service"]["telemetry"]["metrics"]["readers"][0]["pull"]["exporter"]["prometheus"]["port"] == 8888
    resource = {a["key"]: a["value"] for a in doc["processors"]["resource"]["attributes"]}
    assert resource == {"service.name": "support-agent", "team": "agent-ops"}


# --- spec -> config ----------------------------------------------------------------------------

def test_latency_policy_defaults_to_the_strictest_latency_slo(tmp_path: Path) -> None:
    doc = render_spec(tmp_path, "telemetry:\n  traces: {export: {otlp: tempo:4317}}\n")
    policies = doc["processors"]["tail_sampling"]["policies"]
    assert [p["name"] for p in policies] == ["keep-errors", "keep-slow", "sample-rest"]
    assert policies[1]["latency"] == {"threshold_ms": 2000}


def test_keep_slower_than_overrides_the_slo(tmp_path: Path) -> None:
    doc = render_spec(tmp_path, "telemetry:\n  traces: {keep_slower_than: 1500ms, export: {otlp: tempo:4317}}\n")
    assert doc["processors"]["tail_sampling"]["policies"][1]["latency"] == {"threshold_ms": 1500}


def test_no_latency_policy_without_a_threshold(tmp_path: Path) -> None:
    head = "version: agentops-gen/v1\nservice: demo-agent\nowner: demo-team\n"
    doc = render_spec(tmp_path, "telemetry:\n  traces: {keep_errors: false, sample_percent: 25, "
                                "export: {otlp_grpc: tempo:4317}}\n", head)
    assert doc["processors"]["tail_sampling"]["policies"] == [
        {"name": "sample-rest", "type": "probabilistic", "probabilistic": {"sampling_percentage": 25}}]


def test_hash_mode_hashes_strings_and_deletes_the_rest(tmp_path: Path) -> None:
    doc = render_spec(tmp_path, "telemetry:\n  logs: {export: {otlphttp: http://loki:3100/otlp}}\n"
                                "  redact: [user.email]\n  redact_mode: hash\n")
    stmts = statements(doc, "transform/redact", "log_statements")
    assert 'set(attributes["user.email"], SHA256(attributes["user.email"])) where IsString(attributes["user.email"])' \
        in stmts
    assert 'delete_key(attributes, "user.email") where not IsString(attributes["user.email"])' in stmts
    assert [g["context"] for g in doc["processors"]["transform/redact"]["log_statements"]] == ["resource", "log"]


def test_odd_attribute_keys_are_quoted_for_ottl(tmp_path: Path) -> None:
    doc = render_spec(tmp_path, "telemetry:\n  logs: {export: {otlphttp: http://loki:3100/otlp}}\n"
                                "  redact: ['a\"b\\c']\n")
    assert 'delete_key(attributes, "a\\"b\\\\c")' in statements(doc, "transform/redact", "log_statements")


def test_exporter_names_and_tls(tmp_path: Path) -> None:
    """Old spellings map to the current type names; `insecure` turns TLS off for host:port gRPC only."""
    doc = render_spec(tmp_path, "telemetry:\n  insecure: true\n  traces: {export: {otlp: tempo:4317, "
                                "otlphttp/backup: https://backup:4318}}\n  logs: {export: {otlp: loki:4317}}\n"
                                "  debug: true\n")
    assert doc["exporters"]["otlp_grpc/traces"]["tls"] == {"insecure": True}
    assert "tls" not in doc["exporters"]["otlp_http/traces-backup"]
    assert doc["service"]["pipelines"]["logs"]["exporters"] == ["otlp_grpc/logs", "debug"]
    assert doc["exporters"]["debug"] == {"verbosity": "basic"}


def test_no_redaction_processor_without_keys(tmp_path: Path) -> None:
    doc = render_spec(tmp_path, "telemetry:\n  metrics: {export: {prometheusremotewrite: http://p:9090/api/v1/write}}\n")
    assert "transform/redact" not in doc["processors"] and "transform/cardinality" not in doc["processors"]
    assert doc["service"]["pipelines"]["metrics"]["processors"] == ["memory_limiter", "resource", "batch"]


@pytest.mark.parametrize("telemetry, message", [
    ("  logs: {export: {loki: http://loki:3100/loki/api/v1/push}}\n", "exporter `loki` was removed"),
    ("  logs: {export: {logging: x}}\n", "exporter `logging` was removed"),
    ("  metrics: {export: {otlphttp: x, tempo: y}}\n", "metrics exporter 'tempo' is not one of"),
    ("  traces: {export: {prometheus: 0.0.0.0:9464}}\n", "traces exporter 'prometheus' is not one of"),
    ("  traces: {}\n", "`export` is empty"),
    ("  redact: [user.email]\n", "set at least one of traces, metrics, logs"),
])
def test_spec_errors(tmp_path: Path, telemetry: str, message: str) -> None:
    assert message in spec_error(tmp_path, "telemetry:\n" + telemetry)


# --- the validator guards the real output --------------------------------------------------------

def _mutations() -> list[tuple[str, Any, str]]:
    def drop_redaction_from_logs(doc: dict[str, Any]) -> None:
        doc["service"]["pipelines"]["logs"]["processors"].remove("transform/redact")

    def batch_first(doc: dict[str, Any]) -> None:
        procs = doc["service"]["pipelines"]["traces"]["processors"]
        procs.insert(0, procs.pop())

    def loki(doc: dict[str, Any]) -> None:
        doc["exporters"]["loki"] = doc["exporters"].pop("otlp_http/logs")
        doc["service"]["pipelines"]["logs"]["exporters"] = ["loki"]

    def unused(doc: dict[str, Any]) -> None:
        doc["processors"]["attributes/extra"] = {"actions": []}

    return [("redaction", drop_redaction_from_logs, "before any redaction processor"),
            ("batch", batch_first, "batch must be last"), ("loki", loki, "`loki` removed"),
            ("unused", unused, "defined but not used")]


@pytest.mark.parametrize("name, mutate, message", _mutations(), ids=[m[0] for m in _mutations()])
def test_validator_rejects_broken_variants_of_real_output(rendered_examples: Path, name: str, mutate: Any,
                                                          message: str) -> None:
    doc = yaml.safe_load((rendered_examples / "otel" / "support-agent.collector.yaml").read_text())
    broken = copy.deepcopy(doc)
    mutate(broken)
    assert any(message in p for p in collector_problems(broken, MANIFEST)), name


def test_render_check_stage_rejects_a_bad_collector() -> None:
    """check_outputs runs the validator on otel/*.yaml, so a template bug fails the render."""
    bad = (OTEL / "invalid" / "loki-exporter.yaml").read_text()
    with pytest.raises(OutputError, match="loki"):
        check_outputs({"otel/x.collector.yaml": bad})


def test_decision_wait_is_configurable_for_long_llm_traces(tmp_path: Path, schemas: SchemaSet) -> None:
    default = render_spec(tmp_path / "a", "telemetry:\n  traces: {export: {otlp: tempo:4317}}\n")
    assert default["processors"]["tail_sampling"]["decision_wait"] == "10s"
    doc = render_spec(tmp_path / "b", "telemetry:\n  traces: {decision_wait: 5m, export: {otlp: tempo:4317}}\n")
    assert doc["processors"]["tail_sampling"]["decision_wait"] == "5m"
    assert collector_problems(doc, MANIFEST, schemas) == []


GRAFANA_CLOUD = """\
telemetry:
  metrics:
    export:
      otlphttp/grafana-cloud:
        endpoint: https://otlp-gateway-prod-eu-west-2.grafana.net/otlp
        headers_file: {Authorization: /etc/otel/secrets/grafana-cloud-auth}
      prometheusremotewrite/mimir:
        endpoint: https://mimir.example.com/api/v1/push
        headers_file: {X-Scope-OrgID: /etc/otel/secrets/mimir-tenant}
        ca_file: /etc/otel/tls/ca.pem
        cert_file: /etc/otel/tls/client.pem
        key_file: /etc/otel/tls/client-key.pem
  traces: {export: {otlp: tempo:4317}}
  insecure: true
"""


def test_exporter_headers_and_tls_from_files(tmp_path: Path, schemas: SchemaSet) -> None:
    doc = render_spec(tmp_path, GRAFANA_CLOUD)
    cloud = doc["exporters"]["otlp_http/metrics-grafana-cloud"]
    assert cloud == {"endpoint": "https://otlp-gateway-prod-eu-west-2.grafana.net/otlp",
                     "headers": {"Authorization": "${file:/etc/otel/secrets/grafana-cloud-auth}"}}
    mimir = doc["exporters"]["prometheusremotewrite/metrics-mimir"]
    assert mimir["headers"] == {"X-Scope-OrgID": "${file:/etc/otel/secrets/mimir-tenant}"}
    assert mimir["tls"] == {"ca_file": "/etc/otel/tls/ca.pem", "cert_file": "/etc/otel/tls/client.pem",
                            "key_file": "/etc/otel/tls/client-key.pem"}
    assert doc["exporters"]["otlp_grpc/traces"]["tls"] == {"insecure": True}  # the short form is unchanged
    assert collector_problems(doc, MANIFEST, schemas) == []


@pytest.mark.parametrize(("entry", "message"), [
    ("{endpoint: https://m/push, headers_file: {X-Scope-OrgID: secrets/tenant}}", "must be an absolute path"),
    ("{endpoint: https://m/push, headers_file: {'Bad Header': /s}}", "is not an HTTP header name"),
    ("{endpoint: https://m/push, cert_file: /c.pem}", "set cert_file and key_file together"),
    ("{endpoint: http://m/push, ca_file: /ca.pem}", "an http:// endpoint does not use TLS"),
    ("{endpoint: https://m/push, token: x}", "token"),
])
def test_exporter_long_form_errors(tmp_path: Path, entry: str, message: str) -> None:
    assert message in spec_error(tmp_path, f"telemetry:\n  metrics: {{export: {{prometheusremotewrite: {entry}}}}}\n")


def test_exporter_long_form_error_is_one_located_line(tmp_path: Path) -> None:
    from conftest import run_cli

    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "demo.yaml").write_text(BASE_SPEC + "telemetry:\n  metrics:\n    export:\n      otlphttp:\n"
                                     "        endpoint: https://m/otlp\n        cert_file: /c.pem\n", encoding="utf-8")
    result = run_cli("render", str(specs), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and not (tmp_path / "out").exists()
    line = len(BASE_SPEC.splitlines()) + 5  # the mapping under `otlphttp:` (its `endpoint:` line)
    assert result.stderr.splitlines() == [f"{specs / 'demo.yaml'}:{line}:9: error: telemetry.metrics.export.otlphttp: "
                                          "set cert_file and key_file together (a client certificate needs its key)"]
