"""Swap a staged folder in for out/: one atomic exchange where the OS has it, else two renames a later run undoes.

Beside out/ a run only ever creates `.<out>.new-XXXXXXXX` (the staged render) and, on the fallback
path, `.<out>.old-XXXXXXXX/out` (the previous out/ between the two renames). A run killed at any
point leaves out/ complete, or missing with its previous content in an `.old-` folder; `recover`
puts that back and deletes the leftovers at the start of the next run.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

RENAME_EXCHANGE = 2
"""renameat2 flag: swap the two paths atomically (Linux >= 3.15; ext4, xfs, btrfs, tmpfs, overlayfs...)."""
_AT_FDCWD = -100
_SYS_RENAMEAT2 = {"x86_64": 316, "aarch64": 276, "arm64": 276, "riscv64": 276, "i686": 353, "i386": 353,
                  "armv7l": 382, "ppc64le": 357, "s390x": 347}
"""Syscall numbers, for a libc without the renameat2 wrapper (glibc < 2.28, some musl builds)."""
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM}
"""Errors meaning "no exchange here" (old kernel, a filesystem without it, a seccomp filter):
fall back to renames, which report any real problem themselves."""

Renameat2 = Callable[[int, bytes, int, bytes, int], int]


@lru_cache(maxsize=1)
def _renameat2() -> Renameat2 | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    if hasattr(libc, "renameat2"):
        fn = libc.renameat2
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        fn.restype = ctypes.c_int
        return fn
    number = _SYS_RENAMEAT2.get(platform.machine())
    if number is None or not hasattr(libc, "syscall"):
        return None
    syscall = libc.syscall
    syscall.argtypes = [ctypes.c_long, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    syscall.restype = ctypes.c_long

    def via_syscall(olddir: int, old: bytes, newdir: int, new: bytes, flags: int) -> int:
        return int(syscall(number, olddir, old, newdir, new, flags))

    return via_syscall


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one atomic step; False when this OS or filesystem cannot."""
    fn = _renameat2()
    if fn is None:
        return False
    ctypes.set_errno(0)
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in _UNSUPPORTED:
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def replace_folder(staging: Path, out: Path) -> None:
    """Put `staging` at `out` (siblings) and delete the previous out/; out/ is never missing on success."""
    if not os.path.lexists(out):
        os.rename(staging, out)
        return
    if exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # the previous out/ now; a leftover is cleaned next run
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rename(out, old / "out")
    # a kill here leaves no out/: the next run's recover() renames old/out back
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(old / "out", out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def leftovers(out: Path) -> list[Path]:
    """Staging and old folders of earlier runs beside out/ (exact mkdtemp names only), sorted."""
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(?:new|old)-[a-z0-9_]{{8}}")
    try:
        names = os.listdir(out.parent)
    except FileNotFoundError:
        return []
    return sorted(p for p in (out.parent / n for n in names if pattern.fullmatch(n))
                  if p.is_dir() and not p.is_symlink())


def recover(out: Path) -> list[Path]:
    """Undo a killed run: restore out/ from its newest `.old-` copy when out/ is missing; delete leftovers.

    Returns the leftover folders found. The previous out/ is restored rather than a staged render,
    which may be incomplete; this run renders again anyway.
    """
    found = leftovers(out)
    if not os.path.lexists(out):
        olds = [p / "out" for p in found if ".old-" in p.name and (p / "out").is_dir()]
        if olds:
            os.rename(max(olds, key=lambda p: (p.stat().st_mtime_ns, p.as_posix())), out)
    for p in found:
        shutil.rmtree(p, ignore_errors=True)
    return found


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an advisory lock on `folder` so two renders into it do not clean up each other's staging."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no flock, runs are not serialized
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # a filesystem without locks (some NFS): go on unserialized
            pass
        yield
    finally:
        os.close(fd)


__all__ = ["exchange", "leftovers", "locked", "recover", "replace_folder"]
