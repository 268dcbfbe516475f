"""The README's quick start runs as written in a fresh copy, and leaves the committed demo out/ alone."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_cli

SKIPPED = ("make demo", "make test")
"""Build the venv from PyPI / run the whole suite: what every other test already covers."""


def quickstart_commands() -> list[str]:
    """The command lines of the README's quick start block, comments removed."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Quick start"):]
    block = re.search(r"```\n(.*?)```", section, flags=re.S)
    assert block is not None
    return [re.sub(r"\s+#.*$", "", line).strip() for line in block.group(1).splitlines() if line.strip()]


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_quick_start_runs_verbatim_and_keeps_the_demo_out(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    shutil.copytree(ROOT / "out", clone / "out")  # the committed demo render, as in a fresh clone
    shutil.copytree(ROOT / "slo_specs", clone / "slo_specs")
    shim = clone / ".venv" / "bin" / "agentops-gen"  # what `make demo` installs
    shim.parent.mkdir(parents=True)
    shim.write_text(f"#!/bin/sh\nPYTHONPATH={shlex.quote(str(ROOT))} exec {shlex.quote(sys.executable)} "
                    '-m agentops_gen "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    commands = quickstart_commands()
    assert [c for c in commands if c.startswith("make")] == list(SKIPPED)
    ran = 0
    for command in commands:
        if command in SKIPPED:
            continue
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=clone, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"
        ran += 1
    assert ran >= 4
    assert (clone / "specs" / "my-agent.yaml").is_file()
    assert _tree(clone / "out") == _tree(ROOT / "out"), "the quick start changed the committed out/"
    assert (ROOT / "out" / "prometheus").is_dir() and not re.search(r"--out out\b", " ".join(commands))


def test_starter_spec_has_no_lint_warnings(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    init = run_cli("init", "--service", "my-agent", "--owner", "ml-platform")
    assert init.returncode == 0, init.stderr
    (specs / "my-agent.yaml").write_text(init.stdout, encoding="utf-8")
    result = run_cli("lint", str(specs), "--fail-on", "info")
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def _yaml_block(text: str, begin: str) -> str:
    """The first ```yaml block after `begin` in a documentation page."""
    block = re.search(r"```yaml\n(.*?)```", text[text.index(begin):], flags=re.S)
    assert block is not None, begin
    return block.group(1)


def _render_and_lint(tmp_path: Path, spec: str) -> Path:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "example.yaml").write_text(spec, encoding="utf-8")
    result = run_cli("render", str(specs), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    lint = run_cli("lint", str(specs), "--fail-on", "info")
    assert lint.returncode == 0 and lint.stdout == "", lint.stdout + lint.stderr
    return tmp_path / "out"


def test_readme_full_example_renders_lint_clean_and_makes_what_it_says(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    out = _render_and_lint(tmp_path, _yaml_block(readme, "<!-- example:begin -->"))
    said = readme[readme.index("<!-- example:end -->"):readme.index("## Commands")]
    for path in re.findall(r"^- `([a-z]+/[^`]+\.(?:yaml|yml|json))`", said, flags=re.M):
        assert (out / path).is_file(), path
    rules = (out / "prometheus" / "support-agent.rules.yaml").read_text(encoding="utf-8")
    named = re.findall(r"`(SupportAgent\w+)`", said)
    assert len(named) >= 3
    for alert in [*named, "SupportAgentCostPerTaskAboveCritical"]:  # the README writes `...AboveCritical`
        assert f'alert: "{alert}"' in rules, alert
    assert "kpi:cost_per_task:value" in rules and (out / "runbooks" / "support-agent").is_dir()


def test_spec_reference_example_renders_lint_clean(tmp_path: Path) -> None:
    page = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
    _render_and_lint(tmp_path, _yaml_block(page, "## A short example"))
