"""Findings point at the exact YAML node: key or value column, inside !include fragments too."""

from __future__ import annotations

from pathlib import Path

from agentops_gen.errors import Location, SpecError
from agentops_gen.lint.findings import check_of
from agentops_gen.lint.runner import lint

SPEC = """version: agentops-gen/v1
service: located
owner: team-a
description: Located findings.
notify: {critical: pager}
receivers:
  pager:
    pagerduty:
      routing_key: abc123
      client_url: "${CLIENT_URL}"
  mail: !include _fragments/mail.yaml
"""
FRAGMENT = """email:
  to: oncall@example.com
  auth_password_file: secrets/smtp
"""


def lint_folder(tmp_path: Path) -> list[tuple[str, int, int, str, str]]:
    (tmp_path / "_fragments").mkdir()
    (tmp_path / "_fragments" / "mail.yaml").write_text(FRAGMENT, encoding="utf-8")
    (tmp_path / "located.yaml").write_text(SPEC, encoding="utf-8")
    return [(Path(f.location.file).name, f.location.line, f.location.col, f.check, f.message)
            for f in lint([tmp_path], disabled=set())]


def test_secret_and_placeholder_at_their_value_fragment_in_its_file(tmp_path: Path) -> None:
    found = lint_folder(tmp_path)
    by_check = {check: (file, line, col) for file, line, col, check, _ in found}
    assert by_check["alerting/inline-secret"] == ("located.yaml", 9, 20)  # where `render` reports it
    assert by_check["alerting/env-placeholder"] == ("located.yaml", 10, 19)
    assert by_check["alerting/relative-file-path"] == ("mail.yaml", 3, 23)
    message = next(m for _, _, _, c, m in found if c == "alerting/relative-file-path")
    assert "included from" in message and "located.yaml:11:" in message
    # the receiver model rejects all three too; each is reported once, at the precise node
    assert len([c for *_, c, _ in found if c.startswith("alerting/")]) == 3


def test_a_suppression_in_the_fragment_applies_there(tmp_path: Path) -> None:
    global FRAGMENT
    saved = FRAGMENT
    FRAGMENT = FRAGMENT.replace("secrets/smtp", "secrets/smtp  # agentops-gen: disable=alerting/relative-file-path")
    try:
        checks = [c for *_, c, _ in lint_folder(tmp_path)]
    finally:
        FRAGMENT = saved
    assert "alerting/relative-file-path" not in checks and "lint/unused-suppression" not in checks


def test_an_error_code_names_its_check() -> None:
    error = SpecError(Location("x.yaml"), "notify.critical", "something new", code="spec/unknown-receiver")
    assert check_of(error) == "spec/unknown-receiver"
    assert check_of(SpecError(Location("x.yaml"), "a", "something new")) == "spec/schema"
    assert check_of(SpecError(Location("x.yaml"), "a", "something", code="no/such-check")) == "spec/schema"


def test_a_model_error_is_kept_when_the_check_found_something_else_in_the_file(tmp_path: Path) -> None:
    (tmp_path / "short.yaml").write_text(
        "version: agentops-gen/v1\nservice: short\nowner: team-a\ndescription: Short period.\nperiod: 12h\n"
        "kpis:\n  - name: cost\n    description: Spend.\n    query: sum(cost_usd{job=\"a\"})\n    max: 1\n"
        "    for: 1d\n", encoding="utf-8")
    found = [(f.location.line, f.check, f.severity) for f in lint([tmp_path], disabled=set())
             if f.check == "spec/period-window"]
    assert found == [(5, "spec/period-window", "warning"), (11, "spec/period-window", "error")]


def test_a_missing_owner_is_the_schema_error_under_its_own_check(tmp_path: Path) -> None:
    (tmp_path / "orphan.yaml").write_text("version: agentops-gen/v1\nservice: orphan\ndescription: No owner.\n",
                                          encoding="utf-8")
    found = [(f.check, f.severity, f.message) for f in lint([tmp_path], disabled=set())]
    assert found == [("spec/missing-owner", "error", "owner: required key is missing")]
