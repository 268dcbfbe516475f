"""The reference platforms' original mistakes (tests/fixtures/seed_mistakes/) give exactly the marked findings."""

from __future__ import annotations

import re

from agentops_gen.lint.registry import registry
from agentops_gen.lint.runner import lint
from tests.conftest import FIXTURES, run_cli

SPEC = FIXTURES / "seed_mistakes" / "mistakes.spec.yaml"
EXPECT = re.compile(r"#\s*expect:\s*([a-z0-9/\-]+(?:\s*,\s*[a-z0-9/\-]+)*)(\s+schema)?\s+--")
PROPOSE = re.compile(r"#\s*propose:\s*([a-z0-9/\-]+)\s+--")
PROPOSE_SLACK = 5
"""A `propose:` mistake that a registered check now covers may be flagged this many lines away (the
fixture marks the SLO's `sli:`; slo/unreachable-burn-factor points at the objective that causes it)."""


def markers() -> tuple[set[tuple[int, str]], dict[str, int]]:
    """(line, check) pairs the fixture expects, and proposed checks by marker line."""
    expected: set[tuple[int, str]] = set()
    proposed: dict[str, int] = {}
    for number, line in enumerate(SPEC.read_text(encoding="utf-8").splitlines(), start=1):
        if m := EXPECT.search(line):
            expected.update((number, check.strip()) for check in m.group(1).split(","))
        if m := PROPOSE.search(line):
            proposed[m.group(1)] = number
    return expected, proposed


def test_every_marked_line_is_flagged_by_its_check_and_nothing_else() -> None:
    expected, proposed = markers()
    assert len(expected) >= 20
    assert {check for _, check in expected} <= set(registry()), "the fixture names a check the registry lacks"
    found = {(f.location.line, f.check) for f in lint([SPEC], disabled=set()) if f.location.file.endswith(SPEC.name)}
    extra = found - expected
    for check, line in proposed.items():
        covered = {(n, c) for n, c in extra if c == check and abs(n - line) <= PROPOSE_SLACK}
        assert check not in registry() or len(covered) == 1, f"{check} should flag near line {line}"
        extra -= covered
    assert sorted(expected - found) == [], "marked mistakes that lint misses"
    assert sorted(extra) == [], "findings on lines without a marker"


def test_cli_reports_them_with_exit_1_and_validation_errors_as_findings() -> None:
    result = run_cli("lint", str(SPEC))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert any(": error: spec/schema: alerts[" in line and "'page'" in line for line in lines)
    assert any(": error: alerting/env-placeholder: " in line and "PAGERDUTY_KEY" in line for line in lines)
    # The receiver model rejects the same placeholder at the enclosing mapping; lint reports it once.
    assert sum("PAGERDUTY_KEY" in line for line in lines) == 1
