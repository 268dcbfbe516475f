"""render and lint run one flow (agentops_gen.pipeline.build), so they agree on every bad input of the tests:
render exits 2 <=> lint reports an error, and lint reports an error at every FILE:LINE:COL render names."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentops_gen.cli import app
from tests.bad_inputs import BAD_INPUTS, BadInput
from tests.conftest import FIXTURES, SPECS

ERROR_LINE = re.compile(r"^(\S+:\d+:\d+): error: ")


def render_and_lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[str], set[str]]:
    """(render's exit code, render's error locations, lint's error-severity locations) for tmp_path/specs."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    render = runner.invoke(app, ["render", "specs", "--out", "out"])
    assert "Traceback" not in render.stderr
    where = [m.group(1) for m in map(ERROR_LINE.match, render.stderr.splitlines()) if m]
    lint = runner.invoke(app, ["lint", "specs", "--format", "json"])
    assert lint.exit_code in (0, 1), lint.stderr
    errors = {f"{f['file']}:{f['line']}:{f['column']}" for f in json.loads(lint.stdout)["findings"]
              if f["severity"] == "error"}
    return render.exit_code, where, errors


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[c.name for c in BAD_INPUTS])
def test_render_and_lint_agree_on_bad_input(case: BadInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case.build(tmp_path / "specs")
    code, render_errors, lint_errors = render_and_lint(tmp_path, monkeypatch)
    assert code == 2 and render_errors
    assert set(render_errors) <= lint_errors, f"lint misses {sorted(set(render_errors) - lint_errors)}"


@pytest.mark.parametrize("folder", [SPECS, FIXTURES / "lint" / "clean"], ids=["slo_specs", "lint-clean"])
def test_render_and_lint_agree_on_good_input(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(folder, tmp_path / "specs")
    code, render_errors, lint_errors = render_and_lint(tmp_path, monkeypatch)
    assert (code, render_errors, lint_errors) == (0, [], set())


def test_two_platform_files_stop_lint_before_rendering(tmp_path: Path) -> None:
    """The reported disagreement: lint used to keep the first platform file and render everything."""
    from agentops_gen.lint.runner import collect

    shutil.copytree(FIXTURES / "bad" / "two-platforms", tmp_path / "specs")
    findings, ctx = collect([tmp_path / "specs"])
    assert [(Path(f.location.file).name, f.check, f.severity) for f in findings] == [
        ("b-platform.yaml", "spec/duplicate-name", "error")]
    assert ctx.plan is None and ctx.rendered is None


def test_every_bad_fixture_folder_is_a_bad_input() -> None:
    """A folder added under tests/fixtures/bad is compared here too (BAD_INPUTS is built from test_bad_input.CASES)."""
    from tests.test_bad_input import CASES

    sources = {str(c.source) for c in CASES if c.source}
    folders = {f"bad/{d.name}" for d in (FIXTURES / "bad").iterdir() if d.is_dir()}
    assert folders and folders <= sources, sorted(folders - sources)
    assert {c.name for c in CASES} <= {b.name for b in BAD_INPUTS}
