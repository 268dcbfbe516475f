"""Pure pieces of the Alertmanager target: matcher disjointness and the outside-business-hours interval."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from agentops_gen.plan.matchers import Matcher, disjoint, eq, matches, none_of, one_of, present
from agentops_gen.plan.platform import plan_business_hours
from agentops_gen.plan.timeintervals import day_ranges, outside_business_hours
from agentops_gen.spec.service import BusinessHours, TimeRange
from agentops_gen.spec.timeintervals import WEEKDAYS, minutes_of_day, weekday_range


def test_matchers_render_in_alertmanager_syntax() -> None:
    assert eq("service", "support-agent").render() == 'service="support-agent"'
    assert one_of("alertname", ["B", "A", "A"]).render() == 'alertname=~"A|B"'
    assert none_of("alertname", ["X"]).render() == 'alertname!~"X"'
    assert present("slo").render() == 'slo=~".+"'
    assert eq("x", 'say "hi" \\').render() == 'x="say \\"hi\\" \\\\"'
    assert one_of("x", ["a.b"]).render() == 'x=~"a\\\\.b"'  # regex-escaped, then string-escaped


def test_matchers_evaluate_like_alertmanager() -> None:
    labels = {"service": "a", "severity": "warning", "alertname": "Foo"}
    assert matches((eq("service", "a"), none_of("alertname", ["Bar"])), labels)
    assert not matches((present("slo"),), labels)  # absent label = empty value
    assert matches((Matcher("slo", "!=", ("x",)),), labels)
    assert not matches((one_of("alertname", ["Bar", "Baz"]),), labels)


@pytest.mark.parametrize(("a", "b", "expected"), [
    ((eq("severity", "critical"),), (eq("severity", "warning"),), True),
    ((eq("severity", "critical"),), (eq("severity", "critical"),), False),
    ((one_of("alertname", ["A", "B"]),), (none_of("alertname", ["A", "B"]),), True),
    ((one_of("alertname", ["A", "B"]),), (none_of("alertname", ["A"]),), False),
    ((one_of("alertname", ["A"]),), (one_of("alertname", ["B"]),), True),
    ((eq("service", "x"), present("slo")), (eq("service", "x"), eq("severity", "warning")), False),
    ((present("slo"),), (Matcher("slo", "=", ("",)),), True),
    ((none_of("a", ["1"]),), (none_of("a", ["2"]),), False),
    # the bug the safety check exists for: an outage rule whose target forgot to exclude the source
    ((eq("service", "x"), one_of("alertname", ["XDown"])), (eq("service", "x"),), False),
])
def test_disjoint_is_exact(a: tuple[Matcher, ...], b: tuple[Matcher, ...], expected: bool) -> None:
    assert disjoint(a, b) is expected
    assert disjoint(b, a) is expected


def test_disjoint_agrees_with_brute_force() -> None:
    values = ["", "A", "B", "C"]
    candidates = [eq("l", "A"), eq("l", ""), one_of("l", ["A", "B"]), none_of("l", ["A"]), none_of("l", ["B", "C"]),
                  present("l"), Matcher("l", "!=", ("B",))]
    for a, b in itertools.product(itertools.combinations(candidates, 2), repeat=2):
        common = any(matches(a, {"l": v}) and matches(b, {"l": v}) for v in values + ["other"])
        assert disjoint(a, b) is (not common), (a, b)


def test_weekday_ranges_are_sunday_first() -> None:
    assert weekday_range("monday:friday") == (1, 5)
    assert weekday_range("Sunday") == (0, 0)
    with pytest.raises(ValueError, match="must not wrap"):
        weekday_range("friday:monday")
    assert day_ranges({0, 6}) == ["sunday", "saturday"]
    assert day_ranges({1, 2, 3, 5}) == ["monday:wednesday", "friday"]
    assert minutes_of_day("24:00") == 1440
    with pytest.raises(ValueError):
        minutes_of_day("24:30")


def _inside(entries: list[dict[str, Any]], day: int, minute: int) -> bool:
    """Alertmanager semantics of a time_intervals list: any entry whose weekdays and times all match."""
    for entry in entries:
        days = set()
        for item in entry.get("weekdays", []):
            first, last = weekday_range(item)
            days.update(range(first, last + 1))
        if days and day not in days:
            continue
        times = entry.get("times", [])
        if times and not any(minutes_of_day(t["start_time"]) <= minute < minutes_of_day(t["end_time"]) for t in times):
            continue
        return True
    return False


@pytest.mark.parametrize("hours", [
    BusinessHours(),
    BusinessHours(weekdays=["monday:thursday", "saturday"], times=[TimeRange(start_time="07:30", end_time="12:00"),
                                                                   TimeRange(start_time="11:00", end_time="19:15")]),
    BusinessHours(weekdays=["sunday:saturday"], times=[TimeRange(start_time="00:00", end_time="23:00")]),
    BusinessHours(weekdays=["tuesday"], times=[]),
    BusinessHours(weekdays=[], times=[TimeRange(start_time="08:00", end_time="24:00")]),
])
def test_outside_business_hours_is_the_exact_complement(hours: BusinessHours) -> None:
    outside = outside_business_hours(plan_business_hours(hours))
    business = [{"weekdays": list(hours.weekdays), "times": [t.model_dump() for t in hours.times]}]
    for day, minute in itertools.product(range(7), range(0, 1440, 15)):
        assert _inside(outside, day, minute) != _inside(business, day, minute), (WEEKDAYS[day], minute)
    assert all(e["location"] == hours.location for e in outside)


def test_round_the_clock_business_hours_mute_nothing() -> None:
    assert outside_business_hours(plan_business_hours(BusinessHours(weekdays=[], times=[]))) == []


def test_default_business_hours_outside() -> None:
    assert outside_business_hours(plan_business_hours(BusinessHours())) == [
        {"weekdays": ["sunday", "saturday"], "location": "UTC"},
        {"weekdays": ["monday:friday"], "location": "UTC",
         "times": [{"start_time": "00:00", "end_time": "09:00"}, {"start_time": "17:00", "end_time": "24:00"}]},
    ]


def test_output_check_catches_a_route_to_an_undefined_receiver() -> None:
    from agentops_gen.check.outputs import OutputError, check_alertmanager

    doc = {"route": {"receiver": "a", "routes": [{"receiver": "b"}]}, "receivers": [{"name": "a"}],
           "templates": ["templates/agentops.tmpl"]}
    files = {"alertmanager/templates/agentops.tmpl": ""}
    with pytest.raises(OutputError, match="undefined receiver 'b'"):
        check_alertmanager("alertmanager/alertmanager.yml", doc, files)
    doc["receivers"].append({"name": "b"})
    check_alertmanager("alertmanager/alertmanager.yml", doc, files)
