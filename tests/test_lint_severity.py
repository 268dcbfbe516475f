"""A finding's severity is one its check documents (docs page and docs/lint.md table)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_gen.lint.docs import example, page, table
from agentops_gen.lint.registry import checks, get
from agentops_gen.lint.runner import lint

SPEC = """\
version: agentops-gen/v1
service: demo
owner: demo-team
slos:
  - name: task-latency
    description: Tasks finished in time.
    objective: 95
    sli:
      latency:
        histogram: task_duration_seconds{{job="a"}}
        threshold: 7s
{buckets}"""


def _lint(tmp_path: Path, text: str) -> list:
    folder = tmp_path / "specs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "demo.yaml").write_text(text, encoding="utf-8")
    return lint([folder], disabled=set())


@pytest.mark.parametrize(("buckets", "severity"), [("", "warning"), ("        buckets: [1, 5, 8]\n", "error")])
def test_bucket_boundary_reports_only_documented_severities(tmp_path: Path, buckets: str, severity: str) -> None:
    check = get("slo/bucket-boundary")
    hits = [f for f in _lint(tmp_path, SPEC.format(buckets=buckets)) if f.check == check.name]
    assert [f.severity for f in hits] == [severity]
    assert severity in (check.severity, *check.also)
    assert f"**{severity}**" in page(check) or f"some findings: {severity}" in page(check)
    row = next(line for line in table().splitlines() if f"`{check.name}`" in line)
    assert f"| {check.severities} |" in row and severity in check.severities


@pytest.mark.parametrize("check", [c for c in checks() if c.bad], ids=lambda c: c.name)
def test_example_findings_carry_a_documented_severity(tmp_path: Path, check) -> None:
    for finding in _lint(tmp_path, example(check, "bad")):
        documented = get(finding.check)
        assert finding.severity in (documented.severity, *documented.also), (finding, documented.severities)
