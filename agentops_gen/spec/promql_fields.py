"""Spec fields that hold PromQL, parsed at load so a bad query points at its YAML line."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from agentops_gen.spec.common import Line

WINDOW_PLACEHOLDER = "{{ window }}"


def _query(value: str) -> str:
    from agentops_gen.check.promql import check_query

    check_query(value)
    _no_duration_number(value)
    return value


def _no_duration_number(query: str) -> None:
    from agentops_gen.check.promql import duration_literal_problem

    problem = duration_literal_problem(query)
    if problem:
        raise ValueError(problem)


def _selector(value: str) -> str:
    from agentops_gen.check.promql import check_selector

    check_selector(value)
    return value


def _raw_window(value: str) -> str:
    from agentops_gen.check.promql import check_query, substitute_window

    if "{{" not in value:
        raise ValueError(f"must contain the {WINDOW_PLACEHOLDER} placeholder, e.g. rate(x_total[{WINDOW_PLACEHOLDER}])")
    check_query(substitute_window(value, "5m"))
    _no_duration_number(substitute_window(value, "5m"))
    return value


Query = Annotated[str, AfterValidator(_query)]
Selector = Annotated[Line, AfterValidator(_selector)]
RawWindowQuery = Annotated[str, AfterValidator(_raw_window)]
