"""Size limits (docs/spec.md "Limits"): huge PromQL, too many entries, too much work in one run.

Each refusal is one located line at the first thing past a limit, exit 2, no crash. The CLI runs
under a 3 GB address-space limit so that a regression (promql-parser reached with a 6,000-term
query takes 4.9 GB, then segfaults) fails fast instead of swapping the machine.
"""

from __future__ import annotations

import os
import random
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from agentops_gen.check.outputs import overlapping_panels
from agentops_gen.spec.limits import MAX_ENTRIES, MAX_WORK, PER_SLO_LIMITS, SECTION_LIMITS
from agentops_gen.units.promql import parse
from agentops_gen.units.promql_limits import (
    MAX_QUERY_BYTES,
    MAX_QUERY_NESTING,
    MAX_QUERY_OPERATORS,
    measure,
    size_problem,
)

HEADER = "version: agentops-gen/v1\nservice: svc\nowner: team-a\n"
LOCATED = re.compile(r"^[^:]+:\d+:\d+: error: ")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    env = {**os.environ, "AGENTOPS_GEN_CACHE_DIR": "", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "agentops_gen", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, preexec_fn=cap_memory)


def _kpi(query: str) -> str:
    return HEADER + f"kpis:\n  - name: k\n    description: d\n    query: '{query}'\n    max: 1\n"


def _refused(tmp_path: Path, text: str, line: int, field: str, message: str) -> None:
    """render exits 2 with exactly one located line; lint reports it as an error at the same place."""
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "svc.yaml").write_text(text)
    result = _cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and LOCATED.match(lines[0]), lines
    assert lines[0].startswith(f"specs/svc.yaml:{line}:"), lines[0]
    assert f"error: {field}: " in lines[0] and re.search(message, lines[0]), lines[0]
    assert not (tmp_path / "out").exists()
    lint = _cli("lint", "specs", cwd=tmp_path)
    assert lint.returncode == 1 and "Traceback" not in lint.stderr, lint.stderr[-2000:]
    assert re.search(rf"^specs/svc.yaml:{line}:\d+: error: \S+: {re.escape(field)}: ", lint.stdout, re.M), lint.stdout


# --- PromQL size, before promql-parser -------------------------------------------------------------

def test_a_6000_term_kpi_query_is_refused_at_its_line(tmp_path: Path) -> None:
    _refused(tmp_path, _kpi(" + ".join(["a"] * 6000)), 7, "kpis[0].query", r"too long: 23997 bytes \(at most 16384\)")


def test_3000_binary_operators_within_the_byte_limit_are_refused(tmp_path: Path) -> None:
    _refused(tmp_path, _kpi("+".join(["a"] * 3001)), 7, "kpis[0].query",
             r"too many binary operators: 3000 \(at most 500\)")


def test_3000_nested_parentheses_are_refused(tmp_path: Path) -> None:
    _refused(tmp_path, _kpi("(" * 3000 + "a" + ")" * 3000), 7, "kpis[0].query",
             r"nested too deeply: 3000 levels of brackets \(at most 64\)")


def test_a_selector_with_3000_matchers_is_refused(tmp_path: Path) -> None:
    matchers = ",".join(f'l{i}="v"' for i in range(3000))
    text = HEADER + ("slos:\n  - name: s\n    objective: 99\n    sli:\n      ratio:\n"
                     f"        errors: x_total{{{matchers}}}\n        total: x_total\n")
    _refused(tmp_path, text, 9, "slos[0].sli.ratio.errors", r"too long: \d+ bytes")


def test_a_raw_sli_over_the_operator_limit_is_refused(tmp_path: Path) -> None:
    raw = " + ".join(["rate(x_total[{{ window }}])"] * (MAX_QUERY_OPERATORS + 2))
    text = HEADER + f"slos:\n  - name: s\n    objective: 99\n    sli:\n      raw:\n        error_ratio: '{raw}'\n"
    _refused(tmp_path, text, 9, "slos[0].sli.raw.error_ratio", r"too many binary operators: 501")


