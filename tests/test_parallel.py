"""Two halves at once (agentops_gen.parallel): same results as one process, failures surface as they would."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import SPECS, run_cli

from agentops_gen import parallel


@pytest.fixture()
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fork path, even on a one-CPU machine (it forks there too if told it has two)."""
    monkeypatch.delenv(parallel.JOBS_ENV, raising=False)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1})
    assert parallel.available()


def test_left_runs_in_a_child_and_comes_back(forking: None) -> None:
    here = os.getpid()
    (child_pid, files), right = parallel.both(lambda: (os.getpid(), {"a.yaml": "x: 1\n", "b": "ü"}), lambda: "right")
    assert child_pid != here and files == {"a.yaml": "x: 1\n", "b": "ü"} and right == "right"


def test_jobs_1_runs_everything_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.JOBS_ENV, "1")
    assert not parallel.available()
    assert parallel.both(os.getpid, os.getpid) == (os.getpid(), os.getpid())


def test_a_failing_child_half_raises_here_as_it_would_in_one_process(forking: None) -> None:
    def left() -> None:
        raise ValueError("template bug")

    with pytest.raises(ValueError, match="template bug"):
        parallel.both(left, lambda: None)


def test_a_result_marshal_cannot_carry_is_computed_here_instead(forking: None) -> None:
    marker = object()
    left, _ = parallel.both(lambda: marker, lambda: None)
    assert left is marker  # the child could not send it; the parent ran left() itself


def test_the_child_is_reaped_even_when_the_right_half_raises(forking: None) -> None:
    def right() -> None:
        raise KeyError("right")

    with pytest.raises(KeyError):
        parallel.both(lambda: {"big": "x" * 1_000_000}, right)  # more than a pipe buffer: the child must be drained
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def _rendered(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_render_and_lint_are_byte_identical_with_and_without_the_child(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    results = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv(parallel.JOBS_ENV, jobs)
        out = tmp_path / f"out-{jobs}"
        render = run_cli("render", str(SPECS), "--out", str(out))
        assert render.returncode == 0, render.stderr
        lint = run_cli("lint", str(SPECS), "--format", "json")
        results[jobs] = (_rendered(out), json.loads(lint.stdout), lint.returncode)
    assert results["1"] == results["2"]
    assert len(results["1"][0]) > 100


def test_no_fork_while_other_threads_run(forking: None) -> None:
    import threading

    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert not parallel.available()
    finally:
        stop.set()
        worker.join()
    assert parallel.available()


def test_render_reports_the_same_first_bad_file_with_and_without_the_child(monkeypatch: pytest.MonkeyPatch,
                                                                           forking: None) -> None:
    """A bad file in each half: the error names the first by path, as one check over every file would."""
    import agentops_gen.targets.grafana
    import agentops_gen.targets.otel
    from agentops_gen.check.outputs import OutputError
    from agentops_gen.pipeline import render_paths

    monkeypatch.setattr(agentops_gen.targets.grafana, "render", lambda plan: {"grafana/dashboards/t/x.json": "{"})
    monkeypatch.setattr(agentops_gen.targets.otel, "render", lambda plan: {"otel/x.collector.yaml": "a: [\n"})
    messages = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv(parallel.JOBS_ENV, jobs)
        with pytest.raises(OutputError) as info:
            render_paths([SPECS])
        messages[jobs] = str(info.value)
    assert messages["1"] == messages["2"]
    assert messages["1"].startswith("grafana/dashboards/t/x.json: rendered output does not parse")


def test_render_paths_in_process_same_with_and_without_the_child(monkeypatch: pytest.MonkeyPatch,
                                                                 forking: None) -> None:
    from agentops_gen.pipeline import render_paths

    forked = render_paths([SPECS])
    monkeypatch.setenv(parallel.JOBS_ENV, "1")
    assert render_paths([SPECS]) == forked
    assert list(forked) == sorted(forked)
