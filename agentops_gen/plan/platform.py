"""The platform file's settings that later stages read, as plain frozen data (no spec model leaves plan/).

Computed once per run by `plan_platform`; without a platform file every value is the spec language's
default, taken from the spec models themselves so that a default is written in one place only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentops_gen.spec.service import AlertmanagerSettings, BusinessHours, PlatformSpec
from agentops_gen.units.record import record

if TYPE_CHECKING:  # plan/model.py imports this module: keep spec/validate.py out of its imports
    from agentops_gen.spec.validate import SpecSet


@record
class BusinessHoursPlan:
    """Working hours as the platform file writes them (validated: weekday ranges, `HH:MM` times, a zone)."""

    weekdays: tuple[str, ...]
    """`monday:friday`-style ranges; empty means every day (as in Alertmanager)."""
    times: tuple[tuple[str, str], ...]
    """(start, end) `HH:MM` pairs, end exclusive; empty means the whole day."""
    location: str
    """IANA time zone of the ranges."""


@record
class AlertmanagerSettingsPlan:
    """Global Alertmanager settings of the platform file (`alertmanager:`)."""

    version: str
    resolve_timeout: str
    receiver: str | None
    """Root receiver (a platform receiver name as written), or None for the built-in one."""
    group_by: tuple[str, ...]
    group_wait: str
    group_interval: str
    repeat_interval: str
    business_hours: BusinessHoursPlan | None
    templates: tuple[str, ...]


@record
class PlatformPlan:
    """What plan/routing needs from the platform file."""

    alertmanager: AlertmanagerSettingsPlan
    receivers: tuple[tuple[str, dict[str, list[dict[str, Any]]]], ...]
    """Platform receivers sorted by name: (name, integration type -> config entries as written)."""


def plan_business_hours(hours: BusinessHours) -> BusinessHoursPlan:
    """The validated `business_hours:` mapping as plan data."""
    return BusinessHoursPlan(weekdays=tuple(hours.weekdays),
                             times=tuple((t.start_time, t.end_time) for t in hours.times), location=hours.location)


def plan_alertmanager_settings(settings: AlertmanagerSettings) -> AlertmanagerSettingsPlan:
    """The validated `alertmanager:` mapping as plan data."""
    hours = settings.business_hours
    return AlertmanagerSettingsPlan(
        version=settings.version, resolve_timeout=settings.resolve_timeout, receiver=settings.receiver,
        group_by=tuple(settings.group_by), group_wait=settings.group_wait, group_interval=settings.group_interval,
        repeat_interval=settings.repeat_interval,
        business_hours=plan_business_hours(hours) if hours is not None else None, templates=tuple(settings.templates))


def plan_platform(specs: SpecSet) -> PlatformPlan:
    """The platform settings of a spec folder (the defaults when it has no platform file)."""
    spec = specs.platform.spec if specs.platform else None
    assert spec is None or isinstance(spec, PlatformSpec)
    settings = spec.alertmanager if spec is not None else AlertmanagerSettings()
    receivers = sorted(spec.receivers.items()) if spec is not None else []
    return PlatformPlan(alertmanager=plan_alertmanager_settings(settings),
                        receivers=tuple((name, receiver.integrations()) for name, receiver in receivers))
