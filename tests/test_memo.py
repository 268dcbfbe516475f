"""The results memo: reused across runs only while inputs and code are unchanged, invisible in the output."""

from __future__ import annotations

import marshal
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentops_gen import memo, parallel
from agentops_gen.cache import CACHE_ENV
from agentops_gen.check import outputs
from agentops_gen.check.outputs import OutputError, check_outputs
from agentops_gen.pipeline import render_paths
from agentops_gen.targets import prom_tests
from tests.conftest import SPECS


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private cache folder that this process may write to; the memo is re-read around each test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setenv(parallel.JOBS_ENV, "1")
    memo.reset()
    yield folder
    memo.reset()


def _new_run() -> None:
    """What a new process sees: nothing in memory, whatever the last run saved on disk."""
    memo.reset()


def _memo_file(folder: Path) -> Path:
    (path,) = folder.glob("memo-*.marshal")
    return path


def test_digest_keeps_parts_apart() -> None:
    assert memo.digest("ab", "c") != memo.digest("a", "bc")
    assert memo.digest("x") == memo.digest("x") and len(memo.digest("x")) == 32


def test_a_warm_render_reuses_tests_and_checks_and_is_byte_identical(cache: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cold = render_paths([SPECS])
    entries = marshal.loads(_memo_file(cache).read_bytes())
    services = {p for p in cold if p.startswith("prometheus/tests/")}
    assert sum(k.startswith("prom_tests:") for k in entries) == len(services) == 5
    # every file but the cross-file Alertmanager config is remembered as checked
    assert sum(k.startswith("checked:") for k in entries) == len(cold) - 1

    _new_run()

    def must_not_run(*args: object) -> None:
        raise AssertionError("recomputed although remembered")

    monkeypatch.setattr(prom_tests, "render_service", must_not_run)
    monkeypatch.setattr(outputs, "check_rule_groups", must_not_run)
    monkeypatch.setattr(outputs, "check_dashboard", must_not_run)
    assert render_paths([SPECS]) == cold


def test_a_changed_service_is_simulated_again_and_only_it(cache: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    render_paths([specs])
    spec = specs / "support-agent.yaml"
    spec.write_text(spec.read_text().replace("objective: 60 ", "objective: 61 ", 1))
    _new_run()
    simulated: list[str] = []
    real = prom_tests.render_service

    def counting(service: prom_tests.ServicePlan) -> str:
        simulated.append(service.service)
        return real(service)

    monkeypatch.setattr(prom_tests, "render_service", counting)
    warm = render_paths([specs])
    assert simulated == ["support-agent"]
    memo.reset()
    monkeypatch.setenv(CACHE_ENV, "")  # the same folder rendered with no memo at all
    assert render_paths([specs]) == warm


def test_changed_text_is_checked_again(cache: Path) -> None:
    good = "groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: up\n"
    check_outputs({"prometheus/x.rules.yaml": good})
    with pytest.raises(OutputError, match="invalid PromQL: unclosed left parenthesis"):
        check_outputs({"prometheus/x.rules.yaml": good.replace("expr: up", "expr: rate(up[5m]")})


def test_a_failure_is_never_remembered(cache: Path) -> None:
    bad = {"grafana/dashboards/t/x.json": "{not json"}
    for _ in range(2):
        with pytest.raises(OutputError):
            check_outputs(bad)
        memo.save()
        _new_run()


def test_the_alertmanager_config_is_always_checked_with_its_companions(cache: Path) -> None:
    files = render_paths([SPECS])
    config = {p: t for p, t in files.items() if p.startswith("alertmanager/")}
    check_outputs(config)
    memo.save()
    _new_run()
    with pytest.raises(OutputError, match="template is not referenced"):
        check_outputs({"alertmanager/alertmanager.yml": config["alertmanager/alertmanager.yml"]})


def test_editing_agentops_gen_starts_a_new_memo(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check_outputs({"otel/x.yaml.txt": "plain"})
    memo.save()
    before = _memo_file(cache)
    target = Path(prom_tests.__file__)
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    try:
        _new_run()
        assert memo.memo().path != before and memo.memo().known == {}
        check_outputs({"otel/y.yaml.txt": "plain"})
        memo.save()
        assert _memo_file(cache) != before and not before.exists()  # the stale memo is removed
    finally:
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_a_damaged_memo_is_empty_and_then_replaced(cache: Path) -> None:
    check_outputs({"runbooks/a.md": "# a\n"})
    memo.save()
    path = _memo_file(cache)
    path.write_bytes(b"\x00garbage")
    _new_run()
    assert memo.memo().known == {}
    check_outputs({"runbooks/a.md": "# a\n"})
    memo.save()
    assert list(marshal.loads(path.read_bytes())) == ["checked:" + memo.digest("runbooks/a.md", "# a\n")]


def test_nothing_is_written_when_caching_is_off_or_bytecode_writing_is(cache: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    check_outputs({"runbooks/a.md": "# a\n"})
    memo.save()
    assert not cache.exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setenv(CACHE_ENV, "")
    _new_run()
    check_outputs({"runbooks/a.md": "# a\n"})
    memo.save()
    assert memo.memo().path is None and not cache.exists()


def test_a_full_cache_folder_is_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))  # a folder inside a file: every write fails
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    memo.reset()
    check_outputs({"runbooks/a.md": "# a\n"})
    memo.save()  # no exception
    assert not (blocker / "cache").exists()


def test_entries_computed_in_the_forked_half_are_saved_by_the_parent(cache: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(parallel.JOBS_ENV)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1})
    assert parallel.available()
    render_paths([SPECS])
    entries = marshal.loads(_memo_file(cache).read_bytes())
    # prom_tests render in the child's half (targets.HALVES[0])
    assert sum(k.startswith("prom_tests:") for k in entries) == 5


def test_the_memo_keeps_at_most_limit_entries(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memo, "LIMIT", 3)
    for i in range(5):
        check_outputs({f"runbooks/{i}.md": "x"})
        memo.save()
    keys = list(marshal.loads(_memo_file(cache).read_bytes()))
    assert keys == [f"checked:{memo.digest(f'runbooks/{i}.md', 'x')}" for i in (2, 3, 4)]


def test_upgrading_a_rendering_or_checking_library_starts_a_new_memo(cache: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import promql_parser

    before = memo.fingerprint()
    monkeypatch.setattr(promql_parser, "__version__", "99.0", raising=False)
    assert memo.fingerprint() != before


def test_entries_survive_a_child_that_dies(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child exits without a word; its half is redone here, and both halves' entries are saved."""
    monkeypatch.delenv(parallel.JOBS_ENV)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1})
    parent = os.getpid()

    def left() -> str:
        if os.getpid() != parent:
            os._exit(3)
        memo.memo().put("left", "L")
        return "left"

    def right() -> str:
        memo.memo().put("right", "R")
        return "right"

    assert memo.both_with_memo(left, right) == ("left", "right")
    assert marshal.loads(_memo_file(cache).read_bytes()) == {"right": "R", "left": "L"}
