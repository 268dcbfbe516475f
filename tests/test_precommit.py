"""The pre-commit hooks, for real: `pre-commit run` in a temporary git repo with a good and a bad spec, its
`.pre-commit-config.yaml` pointing at a commit of a copy of this repository, as a user's config points at a tag.

pre-commit installs the hook's Python environment from that copy (pip, from PyPI) once for the module: its cache
(PRE_COMMIT_HOME) is shared by the tests. (`pre-commit try-repo` would install it again on every call: it keeps
its cache in a temporary folder.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES, ROOT, run_cli

GOOD = (FIXTURES / "lint" / "clean" / "clean.yaml").read_text(encoding="utf-8")
BAD = GOOD.replace("clean-agent", "bad-agent").replace(
    "routing_key_file: /etc/alertmanager/secrets/pagerduty", 'routing_key: "${PAGERDUTY_KEY}"')
GIT = ["git", "-c", "user.name=agentops-gen tests", "-c", "user.email=tests@example.com", "-c", "commit.gpgsign=false"]


def git(cwd: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, text=True)


def pre_commit_exe() -> list[str]:
    found = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    if found:
        return [found]
    import pre_commit  # noqa: F401  a test dependency: missing must fail, not skip

    return [sys.executable, "-m", "pre_commit"]


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's files (tracked and new, not ignored) committed into a fresh git repo."""
    repo = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file() and not rel.startswith("out/"):
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, repo / rel)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hooks under test")
    return repo


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """pre-commit's cache in a temporary folder, shared by the tests of this module (one install)."""
    cache = tmp_path_factory.mktemp("pre-commit-home")
    return {**os.environ, "PRE_COMMIT_HOME": str(cache), "PRE_COMMIT_COLOR": "never"}


def user_repo(tmp_path: Path, specs: dict[str, str], hook_repo: Path) -> Path:
    """A user's repository: a spec folder, its rendered out/ and a pre-commit config with both hooks at
    hook_repo's commit, all committed."""
    repo = tmp_path / "user"
    (repo / "slo_specs").mkdir(parents=True)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, check=True, capture_output=True,
                         text=True).stdout.strip()
    hooks = [{"id": "agentops-gen-lint"}, {"id": "agentops-gen-render-check"}]
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": str(hook_repo), "rev": rev, "hooks": hooks}]}), encoding="utf-8")
    for name, text in specs.items():
        (repo / "slo_specs" / name).write_text(text, encoding="utf-8")
    result = run_cli("render", "slo_specs", "--out", "out", cwd=repo)
    assert result.returncode == 0, result.stderr
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "specs")
    return repo


def run_hook(repo: Path, hook: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pre_commit_exe(), "run", hook, "--all-files"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=900)


def test_hooks_pass_on_a_good_spec(hook_repo: Path, env: dict[str, str], tmp_path: Path) -> None:
    repo = user_repo(tmp_path, {"clean-agent.yaml": GOOD}, hook_repo)
    for hook in ("agentops-gen-lint", "agentops-gen-render-check"):
        result = run_hook(repo, hook, env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Passed" in result.stdout


def test_lint_hook_fails_on_a_bad_spec_and_names_the_check(hook_repo: Path, env: dict[str, str],
                                                            tmp_path: Path) -> None:
    repo = user_repo(tmp_path, {"clean-agent.yaml": GOOD}, hook_repo)
    (repo / "slo_specs" / "bad-agent.yaml").write_text(BAD, encoding="utf-8")
    git(repo, "add", "-A")
    result = run_hook(repo, "agentops-gen-lint", env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "slo_specs/bad-agent.yaml:" in result.stdout and "error: alerting/env-placeholder:" in result.stdout


def test_render_check_hook_fails_when_out_is_stale(hook_repo: Path, env: dict[str, str], tmp_path: Path) -> None:
    repo = user_repo(tmp_path, {"clean-agent.yaml": GOOD}, hook_repo)
    spec = repo / "slo_specs" / "clean-agent.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("objective: 99.5", "objective: 99.9"), encoding="utf-8")
    git(repo, "add", "-A")
    result = run_hook(repo, "agentops-gen-render-check", env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "differs: out/prometheus/clean-agent.rules.yaml" in result.stdout
