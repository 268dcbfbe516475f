"""Every registered check: its docs example is flagged at the marked line, and its fixed example is not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentops_gen.lint.docs import example
from agentops_gen.lint.registry import CHECK_MODULES, checks, registry
from agentops_gen.lint.runner import lint

WITHOUT_EXAMPLE = {"output/render", "output/parse", "output/structure", "output/otel", "output/promtool",
                   "prometheus/metric-type"}
"""Checks on rendered files: a valid spec renders valid files, so test_lint_outputs.py breaks a target instead.
prometheus/metric-type needs scraped metadata, which backfilled history lacks: test_live_units.py fakes it."""
NAME_RE = re.compile(r"^(spec|promql|slo|alerting|telemetry|output|prometheus|lint)/[a-z0-9]+(-[a-z0-9]+)*$")


def lint_text(tmp_path: Path, text: str) -> list:
    """Lint one spec file written into its own spec folder."""
    folder = tmp_path / "specs"
    folder.mkdir(exist_ok=True)
    (folder / "example.yaml").write_text(text, encoding="utf-8")
    return lint([folder], disabled=set())


def flagged_line(text: str) -> int:
    """The line of an example carrying the `# flagged` marker."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if line.rstrip().endswith("# flagged")]
    assert len(lines) == 1, "an example marks exactly one line with `# flagged`"
    return lines[0]


def test_registry_names_are_stable_kebab_case_one_module_each() -> None:
    names = [c.name for c in checks()]
    assert len(names) == len(set(names)) == len(CHECK_MODULES)
    for name, module in zip(names, CHECK_MODULES, strict=True):
        assert NAME_RE.match(name), name
        assert module == name.replace("/", "_").replace("-", "_"), (module, name)
    for c in checks():
        assert c.severity in ("error", "warning", "info")
        assert c.summary.endswith(".") and len(c.doc) > 150, c.name


def test_every_check_has_an_example_or_a_dedicated_test() -> None:
    with_examples = {c.name for c in checks() if c.bad and c.good}
    assert with_examples | WITHOUT_EXAMPLE == set(registry())
    assert not with_examples & WITHOUT_EXAMPLE


EXAMPLES = [c for c in checks() if c.bad and c.stage != "prometheus"]
"""Online checks' examples run against a real server in test_live_prometheus.py."""


@pytest.mark.parametrize("check", EXAMPLES, ids=[c.name for c in EXAMPLES])
def test_bad_example_is_flagged_at_the_marked_line(tmp_path: Path, check) -> None:
    text = example(check, "bad")
    findings = lint_text(tmp_path, text)
    hits = [f for f in findings if f.check == check.name]
    # a validation error the check claims must not also surface as a generic spec/schema finding
    assert check.name == "spec/schema" or not [f for f in findings if f.check == "spec/schema"]
    assert [f.location.line for f in hits] == [flagged_line(text)], [f.format() for f in hits]
    assert hits[0].severity in ("error", "warning", "info")


@pytest.mark.parametrize("check", EXAMPLES, ids=[c.name for c in EXAMPLES])
def test_good_example_is_not_flagged(tmp_path: Path, check) -> None:
    found = [f.format() for f in lint_text(tmp_path, example(check, "good")) if f.check == check.name]
    assert found == []
