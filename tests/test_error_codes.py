"""Errors reach their lint check by code (SpecError.code, set where the error is made), never by message text."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

import agentops_gen.pipeline
from agentops_gen.errors import SpecError
from agentops_gen.lint.registry import check_of, registry
from agentops_gen.lint.runner import collect
from agentops_gen.pipeline import Build, build
from tests.bad_inputs import BAD_INPUTS
from tests.conftest import FIXTURES

EXPECTED = {
    "duplicate-key": "spec/yaml", "tab-indentation": "spec/yaml", "alias-bomb": "spec/yaml",
    "depth-10000": "spec/yaml", "non-mapping-root": "spec/yaml", "empty-file": "spec/yaml", "not-utf8": "spec/yaml",
    "include-absolute": "spec/yaml", "include-cycle": "spec/yaml", "include-missing": "spec/yaml",
    "typo-key": "spec/schema", "objective-range": "spec/schema", "invalid-duration": "spec/schema",
    "anomaly-short-baseline": "spec/period-window", "for-longer-than-period": "spec/period-window",
    "bad-alert-expr": "promql/syntax", "ratio-selector-expression": "promql/syntax",
    "unknown-receiver": "spec/unknown-receiver", "two-platforms": "spec/duplicate-name",
    "duplicate-service": "spec/duplicate-name", "threshold-not-in-buckets": "slo/bucket-boundary",
    "inline-secret": "alerting/inline-secret", "env-placeholder": "alerting/env-placeholder",
    "relative-secret-file": "alerting/relative-file-path",
}
"""The check each bad input's error belongs to (each of these cases has errors of one check only)."""

CASES = {c.name: c for c in BAD_INPUTS}


def errors_of(name: str, tmp_path: Path) -> list[SpecError]:
    CASES[name].build(tmp_path / "specs")
    return build([tmp_path / "specs"]).errors


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_error_carries_the_code_of_its_check(name: str, tmp_path: Path) -> None:
    errors = errors_of(name, tmp_path)
    assert errors and {check_of(e) for e in errors} == {EXPECTED[name]}
    # the message plays no part: any rewording files the error under the same check
    assert {check_of(dataclasses.replace(e, message="reworded")) for e in errors} == {EXPECTED[name]}


def test_every_code_names_a_registered_check(tmp_path: Path) -> None:
    codes: set[str] = set()
    for i, case in enumerate(BAD_INPUTS):
        case.build(tmp_path / str(i) / "specs")
        codes.update(e.code for e in build([tmp_path / str(i) / "specs"]).errors)
    assert codes - {""} <= set(registry())
    assert len(codes) >= 9  # the loader's, the models' and the cross-file codes all occur


def test_rewording_every_message_moves_no_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """lint over a folder with errors of many checks, once as is and once with every error message reworded."""
    specs = tmp_path / "specs"
    specs.mkdir()
    for i, name in enumerate(["unknown-receiver", "threshold-not-in-buckets", "bad-alert-expr", "inline-secret",
                              "anomaly-short-baseline", "env-placeholder", "relative-secret-file"]):
        CASES[name].build(tmp_path / name)
        text = (tmp_path / name / "svc.yaml").read_text().replace("checkout-agent", f"agent-{i}")
        (specs / f"s{i}.yaml").write_text(text)
    shutil.copy(FIXTURES / "bad" / "duplicate-key" / "svc.yaml", specs / "yaml.yaml")

    def checks() -> list[tuple[str, int, int, str]]:
        findings, _ = collect([specs])
        return [(Path(f.location.file).name, f.location.line, f.location.col, f.check) for f in findings]

    before = checks()
    real_build = agentops_gen.pipeline.build

    def reworded(paths: list[Path], targets: tuple[str, ...] | None = None) -> Build:
        result = real_build(paths, targets)
        result.errors = [dataclasses.replace(e, message=f"reworded {i}") for i, e in enumerate(result.errors)]
        return result

    monkeypatch.setattr(agentops_gen.pipeline, "build", reworded)
    after = checks()
    assert after == before
    assert {c for *_, c in before} >= {"spec/unknown-receiver", "slo/bucket-boundary", "promql/syntax",
                                       "alerting/inline-secret", "spec/period-window", "alerting/env-placeholder",
                                       "alerting/relative-file-path", "spec/yaml"}
    assert "spec/schema" not in {c for *_, c in before}
