"""Stage 6: write the rendered files atomically (build aside, then swap) and detect drift."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def existing_files(out: Path) -> dict[str, bytes]:
    """Every file currently under out/, by relative POSIX path."""
    if not out.is_dir():
        return {}
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def drift(out: Path, files: dict[str, str]) -> list[str]:
    """Lines describing how out/ differs from a fresh render (empty when it is up to date)."""
    current = existing_files(out)
    lines = []
    for path, text in files.items():
        if path not in current:
            lines.append(f"missing: {out / path}")
        elif current[path] != text.encode("utf-8"):
            lines.append(f"differs: {out / path}")
    for path in current:
        if path not in files:
            lines.append(f"stale:   {out / path}")
    return sorted(lines, key=lambda line: line.split(":", 1)[1])


def write_atomic(out: Path, files: dict[str, str]) -> None:
    """Replace out/ with exactly `files`: written to a sibling temp folder, then swapped in.

    out/ is owned by the tool: files it no longer generates disappear with the old folder.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for rel, text in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, old / "out")
            try:
                os.rename(staging, out)
            except OSError:
                os.rename(old / "out", out)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
