"""Multi-window multi-burn-rate math, checked by hand against the Google SRE Workbook (ch. 5) and Sloth.

Notation: a burn rate of 1 spends exactly the whole error budget in the SLO period. A window pair
that spends B% of the budget within its long window L fires at factor = B/100 x period / L.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from agentops_gen.plan.windows import (
    DAY,
    HOUR,
    MINUTE,
    PERIOD_28D,
    PERIOD_30D,
    WORKBOOK_TABLE,
    BurnWindow,
    budget_percent_for,
    burn_factor,
    burn_threshold,
    custom_window,
    default_windows,
    error_budget,
    exhaustion_seconds,
    format_number,
    scale_window,
)

SLOTH_7D = Path("/work/shared/conformance/sloth/integration/windows/7d.yaml")
PERIOD_7D = 7 * DAY


def table(windows: list[BurnWindow]) -> list[tuple[str, str, str, float, float]]:
    return [(w.severity, w.long, w.short, w.factor, w.budget_percent) for w in windows]


def test_workbook_table_is_the_recommended_one() -> None:
    # page: 2% of budget in 1h (5m short), 5% in 6h (30m); ticket: 10% in 1d (2h), 10% in 3d (6h)
    assert WORKBOOK_TABLE == (
        ("page", HOUR, 5 * MINUTE, 2.0),
        ("page", 6 * HOUR, 30 * MINUTE, 5.0),
        ("ticket", DAY, 2 * HOUR, 10.0),
        ("ticket", 3 * DAY, 6 * HOUR, 10.0),
    )


def test_30d_factors() -> None:
    # 30d = 720h.  2% x 720h / 1h = 14.4;  5% x 720h / 6h = 6;  10% x 720h / 24h = 3;  10% x 720h / 72h = 1
    assert table(default_windows(PERIOD_30D)) == [
        ("page", "1h", "5m", 14.4, 2.0),
        ("page", "6h", "30m", 6.0, 5.0),
        ("ticket", "1d", "2h", 3.0, 10.0),
        ("ticket", "3d", "6h", 1.0, 10.0),
    ]


def test_28d_factors_match_sloth() -> None:
    # 28d = 672h.  2% x 672 / 1 = 13.44;  5% x 672 / 6 = 5.6;  10% x 672 / 24 = 2.8;  10% x 672 / 72 = 0.9333...
    windows = default_windows(PERIOD_28D)
    assert [(w.long, w.short) for w in windows] == [("1h", "5m"), ("6h", "30m"), ("1d", "2h"), ("3d", "6h")]
    assert [w.factor for w in windows[:3]] == [13.44, 5.6, 2.8]
    assert windows[3].factor == pytest.approx(14 / 15, rel=1e-11)  # 0.93333...; Sloth prints 0.9333333333333333
    assert format_number(windows[0].factor) == "13.44"


def test_7d_scales_the_windows_and_keeps_the_30d_factors() -> None:
    # scale = 7d / 30d = 7/30. 1h -> 14m; 5m -> 70s, rounded to 1m, floored at 5m; 6h -> 84m = 1h24m;
    # 30m -> 7m; 1d -> 336m = 5h36m; 2h -> 28m; 3d -> 1008m = 16h48m; 6h -> 1h24m.
    assert table(default_windows(PERIOD_7D)) == [
        ("page", "14m", "5m", 14.4, 2.0),
        ("page", "1h24m", "7m", 6.0, 5.0),
        ("ticket", "5h36m", "28m", 3.0, 10.0),
        ("ticket", "16h48m", "1h24m", 1.0, 10.0),
    ]
    # the scaled windows still spend the workbook's share of the budget: 14.4 x 14m / 7d = 2%
    for w in default_windows(PERIOD_7D):
        assert budget_percent_for(w.factor, PERIOD_7D, w.long_s) == pytest.approx(w.budget_percent)
    # and no 7d window pages or tickets at a burn rate below 1
    assert min(w.factor for w in default_windows(PERIOD_7D)) == 1.0


def test_scale_window_rounding_and_floor() -> None:
    assert scale_window(HOUR, 7 / 30) == 14 * MINUTE
    assert scale_window(5 * MINUTE, 7 / 30) == 5 * MINUTE  # 70s -> 1m -> floored to 5m
    assert scale_window(3 * DAY, 90 / 30) == 9 * DAY  # a 90d period triples every window


def test_error_budget_and_thresholds() -> None:
    assert error_budget(99.5) == 0.005  # not 0.0050000000000000044
    assert error_budget(99.9) == 0.001
    assert error_budget(95) == 0.05
    assert burn_threshold(14.4, 0.005) == 0.072  # page when 7.2% of requests fail over 1h and 5m
    assert burn_threshold(1, 0.001) == 0.001
    assert burn_threshold(6, 0.05) == 0.3


def test_exhaustion() -> None:
    # at 14.4x a 30d budget lasts 720h / 14.4 = 50h; at 1x, the whole period
    assert exhaustion_seconds(14.4, PERIOD_30D) == 50 * HOUR
    assert exhaustion_seconds(6, PERIOD_30D) == 5 * DAY
    assert exhaustion_seconds(1, PERIOD_28D) == PERIOD_28D


def test_factor_and_budget_percent_are_inverses() -> None:
    assert burn_factor(2, PERIOD_30D, HOUR) == 14.4
    assert budget_percent_for(14.4, PERIOD_30D, HOUR) == 2.0
    assert budget_percent_for(13.44, PERIOD_28D, HOUR) == 2.0


def test_sloth_7d_custom_table() -> None:
    """Sloth's 7d AlertWindows: factor = budget% x 168h / long window."""
    doc = yaml.safe_load(SLOTH_7D.read_text())["spec"]
    assert doc["sloPeriod"] == "7d"
    got = []
    for severity in ("page", "ticket"):
        for speed in ("quick", "slow"):
            w = doc[severity][speed]
            long_s = {"1h": HOUR, "6h": 6 * HOUR, "24h": DAY, "72h": 3 * DAY}[w["longWindow"]]
            short_s = {"5m": 5 * MINUTE, "30m": 30 * MINUTE, "2h": 2 * HOUR, "6h": 6 * HOUR}[w["shortWindow"]]
            got.append(custom_window(severity, long_s, short_s, PERIOD_7D, None, float(w["errorBudgetPercent"])))
    # 8% x 168h / 1h = 13.44;  12.5% x 168 / 6 = 3.5;  20% x 168 / 24 = 1.4;  42% x 168 / 72 = 0.98
    assert table(got) == [
        ("page", "1h", "5m", 13.44, 8.0),
        ("page", "6h", "30m", 3.5, 12.5),
        ("ticket", "1d", "2h", 1.4, 20.0),
        ("ticket", "3d", "6h", 0.98, 42.0),
    ]
    # given as factors instead, the budget percents come back
    assert custom_window("page", HOUR, 5 * MINUTE, PERIOD_7D, 13.44, None).budget_percent == 8.0


