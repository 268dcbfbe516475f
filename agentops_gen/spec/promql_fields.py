"""Spec fields that hold PromQL, parsed at load so a bad query points at its YAML line."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from agentops_gen.check.promql_limits import check_size

WINDOW_PLACEHOLDER = "{{ window }}"


def _query(value: str) -> str:
    from agentops_gen.check.promql import check_query

    check_size(value)
    check_query(value)
    return value


def _selector(value: str) -> str:
    from agentops_gen.check.promql import check_selector

    check_size(value)
    check_selector(value)
    return value


def _raw_window(value: str) -> str:
    from agentops_gen.check.promql import check_query, substitute_window

    if "{{" not in value:
        raise ValueError(f"must contain the {WINDOW_PLACEHOLDER} placeholder, e.g. rate(x_total[{WINDOW_PLACEHOLDER}])")
    query = substitute_window(value, "5m")
    check_size(query)  # as the parser sees it: a `{{ window }}` placeholder is no nesting level
    check_query(query)
    return value


Query = Annotated[str, AfterValidator(_query)]
Selector = Annotated[str, AfterValidator(_selector)]
RawWindowQuery = Annotated[str, AfterValidator(_raw_window)]
