"""Shared test helpers: the real tools (promtool, amtool), the CLI runner and the example specs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "slo_specs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def no_shared_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read or write the user's ~/.cache/agentops-gen: caches are off unless a test sets a folder."""
    from agentops_gen.cache import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, "")


def require_tool(name: str) -> str:
    """Path of a real tool; a missing tool fails under CI=true and skips only on a developer machine."""
    path = shutil.which(name)
    if path:
        return path
    message = (f"{name} is not installed (Debian: apt-get install prometheus prometheus-alertmanager; "
               "`make test` does it)")
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def promtool() -> str:
    """The promtool binary."""
    return require_tool("promtool")


@pytest.fixture(scope="session")
def amtool() -> str:
    """The amtool binary."""
    return require_tool("amtool")


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `agentops-gen ARGS` in a subprocess, exactly as a user would."""
    # caches off unless the test set a folder (session fixtures run before no_shared_cache)
    env = {"AGENTOPS_GEN_CACHE_DIR": "", **os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "agentops_gen", *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def rendered_examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """slo_specs/ rendered once into a temporary out/ folder for the whole session."""
    out = tmp_path_factory.mktemp("rendered") / "out"
    result = run_cli("render", str(SPECS), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def generated_tests(test_file: Path) -> list[Path]:
    """A service's generated test files: `<svc>.test.yaml` (1m) and every `<svc>.*.test.yaml` beside it (its
    coarse-step sibling and the files of the cases reading a few rule groups): `promtool test rules` takes all
    in one run."""
    service = test_file.name.removesuffix(".test.yaml")
    return [test_file, *sorted(p for p in test_file.parent.glob(f"{service}.*.test.yaml") if p != test_file)]


def render_spec(root: Path, spec: str) -> Path:
    """`spec` written as root/specs/svc.yaml and rendered into root/out: its out/prometheus folder."""
    (root / "specs").mkdir()
    (root / "specs/svc.yaml").write_text(spec)
    result = run_cli("render", "specs", "--out", "out", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "out/prometheus"


def promtool_tests(promtool: str, prometheus: Path) -> subprocess.CompletedProcess[str]:
    """`promtool test rules` over every generated test file of a rendered prometheus/ folder, in one run."""
    tests = sorted(str(p) for p in (prometheus / "tests").glob("*.test.yaml"))
    return subprocess.run([promtool, "test", "rules", *tests], capture_output=True, text=True, timeout=600)


def write_rules(rules: Path, text: str, original: str | None = None) -> None:
    """Write a (mutated) rule file and the test-only slices that the generated tests load (tests/rules/<svc>/:
    groups of the rule file with rules left out), as a render of those rules would: a mutation test then runs
    the generated files as they are, on the mutated rules. The mutation keeps every group's rules in number
    and order; a slice keeps the same rules (by position) of the mutated text (`original`: the unmutated
    rule file's text, when `rules` does not hold it)."""
    from agentops_gen.targets.rule_slices import group_chunks, rule_chunks

    def groups(block: str) -> list[tuple[str, list[str]]]:
        return [rule_chunks(chunk) for chunk in group_chunks(block)]

    before = groups((rules.read_text() if original is None else original).split("\ngroups:\n", 1)[1])
    after = groups(text.split("\ngroups:\n", 1)[1])
    assert [len(r) for _, r in before] == [len(r) for _, r in after], "a mutation must keep every rule in place"
    where = {head: i for i, (head, _) in enumerate(before)}
    rules.write_text(text)
    for part in (rules.parent / "tests" / "rules" / rules.name.removesuffix(".rules.yaml")).glob("*.rules.yaml"):
        head, body = part.read_text().split("\ngroups:\n", 1)
        out = []
        for group_head, kept in groups(body):
            i = where[group_head]
            positions, start = [], 0
            for rule in kept:
                start = before[i][1].index(rule, start) + 1
                positions.append(start - 1)
            out.append(after[i][0] + "".join(after[i][1][p] for p in positions))
        part.write_text(head + "\ngroups:\n" + "".join(out))


def promtool_test_subset(test_file: Path, keep: Callable[[dict[str, Any]], bool], name: str) -> Path:
    """A promtool test file holding only the generated cases of `test_file`'s service (from any of its files,
    generated_tests) that `keep` selects, unmodified, beside it; the selected cases must all come from files of
    one evaluation step. Cases of files loading other rule groups run on the whole rule file (a case's result
    does not depend on groups it does not read).

    Mutation tests run the cases that exercise the mutated rule instead of the whole file: promtool's cost is
    every rule at every evaluation of every case, and the other cases cannot see the mutation anyway."""
    found = []
    for path in generated_tests(test_file):
        doc = yaml.safe_load(path.read_text())
        tests = [case for case in doc["tests"] if keep(case)]
        if tests:
            found.append((doc, tests))
    assert found, f"no case of {test_file.name} (or the other files of its service) is selected"
    assert len({doc["evaluation_interval"] for doc, _ in found}) == 1, \
        f"cases of {test_file.name} selected from both evaluation steps"
    doc = found[0][0]
    if len({tuple(d["rule_files"]) for d, _ in found}) > 1:
        rules = test_file.parent.parent / f"{test_file.name.removesuffix('.test.yaml')}.rules.yaml"
        doc = {**doc, "rule_files": [f"../{rules.name}"],
               "group_eval_order": [g["name"] for g in yaml.safe_load(rules.read_text())["groups"]]}
    subset = test_file.with_name(name)
    subset.write_text(yaml.safe_dump({**doc, "tests": [t for _, tests in found for t in tests]}, sort_keys=False,
                                     width=10_000))
    return subset


def case_segments(case: dict[str, Any]) -> list[str]:
    """The parts of a generated case's name: packed cases join one description per alert with '; '."""
    return str(case["name"]).split("; ")


WAITS_LONGEST = "test_prometheus_e2e.py"
"""Waits about two minutes of real time for a `for: 2m` alert: started first, it waits while the others run."""


def _start_rank(item: pytest.Item) -> int:
    if item.path.name == WAITS_LONGEST:
        return 0
    if item.get_closest_marker("slow"):
        return 2  # real servers: mostly waiting, they overlap the CPU-bound tests on the extra worker
    if "promtool" in getattr(item, "fixturenames", ()):
        return 1  # promtool runs, the longest CPU-bound tests: early, so no worker starts one last
    return 3


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the run: the real-time wait, the promtool runs, the other real servers, the rest (file order
    within each). `make test`'s scheduler (below) hands the work out in this order as workers free up."""
    items.sort(key=_start_rank)  # stable


@cache
def _has_module_fixture(path: Path) -> bool:
    return path.suffix == ".py" and 'scope="module"' in path.read_text(encoding="utf-8")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadscope` for `make test`: a module with a module-scoped fixture (a Prometheus with backfilled
    data, a pre-commit install) is one unit, built once on one worker; any other test is a unit of its own,
    so the long promtool runs spread over the workers from the start. Other `--dist` modes are xdist's."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    root = config.rootpath

    class ModuleFixtureScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if _has_module_fixture(root / module) else nodeid

    return ModuleFixtureScheduling(config, log)
