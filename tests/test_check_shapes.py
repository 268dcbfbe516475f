"""The output check parses rendered PromQL once per shape (plain equality values set aside), and says
exactly what parsing every expression as written says."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

from agentops_gen.check.shapes import PLACEHOLDER, check_rendered, shape
from agentops_gen.pipeline import build
from agentops_gen.units.promql import check_query
from agentops_gen.units.promql_limits import BACKSTOP_SCALE, MAX_QUERY_BYTES

SERVICE = """version: agentops-gen/v1
service: svc-{i}
owner: team-a
slos:
  - name: availability
    objective: 99.5
    sli:
      ratio:
        errors: 'http_requests_total{{job="svc-{i}",code=~"5.."}}'
        total: 'http_requests_total{{job="svc-{i}"}}'
  - name: latency
    objective: 95
    period: 7d
    sli: {{latency: {{histogram: 'request_duration_seconds{{job="svc-{i}"}}', threshold: 8s}}}}
"""


@pytest.mark.parametrize(("query", "expected"), [
    ('x{a="b", c!="d"}', 'x{a="x", c!="x"}'),
    ('x{a = "b"}', 'x{a = "x"}'),
    ('x{a=~"b.*", c!~"d"}', 'x{a=~"b.*", c!~"d"}'),  # regexes are checked by the parser: kept
    ('x{a=""}', 'x{a=""}'),  # empty matches the empty string: kept
    ('x{a="b\\"c", d="e"}', 'x{a="b\\"c", d="x"}'),  # escapes kept
    ('label_replace(x{a="b"}, "dst=", "$1", "src", "(.*)")', 'label_replace(x{a="x"}, "dst=", "$1", "src", "(.*)")'),
    ('x{a="b\tc"}', 'x{a="b\tc"}'),  # control characters kept
    ("x{a='b'}", "x{a='b'}"),  # other kinds of strings: unsure, as written
    ('x{a="b"} # c="d"', 'x{a="b"} # c="d"'),
    ('x{a="b}', 'x{a="b}'),  # unterminated
    ('x{a="b\\"}', 'x{a="b\\"}'),
])
def test_shape(query: str, expected: str) -> None:
    assert shape(query) == expected


_EQUALITY_VALUE = re.compile(r'(=\s*)"[^"\\\x00-\x1f\x7f\ud800-\udfff]+"|"(?:[^"\\]|\\.)*"', re.DOTALL)
_ANY_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _shape_by_one_regex(query: str) -> str:
    """The definition of shape() as one left-to-right regex scan (its first form): every double-quoted
    string is consumed whole, and one right after `=` and whitespace that holds no escape and no control
    character becomes "x"."""
    if ('"' not in query or "#" in query or "'" in query or "`" in query
            or len(query) * 4 > MAX_QUERY_BYTES * BACKSTOP_SCALE or '"' in _ANY_STRING.sub("", query)):
        return query
    return _EQUALITY_VALUE.sub(lambda m: m.group(0) if m.group(1) is None else m.group(1) + PLACEHOLDER, query)


_PIECES = ['=', '"', '"', '\\', ' ', '\t', '\n', '~', '!', '<', 'a', '{', '}', ',', '\x01', '\u2003', '\x85',
           '\ud800', 'x="y"', '!="', '=~"', '"\\"']
"""Characters and fragments where a string scan can go wrong: quotes, escapes, Unicode whitespace
(`\\s` and str.rstrip must agree), control characters, a lone surrogate, matcher operators."""


def test_shape_equals_the_one_regex_definition_on_random_text() -> None:
    rng = random.Random(16)
    queries = ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 14))) for _ in range(60_000)]
    assert sum(shape(q) != q for q in queries) > 1_000  # the sample does replace values
    assert [q for q in queries if shape(q) != _shape_by_one_regex(q)] == []


@pytest.mark.parametrize("query", [
    'x{a="b"}', '{a="b"}', '{a=""}', '{a!="b"}', 'x{a!=""}', '{a=~".*"}', 'x{a=~"("}', 'x{a="\\q"}',
    'x{a="b\nc"}', 'x{__name__="y"}', '{__name__="y"}', 'x == "a"', 'x != "a"', 'x{a="b"} + on(c) y{d="e"}',
    'sum by (a) (rate(x{a="b",c=~"d|e\\\\.f"}[5m]))', 'label_replace(x{a="b"}, "dst", "$1", "src", "(")',
    'x{a="b"', 'x{a="b"}}', "x{a='b', c=\"d\"}", 'mad_over_time(x{a="b"}[5m])', 'sum(x{a="b"}) by (',
])
def test_check_rendered_agrees_with_parsing_the_query_as_written(query: str) -> None:
    try:
        check_query(query)
        expected = None
    except ValueError as exc:
        expected = str(exc)
    try:
        check_rendered(query)
        got = None
    except ValueError as exc:
        got = str(exc)
    assert got == expected


def _parses(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Counter[str], dict[str, str]]:
    calls: Counter[str] = Counter()
    real = promql_parser.parse

    def counted(query: str) -> Any:
        calls[query] += 1
        return real(query)

    monkeypatch.setattr(promql_parser, "parse", counted)
    result = build([folder])
    assert result.files is not None and not result.output_errors
    return calls, result.files


def test_services_alike_add_no_rule_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(3):
        (tmp_path / f"svc-{i}.yaml").write_text(SERVICE.format(i=i))
    calls, files = _parses(tmp_path, monkeypatch)
    rules = yaml.safe_load(files["prometheus/svc-2.rules.yaml"])
    exprs = {r["expr"] for g in rules["groups"] for r in g["rules"]}
    assert len(exprs) > 20
    # svc-2's rules differ from svc-0's only in label values: none of them is parsed as written
    assert [e for e in exprs if e in calls and "svc-2" in e] == []
    # ... and they are parsed in their shape, once
    assert {shape(e) for e in exprs} <= set(calls)
    assert [q for q, n in calls.items() if n > 1] == []


def test_only_shapes_that_pass_are_remembered() -> None:
    checked: set[str] = set()
    for _ in range(2):
        with pytest.raises(ValueError, match="illegal regex"):
            check_rendered('x{a="b", c=~"("}', checked)
    assert checked == set()
    check_rendered('x{a="b", c=~"d"}', checked)
    check_rendered('x{a="e", c=~"d"}', checked)
    assert checked == {'x{a="x", c=~"d"}'}


def test_a_broken_regex_in_one_of_many_alike_rule_files_is_caught(tmp_path: Path) -> None:
    """Files checked after alike ones reuse their shapes; a regex matcher is not a value set aside, so one
    corrupted copy is still parsed as written and fails."""
    from agentops_gen.check.outputs import OutputError, check_outputs

    for i in range(3):
        (tmp_path / f"svc-{i}.yaml").write_text(SERVICE.format(i=i))
    files = build([tmp_path]).files
    assert files is not None
    check_outputs(files)
    path = "prometheus/svc-2.rules.yaml"
    assert files[path].count('code=~\\"5..\\"') >= 3
    broken = {**files, path: files[path].replace('code=~\\"5..\\"', 'code=~\\"5.(\\"', 1)}
    with pytest.raises(OutputError, match=rf"^{path}: .*illegal regex"):
        check_outputs(broken)
