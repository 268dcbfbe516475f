"""Alertmanager time-interval syntax: weekday ranges, `HH:MM` clock times and time-zone names."""


import re

WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
"""Alertmanager numbers weekdays from Sunday (0), so `saturday:sunday` is an invalid range there."""
_CLOCK = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])\Z")


def weekday_range(text: str) -> tuple[int, int]:
    """`monday` or `monday:friday` -> (first, last) weekday numbers, Sunday = 0, as Alertmanager reads them."""
    parts = text.lower().split(":")
    if len(parts) > 2 or any(p not in WEEKDAYS for p in parts):
        raise ValueError(f"{text!r} is not a weekday or a range such as monday:friday")
    first, last = WEEKDAYS.index(parts[0]), WEEKDAYS.index(parts[-1])
    if first > last:
        head = parts[0] if first == 6 else f"{parts[0]}:saturday"
        tail = parts[-1] if last == 0 else f"sunday:{parts[-1]}"
        raise ValueError(f"{text!r}: Alertmanager weeks start on Sunday, so a range must not wrap "
                         f"(write two entries: {head} and {tail})")
    return first, last


def minutes_of_day(text: str) -> int:
    """`HH:MM` -> minutes since midnight; `24:00` is allowed (as an end time)."""
    match = _CLOCK.match(text)
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise ValueError(f"{text!r} is not a clock time HH:MM between 00:00 and 24:00")
    return int(match.group(1)) * 60 + int(match.group(2))


_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*\Z")


def check_location(name: str) -> None:
    """A time-zone name Alertmanager (Go's time.LoadLocation) accepts; checked when tzdata is present."""
    if name in ("UTC", "Local"):
        return
    import zoneinfo

    if not zoneinfo.available_timezones():  # no tz database here: Alertmanager will judge it
        return
    # zoneinfo looks a name up as nested packages of tzdata, one import level per `/`: hundreds of
    # them end in RecursionError. IANA names are short, with at most three parts.
    if len(name) > 64 or name.count("/") > 3 or not _ZONE_NAME.match(name):
        raise ValueError(f"unknown time zone {name[:80]!r} (use an IANA name such as Europe/Berlin, or UTC)")
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin, or UTC)") from None
