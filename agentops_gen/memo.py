"""Results of pure, slow steps remembered across runs, the way __pycache__ remembers compiled code.

Two kinds of entry, each keyed by a digest of everything the result depends on:
- `prom_tests:` the generated promtool test file of one service (its simulation is the slowest
  step of a render), keyed by the service's whole plan;
- `checked:` a rendered file that passed the output checks, keyed by its path and exact text.

A pre-commit run usually changes one service: the other services' entries are reused. The memo
file's name is a fingerprint of agentops-gen's own code and templates (every file's size and
mtime), of the Python version and of the installed Jinja, PyYAML and promql-parser, so editing or
upgrading the tool or those libraries starts an empty memo. Any trouble reading it is a miss,
never an error; nothing is written under PYTHONDONTWRITEBYTECODE or when agentops_gen.cache turns
caching off. Only results are remembered, never failures.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from agentops_gen import __version__
from agentops_gen.cache import cache_base

L = TypeVar("L")
R = TypeVar("R")

LIMIT = 20_000
"""Entries kept; the oldest are dropped first (a few MB at most)."""

_PACKAGE = Path(__file__).resolve().parent


def digest(*parts: str) -> str:
    """A short collision-resistant key of the parts (each part delimited, so ("ab", "c") != ("a", "bc"))."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _tree_stats(root: Path) -> list[str]:
    """`path size mtime` of every file under root except bytecode, in a stable order."""
    out: list[str] = []
    todo = [root]
    while todo:
        folder = todo.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir():
                if entry.name != "__pycache__":
                    todo.append(Path(entry.path))
            elif not entry.name.endswith(".pyc"):
                st = entry.stat()
                out.append(f"{entry.path} {st.st_size} {st.st_mtime_ns}")
    return out


def _dependency_stamps() -> list[str]:
    """Version and install stamp of the libraries that shape a remembered result (render and checks)."""
    import jinja2
    import promql_parser
    import yaml

    stamps = []
    for module in (jinja2, yaml, promql_parser):
        where = getattr(module, "__file__", None) or ""
        try:
            st = os.stat(where)
            stamp = f"{st.st_size} {st.st_mtime_ns}"
        except OSError:
            stamp = "?"
        stamps.append(f"{module.__name__} {getattr(module, '__version__', '')} {where} {stamp}")
    return stamps


def fingerprint() -> str:
    """Identifies this exact agentops-gen (code and templates) on this Python with these libraries."""
    from agentops_gen.targets.jinja import templates_dir

    lines = [__version__, sys.version, *_dependency_stamps(), *_tree_stats(_PACKAGE)]
    templates = templates_dir()
    if not templates.is_relative_to(_PACKAGE):  # a source checkout: templates/ beside the package
        lines += _tree_stats(templates)
    return digest(*lines)


class Memo:
    """Entries read from disk at start plus the ones this process added."""

    def __init__(self, path: Path | None, known: dict[str, Any]) -> None:
        self.path = path
        self.known = known
        self.added: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        """The remembered value, or None."""
        value = self.added.get(key)
        return self.known.get(key) if value is None else value

    def put(self, key: str, value: Any) -> None:
        """Remember a value (marshal data) for this run and, once saved, for later runs."""
        self.added[key] = value


_current: list[Memo] = []


def memo() -> Memo:
    """This process's memo, read once from the cache folder (empty when caching is off or nothing is there)."""
    if not _current:
        base = cache_base()
        path = None if base is None else base / f"memo-{fingerprint()}.marshal"
        known: dict[str, Any] = {}
        if path is not None:
            try:
                loaded = marshal.loads(path.read_bytes())
                known = loaded if isinstance(loaded, dict) else {}
            except (OSError, EOFError, ValueError, TypeError):
                known = {}
        _current.append(Memo(path, known))
    return _current[0]


def take_added() -> dict[str, Any]:
    """The entries this process added since the last call (a forked child hands them to its parent)."""
    current = memo()
    added, current.added = current.added, {}
    return added


def absorb(entries: dict[str, Any]) -> None:
    """Add entries another process computed (the forked half of a render)."""
    memo().added.update(entries)


def save() -> None:
    """Write the memo if this run added entries (atomically; failures are ignored)."""
    current = memo()
    if not current.added or current.path is None or sys.dont_write_bytecode:
        return
    merged = {k: v for k, v in current.known.items() if k not in current.added}
    merged.update(current.added)
    if len(merged) > LIMIT:
        merged = dict(list(merged.items())[-LIMIT:])
    folder = current.path.parent
    try:
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".memo-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as sink:
                sink.write(marshal.dumps(merged))
            os.replace(tmp, current.path)
        except BaseException:
            os.unlink(tmp)
            raise
        for stale in folder.glob("memo-*.marshal"):  # other fingerprints: an older or edited agentops-gen
            if stale != current.path:
                stale.unlink(missing_ok=True)
    except OSError:
        return
    current.known, current.added = merged, {}


def both_with_memo(left: Callable[[], L], right: Callable[[], R]) -> tuple[L, R]:
    """agentops_gen.parallel.both, sharing the memo: read before the fork, the child's new entries kept, saved."""
    from agentops_gen.parallel import both

    memo()

    def left_and_entries() -> tuple[L, dict[str, Any]]:
        return left(), take_added()

    (left_result, entries), right_result = both(left_and_entries, right)
    absorb(entries)
    save()
    return left_result, right_result


def reset() -> None:
    """Forget the loaded memo (the next memo() reads the cache folder again)."""
    _current.clear()
