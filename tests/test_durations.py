"""Prometheus durations: parsed as Prometheus parses them, printed as Prometheus prints them (model.Duration)."""

from __future__ import annotations

import pytest

from agentops_gen.units.durations import format_duration, parse_duration

D, H, M = 86400, 3600, 60


@pytest.mark.parametrize(("seconds", "text"), [
    (28 * D, "4w"),  # weeks only when exact
    (30 * D, "30d"),  # not 4w2d
    (90 * D, "90d"),  # not 12w6d
    (7 * D, "1w"),
    (14 * D, "2w"),
    (365 * D, "1y"),
    (24 * H, "1d"),
    (72 * H, "3d"),
    (90 * M, "1h30m"),
    (H + 1, "1h1s"),
    (84 * M, "1h24m"),
    (336 * M, "5h36m"),
    (5 * M, "5m"),
    (0, "0s"),
    (1.5, "1s500ms"),
    (0.25, "250ms"),
    (8 * D + 2 * H, "8d2h"),
])
def test_format(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(("text", "seconds"), [
    ("5m", 300), ("1h30m", 5400), ("28d", 28 * D), ("4w", 28 * D), ("1y", 365 * D), ("30s", 30),
    ("250ms", 0.25), ("1d2h3m4s5ms", D + 2 * H + 3 * M + 4 + 0.005), ("0s", 0), ("72h", 3 * D),
])
def test_parse(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", [
    "", "30days", "1.5s", "5 m", " 5m", "5m ", "-5m", "30m1h", "1h1h", "5M", "m", "1", "1e3s", "PT5M", "5mm",
])
def test_invalid(text: str) -> None:
    with pytest.raises(ValueError, match=r"must be a Prometheus duration such as 5m, 1h30m or 28d"):
        parse_duration(text)


@pytest.mark.parametrize("seconds", [1, 59, 60, 61, 3599, 3600, 86399, 86400, 7 * D, 28 * D, 30 * D, 400 * D, 0.001])
def test_round_trip(seconds: float) -> None:
    assert parse_duration(format_duration(seconds)) == pytest.approx(seconds)
