"""Two independent pieces of work at once: one in a forked child, one in this process.

Rendering and re-parsing the outputs is half of a lint or render run and splits into two halves that
share nothing but the plan. A forked child already holds the plan (no pickling of models), sends its
half back as marshal data, and exits. The parallel run must be indistinguishable from the serial
one: whenever the child cannot deliver (it raised, crashed, or its result is not marshal data), its
half is simply run again here, so errors surface exactly as they would without a child.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable
from typing import TypeVar, cast

JOBS_ENV = "AGENTOPS_GEN_JOBS"
"""Set to 1 to run everything in one process."""

L = TypeVar("L")
R = TypeVar("R")


def available() -> bool:
    """Fork helps and is safe: Linux (not macOS), one thread, two CPUs usable, not switched off."""
    if os.environ.get(JOBS_ENV, "").strip() == "1" or not sys.platform.startswith("linux"):
        return False
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return False  # a lock held by another thread at fork time would deadlock the child
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except (AttributeError, OSError):  # pragma: no cover - no affinity API
        return (os.cpu_count() or 1) >= 2


def both(left: Callable[[], L], right: Callable[[], R]) -> tuple[L, R]:
    """(left(), right()), with left() in a forked child when that can help; left's result must be marshal data."""
    if not available():
        return left(), right()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child; its result is checked through the parent
        _child(left, read_end, write_end)
    os.close(write_end)
    try:
        right_result = right()
    finally:
        # Drain the pipe before reaping: a child blocked on a full pipe would never exit.
        with os.fdopen(read_end, "rb") as source:
            payload = source.read()
        _, status = os.waitpid(pid, 0)
    ok, value = _decode(payload) if status == 0 else (False, None)
    return (cast(L, value) if ok else left()), right_result


def _child(left: Callable[[], object], read_end: int, write_end: int) -> None:  # pragma: no cover - child only
    """Run left(), write (True, result) or (False, None) to the pipe, and leave without cleanup."""
    code = 0
    try:
        os.close(read_end)
        try:
            payload = marshal.dumps((True, left()))  # type: ignore[arg-type]  # marshal raises if it is not
        except BaseException:  # noqa: BLE001 - any failure: the parent re-runs left() and sees it itself
            payload = marshal.dumps((False, None))
        with os.fdopen(write_end, "wb") as sink:
            sink.write(payload)
    except BaseException:  # noqa: BLE001
        code = 1
    finally:
        # No atexit handlers, no flushing of buffers inherited from the parent: they are the parent's.
        os._exit(code)


def _decode(payload: bytes) -> tuple[bool, object]:
    """The child's (ok, value), or (False, None) for a truncated or empty message."""
    try:
        ok, value = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return False, None
    return bool(ok), value
