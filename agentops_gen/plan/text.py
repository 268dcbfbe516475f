"""Human wording shared by alerts and runbooks: durations, units, Go-template escaping."""

from __future__ import annotations

from agentops_gen.plan.windows import format_number
from agentops_gen.units.durations import format_duration


def human_duration(seconds: float) -> str:
    """Round to what a person reads: minutes under a day, hours above (50h -> 2d2h)."""
    if seconds >= 86400:
        return format_duration(round(seconds / 3600) * 3600)
    if seconds >= 60:
        return format_duration(round(seconds / 60) * 60)
    return format_duration(round(seconds))


def period_words(period_s: int) -> str:
    """`28-day` for whole days, else the duration (`12h`), as in "the 28-day budget"."""
    return f"{period_s // 86400}-day" if period_s % 86400 == 0 else format_duration(period_s)


def period_span(period_s: int) -> str:
    """`28 days` for whole days, else the duration, as in "over 28 days"."""
    days = period_s // 86400
    if period_s % 86400:
        return format_duration(period_s)
    return f"{days} day" if days == 1 else f"{days} days"


def percent(ratio: float) -> str:
    """0.005 -> `0.5%`."""
    return f"{format_number(ratio * 100)}%"


ESCAPED_OPEN = '{{ "{{" }}'
"""How a literal `{{` is written in a Go template (the only sequence text/template treats as code)."""


def people_number(value: float) -> str:
    """A computed number rounded for people: three significant digits (0.9333333 -> 0.933, 13.44 -> 13.4)."""
    if abs(value) >= 1000:
        return format_number(round(value))
    return format_number(float(f"{value:.3g}"))


def people_percent(ratio: float) -> str:
    """A ratio as a percentage rounded for people: 0.01344 -> `1.34%`."""
    return f"{people_number(ratio * 100)}%"


def go_template_literal(text: str) -> str:
    """Escape user text so Prometheus/Alertmanager templating prints it verbatim (`{{` survives)."""
    return text.replace("{{", ESCAPED_OPEN)


VALUE_FORMAT = '{{ $value | printf "%.4g" }}'
"""The only value template in generated annotations: Go's %.4g, which the generated tests reproduce."""
PERCENT_FORMAT = "{{ $value | humanizePercentage }}"
"""Prometheus' humanizePercentage is printf("%.4g%%", value x 100)."""


def unit_value(unit: str) -> str:
    """A Prometheus template that prints the alert's value in its unit (`$0.031`, `1.2s`, `45%`)."""
    if unit == "USD":
        return f"${VALUE_FORMAT}"
    if unit == "seconds":
        return f"{VALUE_FORMAT}s"
    if unit == "percentunit":
        return PERCENT_FORMAT
    if unit == "percent":
        return f"{VALUE_FORMAT}%"
    if unit == "bytes":
        return f"{VALUE_FORMAT}B"
    if unit == "tokens":
        return f"{VALUE_FORMAT} tokens"
    return VALUE_FORMAT


def unit_number(unit: str, number: float) -> str:
    """A threshold printed in its unit (`$0.03`, `8s`, `80%`)."""
    text = format_number(number)
    if unit == "USD":
        return f"${text}"
    if unit == "seconds":
        return f"{text}s"
    if unit == "percent":
        return f"{text}%"
    if unit == "percentunit":
        return percent(number)
    if unit == "bytes":
        return f"{text}B"
    return text
