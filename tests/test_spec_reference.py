"""Every spec key has a description in the JSON Schema (editor hover) and a row in docs/spec.md."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

from conftest import ROOT, run_cli
from pydantic import BaseModel

from agentops_gen.spec.common import SpecModel
from agentops_gen.spec.json_schema import model_json_schema
from agentops_gen.spec.reference import SPEC_DOC, key, main, models


def missing_descriptions(found: list[type[BaseModel]]) -> list[str]:
    """`Model.key (file): ...` for each field whose JSON Schema property has no description."""
    problems = []
    for model in found:
        props = model_json_schema(model)["properties"]
        for name, field in model.model_fields.items():
            if not props[key(name, field)].get("description"):
                problems.append(f"{model.__name__}.{key(name, field)} ({_source(model)}): no description in the "
                                "JSON Schema; add a docstring under the field")
    return problems


def missing_rows(found: list[type[BaseModel]], doc: str) -> list[str]:
    """`Model.key: ...` for each field without a row in its model's table of docs/spec.md."""
    sections = dict(re.findall(r"^### (\w+)\n(.*?)(?=^### |\Z)", doc, flags=re.M | re.S))
    problems = []
    for model in found:
        rows = set(re.findall(r"^\| `([^`]+)` \|", sections.get(model.__name__, ""), flags=re.M))
        for name, field in model.model_fields.items():
            if key(name, field) not in rows:
                problems.append(f"{model.__name__}.{key(name, field)}: no row in {SPEC_DOC} (section "
                                f"### {model.__name__}); run python -m agentops_gen.spec.reference")
    return problems


def _source(model: type[BaseModel]) -> str:
    return Path(inspect.getsourcefile(model) or "?").resolve().relative_to(ROOT.resolve()).as_posix()


def test_every_spec_key_has_a_schema_description() -> None:
    found = list(models())
    assert len(found) > 40
    assert missing_descriptions(found) == []


def test_every_spec_key_has_a_row_in_the_reference() -> None:
    doc = (ROOT / SPEC_DOC).read_text(encoding="utf-8")
    assert missing_rows(list(models()), doc) == []
    assert main(["--check", "--root", str(ROOT)]) == 0, "docs/spec.md is stale: python -m agentops_gen.spec.reference"


def test_the_checks_name_the_field_that_lacks_what() -> None:
    class Probe(SpecModel):
        """A model one field of which is undocumented."""

        documented: int = 0
        """Has a description."""
        bare: int = 0

    doc = "### Probe\n\n| key | type | default | meaning |\n| --- | --- | --- | --- |\n| `documented` | x | y | z |\n"
    assert missing_descriptions([Probe]) == [
        "Probe.bare (tests/test_spec_reference.py): no description in the JSON Schema; add a docstring under the field"]
    assert missing_rows([Probe], doc) == [
        "Probe.bare: no row in docs/spec.md (section ### Probe); run python -m agentops_gen.spec.reference"]


def test_schema_command_shows_the_descriptions() -> None:
    result = run_cli("schema")
    assert result.returncode == 0, result.stderr
    defs = json.loads(result.stdout)["$defs"]
    assert "own severity" in defs["KPI"]["properties"]["thresholds"]["description"]
    assert defs["PlainAlert"]["properties"]["for"]["description"].startswith("How long `expr` must hold")


def test_check_mode_reports_a_stale_reference(tmp_path: Path) -> None:
    from agentops_gen.spec.reference import BEGIN, END

    (tmp_path / "docs").mkdir()
    page = tmp_path / SPEC_DOC
    page.write_text(f"# Spec\n{BEGIN}\nold\n{END}\n", encoding="utf-8")
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert main(["--root", str(tmp_path)]) == 0 and main(["--check", "--root", str(tmp_path)]) == 0
    assert "| `thresholds` | list of [KPIThreshold](#kpithreshold) | `[]` |" in page.read_text(encoding="utf-8")
