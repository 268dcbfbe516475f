"""Human wording shared by alerts and runbooks: durations, units, Go-template escaping."""

from __future__ import annotations

from agentops_gen.plan.durations import format_duration
from agentops_gen.plan.windows import format_number


def human_duration(seconds: float) -> str:
    """Round to what a person reads: minutes under a day, hours above (50h -> 2d2h)."""
    if seconds >= 86400:
        return format_duration(round(seconds / 3600) * 3600)
    if seconds >= 60:
        return format_duration(round(seconds / 60) * 60)
    return format_duration(round(seconds))


def period_words(period_s: int) -> str:
    """`28-day` for whole days, else the duration (`12h`)."""
    return f"{period_s // 86400}-day" if period_s % 86400 == 0 else format_duration(period_s)


def percent(ratio: float) -> str:
    """0.005 -> `0.5%`."""
    return f"{format_number(ratio * 100)}%"


def go_template_literal(text: str) -> str:
    """Escape user text so Prometheus/Alertmanager templating prints it verbatim (`{{` survives)."""
    return text.replace("{{", '{{ "{{" }}')


def unit_value(unit: str, value: str = "$value") -> str:
    """A Prometheus template that prints a value in its unit (`$0.031`, `1.2s`, `45%`)."""
    if unit == "USD":
        return f'${{{{ {value} | printf "%.4g" }}}}'
    if unit == "seconds":
        return f"{{{{ {value} | humanizeDuration }}}}"
    if unit == "percentunit":
        return f"{{{{ {value} | humanizePercentage }}}}"
    if unit == "percent":
        return f'{{{{ {value} | printf "%.3g" }}}}%'
    if unit == "bytes":
        return f"{{{{ {value} | humanize1024 }}}}B"
    return f"{{{{ {value} | humanize }}}}"


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
