"""Prometheus durations: parse to seconds and format back the way Prometheus prints them."""

from __future__ import annotations

import re
from decimal import Decimal

_UNITS = (("y", 365 * 86400), ("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1), ("ms", 0.001))
_UNIT_MS = tuple(round(mult * 1000) for _, mult in _UNITS)
"""Milliseconds per unit of _UNITS, in its order (a render parses and formats some 100,000 durations)."""
_RE = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?\Z")


MAX_MS = (2**63 - 1) // 1_000_000
"""Prometheus keeps durations as int64 nanoseconds: 9223372036854ms (292y24w3d23h47m16s854ms) is the
longest that promtool and amtool accept (measured on Prometheus 2.42 and Alertmanager 0.25)."""


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration (`1h30m` -> 5400); ValueError on anything else."""
    match = _RE.match(text)
    groups = match.groups() if match else ()
    if not text or not any(groups):
        raise ValueError(f"must be a Prometheus duration such as 5m, 1h30m or 28d (got {text!r})"
                         f"{integer_form_hint(text)}")
    ms = 0
    for digits, unit_ms in zip(groups, _UNIT_MS, strict=True):
        if digits:
            ms += int(digits) * unit_ms
    if ms > MAX_MS:
        raise ValueError(f"{text} is longer than Prometheus' longest duration, 292y (int64 nanoseconds)")
    return ms / 1000 if ms % 1000 else ms // 1000


_DECIMAL = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h|d|w|y)?\Z")
_UNIT_S = dict(_UNITS)


def parse_threshold(value: str | float) -> float:
    """Seconds in a threshold: a Prometheus duration (`1h30m`), a decimal one (`2.5s`, `1.5m`) or plain seconds.

    Thresholds are compared with `le` boundaries and OTel milliseconds, never used as PromQL ranges,
    so they may be written the way Grafana, Kubernetes and Go durations accept them.
    """
    if isinstance(value, bool):
        raise ValueError(f"must be a duration such as 2.5s, 1500ms or 1m30s, or seconds (got {value!r})")
    if not isinstance(value, (int, float, str)):
        raise ValueError(f"must be a duration such as 2.5s, 1500ms or 1m30s, or seconds (got {value!r})")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _DECIMAL.match(value.strip())
        if match is None:
            try:
                return parse_duration(value)
            except ValueError:
                raise ValueError(f"must be a duration such as 2.5s, 1500ms or 1m30s, or seconds "
                                 f"(got {value!r})") from None
        # Decimal: `1.1m` is 66 seconds, not 66.00000000000001 (an `le` boundary must match exactly)
        seconds = float(Decimal(match.group(1)) * Decimal(str(_UNIT_S[match.group(2) or "s"])))
    if seconds != seconds or seconds in (float("inf"), float("-inf")) or seconds < 0:
        raise ValueError(f"must be a finite duration of 0s or more (got {value!r})")
    if seconds * 1000 > MAX_MS:
        raise ValueError(f"{value} is longer than Prometheus' longest duration, 292y (int64 nanoseconds)")
    return int(seconds) if float(seconds).is_integer() else seconds


def integer_form_hint(text: str) -> str:
    """` (write 1h30m)` when `text` is a decimal duration Prometheus would refuse, else ''."""
    match = _DECIMAL.match(text.strip()) if isinstance(text, str) else None
    if match is None or "." not in match.group(1) or not match.group(2):
        return ""
    ms = round(Decimal(match.group(1)) * Decimal(str(_UNIT_S[match.group(2)])) * 1000)
    if ms == 0:
        return ""
    return f"; Prometheus durations take no decimals: write {format_duration(ms / 1000)}"


_FORMAT_STEPS = tuple((unit, round(mult * 1000), unit in ("y", "w")) for unit, mult in _UNITS if unit != "ms")
"""(unit, its milliseconds, printed only when it divides the rest exactly): Prometheus prints 90d, not 12w6d."""


def format_duration(seconds: float) -> str:
    """Prometheus' own formatting (model.Duration.String): 28d -> 4w, 24h -> 1d, 90m -> 1h30m."""
    if seconds == 0:
        return "0s"
    ms = round(seconds * 1000)
    out = ""
    for unit, unit_ms, exact_only in _FORMAT_STEPS:
        if exact_only and ms % unit_ms:
            continue
        if ms >= unit_ms:
            out += f"{ms // unit_ms}{unit}"
            ms %= unit_ms
    if ms:
        out += f"{ms}ms"
    return out
