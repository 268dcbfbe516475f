"""Which files under out/ agentops-gen owns: its manifest, or (for folders rendered before it) its layout.

A render replaces out/ as a whole, so it must know that every file there is its own. The manifest
lists the files of the last render; a folder without one is accepted only when every entry lies in
the layout agentops-gen writes (out/ folders committed by versions that wrote no manifest).
Anything else is the user's: the render refuses rather than delete it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from agentops_gen.errors import UsageError

MANIFEST = ".agentops-gen.manifest"
"""The ownership marker, written into out/ by every render and compared by `render --check`."""

MANIFEST_HEADER = (
    "# Written by agentops-gen: this folder is generated. The next render replaces the files listed\n"
    "# below and deletes those it no longer generates; it refuses to run while any other file is here.\n"
)

LAYOUT: tuple[str, ...] = (
    "prometheus/*.rules.yaml",
    "prometheus/tests/*.test.yaml",
    "prometheus/tests/rules/*/*.rules.yaml",
    "prometheus/backfill/*.rules.yaml",
    "kubernetes/*.prometheusrule.yaml",
    "mimir/rules/*.yaml",
    "mimir/alertmanager/alertmanager.yaml",
    "mimir/alertmanager/agentops.tmpl",
    "thanos/*.rules.yaml",
    "alertmanager/alertmanager.yml",
    "alertmanager/templates/agentops.tmpl",
    "grafana/dashboards/*/*.json",
    "grafana/provisioning/dashboards.yaml",
    "otel/*.collector.yaml",
    "runbooks/*/*.md",
)
"""Every path a target renders (one `*` = one path segment); tests/test_ownership.py keeps it complete."""

SHOWN = 3
"""Foreign files named in one error line; the rest are counted."""


def in_layout(rel: str) -> bool:
    """Whether a relative POSIX path is one agentops-gen renders."""
    parts = PurePosixPath(rel).parts
    return any(len(parts) == len(PurePosixPath(p).parts) and all(fnmatchcase(a, b) for a, b in
                                                                 zip(parts, PurePosixPath(p).parts, strict=True))
               for p in LAYOUT)


def manifest_text(paths: list[str] | set[str] | dict[str, str]) -> str:
    """The manifest for a render of `paths`: a fixed header and the paths sorted, one per line."""
    return MANIFEST_HEADER + "".join(f"{p}\n" for p in sorted(paths) if p != MANIFEST)


def parse_manifest(text: str) -> set[str]:
    """The paths a manifest lists (comments and blank lines skipped)."""
    return {line for line in text.splitlines() if line and not line.startswith("#")}


@dataclass
class Survey:
    """What an existing out/ holds: the files agentops-gen wrote, and everything else."""

    owned: dict[str, Path] = field(default_factory=dict)
    """Regular files written by an earlier render, by relative POSIX path (the manifest included)."""
    foreign: list[str] = field(default_factory=list)
    """Entries it never wrote (files, symlinks, other file types, empty folders as `name/`), sorted."""
    has_manifest: bool = False


def _entries(out: Path) -> Iterator[tuple[str, Path, bool]]:
    """Every non-folder entry and every empty folder under out/, symlinks not followed: (rel, path, regular)."""

    def walk(folder: Path, prefix: str) -> Iterator[tuple[str, Path, bool]]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            raise UsageError(f"--out: cannot read {folder}: {exc.strerror or exc}") from None
        if not entries and prefix:
            yield prefix, folder, False
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            mode = entry.stat(follow_symlinks=False).st_mode
            if stat.S_ISDIR(mode):
                yield from walk(Path(entry.path), rel + "/")
            else:
                yield rel, Path(entry.path), stat.S_ISREG(mode)

    return walk(out, "")


def survey(out: Path) -> Survey:
    """Classify the entries of an existing out/ folder (an absent one holds nothing).

    Without a manifest the walk stops at the SHOWN-th foreign entry: the folder is not ours, and
    `--out ~` must not walk a whole home folder to say so.
    """
    result = Survey()
    if not out.is_dir():
        return result
    manifest = out / MANIFEST
    listed: set[str] | None = None
    if manifest.is_file() and not manifest.is_symlink():
        result.has_manifest = True
        listed = parse_manifest(manifest.read_text(encoding="utf-8", errors="replace")) | {MANIFEST}
    for rel, path, regular in _entries(out):
        ours = regular and (rel in listed if listed is not None else in_layout(rel))
        if ours:
            result.owned[rel] = path
        else:
            result.foreign.append(rel)
            if listed is None and len(result.foreign) >= SHOWN:
                break
    return result


def require_owned(out: Path, shown: str) -> Survey:
    """Survey out/ and refuse (UsageError) a folder that holds anything agentops-gen did not write."""
    found = survey(out)
    if found.foreign:
        raise refusal(found, shown)
    return found


def refusal(found: Survey, shown: str) -> UsageError:
    """The one-line error for an out/ holding foreign entries (`shown` is --out as the user wrote it)."""
    if not found.has_manifest:
        names = ", ".join(found.foreign[:SHOWN]) + (", ..." if len(found.foreign) >= SHOWN else "")
        return UsageError(f"--out {shown}: refusing to replace a folder agentops-gen did not create (it has no "
                          f"{MANIFEST} and holds {names}, which agentops-gen never writes); render into a new "
                          "or empty folder")
    names = ", ".join(found.foreign[:SHOWN]) + (f" and {len(found.foreign) - SHOWN} more"
                                                  if len(found.foreign) > SHOWN else "")
    one = len(found.foreign) == 1
    return UsageError(f"--out {shown}: {names} {'was' if one else 'were'} not written by agentops-gen (not listed "
                      f"in {MANIFEST}); a render replaces the whole folder, so move {'it' if one else 'them'} out of "
                      f"{shown} first")


__all__ = ["LAYOUT", "MANIFEST", "Survey", "in_layout", "manifest_text", "parse_manifest", "refusal", "require_owned",
           "survey"]
