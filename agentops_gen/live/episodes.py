"""When an alert rule fires: Prometheus' pending/firing/keep_firing_for state machine over sampled results."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Episode = tuple[int, int | None]
"""(first firing evaluation, evaluation at which it resolved or None if still firing), in ms."""


def episodes(steps: Sequence[int], present: Iterable[int], for_ms: int, keep_firing_ms: int) -> list[Episode]:
    """Firing episodes of one alert label set, given every evaluation time and those where it had a sample.

    Mirrors rules/alerting.go: a sample makes an inactive alert pending (active since then) and a
    pending one firing once it has been active for `for`; a missing sample drops a pending alert and
    resolves a firing one, unless `keep_firing_for` keeps it firing that long after the last sample.
    """
    seen = set(present)
    out: list[Episode] = []
    state = "inactive"
    active_at = fired_at = 0
    keep_since: int | None = None
    for t in steps:
        if t in seen:
            keep_since = None
            if state == "inactive":
                state, active_at = "pending", t
            if state == "pending" and t - active_at >= for_ms:
                state, fired_at = "firing", t
            continue
        if state == "firing" and keep_firing_ms > 0:
            keep_since = t if keep_since is None else keep_since
            if t - keep_since < keep_firing_ms:
                continue
        if state == "firing":
            out.append((fired_at, t))
        state, keep_since = "inactive", None
    if state == "firing":
        out.append((fired_at, None))
    return out
