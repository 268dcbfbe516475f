"""Spec paths: devices, FIFOs, sockets, escaping symlinks, unreadable folders and oversized files are refused
before anything is opened or written, by render and lint alike (exit 2, one line each)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from agentops_gen.load.yaml_loader import MAX_FILE_BYTES, LoadError, load_file

GOOD = FIXTURES / "include" / "good"
SECRET = "hunter2-do-not-echo"


def cli(*args: str, cwd: Path) -> tuple[int, str, str]:
    """Run the CLI; a FIFO opened for reading would block it, so a hang fails here instead of hanging the suite."""
    env = {**os.environ, "AGENTOPS_GEN_CACHE_DIR": "", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "agentops_gen", *args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=60)
    return result.returncode, result.stdout, result.stderr


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    """specs/ (a good spec folder) and out/ (its render) under a working directory."""
    shutil.copytree(GOOD, tmp_path / "specs")
    assert cli("render", "specs", "--out", "out", cwd=tmp_path)[0] == 0
    return tmp_path


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused_by_both(work: Path, path: str, line: str) -> None:
    """render and lint of `path` both exit 2 with exactly `line`, and out/ is untouched."""
    before = tree(work / "out")
    for command in (["render", path, "--out", "out"], ["lint", path]):
        assert cli(*command, cwd=work) == (2, "", line + "\n"), command
    assert tree(work / "out") == before
    assert sorted(p.name for p in work.iterdir()) == ["out", "specs"]


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_a_device_named_as_path_is_refused_without_being_opened(work: Path, device: str) -> None:
    refused_by_both(work, device, f"agentops-gen: error: {device}: a character device, not a spec file or folder; "
                                  "refusing to open it")


def test_a_fifo_named_or_found_is_refused_without_blocking(work: Path) -> None:
    os.mkfifo(work / "specs" / "queue.yaml")
    refused_by_both(work, "specs/queue.yaml",
                    "agentops-gen: error: specs/queue.yaml: a FIFO, not a spec file or folder; refusing to open it")
    refused_by_both(work, "specs",
                    "agentops-gen: error: specs/queue.yaml: a FIFO, not a spec file; refusing to open it")


def test_a_fifo_fragment_is_never_discovered(work: Path) -> None:
    """Fragments are read only through !include (which refuses non-files); discovery skips them unopened."""
    os.mkfifo(work / "specs" / "_shared" / "pipe.yaml")
    assert cli("render", "specs", "--out", "out", cwd=work)[0] == 0


@pytest.fixture()
def sock(work: Path) -> Iterator[Path]:
    path = work / "specs" / "s.yaml"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    yield path
    server.close()


def test_a_socket_found_while_discovering_is_refused(work: Path, sock: Path) -> None:
    refused_by_both(work, "specs", "agentops-gen: error: specs/s.yaml: a socket, not a spec file; refusing to open it")


def test_a_symlink_leaving_the_spec_folder_is_refused_and_never_read(
        work: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "private.yaml").write_text(f"version: {SECRET}\n")
    (outside / "team").mkdir()
    (outside / "team" / "svc.yaml").write_text(f"service: {SECRET}\n")
    link = work / "specs" / "evil.yaml"
    link.symlink_to(outside / "private.yaml")
    line = "agentops-gen: error: specs/evil.yaml: a symlink that leaves the spec folder specs; refusing to read it"
    refused_by_both(work, "specs", line)
    refused_by_both(work, "specs/evil.yaml", line)
    link.unlink()
    (work / "specs" / "more").symlink_to(outside / "team")
    refused_by_both(work, "specs", "agentops-gen: error: specs/more: a symlink that leaves the spec folder specs; "
                                   "refusing to read it")


def test_symlinked_folders_inside_the_spec_folder_are_not_walked_twice(work: Path) -> None:
    (work / "specs" / "loop").symlink_to(".")  # a cycle if followed
    (work / "specs" / "shared").symlink_to("_shared")  # fragments would be read as specs under this name
    code, _, stderr = cli("render", "specs", "--out", "out", "--check", cwd=work)
    assert code == 0, stderr
    (work / "specs" / "gone.yaml").symlink_to("nowhere.yaml")  # a dangling link is reported, not skipped
    refused_by_both(work, "specs", "agentops-gen: error: specs/gone.yaml: cannot read: No such file or directory")
    (work / "specs" / "gone.yaml").unlink()
    (work / "specs" / "self.yaml").symlink_to("self.yaml")
    for path in ("specs", "specs/self.yaml"):
        refused_by_both(work, path, "agentops-gen: error: specs/self.yaml: cannot read: Too many levels of symbolic "
                                    "links")


@pytest.mark.parametrize("command", ["render", "lint"])
def test_an_unreadable_sub_folder_is_an_error_not_skipped(work: Path, monkeypatch: pytest.MonkeyPatch,
                                                          command: str) -> None:
    """chmod 000 stops a normal user; the tests run as root, who reads it anyway, so the refusal is simulated too."""
    from typer.testing import CliRunner

    from agentops_gen.cli import app

    locked = work / "specs" / "locked"
    locked.mkdir()
    (locked / "hidden.yaml").write_text("version: agentops-gen/v1\n")
    locked.chmod(0)
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str] = ".") -> object:
        if Path(path).resolve() == locked.resolve():
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.chdir(work)
    before = tree(work / "out")
    try:
        args = [command, "specs"] + (["--out", "out"] if command == "render" else [])
        result = CliRunner().invoke(app, args)
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 2
    assert result.output == "agentops-gen: error: specs/locked: cannot read folder: Permission denied\n"
    assert tree(work / "out") == before


def test_a_spec_file_over_the_size_limit_is_a_located_error(work: Path) -> None:
    big = work / "specs" / "big.yaml"
    big.write_bytes(b"# " + b"x" * (MAX_FILE_BYTES - 2) + b"\n")
    size = MAX_FILE_BYTES + 1
    line = (f"specs/big.yaml:1:1: error: file is {size} bytes, more than the limit of {MAX_FILE_BYTES} bytes (1 MiB); "
            "split it into several spec files or !include fragments")
    before = tree(work / "out")
    assert cli("render", "specs", "--out", "out", cwd=work) == (2, "", line + "\n")
    code, stdout, _ = cli("lint", "specs", cwd=work)  # lint reports unreadable content as a finding of the file
    assert code == 1 and f"{line.replace(' error: ', ' error: spec/yaml: ')} (docs/checks/spec-yaml.md)" in stdout
    assert tree(work / "out") == before


def test_a_file_of_exactly_the_limit_is_read(work: Path) -> None:
    spec = work / "specs" / "svc.yaml"
    text = spec.read_bytes()
    padding = MAX_FILE_BYTES - len(text) - 3
    spec.write_bytes(text + b"# " + b"x" * padding + b"\n")
    assert spec.stat().st_size == MAX_FILE_BYTES
    code, _, stderr = cli("render", "specs", "--out", "out", "--check", cwd=work)
    assert code == 0, stderr


def test_an_oversized_fragment_is_located_at_the_include(work: Path) -> None:
    fragment = work / "specs" / "_shared" / "receivers.yaml"
    fragment.write_bytes(fragment.read_bytes() + b"#" * MAX_FILE_BYTES + b"\n")
    code, _, stderr = cli("render", "specs", "--out", "out", cwd=work)
    assert code == 2
    assert stderr.startswith("specs/_shared/receivers.yaml:1:1: error: file is ")
    assert stderr.endswith("(included from specs/svc.yaml:5:12)\n")


def test_a_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as f:  # sparse: 256 MiB that take no disk
        f.truncate(256 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(LoadError, match=r"huge.yaml:1:1: error: file is 268435456 bytes, more than the limit"):
            load_file(huge, tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MAX_FILE_BYTES