def test_spec_override_reproduces_sloth_7d(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same table through a spec's `alerting.windows`, planned like any render."""
    from agentops_gen.pipeline import plan_paths

    spec = tmp_path / "svc.yaml"
    spec.write_text(
        "version: agentops-gen/v1\nservice: checkout-agent\nowner: team-a\nperiod: 7d\n"
        "slos:\n  - name: availability\n    objective: 99.5\n    sli:\n      ratio:\n"
        "        errors: agent_requests_total{status=\"error\"}\n        total: agent_requests_total\n"
        "    alerting:\n      windows:\n"
        "        - {severity: page, long: 1h, short: 5m, budget_percent: 8}\n"
        "        - {severity: page, long: 6h, short: 30m, budget_percent: 12.5}\n"
        "        - {severity: ticket, long: 24h, short: 2h, budget_percent: 20}\n"
        "        - {severity: ticket, long: 72h, short: 6h, budget_percent: 42}\n"
    )
    monkeypatch.chdir(tmp_path)
    _, plan = plan_paths([spec])
    (slo,) = plan.services[0].slos
    assert [(w.severity, w.long, w.short, w.factor) for w in slo.windows] == [
        ("page", "1h", "5m", 13.44), ("page", "6h", "30m", 3.5), ("ticket", "1d", "2h", 1.4),
        ("ticket", "3d", "6h", 0.98)]


def test_format_number() -> None:
    assert format_number(6.0) == "6"
    assert format_number(0.005) == "0.005"
    assert format_number(1 - 0.995) == "0.005"
    assert format_number(14.4 * 0.005) == "0.072"