def test_queries_at_the_limits_render_and_generated_rules_embedding_them_pass(tmp_path: Path, promtool: str) -> None:
    # A raw SLI is repeated per window and wrapped in the outage expression, a KPI query in its
    # recording rule: the generated expressions stay under the parser backstop (twice the limits).
    raw = "(" * (MAX_QUERY_NESTING - 2) + " + ".join(["rate(x_total[{{ window }}])"] * (MAX_QUERY_OPERATORS - 20)) \
        + ")" * (MAX_QUERY_NESTING - 2) + " / 1"
    kpi = " + ".join(["x"] * (MAX_QUERY_OPERATORS + 1))
    text = HEADER + (f"slos:\n  - name: s\n    objective: 99\n    sli:\n      raw:\n        error_ratio: '{raw}'\n"
                     f"kpis:\n  - name: k\n    query: '{kpi}'\n    max: 1\n")
    assert measure(raw.replace("{{ window }}", "5m")).nesting == MAX_QUERY_NESTING
    assert measure(kpi).operators == MAX_QUERY_OPERATORS
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "svc.yaml").write_text(text)
    result = _cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    check = subprocess.run([promtool, "check", "rules", str(tmp_path / "out/prometheus/svc.rules.yaml")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_measure_counts_operators_outside_strings_comments_and_matchers() -> None:
    assert measure('a + b - c * d / e % f ^ g').operators == 6
    assert measure('a == b != c >= d <= e > f < g').operators == 6
    assert measure('a and b or c unless d').operators == 3
    assert measure('a{x!="+-*/", y=~"a|b"} + b').operators == 1
    assert measure("a # + + + +\n+ b").operators == 1
    assert measure("rate(a[5m])").nesting == 2
    assert measure('sum by (le) (rate(a{l="(((("}[5m]))').nesting == 3
    assert measure("`raw + string` + 'x\\' + y'").operators == 1


def test_size_problem_names_each_limit() -> None:
    assert size_problem("a" * MAX_QUERY_BYTES) is None
    assert "too long" in (size_problem("a" * (MAX_QUERY_BYTES + 1)) or "")
    assert "too long" in (size_problem("é" * (MAX_QUERY_BYTES // 2 + 1)) or "")  # bytes, not characters
    assert size_problem("+".join("a" * (MAX_QUERY_OPERATORS + 1))) is None
    assert "operators" in (size_problem("+".join("a" * (MAX_QUERY_OPERATORS + 2))) or "")
    assert "nested" in (size_problem("(" * (MAX_QUERY_NESTING + 1) + "a" + ")" * (MAX_QUERY_NESTING + 1)) or "")


def test_the_quick_bound_never_changes_what_size_problem_says(monkeypatch: pytest.MonkeyPatch) -> None:
    """size_problem answers from C-speed counts when they are within the limits; the answer is the exact pass's."""
    from agentops_gen.units import promql_limits

    tokens = ["a", "+", "-", "==", "!=", "(", ")", "[5m]", "{", "}", ' and ', ' OR ', ' unless ', 'atan2', '"x+(("',
              "#c+(\n", "é", " "]
    rng = random.Random(16)
    queries = [word.join("a" * (limit + k)) for word in (" and ", " Or ", " unless ", " atan2 ", "==", "^")
               for limit in (MAX_QUERY_OPERATORS, 2 * MAX_QUERY_OPERATORS) for k in (0, 1, 2)]
    queries += [bracket * (limit + k) + "a" for bracket in "([{" for limit in (MAX_QUERY_NESTING, 2 * MAX_QUERY_NESTING)
                for k in (0, 1)]
    queries += [char * (limit // 4 + k) for char in ("é", "\U0001f600")
                for limit in (MAX_QUERY_BYTES, 2 * MAX_QUERY_BYTES) for k in (-1, 0, 1)]
    for size in (50, 300, 600, 1200, 2500):
        queries += ["".join(rng.choice(tokens) for _ in range(size)) for _ in range(20)]
    cases = [(q, scale) for q in queries for scale in (1, 2)]
    quick = [size_problem(q, scale) for q, scale in cases]
    assert sum(answer is None for answer in quick) > len(cases) // 4  # both answers are exercised
    assert promql_limits._surely_within('sum(rate(x_total{job="a",code=~"5.."}[5m])) / sum(rate(x_total[5m]))', 1)
    monkeypatch.setattr(promql_limits, "_surely_within", lambda query, scale: False)
    assert quick == [size_problem(q, scale) for q, scale in cases]


def test_every_parse_refuses_text_past_the_backstop_without_calling_promql_parser(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import promql_parser

    def never(query: str) -> None:
        raise AssertionError("promql-parser reached")

    monkeypatch.setattr(promql_parser, "parse", never)
    with pytest.raises(ValueError, match="too many binary operators: 1001 .at most 1000"):
        parse("+".join(["a"] * 1002))
    with pytest.raises(ValueError, match="nested too deeply"):
        parse("(" * 129 + "a" + ")" * 129)


def test_lint_query_parse_refuses_a_huge_query() -> None:
    from agentops_gen.lint.context import LintContext
    from agentops_gen.lint.queries import parsed
    from agentops_gen.pipeline import Build

    ctx = LintContext(build=Build(root=Path("."), sources=[]))
    assert parsed(ctx, "+".join(["a"] * 6000)) is None
    assert parsed(ctx, "a + b") is not None


# --- entries per file and per run ----------------------------------------------------------------

def _slos(count: int, extra: str = "") -> str:
    return "slos:\n" + "".join(f"  - name: s{i}\n    objective: 99\n    sli:\n      ratio:\n"
                               f"        errors: x_total{{code=\"5\",i=\"{i}\"}}\n        total: x_total{{i=\"{i}\"}}\n"
                               + extra for i in range(count))


def test_10000_slos_in_one_file_are_refused_at_the_first_past_the_limit(tmp_path: Path) -> None:
    limit = SECTION_LIMITS["slos"]
    # one SLO a line, in flow style, so 10,000 of them stay under the 1 MiB file limit
    sli = "{raw: {error_ratio: 'e[{{ window }}]'}}"
    slos = "slos:\n" + "".join(f"  - {{name: s{i}, objective: 99, sli: {sli}}}\n" for i in range(10_000))
    assert len(slos) < 1024 * 1024
    _refused(tmp_path, HEADER + slos, 5 + limit, f"slos[{limit}]",
             rf"too many entries: 10000 \(at most {limit} per spec file\)")


def test_too_many_burn_windows_in_one_slo(tmp_path: Path) -> None:
    limit = PER_SLO_LIMITS[("alerting", "windows")]
    windows = "    alerting:\n      windows:\n" + "".join(
        f"        - {{severity: ticket, long: {i + 2}h, short: 1h, budget_percent: 1}}\n" for i in range(limit + 3))
    _refused(tmp_path, HEADER + _slos(1, windows), 13 + limit, f"slos[0].alerting.windows[{limit}]",
             rf"too many entries: {limit + 3} \(at most {limit} per SLO\)")


def test_too_many_dashboard_panels_and_receivers(tmp_path: Path) -> None:
    panels = "dashboard:\n  panels:\n" + "".join(f"    - {{title: p{i}, query: up}}\n" for i in range(105))
    _refused(tmp_path, HEADER + panels, 106, "dashboard.panels[100]", r"too many entries: 105 \(at most 100 per spec")


def test_any_list_or_mapping_past_the_generic_limit(tmp_path: Path) -> None:
    labels = "labels:\n" + "".join(f"  l{i}: v\n" for i in range(MAX_ENTRIES + 5))
    _refused(tmp_path, HEADER + labels, 5 + MAX_ENTRIES, f"labels.l{MAX_ENTRIES}",
             rf"too many entries: {MAX_ENTRIES + 5} \(at most {MAX_ENTRIES} in one list or mapping\)")


def test_work_past_the_run_limit_is_refused_at_the_first_entry_past_it(tmp_path: Path) -> None:
    per_file = SECTION_LIMITS["slos"]
    specs = tmp_path / "specs"
    specs.mkdir()
    files = MAX_WORK // per_file + 1
    for f in range(files):
        (specs / f"svc{f}.yaml").write_text(HEADER.replace("svc", f"svc{f}") + _slos(per_file))
    result = _cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    # files 0..k-1 use k * (1 + per_file) units; the file that crosses the limit gets the error
    used, crossing = 0, 0
    while used + 1 + per_file <= MAX_WORK:
        used += 1 + per_file
        crossing += 1
    first = MAX_WORK - used - 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"specs/svc{crossing}.yaml:{5 + 6 * first}:5: error: slos[{first}]: this SLO is past "
                               f"the limit of {MAX_WORK} "), lines[0]
    lint = _cli("lint", "specs", cwd=tmp_path)
    assert lint.returncode == 1 and f"slos[{first}]: this SLO is past the limit" in lint.stdout, lint.stdout[-2000:]


def test_the_examples_are_far_below_every_limit() -> None:
    from agentops_gen.load.yaml_loader import load_file

    for spec in (ROOT / "slo_specs").glob("*.yaml"):
        data = load_file(spec, spec.parent).data
        for section, limit in SECTION_LIMITS.items():
            assert len(data.get(section) or ()) * 10 <= limit, (spec, section)


# --- the quadratic step a 10,000-SLO render had ----------------------------------------------------

def _naive_overlaps(panels: list[dict[str, object]]) -> list[tuple[int, int]]:
    boxes = [(p["id"], p["gridPos"]) for p in panels]
    return [(a_id, b_id) for i, (a_id, a) in enumerate(boxes) for b_id, b in boxes[i + 1:]  # type: ignore[misc]
            if a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"]  # type: ignore[index]
            and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]]  # type: ignore[index]


def test_the_row_sweep_finds_exactly_the_overlaps_of_the_pairwise_check() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        panels = [{"id": i, "gridPos": {"x": rng.randint(0, 20), "y": rng.randint(0, 15), "w": rng.randint(1, 6),
                                        "h": rng.randint(0, 5)}} for i in range(rng.randint(0, 12))]
        assert overlapping_panels(panels) == _naive_overlaps(panels), panels


# --- telemetry names --------------------------------------------------------------------------------

_TELEMETRY = HEADER + ("telemetry:\n  metrics:\n    export:\n      otlphttp:\n        endpoint: https://m.example.com\n"
                       "        headers_file: {{{header}: /run/secrets/token}}\n    drop_attributes: [{drop}]\n"
                       "  redact: [user_id, {redact}]\n")


@pytest.mark.parametrize(("where", "line", "field"), [
    ("header", 9, "telemetry.metrics.export.otlphttp.headers_file"),
    ("drop", 10, "telemetry.metrics.drop_attributes[0]"),
    ("redact", 11, "telemetry.redact[1]"),
])
def test_a_telemetry_name_longer_than_255_characters_is_refused_at_its_line(
        tmp_path: Path, where: str, line: int, field: str) -> None:
    # attribute keys and header names are copied into the Collector config: bounded like label names
    names = {"header": "X-Scope-OrgID", "drop": "session_id", "redact": "email", where: "a" * 256}
    _refused(tmp_path, _TELEMETRY.format(**names), line, field, r"at most 255 characters \(got 256\)")


def test_telemetry_names_of_255_characters_render(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "svc.yaml").write_text(_TELEMETRY.format(header="h" * 255, drop="d" * 255, redact="r" * 255))
    result = _cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "r" * 255 in (tmp_path / "out" / "otel" / "svc.collector.yaml").read_text()
