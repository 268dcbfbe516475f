"""Business hours -> the Alertmanager time interval that covers everything outside them.

Alertmanager can mute a route during named intervals (`mute_time_intervals`); muting outside
business hours needs their complement, spelled in Alertmanager's own terms (Sunday-first weekday
ranges, `HH:MM` times with an exclusive end, `24:00` allowed).
"""

from __future__ import annotations

from typing import Any

from agentops_gen.plan.platform import BusinessHoursPlan
from agentops_gen.spec.timeintervals import WEEKDAYS, minutes_of_day, weekday_range

DAY = 24 * 60


def outside_business_hours(hours: BusinessHoursPlan) -> list[dict[str, Any]]:
    """Alertmanager `time_intervals` entries covering every minute outside `hours` (empty: never outside)."""
    days: set[int] = set()
    for item in hours.weekdays:
        first, last = weekday_range(item)
        days.update(range(first, last + 1))
    if not hours.weekdays:  # Alertmanager: no weekdays means every day
        days = set(range(7))
    gaps = _gaps([(minutes_of_day(start), minutes_of_day(end)) for start, end in hours.times] or [(0, DAY)])
    entries: list[dict[str, Any]] = []
    other_days = set(range(7)) - days
    if other_days:
        entries.append({"weekdays": day_ranges(other_days), "location": hours.location})
    if gaps and days:
        entry: dict[str, Any] = {"times": [{"start_time": _clock(a), "end_time": _clock(b)} for a, b in gaps],
                                 "location": hours.location}
        if len(days) < 7:
            entry = {"weekdays": day_ranges(days), **entry}
        entries.append(entry)
    return entries


def day_ranges(days: set[int]) -> list[str]:
    """Weekday numbers -> Alertmanager ranges over consecutive days ({1..5} -> ["monday:friday"])."""
    out: list[str] = []
    ordered = sorted(days)
    start = prev = ordered[0]
    for day in [*ordered[1:], None]:
        if day is not None and day == prev + 1:
            prev = day
            continue
        out.append(WEEKDAYS[start] if start == prev else f"{WEEKDAYS[start]}:{WEEKDAYS[prev]}")
        if day is not None:
            start = prev = day
    return out


def _gaps(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Minutes of the day not covered by any range."""
    gaps: list[tuple[int, int]] = []
    cursor = 0
    for start, end in sorted(ranges):
        if start > cursor:
            gaps.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < DAY:
        gaps.append((cursor, DAY))
    return gaps


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
