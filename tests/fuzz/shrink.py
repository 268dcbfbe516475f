"""Make a failing mutated spec small: drop parts of it while the failure keeps its signature."""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable
from typing import Any

from fuzz.mutate import _get, _paths, dump, load


def shrink(text: str, still_fails: Callable[[str], bool], attempts: int = 200, seconds: float = 120) -> str:
    """The smallest text found by deleting keys and list items one at a time (greedy, biggest first),
    within `attempts` tries and about `seconds` (a try may run promtool)."""
    deadline = time.monotonic() + seconds
    try:
        data = load(text)
    except Exception:  # noqa: BLE001 - a text mutation made it unparsable: keep it as is
        return text
    rng = random.Random(0)
    if not isinstance(data, dict) or not still_fails(dump(data, rng)):
        return text
    tried = 0
    progress = True
    while progress and tried < attempts and time.monotonic() <= deadline:
        progress = False
        for path in _paths(data):
            if tried >= attempts or time.monotonic() > deadline:
                break
            candidate: Any = copy.deepcopy(data)
            del _get(candidate, path[:-1])[path[-1]]
            tried += 1
            if still_fails(dump(candidate, rng)):
                data, progress = candidate, True
                break
    return dump(data, rng)
