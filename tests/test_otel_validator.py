"""The structural Collector validator: its component table, its schemas and the configs it must reject."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES

from agentops_gen.check.otel import (
    ALIASES,
    COMPONENTS,
    REMOVED,
    SCHEMA_FILES,
    SchemaSet,
    collector_problems,
    manifest_modules,
)

OTEL = FIXTURES / "otel"
INVALID = sorted((OTEL / "invalid").glob("*.yaml"))
VALID = sorted((OTEL / "valid").glob("*.yaml"))


@pytest.fixture(scope="session")
def manifest() -> frozenset[str]:
    """Go modules of the otelcol-contrib v0.159.0 release manifest (copied test data)."""
    return manifest_modules(yaml.safe_load((OTEL / "distributions" / "otelcol-contrib.manifest.yaml").read_text()))


@pytest.fixture(scope="session")
def schemas() -> SchemaSet:
    """The core components' config.schema.yaml files (copied test data)."""
    return SchemaSet(OTEL / "core-config-schema")


def expected(path: Path) -> str:
    """The message a negative fixture must produce, from its `# expect:` first line."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name}: first line must be `# expect: <message>`"
    return first.removeprefix("# expect: ")


def test_test_data_is_self_contained() -> None:
    """Tests run without ../shared: the copied data and its license and provenance are in the repo."""
    for name in ("LICENSE", "SOURCE.md", "components.yaml", "distributions/otelcol-contrib.manifest.yaml"):
        assert (OTEL / name).is_file(), name
    assert len(list((OTEL / "core-config-schema").rglob("config.schema.yaml"))) == 27


def test_every_known_component_ships_in_otelcol_contrib(manifest: frozenset[str]) -> None:
    """The built-in table (used at render time) names no module the release lacks."""
    for kind, table in COMPONENTS.items():
        for ctype, component in table.items():
            assert component.module in manifest, f"{kind}.{ctype}: {component.module}"


def test_table_agrees_with_components_yaml() -> None:
    """Renames and removals of the hand-compiled list are mirrored: new names known, old names refused."""
    data = yaml.safe_load((OTEL / "components.yaml").read_text())
    for kind in ("receivers", "processors", "exporters", "extensions", "connectors"):
        for ctype, info in data[kind].items():
            if info.get("removed"):
                assert (kind, ctype) in REMOVED, f"{kind}.{ctype} is removed upstream"
            elif info.get("new_type"):
                assert ALIASES[(kind, ctype)] == info["new_type"]
                assert info["new_type"] in COMPONENTS[kind]
            else:
                assert ctype in COMPONENTS[kind], f"{kind}.{ctype} missing from the table"


def test_every_schema_file_mapped_exists() -> None:
    for rel in SCHEMA_FILES.values():
        assert (OTEL / "core-config-schema" / rel / "config.schema.yaml").is_file(), rel


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_fixtures_pass(path: Path, manifest: frozenset[str], schemas: SchemaSet) -> None:
    assert collector_problems(yaml.safe_load(path.read_text()), manifest, schemas) == []


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixtures_are_rejected(path: Path, manifest: frozenset[str], schemas: SchemaSet) -> None:
    """Each negative fixture fails with its own message (not just any message)."""
    problems = collector_problems(yaml.safe_load(path.read_text()), manifest, schemas)
    assert any(expected(path) in p for p in problems), problems


def test_negative_fixtures_cover_the_brief() -> None:
    names = {p.stem for p in INVALID}
    assert {"loki-exporter", "logging-exporter", "unused-component", "undefined-component", "batch-not-last",
            "memory-limiter-not-first", "redaction-after-exporter"} <= names


def test_seed_collector_config_is_rejected(manifest: frozenset[str]) -> None:
    """AstraDesk's hand-written config (seed 000): removed loki exporter, batch first, no memory_limiter."""
    doc = yaml.safe_load((FIXTURES / "seed_mistakes" / "000-astradesk-otel-collector.yaml").read_text())
    text = "\n".join(collector_problems(doc, manifest))
    assert "exporters.loki: `loki` removed" in text
    assert "memory_limiter is required" in text
    assert "batch must be last" in text


def test_schema_closes_objects_but_accepts_squashed_keys(schemas: SchemaSet) -> None:
    """Keys from embedded structs (allOf) are allowed; a typo next to them is not."""
    ok = {"endpoint": "tempo:4317", "timeout": "5s", "tls": {"insecure": True}, "headers": {"x": "y"},
          "sending_queue": None, "retry_on_failure": {"enabled": True, "max_elapsed_time": "1m30s"}}
    assert schemas.problems("exporter/otlpexporter", ok) == []
    bad = schemas.problems("exporter/otlpexporter", {**ok, "endpiont": "x"})
    assert bad and "endpiont" in bad[0]


def test_schema_drift_patches(schemas: SchemaSet) -> None:
    """SOURCE.md's three drifts: level is a word, headers may be a map, http server takes transport."""
    assert schemas.problems("exporter/debugexporter", {"verbosity": "detailed"}) == []
    assert schemas.problems("exporter/debugexporter", {"verbosity": "loud"})
    http = {"endpoint": "x:1", "transport": "tcp"}
    assert schemas.problems("receiver/otlpreceiver", {"protocols": {"http": http}}) == []


@pytest.mark.skipif(shutil.which("otelcol-contrib") is None,
                    reason="no otelcol-contrib binary (PyPI, npm and Debian ship none; see docs/otel.md)")
def test_real_collector_validates_fixtures(tmp_path: Path) -> None:  # pragma: no cover - needs the binary
    import subprocess

    for path in VALID:
        result = subprocess.run(["otelcol-contrib", "validate", "--config", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
