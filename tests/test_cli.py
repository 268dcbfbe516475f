"""The CLI as CI uses it: exit codes, --check, determinism, --version/--help, schema, init, lint."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import FIXTURES, ROOT, SPECS, run_cli

from agentops_gen import __version__

GOOD = FIXTURES / "include" / "good"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stamps(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in sorted(folder.rglob("*"))}


@pytest.fixture()
def rendered(tmp_path: Path) -> Path:
    """A spec folder rendered into tmp/out (cwd tmp, so paths print as specs/... and out/...)."""
    shutil.copytree(GOOD, tmp_path / "specs")
    result = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"wrote {len(tree(tmp_path / 'out'))} files to out\n"
    return tmp_path


# --- render --check -------------------------------------------------------------------------------------


def test_check_is_clean_after_render(rendered: Path) -> None:
    before = stamps(rendered / "out")
    result = run_cli("render", "specs", "--out", "out", "--check", cwd=rendered)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert stamps(rendered / "out") == before


def test_check_lists_differing_missing_stale_and_foreign_files_and_writes_nothing(rendered: Path) -> None:
    out = rendered / "out"
    rules = out / "prometheus" / "checkout-agent.rules.yaml"
    rules.write_text(rules.read_text() + "# hand edit\n")
    deleted = out / next(name for name in sorted(tree(out)) if not name.startswith(("prometheus/", ".")))
    deleted.unlink()
    pretend_generated_before(out, "prometheus/old-service.rules.yaml")
    (out / "notes.txt").write_text("mine\n")
    before, files_before = stamps(out), tree(out)

    result = run_cli("render", "specs", "--out", "out", "--check", cwd=rendered)

    assert result.returncode == 1
    assert result.stdout.splitlines() == sorted([
        f"missing: {deleted.relative_to(rendered).as_posix()}",
        "differs: out/.agentops-gen.manifest",
        "differs: out/prometheus/checkout-agent.rules.yaml",
        "stale:   out/prometheus/old-service.rules.yaml",
        "foreign: out/notes.txt",
    ], key=lambda line: line.split(":", 1)[1].lstrip())
    assert result.stderr == ("5 file(s) out of date; move the 1 foreign file(s) out of out, then run: "
                             "agentops-gen render specs --out out\n")
    assert stamps(out) == before and tree(out) == files_before


def pretend_generated_before(out: Path, rel: str) -> None:
    """Put a file into out/ as an earlier render that generated it would have (listed in the manifest)."""
    (out / rel).write_text("groups: []\n")
    with (out / ".agentops-gen.manifest").open("a") as manifest:
        manifest.write(rel + "\n")


def test_check_against_a_missing_out_creates_nothing(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "specs")
    result = run_cli("render", "specs", "--out", "never", "--check", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout and all(line.startswith("missing: never/") for line in result.stdout.splitlines())
    assert not (tmp_path / "never").exists()


def test_render_removes_stale_files(rendered: Path) -> None:
    stale = rendered / "out" / "prometheus" / "old-service.rules.yaml"
    pretend_generated_before(rendered / "out", "prometheus/old-service.rules.yaml")
    assert run_cli("render", "specs", "--out", "out", cwd=rendered).returncode == 0
    assert not stale.exists()
    assert run_cli("render", "specs", "--out", "out", "--check", cwd=rendered).returncode == 0


def test_failed_render_leaves_previous_out_intact(rendered: Path) -> None:
    before = tree(rendered / "out")
    spec = rendered / "specs" / "svc.yaml"
    spec.write_text(spec.read_text().replace("owner: team-a", "owner: team-a\nperiod: 30days"))
    result = run_cli("render", "specs", "--out", "out", cwd=rendered)
    assert result.returncode == 2
    assert result.stderr == ("specs/svc.yaml:4:9: error: period: must be a Prometheus duration such as 5m, "
                             "1h30m or 28d (got '30days')\n")
    assert tree(rendered / "out") == before
    assert sorted(p.name for p in rendered.iterdir()) == ["out", "specs"]


def test_out_inside_the_spec_folder_is_a_usage_error(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "specs")
    for out in ("specs", "specs/out", "."):
        result = run_cli("render", "specs", "--out", out, cwd=tmp_path)
        assert result.returncode == 2, out
        assert result.stderr.startswith(f"agentops-gen: error: --out {out}: ")
    assert tree(tmp_path / "specs") == tree(GOOD)


# --- determinism --------------------------------------------------------------------------------------


def _render(specs: Path, out: Path, seed: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed}
    result = subprocess.run([sys.executable, "-m", "agentops_gen", "render", str(specs), "--out", str(out)],
                            env=env, capture_output=True, text=True, timeout=120, cwd=out.parent)
    assert result.returncode == 0, result.stderr


def test_render_twice_is_byte_identical(tmp_path: Path) -> None:
    """Same input, same bytes: no timestamps, stable order, under any hash seed (set/dict order)."""
    specs = tmp_path / "specs"
    shutil.copytree(GOOD, specs)
    shutil.copy(FIXTURES / "bad/duplicate-service/a.yaml", specs / "billing.yaml")
    (specs / "billing.yaml").write_text((specs / "billing.yaml").read_text().replace("checkout-agent",
                                                                                      "billing-agent"))
    _render(specs, tmp_path / "a", "1")
    _render(specs, tmp_path / "b", "2")
    _render(specs, tmp_path / "c", "1")
    a = tree(tmp_path / "a")
    assert len(a) > 3
    assert a == tree(tmp_path / "b") == tree(tmp_path / "c")


def test_example_specs_render_identically_under_two_hash_seeds(tmp_path: Path) -> None:
    _render(SPECS, tmp_path / "a", "1")
    _render(SPECS, tmp_path / "b", "2")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


# --- --version, --help, usage errors ------------------------------------------------------------------


def test_version() -> None:
    result = run_cli("--version")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"agentops-gen {__version__}\n", "")


def test_top_level_help_lists_every_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    commands = result.stdout.split("Commands:", 1)[1].split()
    for command in ("render", "lint", "schema", "init"):
        assert command in commands


@pytest.mark.parametrize(("command", "example"), [
    ("render", "Example: agentops-gen render slo_specs --out out"),
    ("lint", "Example: agentops-gen lint slo_specs"),
    ("schema", "Example: agentops-gen schema > agentops-gen.schema.json"),
    ("init", "Example: agentops-gen init --service support-agent > slo_specs/support-agent.yaml"),
])
def test_each_command_help_shows_an_example(command: str, example: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0
    # on one line, never re-wrapped (a wrapped example breaks copy and paste)
    assert any(line.strip().startswith(example) for line in result.stdout.splitlines()), result.stdout


@pytest.mark.parametrize("args", [
    ("render",),
    ("render", "specs", "--no-such-option"),
    ("no-such-command",),
    ("render", "specs", "--out"),
])
def test_usage_errors_exit_2(args: tuple[str, ...], tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "specs")
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Error:" in result.stderr or "Usage:" in result.stderr
    assert not (tmp_path / "out").exists()


def test_unreadable_paths_exit_2(tmp_path: Path) -> None:
    result = run_cli("render", "nope", "--out", "out", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, "agentops-gen: error: nope: no such file or directory\n")
    (tmp_path / "notes.txt").write_text("x")
    result = run_cli("render", "notes.txt", "--out", "out", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, "agentops-gen: error: notes.txt: not a .yaml/.yml spec file\n")
    assert not (tmp_path / "out").exists()


def test_unreadable_spec_file_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A spec that cannot be read (EACCES; simulated, since root reads any file) is one error line, exit 2."""
    from typer.testing import CliRunner

    from agentops_gen.cli import app

    shutil.copytree(GOOD, tmp_path / "specs")
    spec = (tmp_path / "specs" / "svc.yaml").resolve()
    real_open = os.open

    def os_open(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: int) -> int:
        if Path(path).resolve() == spec:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["render", "specs", "--out", "out"])
    assert result.exit_code == 2
    assert "Permission denied" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


