"""`agentops-gen lint` as CI runs it: formats, exit codes, --disable, --fail-on and suppression comments."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from agentops_gen.lint.registry import registry
from tests.conftest import FIXTURES, ROOT, SPECS, run_cli

CLEAN = FIXTURES / "lint" / "clean"
SUPPRESSED = FIXTURES / "lint" / "suppressed"
SEED = FIXTURES / "seed_mistakes" / "mistakes.spec.yaml"
TEXT_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|info): "
                       r"(?P<check>[a-z]+/[a-z0-9-]+): (?P<msg>.+) \((?P<docs>docs/checks/[a-z0-9-]+\.md)\)$")


def test_examples_have_no_error_findings() -> None:
    result = run_cli("lint", "slo_specs")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": error: " not in result.stdout


def test_clean_spec_exits_0_even_with_fail_on_info() -> None:
    result = run_cli("lint", str(CLEAN), "--fail-on", "info")
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr


def test_text_format_names_file_line_column_severity_check_and_docs_page() -> None:
    result = run_cli("lint", str(SEED))
    lines = result.stdout.splitlines()
    assert lines and all(TEXT_LINE.match(line) for line in lines), lines
    for line in lines:
        m = TEXT_LINE.match(line)
        assert m is not None and (ROOT / m["docs"]).is_file(), m["docs"] if m else line
        assert m["docs"] == f"docs/checks/{m['check'].replace('/', '-')}.md"
    assert re.search(r"\d+ errors?, \d+ warnings?", result.stderr)


def test_json_format_follows_the_documented_schema() -> None:
    import jsonschema  # a test dependency: missing means a broken setup, which must fail, not skip
    result = run_cli("lint", str(SEED), "--format", "json")
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, json.loads((ROOT / "docs" / "checks" / "lint-output.schema.json").read_text()))
    assert doc["version"] == 1
    assert doc["summary"]["error"] == sum(f["severity"] == "error" for f in doc["findings"]) > 0
    first = doc["findings"][0]
    assert set(first) == {"file", "line", "column", "severity", "check", "message", "docs"}


def test_github_format_is_workflow_commands() -> None:
    result = run_cli("lint", str(SEED), "--format", "github")
    lines = result.stdout.splitlines()
    assert lines and all(re.match(r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,title=[a-z]+/[a-z0-9-]+::.+",
                                  line) for line in lines), lines
    assert any(line.startswith("::error ") and "title=alerting/env-placeholder::" in line for line in lines)


def test_sarif_format_is_2_1_0_with_every_check_as_a_rule() -> None:
    result = run_cli("lint", str(SEED), "--format", "sarif")
    doc = json.loads(result.stdout)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == list(registry())
    for res in run["results"]:
        assert rules[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1


def test_disable_drops_a_check_or_a_group() -> None:
    full = run_cli("lint", str(SEED)).stdout
    assert "alerting/env-placeholder" in full
    one = run_cli("lint", str(SEED), "--disable", "alerting/env-placeholder").stdout
    assert "alerting/env-placeholder" not in one and "alerting/inline-secret" in one
    group = run_cli("lint", str(SEED), "--disable", "alerting", "--disable", "promql").stdout
    assert "alerting/" not in group and "promql/" not in group and "spec/schema" in group


def test_fail_on_sets_the_lowest_failing_severity() -> None:
    assert run_cli("lint", str(SUPPRESSED)).returncode == 0  # warnings only
    assert run_cli("lint", str(SUPPRESSED), "--fail-on", "warning").returncode == 1


@pytest.mark.parametrize("args", [["lint", "no/such/folder"], ["lint", "slo_specs", "--format", "xml"],
                                  ["lint", "slo_specs", "--fail-on", "fatal"],
                                  ["lint", "slo_specs", "--disable", "promql/no-such-check"]])
def test_usage_errors_and_unreadable_paths_exit_2(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr


def test_yaml_errors_are_findings_with_exit_1(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("version: agentops-gen/v1\nservice: [\n", encoding="utf-8")
    result = run_cli("lint", str(tmp_path / "broken.yaml"))
    assert result.returncode == 1
    assert re.search(r"broken\.yaml:3:1: error: spec/yaml: .*invalid YAML", result.stdout), result.stdout


def test_suppression_on_the_line_or_the_line_above_and_unused_ones_reported() -> None:
    result = run_cli("lint", str(SUPPRESSED), "--format", "json")
    findings = [(f["line"], f["check"]) for f in json.loads(result.stdout)["findings"]]
    # line 10 (same line) and line 17 (directive alone on line 16) are suppressed
    assert findings == [(21, "lint/unused-suppression"), (24, "lint/unused-suppression")]
    messages = [f["message"] for f in json.loads(result.stdout)["findings"]]
    assert "suppresses no finding" in messages[0] and "names no check" in messages[1]


def test_without_the_comments_the_suppressed_findings_come_back(tmp_path: Path) -> None:
    text = (SUPPRESSED / "suppressed.yaml").read_text(encoding="utf-8")
    (tmp_path / "s.yaml").write_text(re.sub(r"#\s*agentops-gen: disable=\S+", "", text), encoding="utf-8")
    result = run_cli("lint", str(tmp_path / "s.yaml"), "--format", "json")
    found = {(f["line"], f["check"]) for f in json.loads(result.stdout)["findings"]}
    assert found == {(10, "promql/counter-without-rate"), (17, "promql/rate-non-counter")}


def test_disabled_check_suppressions_are_not_reported_as_unused() -> None:
    result = run_cli("lint", str(SUPPRESSED), "--disable", "promql", "--format", "json")
    found = [(f["line"], f["check"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [(24, "lint/unused-suppression")]  # the unknown name is still reported


def test_lint_never_imports_jsonschema() -> None:
    code = ("import sys; from pathlib import Path; from agentops_gen.lint.runner import lint; "
            "lint([Path('slo_specs')], disabled=set()); print('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, check=True).stdout
    assert out.strip() == "False"


def test_lint_of_one_file_still_sees_the_whole_folder(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    text = (CLEAN / "clean.yaml").read_text(encoding="utf-8")
    (folder / "a.yaml").write_text(text, encoding="utf-8")
    (folder / "b.yaml").write_text(text, encoding="utf-8")
    result = run_cli("lint", str(folder / "b.yaml"))
    assert result.returncode == 1
    assert re.search(r"b\.yaml:3:10: error: spec/duplicate-name: service 'clean-agent' is already defined in .*a\.yaml",
                     result.stdout), result.stdout
    assert "a.yaml:" not in result.stdout.replace("defined in", "")


def test_all_examples_are_linted_including_their_rendered_outputs() -> None:
    from agentops_gen.lint.runner import collect

    _findings, ctx = collect([SPECS])
    assert ctx.render_error is None and ctx.rendered
    assert any(p.startswith("prometheus/") for p in ctx.rendered)
