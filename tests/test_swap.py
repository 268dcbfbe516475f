"""The out/ swap: one renameat2 exchange on Linux, two renames elsewhere, and what a killed run leaves is undone."""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from agentops_gen import swap
from agentops_gen.errors import UsageError
from agentops_gen.ownership import MANIFEST
from agentops_gen.write import write_atomic

OLD = {"prometheus/a.rules.yaml": "old a\n", "prometheus/gone.rules.yaml": "old gone\n"}
NEW = {"prometheus/a.rules.yaml": "new a\n", "grafana/dashboards/t/b.json": "{}\n"}


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


def beside(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir())


@pytest.fixture()
def out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An out/ holding an earlier render, alone in its parent folder (the working directory is elsewhere)."""
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    (tmp_path / "parent").mkdir()
    folder = tmp_path / "parent" / "out"
    write_atomic(folder, OLD)
    return folder


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux only")
def test_linux_swaps_out_in_one_exchange_without_any_rename(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No moment without out/: the swap is renameat2(RENAME_EXCHANGE), not rename-away-then-rename-in."""
    exchanged: list[tuple[str, str]] = []
    real_exchange = swap.exchange

    def spy(a: Path, b: Path) -> bool:
        exchanged.append((Path(a).name[:9], Path(b).name))
        return real_exchange(a, b)

    def no_rename(src: object, dst: object) -> None:
        raise AssertionError(f"rename {src} -> {dst}: out/ would be missing in between")

    monkeypatch.setattr(swap, "exchange", spy)
    monkeypatch.setattr(os, "rename", no_rename)
    write_atomic(out, NEW)
    monkeypatch.undo()
    assert exchanged == [(".out.new-", "out")]
    assert tree(out) == NEW
    assert beside(out) == ["out"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux only")
def test_exchange_swaps_two_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "in-a").write_text("a")
    (tmp_path / "b" / "in-b").write_text("b")
    assert swap.exchange(tmp_path / "a", tmp_path / "b") is True
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["in-b"]
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["in-a"]
    with pytest.raises(FileNotFoundError):  # a real error is raised, not mistaken for "unsupported"
        swap.exchange(tmp_path / "a", tmp_path / "missing")


@pytest.mark.parametrize("unsupported", ["no renameat2 (other OS)", "ENOSYS", "EINVAL"])
def test_without_the_exchange_two_renames_do_it(out: Path, monkeypatch: pytest.MonkeyPatch, unsupported: str) -> None:
    if unsupported.startswith("no "):
        monkeypatch.setattr(swap, "_renameat2", lambda: None)
    else:
        def failing(*args: object) -> int:
            ctypes.set_errno(getattr(errno, unsupported))
            return -1

        monkeypatch.setattr(swap, "_renameat2", lambda: failing)
    renames: list[str] = []
    real_rename = os.rename

    def spy(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        renames.append(Path(dst).name)
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", spy)
    write_atomic(out, NEW)
    monkeypatch.undo()
    assert renames == ["out", "out"]  # out -> .out.old-*/out, then staging -> out
    assert tree(out) == NEW
    assert beside(out) == ["out"]


def test_a_run_killed_between_the_two_renames_is_recovered_by_the_next(out: Path) -> None:
    """A real SIGKILL after out/ was renamed away: no out/ is left, and the next run puts it back first."""
    child = f"""
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from agentops_gen import swap
from agentops_gen.errors import UsageError
from agentops_gen.write import write_atomic
swap.exchange = lambda a, b: False
real_rename = os.rename
def rename(src, dst):
    real_rename(src, dst)
    if Path(dst).name == "out" and ".old-" in str(dst):
        os.kill(os.getpid(), signal.SIGKILL)
os.rename = rename
write_atomic(Path({str(out)!r}), {{"prometheus/half.rules.yaml": "never published\\n"}})
"""
    result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert not out.exists()
    left = beside(out)
    assert len(left) == 2 and {name[:9] for name in left} == {".out.new-", ".out.old-"}

    assert swap.recover(out) == sorted(out.parent / name for name in left)
    assert tree(out) == OLD  # the previous out/, not the render that never finished
    assert beside(out) == ["out"]


def test_leftovers_of_killed_runs_are_cleaned_by_the_next_render(out: Path) -> None:
    parent = out.parent
    # killed after the exchange (old content in the staging name), while staging, and while writing a second out
    (parent / ".out.new-abcd1234" / "prometheus").mkdir(parents=True)
    (parent / ".out.new-abcd1234" / "prometheus" / "a.rules.yaml").write_text("older\n")
    (parent / ".out.new-zz_9zz_9").mkdir()
    (parent / ".out.old-qwerty12" / "out").mkdir(parents=True)
    # not ours: other names, a file, a symlink to a folder, another output folder's leftovers
    keep = [".out.new-backup", ".out.new-abcd12345", ".out.old-abcd123", "out.new-abcd1234", ".outx.new-abcd1234",
            ".other.new-abcd1234"]
    for name in keep:
        (parent / name).mkdir()
        (parent / name / "keep.txt").write_text("mine\n")
    (parent / ".out.old-file1234").write_text("a file, not a folder\n")
    (parent / ".out.old-link1234").symlink_to(parent / ".other.new-abcd1234")
    keep += [".out.old-file1234", ".out.old-link1234"]

    write_atomic(out, NEW)

    assert tree(out) == NEW
    assert beside(out) == sorted(["out", *keep])
    assert all((parent / name / "keep.txt").exists() for name in keep if (parent / name).is_dir())


def test_out_missing_with_an_old_copy_is_restored_before_the_ownership_check(out: Path) -> None:
    """The recovered folder is judged like any out/: a user's file in it still stops the render."""
    old = out.parent / ".out.old-abcdefgh"
    old.mkdir()
    (out / "notes.txt").write_text("mine\n")
    os.rename(out, old / "out")
    with pytest.raises(UsageError, match="notes.txt was not written by agentops-gen"):
        write_atomic(out, NEW)
    assert (out / "notes.txt").read_text() == "mine\n"
    assert tree(out) == {**OLD, "notes.txt": "mine\n"}
