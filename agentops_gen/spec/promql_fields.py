"""Spec fields that hold PromQL, parsed at load so a bad query points at its YAML line."""


from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from pydantic import AfterValidator

from agentops_gen.errors import CodedValueError
from agentops_gen.spec.common import Line
from agentops_gen.units.promql_limits import check_size

WINDOW_PLACEHOLDER = "{{ window }}"


SYNTAX = "promql/syntax"
"""The lint check of every query the PromQL checks reject."""


def _query(value: str) -> str:
    from agentops_gen.units.promql import check_query

    with _coded(SYNTAX):
        check_size(value)
        check_query(value)
        _no_duration_number(value)
    return value


def _vector_query(value: str) -> str:
    from agentops_gen.units.promql import check_vector_query

    _query(value)  # a bare duration is named as such before the type is judged
    with _coded(SYNTAX):
        check_vector_query(value)
    return value


def _no_duration_number(query: str) -> None:
    from agentops_gen.units.promql import duration_literal_problem

    problem = duration_literal_problem(query)
    if problem:
        raise ValueError(problem)


def _selector(value: str) -> str:
    from agentops_gen.units.promql import check_selector

    with _coded(SYNTAX):
        check_size(value)
        check_selector(value)
    return value


def _raw_window(value: str) -> str:
    from agentops_gen.units.promql import check_query, check_vector_query, substitute_window

    if "{{" not in value:
        raise CodedValueError(f"must contain the {WINDOW_PLACEHOLDER} placeholder, e.g. "
                              f"rate(x_total[{WINDOW_PLACEHOLDER}])", "promql/raw-window-placeholder")
    query = substitute_window(value, "5m")
    with _coded(SYNTAX):
        check_size(query)  # as the parser sees it: a `{{ window }}` placeholder is no nesting level
        check_query(query)
        _no_duration_number(query)
        check_vector_query(query)
    return value


@contextmanager
def _coded(code: str) -> Iterator[None]:
    """Re-raise a plain ValueError of the checks as a CodedValueError naming `code`."""
    try:
        yield
    except CodedValueError:
        raise
    except ValueError as exc:
        raise CodedValueError(str(exc), code) from None


Query = Annotated[str, AfterValidator(_query)]
VectorQuery = Annotated[str, AfterValidator(_vector_query)]
"""A query agentops-gen records and compares (a KPI's, an anomaly's): it must return an instant vector."""
Selector = Annotated[Line, AfterValidator(_selector)]
RawWindowQuery = Annotated[str, AfterValidator(_raw_window)]