# --- schema ---------------------------------------------------------------------------------------------


def test_schema_is_json_schema_accepting_the_examples_and_rejecting_typos() -> None:
    from agentops_gen.load.yaml_loader import load_file
    from agentops_gen.spec.validate import discover

    result = run_cli("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    examples = discover(SPECS)
    assert len(examples) >= 5, "slo_specs/ has one spec per reference platform"
    for path in examples + [GOOD / "svc.yaml"]:
        data = load_file(path, path.parent if path.parent != SPECS else SPECS).data
        problems = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(data)]
        assert problems == [], path
    typo = load_file(FIXTURES / "bad/typo-key/svc.yaml", FIXTURES / "bad/typo-key").data
    assert not validator.is_valid(typo)
    # one receiver mapping or a list, one receiver name or a list, numbers as label values: as the loader accepts
    lone = {"version": "agentops-gen/v1", "service": "a", "owner": "b", "labels": {"tier": 1},
            "notify": {"critical": "pager"},
            "receivers": {"pager": {"pagerduty": {"routing_key_file": "/etc/alertmanager/secrets/pd"}}}}
    assert [e.message for e in validator.iter_errors(lone)] == []


# --- init -----------------------------------------------------------------------------------------------


def test_init_output_renders_and_passes_promtool(tmp_path: Path, promtool: str) -> None:
    result = run_cli("init", "--service", "checkout-agent", "--owner", "payments")
    assert result.returncode == 0, result.stderr
    assert "service: checkout-agent" in result.stdout and "owner: payments" in result.stdout
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "checkout-agent.yaml").write_text(result.stdout)
    rendered = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    rules = tmp_path / "out" / "prometheus" / "checkout-agent.rules.yaml"
    check = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "SUCCESS" in check.stdout


def test_init_rejects_bad_names() -> None:
    result = run_cli("init", "--service", "Checkout_Agent")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("agentops-gen: error: --service and --owner must be kebab-case")


# --- lint -----------------------------------------------------------------------------------------------


def test_lint_reports_a_bad_spec_as_a_finding(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "bad/typo-key", tmp_path / "specs")
    result = run_cli("lint", "specs", cwd=tmp_path)
    assert result.returncode == 1
    assert ("specs/svc.yaml:6:5: error: spec/schema: slos[0].objetive: unknown key 'objetive' "
            "(did you mean 'objective'?)") in result.stdout
    assert "Traceback" not in result.stderr


def test_lint_reports_bad_yaml_as_a_finding(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "bad/duplicate-key", tmp_path / "specs")
    result = run_cli("lint", "specs", cwd=tmp_path)
    assert result.returncode == 1
    assert "specs/svc.yaml:4:1: error: spec/yaml: service: duplicate key 'service'" in result.stdout


def test_lint_on_a_missing_path_exits_2(tmp_path: Path) -> None:
    result = run_cli("lint", "nope", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "agentops-gen: error: nope: no such file or directory\n"


def test_a_service_without_slos_renders_valid_rules(tmp_path: Path, promtool: str) -> None:
    """No SLO, KPI or alert yet: the rules file is `groups: []` (was `groups:` = null, an internal error)."""
    shutil.copytree(FIXTURES / "bad/duplicate-service", tmp_path / "specs")
    (tmp_path / "specs" / "b.yaml").unlink()
    result = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rules = tmp_path / "out" / "prometheus" / "checkout-agent.rules.yaml"
    assert rules.read_text().splitlines()[-1] == "groups: []"
    check = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
