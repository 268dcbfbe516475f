"""Docs pages, the json schema and docs/lint.md's check list are generated from the registry and cannot drift."""

from __future__ import annotations

import re

from agentops_gen.lint.docs import LINT_DOC, TABLE_BEGIN, TABLE_END, expected_files, main, table_block
from agentops_gen.lint.registry import checks
from tests.conftest import ROOT


def test_committed_docs_match_the_registry() -> None:
    for path, text in expected_files(ROOT).items():
        assert path.is_file(), f"missing {path.relative_to(ROOT)}: run python -m agentops_gen.lint.docs"
        assert path.read_text(encoding="utf-8") == text, f"{path.relative_to(ROOT)} is stale: run " \
                                                         "python -m agentops_gen.lint.docs"
    assert main(["--check", "--root", str(ROOT)]) == 0


def test_every_check_has_a_page_with_its_name_severity_and_examples() -> None:
    for check in checks():
        page = (ROOT / check.docs).read_text(encoding="utf-8")
        assert page.startswith(f"# {check.name}\n") and f"Severity: **{check.severity}**" in page
        assert check.doc in page
        if check.bad:
            assert check.bad.rstrip("\n") in page and check.good.rstrip("\n") in page


def test_lint_doc_lists_exactly_the_registry() -> None:
    page = (ROOT / LINT_DOC).read_text(encoding="utf-8")
    section = page[page.index("## Checks"):]
    block = section[section.index(TABLE_BEGIN):section.index(TABLE_END) + len(TABLE_END)]
    assert block == table_block()
    listed = re.findall(r"^\| \[`([a-z]+/[a-z0-9-]+)`\]\(checks/([a-z0-9-]+)\.md\)", block, flags=re.M)
    assert sorted(name for name, _ in listed) == sorted(c.name for c in checks())
    for _, slug in listed:  # each link resolves from docs/
        assert (ROOT / "docs" / "checks" / f"{slug}.md").is_file(), slug


def test_check_mode_reports_drift(tmp_path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / LINT_DOC).write_text(f"x\n{TABLE_BEGIN}\nold\n{TABLE_END}\n", encoding="utf-8")
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert main(["--root", str(tmp_path)]) == 0
    assert main(["--check", "--root", str(tmp_path)]) == 0
    (tmp_path / "docs" / "checks" / "spec-gone.md").write_text("stale", encoding="utf-8")
    assert main(["--check", "--root", str(tmp_path)]) == 1
