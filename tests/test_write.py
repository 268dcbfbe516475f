"""Atomic, owned output: out/ is replaced as a whole, stale files vanish, a failure leaves the old out/ intact."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from agentops_gen import swap
from agentops_gen.errors import UsageError
from agentops_gen.ownership import MANIFEST, MANIFEST_HEADER
from agentops_gen.write import check_out_dir, drift, existing_files, write_atomic


def tree(folder: Path) -> dict[str, str]:
    """The generated files under a folder (the manifest has tests of its own)."""
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


@pytest.fixture()
def out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An out/ folder holding an earlier render (a working directory elsewhere, as in CI)."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    folder = tmp_path / "out"
    write_atomic(folder, {"prometheus/a.rules.yaml": "old a\n", "prometheus/gone.rules.yaml": "old gone\n"})
    return folder


def test_write_replaces_the_tree_and_removes_stale_files(out: Path) -> None:
    write_atomic(out, {"prometheus/a.rules.yaml": "new a\n", "grafana/b.json": "{}\n"})
    assert tree(out) == {"prometheus/a.rules.yaml": "new a\n", "grafana/b.json": "{}\n"}
    assert (out / MANIFEST).read_text() == MANIFEST_HEADER + "grafana/b.json\nprometheus/a.rules.yaml\n"
    # nothing left beside out/ (no staging or old folders)
    assert sorted(p.name for p in out.parent.iterdir()) == ["out", "work"]


def test_files_are_written_as_utf8_bytes_without_newline_translation(out: Path) -> None:
    write_atomic(out, {"x.md": "é\r\nline\n"})
    assert (out / "x.md").read_bytes() == "é\r\nline\n".encode()


def test_failure_while_writing_leaves_the_old_out_intact(out: Path) -> None:
    before = tree(out)
    # `a` is both a file and a folder: the second write fails half way through the render
    with pytest.raises(OSError):
        write_atomic(out, {"a": "file\n", "a/b": "nested\n"})
    assert tree(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["out", "work"]


def test_failure_at_the_swap_restores_the_old_out(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The two-rename fallback (no renameat2 exchange) puts the old out/ back when the second rename fails."""
    before = tree(out)
    monkeypatch.setattr(swap, "exchange", lambda a, b: False)
    real_rename = os.rename
    calls: list[tuple[str, str]] = []

    def rename(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append((str(src), str(dst)))
        if len(calls) == 2:  # out -> old succeeded; staging -> out fails (e.g. a full disk)
            raise OSError(28, "No space left on device")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError):
        write_atomic(out, {"prometheus/a.rules.yaml": "new\n"})
    monkeypatch.undo()
    assert tree(out) == before
    assert sorted(p.name for p in out.parent.iterdir() if not p.name.startswith(".out.old-")) == ["out", "work"]


def test_paths_outside_out_are_refused_before_anything_is_written(out: Path) -> None:
    before = tree(out)
    for bad in ("../escape.txt", "/etc/x", "a/../../b", ""):
        with pytest.raises(ValueError, match="outside the output folder"):
            write_atomic(out, {"ok.txt": "x", bad: "y"})
        assert tree(out) == before
    assert not (out.parent / "escape.txt").exists()


def test_new_out_gets_normal_permissions_and_an_existing_one_keeps_its_own(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    write_atomic(fresh, {"a.txt": "x"})
    umask = os.umask(0o022)
    os.umask(umask)
    # tempfile.mkdtemp makes 0700 folders; a published out/ must be readable like any other folder
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o777 & ~umask
    fresh.chmod(0o750)
    write_atomic(fresh, {"a.txt": "y"})
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o750


def test_out_that_would_destroy_inputs_or_cwd_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    specs = repo / "slo_specs"
    specs.mkdir(parents=True)
    (specs / "a.yaml").write_text("x: 1\n")
    monkeypatch.chdir(repo)
    for bad, reason in ((".", "working directory"), (str(tmp_path), "working directory"), ("/", "working directory"),
                        ("slo_specs", "outside the spec folder"), ("slo_specs/out", "outside the spec folder")):
        with pytest.raises(UsageError, match=reason):
            write_atomic(Path(bad), {"x.txt": "x"}, [Path("slo_specs")])
    # a single spec file protects its folder too, and the error names that folder, not the file
    with pytest.raises(UsageError, match=r"outside the spec folder slo_specs \(and not contain it\)$"):
        check_out_dir(Path("slo_specs/gen"), [Path("slo_specs/a.yaml")])
    (repo / "afile").write_text("x")
    with pytest.raises(UsageError, match="not a directory"):
        check_out_dir(Path("afile"))
    with pytest.raises(UsageError, match="not a directory"):
        drift(Path("afile"), {})
    assert (specs / "a.yaml").read_text() == "x: 1\n"
    check_out_dir(Path("out"), [Path("slo_specs")])  # the usual layout is fine


def test_drift_lists_missing_differing_and_stale(out: Path) -> None:
    lines = drift(out, {"prometheus/a.rules.yaml": "new a\n", "prometheus/new.rules.yaml": "n\n"})
    assert lines == [
        f"differs: {out}/{MANIFEST}",
        f"differs: {out}/prometheus/a.rules.yaml",
        f"stale:   {out}/prometheus/gone.rules.yaml",
        f"missing: {out}/prometheus/new.rules.yaml",
    ]
    assert drift(out, {"prometheus/a.rules.yaml": "old a\n", "prometheus/gone.rules.yaml": "old gone\n"}) == []
    assert existing_files(out / "nope") == {}
