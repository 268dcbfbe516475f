"""PromQL is parsed once per distinct query per run, through the cache the Build owns (no state across runs)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import promql_parser
import pytest
from conftest import SPECS

from agentops_gen.lint.runner import collect
from agentops_gen.pipeline import build
from agentops_gen.units.promql import ParseCache, active, parse


@pytest.fixture
def parser_calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every query handed to promql-parser, counted."""
    calls: Counter[str] = Counter()
    real = promql_parser.parse

    def counted(query: str) -> Any:
        calls[query] += 1
        return real(query)

    monkeypatch.setattr(promql_parser, "parse", counted)
    return calls


def test_lint_parses_each_distinct_query_once(parser_calls: Counter[str]) -> None:
    _, ctx = collect([SPECS])
    assert len(parser_calls) > 100  # validation, plan, output checks and lint checks all parsed
    assert [q for q, n in parser_calls.items() if n > 1] == []
    assert set(ctx.build.queries.found) == set(parser_calls)
    assert ctx.build.queries.lookups > len(parser_calls)  # the repeats were served by the cache


def test_no_state_across_runs(parser_calls: Counter[str]) -> None:
    first = build([SPECS], targets=())
    once = Counter(parser_calls)
    second = build([SPECS], targets=())
    assert first.queries is not second.queries
    assert parser_calls == once + once  # the second run parsed everything again


def test_an_invalid_query_is_parsed_once_and_fails_the_same_way(parser_calls: Counter[str]) -> None:
    cache = ParseCache()
    with active(cache):
        messages = []
        for _ in range(3):
            with pytest.raises(ValueError) as err:
                parse("sum(")
            messages.append(str(err.value))
    assert parser_calls["sum("] == 1 and len(set(messages)) == 1
    # outside the block nothing is cached
    with pytest.raises(ValueError):
        parse("sum(")
    assert parser_calls["sum("] == 2


def test_render_uses_the_cache_too(parser_calls: Counter[str]) -> None:
    result = build([SPECS])
    assert result.files and [q for q, n in parser_calls.items() if n > 1] == []
