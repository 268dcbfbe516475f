"""Output-side checks: lint renders in memory, so a broken target or template is a lint error."""

from __future__ import annotations

from pathlib import Path

import pytest

import agentops_gen.targets
from agentops_gen.lint.runner import collect, lint
from tests.conftest import FIXTURES, require_tool

CLEAN = FIXTURES / "lint" / "clean"
RULES = "prometheus/clean-agent.rules.yaml"


def with_render(monkeypatch: pytest.MonkeyPatch, files: dict[str, str] | Exception) -> None:
    """Make the targets render `files` (or raise), as a template bug would."""
    def fake(plan: object, names: tuple[str, ...] = agentops_gen.targets.TARGETS) -> dict[str, str]:
        if isinstance(files, Exception):
            raise files
        return files
    monkeypatch.setattr(agentops_gen.targets, "render_targets", fake)


def found(promtool: bool = False) -> list[tuple[str, int, str]]:
    return [(Path(f.location.file).name, f.location.line, f.check) for f in lint([CLEAN], disabled=set(),
                                                                                   use_promtool=promtool)]


def test_clean_spec_renders_every_target_without_findings() -> None:
    findings, ctx = collect([CLEAN])
    assert findings == [] and ctx.render_error is None
    assert RULES in (ctx.rendered or {})


def test_a_target_that_raises_is_output_render(monkeypatch: pytest.MonkeyPatch) -> None:
    with_render(monkeypatch, KeyError("severity"))
    assert found() == [("clean.yaml", 1, "output/render")]


def test_a_file_that_does_not_parse_is_output_parse_at_its_service(monkeypatch: pytest.MonkeyPatch) -> None:
    with_render(monkeypatch, {RULES: "groups: [\n", "grafana/x.json": "{}"})
    assert found() == [("clean.yaml", 3, "output/parse")]


def test_broken_rule_structure_or_promql_is_output_structure(monkeypatch: pytest.MonkeyPatch) -> None:
    with_render(monkeypatch, {RULES: 'groups: [{name: g, rules: [{record: "r:x", expr: "sum(up"}]}]\n',
                              "prometheus/other.rules.yaml": "groups: [{name: g, rules: [{alert: A}]}]\n"})
    findings = lint([CLEAN], disabled=set())
    assert [f.check for f in findings] == ["output/structure", "output/structure"]  # both files, not just the first
    assert any("invalid PromQL" in f.message for f in findings)


def test_collector_config_problems_are_output_otel(monkeypatch: pytest.MonkeyPatch) -> None:
    with_render(monkeypatch, {"otel/clean-agent.collector.yaml": "exporters: {loki: {}}\nservice: {pipelines: {}}\n"})
    findings = lint([CLEAN], disabled=set())
    assert [(f.check, f.location.line) for f in findings] == [("output/otel", 3)]
    assert "loki" in findings[0].message


def test_promtool_runs_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    require_tool("promtool")
    # Parses as PromQL, but promtool rejects the duration `5x`.
    with_render(monkeypatch, {RULES: 'groups: [{name: g, rules: [{alert: A, expr: "up{job=\\"a\\"} == 0", '
                                     'for: 5x}]}]\n'})
    assert found() == []
    assert found(promtool=True) == [("clean.yaml", 3, "output/promtool")]


def test_promtool_and_amtool_accept_the_rendered_examples() -> None:
    require_tool("promtool")
    require_tool("amtool")
    assert [f for f in lint([CLEAN], disabled=set(), use_promtool=True) if f.check.startswith("output/")] == []


def test_specs_with_errors_are_not_rendered() -> None:
    _, ctx = collect([FIXTURES / "seed_mistakes" / "mistakes.spec.yaml"])
    assert ctx.rendered is None


def test_lint_renders_everything_but_the_generated_promtool_tests_and_the_runbooks() -> None:
    """No check reads them (the tests are the slowest target); render still generates them."""
    from agentops_gen.pipeline import render_paths

    _, ctx = collect([CLEAN])
    rendered = set(ctx.rendered or {})
    written = set(render_paths([CLEAN]))
    skipped = {p for p in written - rendered if not p.startswith("runbooks/clean-agent/")}
    assert {"prometheus/tests/clean-agent.test.yaml", "prometheus/tests/clean-agent.5m.test.yaml"} <= skipped
    assert all(p.startswith("prometheus/tests/") for p in skipped)  # the test files and the rule slices they load
    assert "runbooks/clean-agent/README.md" in written - rendered
    assert rendered < written



def test_lint_leaves_out_the_rule_file_copies_that_render_checks(tmp_path: Path) -> None:
    # the examples switch every output on: lint renders the Mimir Alertmanager payload (its own check) but no
    # PrometheusRule, Mimir or Thanos rule file, whose groups are the Prometheus rule file's text
    from agentops_gen.check.outputs import OutputError, check_outputs
    from agentops_gen.pipeline import build

    examples = Path(__file__).resolve().parent.parent / "slo_specs"
    _, ctx = collect([examples])
    linted = set(ctx.rendered or {})
    rendered = build([examples]).files
    copies = {p for p in rendered if p.startswith(("kubernetes/", "mimir/rules/", "thanos/"))}
    assert len(copies) == 15 and not copies & linted
    assert "mimir/alertmanager/alertmanager.yaml" in linted and "prometheus/amas.rules.yaml" in linted
    assert linted - copies <= set(rendered)
    # render still checks each copy against its rule file
    broken = dict(rendered)
    path = "thanos/amas.rules.yaml"
    broken[path] = broken[path].replace('record: "slo:', 'record: "slx:', 1)
    assert broken[path] != rendered[path]
    with pytest.raises(OutputError, match="thanos/amas.rules.yaml: its rule groups differ"):
        check_outputs(broken)
