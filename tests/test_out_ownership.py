"""out/ ownership: render replaces only a folder it wrote (manifest, or an older render's layout), never a user's."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, SPECS, run_cli

from agentops_gen.ownership import LAYOUT, MANIFEST, MANIFEST_HEADER, in_layout, parse_manifest

GOOD = FIXTURES / "include" / "good"


def snapshot(folder: Path) -> dict[str, tuple[str, bytes | str, int]]:
    """Every entry under a folder (symlinks not followed): kind, content or link target, mtime."""
    found: dict[str, tuple[str, bytes | str, int]] = {}
    for path in sorted(folder.rglob("*")):
        rel, info = path.relative_to(folder).as_posix(), path.lstat()
        if path.is_symlink():
            found[rel] = ("link", os.readlink(path), info.st_mtime_ns)
        elif path.is_dir():
            found[rel] = ("dir", b"", info.st_mtime_ns)
        else:
            found[rel] = ("file", path.read_bytes(), info.st_mtime_ns)
    return found


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    """A working directory holding a spec folder `specs/` (error lines print paths relative to it)."""
    shutil.copytree(GOOD, tmp_path / "specs")
    return tmp_path


def render(work: Path, out: str, *extra: str) -> tuple[int, str, str]:
    result = run_cli("render", "specs", "--out", out, *extra, cwd=work)
    return result.returncode, result.stdout, result.stderr


def test_a_folder_the_tool_did_not_create_is_refused_and_left_untouched(work: Path) -> None:
    home = work / "home"
    (home / "projects").mkdir(parents=True)
    (home / ".bashrc").write_text("export PATH\n")
    (home / "projects" / "notes.md").write_text("mine\n")
    (home / "runbooks" / "team").mkdir(parents=True)  # one path in the layout does not make the folder ours
    (home / "runbooks" / "team" / "on-call.md").write_text("mine too\n")
    (work / "link").symlink_to(home)
    before, beside = snapshot(home), sorted(p.name for p in work.iterdir())

    for out in ("home", "link"):
        for extra in ((), ("--check",)):
            code, stdout, stderr = render(work, out, *extra)
            assert (code, stdout) == (2, ""), (out, extra)
            assert stderr == (f"agentops-gen: error: --out {out}: refusing to replace a folder agentops-gen did not "
                              f"create (it has no {MANIFEST} and holds .bashrc, projects/notes.md, which agentops-gen "
                              "never writes); render into a new or empty folder\n")
    assert snapshot(home) == before
    assert sorted(p.name for p in work.iterdir()) == beside  # no staging or old folders either


def test_a_big_foreign_folder_is_refused_without_walking_all_of_it(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from agentops_gen.errors import UsageError
    from agentops_gen.write import write_atomic

    home = tmp_path / "home"
    for name in (".bashrc", ".profile", ".vimrc"):
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_text("x\n")
    (home / "zz-big" / "a" / "b").mkdir(parents=True)
    walked: list[str] = []
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str] = ".") -> object:
        walked.append(Path(path).name)
        return real_scandir(path)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(UsageError, match=r"holds \.bashrc, \.profile, \.vimrc, \.\.\., which agentops-gen never"):
        write_atomic(Path("home"), {"prometheus/a.rules.yaml": "x\n"})
    assert "zz-big" not in walked and walked.count("home") == 1


def test_an_empty_folder_or_a_new_one_is_fine(work: Path) -> None:
    (work / "empty").mkdir()
    for out in ("empty", "new/nested"):
        code, _, stderr = render(work, out)
        assert code == 0, stderr
        assert (work / out / MANIFEST).is_file()


def test_a_folder_rendered_by_the_previous_version_without_a_manifest_is_accepted(work: Path) -> None:
    assert render(work, "out")[0] == 0
    (work / "out" / MANIFEST).unlink()  # what a render before the manifest left (committed in many repos)
    code, stdout, _ = render(work, "out", "--check")
    assert (code, stdout) == (1, f"missing: out/{MANIFEST}\n")
    assert render(work, "out")[0] == 0
    assert render(work, "out", "--check")[:2] == (0, "")


def test_a_manifest_less_folder_with_one_file_outside_the_layout_is_refused(work: Path) -> None:
    assert render(work, "out")[0] == 0
    (work / "out" / MANIFEST).unlink()
    (work / "out" / "prometheus" / "prometheus.yml").write_text("global: {}\n")
    before = snapshot(work / "out")
    code, _, stderr = render(work, "out")
    assert code == 2
    assert "holds prometheus/prometheus.yml, which agentops-gen never writes" in stderr
    assert snapshot(work / "out") == before


def test_files_a_render_never_wrote_are_refused_by_name_and_kept(work: Path) -> None:
    """A file a user put into an owned out/ is never destroyed: render stops and names it."""
    assert render(work, "out")[0] == 0
    out = work / "out"
    (out / "README.md").write_text("how to deploy\n")
    (out / "prometheus" / "custom.rules.yaml").write_text("groups: []\n")  # in the layout, but not in the manifest
    rules = next((out / "prometheus").glob("checkout-agent.rules.yaml"))
    rules.unlink()
    rules.symlink_to("/etc/hostname")  # a generated file replaced by a link: not ours any more, and never followed
    before = snapshot(out)

    code, _, stderr = render(work, "out")

    assert code == 2
    assert stderr == (f"agentops-gen: error: --out out: README.md, prometheus/checkout-agent.rules.yaml, "
                      f"prometheus/custom.rules.yaml were not written by agentops-gen (not listed in {MANIFEST}); a "
                      "render replaces the whole folder, so move them out of out first\n")
    assert snapshot(out) == before
    code, stdout, _ = render(work, "out", "--check")
    assert code == 1
    assert {line for line in stdout.splitlines() if line.startswith("foreign:")} == {
        "foreign: out/README.md", "foreign: out/prometheus/checkout-agent.rules.yaml",
        "foreign: out/prometheus/custom.rules.yaml"}


def test_an_empty_folder_a_user_made_in_out_is_foreign_too(work: Path) -> None:
    assert render(work, "out")[0] == 0
    (work / "out" / "keep").mkdir()
    code, _, stderr = render(work, "out")
    assert code == 2 and "--out out: keep/ was not written by agentops-gen" in stderr and "move it out of out" in stderr
    assert (work / "out" / "keep").is_dir()


def test_the_manifest_lists_every_generated_file_and_is_byte_identical_between_runs(work: Path) -> None:
    assert render(work, "a")[0] == 0
    assert render(work, "b")[0] == 0
    first = (work / "a" / MANIFEST).read_bytes()
    assert first == (work / "b" / MANIFEST).read_bytes()
    generated = sorted(p.relative_to(work / "a").as_posix() for p in (work / "a").rglob("*")
                       if p.is_file() and p.name != MANIFEST)
    assert first.decode() == MANIFEST_HEADER + "".join(f"{p}\n" for p in generated)
    assert parse_manifest(first.decode()) == set(generated)
    assert render(work, "a")[0] == 0  # re-rendering an owned folder works and keeps it identical
    assert (work / "a" / MANIFEST).read_bytes() == first


def test_check_treats_the_manifest_like_any_generated_file(work: Path) -> None:
    assert render(work, "out")[0] == 0
    manifest = work / "out" / MANIFEST
    manifest.write_text(manifest.read_text() + "# edited\n")
    code, stdout, _ = render(work, "out", "--check")
    assert (code, stdout) == (1, f"differs: out/{MANIFEST}\n")


def test_a_removed_service_leaves_stale_files_that_the_next_render_deletes(work: Path) -> None:
    billing = (work / "specs" / "svc.yaml").read_text().replace("checkout-agent", "billing-agent")
    (work / "specs" / "billing.yaml").write_text(billing)
    assert render(work, "out")[0] == 0
    billing_files = sorted(p.relative_to(work).as_posix() for p in (work / "out").rglob("*")
                           if p.is_file() and "billing-agent" in p.as_posix())
    assert len(billing_files) > 4
    (work / "specs" / "billing.yaml").unlink()
    code, stdout, _ = render(work, "out", "--check")
    assert code == 1
    assert {line.split()[1] for line in stdout.splitlines() if line.startswith("stale:")} == set(billing_files)
    assert render(work, "out")[0] == 0
    assert not [p for p in (work / "out").rglob("*") if "billing-agent" in p.as_posix()]


def test_the_layout_covers_every_file_a_render_writes(rendered_examples: Path) -> None:
    """LAYOUT is how a manifest-less out/ is recognised: it must match everything the targets render."""
    rendered = [p.relative_to(rendered_examples).as_posix() for p in rendered_examples.rglob("*") if p.is_file()]
    assert len(rendered) > 50
    outside = [p for p in rendered if p != MANIFEST and not in_layout(p)]
    assert outside == []
    # and every pattern is used, so the layout claims no more than agentops-gen writes
    assert all(any(in_layout(p) and _matches(p, pattern) for p in rendered) for pattern in LAYOUT)
    for foreign in (".bashrc", "prometheus/prometheus.yml", "runbooks/x.md", "grafana/dashboards/a.json",
                    "otel/a.collector.yaml/x", "prometheus/tests/a/b.test.yaml"):
        assert not in_layout(foreign), foreign


def _matches(path: str, pattern: str) -> bool:
    from fnmatch import fnmatchcase

    return len(path.split("/")) == len(pattern.split("/")) and all(
        fnmatchcase(a, b) for a, b in zip(path.split("/"), pattern.split("/"), strict=True))


def test_the_committed_examples_render_into_the_committed_out(tmp_path: Path) -> None:
    """The repository's own out/ (with or without a manifest) is accepted as the tool's."""
    shutil.copytree(SPECS.parent / "out", tmp_path / "out")
    result = run_cli("render", str(SPECS), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
