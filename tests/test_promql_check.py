"""check_query: promql-parser narrowed to Prometheus 2.x, and its text prefilter never hides a 3.x-only call."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from agentops_gen.units import promql

THREE_ONLY = [
    "limitk(1, x)",
    "limitk (1, x)",
    "sum by (job) (mad_over_time(x[5m]))",
    "sort_by_label(x, \"job\")",
    "max without(job)(sort_by_label_desc(x, \"a\"))",
    "limit_ratio(0.5, x)",
    "limitk\n(1, x)",
    "x + on(job) group_left limitk(1, y)",
    'x{a="limitk("} + limitk(1, y)',
    "limitk # a comment\n(1, x)",
    "limitk by (job) (1, x)",
    "x*limitk(1, y)",
    "x:y + limitk(1, y)",
]
TWO_OK = [
    "sum(rate(x[5m]))",
    "sum by (service) (rate(x_total{a=\"b\"}[5m])) / sum by (service) (rate(y_total[5m]))",
    'x{a="limitk(1, y)"}',
    "x{a='mad_over_time('}",
    "histogram_quantile(0.95, sum by (le) (rate(h_bucket[5m])))",
    "x > bool 3",
    "x and on(job) y or ignoring(a) z unless w",
    "avg_over_time(x[1h] offset 5m)",
    "SUM(x)",
    "sum # comment\n(x)",
]


@pytest.mark.parametrize("query", THREE_ONLY)
def test_prometheus_3_only_calls_are_rejected(query: str) -> None:
    with pytest.raises(ValueError, match="does not exist in Prometheus 2.x"):
        promql.check_query(query)


@pytest.mark.parametrize("query", TWO_OK)
def test_prometheus_2_queries_pass(query: str) -> None:
    promql.check_query(query)


def _walk_verdict(query: str) -> bool:
    """What the full tree walk says: True when every call is a 2.x one."""
    import promql_parser

    for node in promql.nodes(promql.parse(query)):
        if isinstance(node, promql_parser.Call) and node.func.name not in promql.PROMETHEUS_2_FUNCTIONS:
            return False
        if isinstance(node, promql_parser.AggregateExpr) and str(node.op) not in promql.PROMETHEUS_2_AGGREGATIONS:
            return False
    return True


def test_prefilter_never_passes_what_the_walk_rejects(rendered_examples: Path) -> None:
    """The prefilter may send a good query to the walk, never let a bad one skip it."""
    queries = THREE_ONLY + TWO_OK
    out = rendered_examples / "prometheus"  # rendered here: a user's render into out/ must not matter
    for path in sorted(out.glob("*.rules.yaml")):
        queries += [r["expr"] for g in yaml.safe_load(path.read_text())["groups"] for r in g["rules"]]
    assert len(queries) > 300
    skipped = 0
    for query in queries:
        if promql._only_known_calls(query):
            skipped += 1
            assert _walk_verdict(query), query
    assert skipped > 300, "the prefilter should spare the walk for generated rules"


@pytest.mark.parametrize("query", [
    'sum(rate(http_requests_total{code=~"5.."}[{{ window }}]))',
    "http_requests_total[{{window}}]",
])
def test_a_selector_with_a_window_placeholder_says_where_such_a_query_goes(query: str) -> None:
    with pytest.raises(ValueError, match=r"without a \{\{ window \}\} placeholder.*`sli\.raw\.error_ratio`"):
        promql.check_selector(query)


def test_a_label_value_with_braces_is_still_just_a_selector() -> None:
    assert promql.check_selector('x_total{note="{{ not a window }}"}').name == "x_total"


# (query, does it yield a sample while no series exist?): judged from PromQL's semantics, not the code
FROM_NOTHING = [
    ("sum(increase(x[1h])) or vector(0)", True),
    ("x or vector(0)", True),
    ("vector(0) or x", True),
    ("absent(up{job=\"api\"})", True),
    ("absent_over_time(up[5m])", True),
    ("hour()", True),
    ("hour(x)", False),
    ("scalar(x) * 2", True),
    ("label_replace(vector(1), \"a\", \"b\", \"c\", \"d\")", True),
    ("(x or vector(0)) > 5", True),
    ("max_over_time((x or vector(0))[5m:])", True),
    ("vector(1) unless x", True),
    ("x unless vector(1)", False),
    ("x and vector(1)", False),
    ("sum(rate(x[5m])) / sum(rate(y[5m]))", False),
    ("round(x, 0.5)", False),
    ("histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))", False),
    ("topk(3, x)", False),
    ("time() - x", False),
    ("-x", False),
]


@pytest.mark.parametrize(("query", "expected"), FROM_NOTHING)
def test_from_nothing_tells_queries_that_yield_a_sample_without_series(query: str, expected: bool) -> None:
    assert promql.query_from_nothing(query) is expected
