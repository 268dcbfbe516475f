"""Stage 6: write the rendered files atomically (build aside, then swap) and detect drift.

out/ holds only what agentops-gen wrote, listed in its manifest (agentops_gen.ownership); a folder
holding anything else is refused before a byte is written. The swap is in agentops_gen.swap.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from agentops_gen.errors import UsageError
from agentops_gen.ownership import MANIFEST, manifest_text, refusal, require_owned, survey
from agentops_gen.swap import locked, recover, replace_folder


def existing_files(out: Path) -> dict[str, bytes]:
    """Every file currently under out/, by relative POSIX path."""
    if not out.is_dir():
        return {}
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def with_manifest(files: dict[str, str]) -> dict[str, str]:
    """The files a render writes: the rendered ones and the manifest listing them."""
    return {**files, MANIFEST: manifest_text(files)}


def drift(out: Path, files: dict[str, str]) -> list[str]:
    """Lines describing how out/ differs from a fresh render (empty when it is up to date).

    `missing:`, `differs:`, `stale:` (written by an earlier render, no longer generated) and
    `foreign:` (never written by agentops-gen; a render refuses to run until it is moved out). A
    folder agentops-gen did not create at all is refused (UsageError) as a render would refuse it.
    """
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a directory")
    found = survey(out)
    if found.foreign and not found.has_manifest:
        raise refusal(found, str(out))
    current = {rel: path.read_bytes() for rel, path in found.owned.items()}
    lines = [f"foreign: {out / rel}" for rel in found.foreign]
    for path, text in with_manifest(files).items():
        if path not in current:
            lines.append(f"missing: {out / path}")
        elif current[path] != text.encode("utf-8"):
            lines.append(f"differs: {out / path}")
    for path in current:
        if path not in files and path != MANIFEST:
            lines.append(f"stale:   {out / path}")
    return sorted(lines, key=lambda line: line.split(":", 1)[1].lstrip())  # by path


def check_out_dir(out: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse an --out that rendering would destroy or pollute (out/ is replaced as a whole).

    Not a file, not the working directory or one of its parents (`--out .` would delete the
    repository), not a spec folder, a parent of one, or a folder inside one (rendered YAML would be
    read back as specs on the next run).
    """
    target = Path(os.path.abspath(out))
    if target.exists() and not target.is_dir():
        raise UsageError(f"--out {out}: not a directory")
    resolved = target.resolve()
    if resolved == Path(resolved.anchor) or _contains(resolved, Path.cwd().resolve()):
        raise UsageError(f"--out {out}: refusing to replace the working directory or a parent of it")
    for path in inputs:
        named = path if path.is_dir() else path.parent  # a spec file given alone: its folder is the spec folder
        folder = named.resolve()
        if _contains(resolved, folder) or _contains(folder, resolved):
            raise UsageError(f"--out {out}: must be outside the spec folder {named} (and not contain it)")


def _contains(parent: Path, child: Path) -> bool:
    return child == parent or parent in child.parents


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _check_relative(rel: str) -> None:
    path = PurePosixPath(rel)
    if not rel or path.is_absolute() or ".." in path.parts or "\\" in rel:
        raise ValueError(f"refusing to write outside the output folder: {rel!r}")
    if rel == MANIFEST or _CONTROL.search(rel):  # one manifest line per path
        raise ValueError(f"refusing to write a file named {rel!r}")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(out: Path, files: dict[str, str], inputs: Iterable[Path] = ()) -> dict[str, str]:
    """Replace out/ with exactly `files` and the manifest: written to a sibling temp folder, then swapped in.

    Refused (UsageError, nothing touched) when out/ holds anything an earlier render did not write.
    Files it no longer generates disappear with the old folder. Any failure before the swap leaves
    the old out/ exactly as it was; what a killed run left beside out/ is recovered first. Returns
    the files written (the manifest included).
    """
    check_out_dir(out, inputs)
    for rel in files:
        _check_relative(rel)
    planned = with_manifest(files)
    shown = str(out)
    out = Path(os.path.abspath(out)).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with locked(out.parent):
        recover(out)
        require_owned(out, shown)
        _stage_and_swap(out, planned)
    return planned


def _stage_and_swap(out: Path, files: dict[str, str]) -> None:
    # mkdtemp makes a 0700 folder; out/ keeps its old mode, or gets the usual one for a new folder
    mode = (out.stat().st_mode & 0o7777) if out.is_dir() else (0o777 & ~_umask())
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        made = {""}  # folders under staging that exist: each is made once, not once per file in it
        for rel in sorted(files):
            folder = rel.rpartition("/")[0]
            if folder not in made:
                (staging / folder).mkdir(parents=True, exist_ok=True)
                made.add(folder)
            with open(staging / rel, "wb") as target:
                target.write(files[rel].encode("utf-8"))
        staging.chmod(mode)
        replace_folder(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
