"""load_documents: the public multi-document loader (what `agentops-gen import` reads Sloth and OpenSLO files with).

Every document keeps the line numbers of the whole file, every problem of every document is one located
error, and the single-document loader's guards (includes, alias bombs, tags, duplicate keys) hold per document.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_gen.errors import Location
from agentops_gen.load.yaml_loader import MAX_NODES, LoadedFile, LoadError, load_documents


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Display paths are relative to the working directory: run every test from tmp_path."""
    monkeypatch.chdir(tmp_path)


def load(text: str, name: str = "multi.yaml") -> list[LoadedFile]:
    path = Path(name)
    path.write_text(text)
    return load_documents(path)


def errors(text: str) -> list[str]:
    with pytest.raises(LoadError) as info:
        load(text)
    return [e.format() for e in info.value.errors]


THREE = """\
# a comment before the first document
kind: first
items:
  - a
---
---
kind: second
nested:
  key: value
...
---
- 1
- two
"""


def test_every_document_with_the_lines_of_the_whole_file() -> None:
    docs = load(THREE)
    assert [d.data for d in docs] == [{"kind": "first", "items": ["a"]}, {"kind": "second", "nested": {"key": "value"}},
                                      [1, "two"]]  # the empty document between the first two `---` is skipped
    first, second, third = docs
    assert first.values[("items", 0)] == Location("multi.yaml", 4, 5)
    assert second.keys[("kind",)] == Location("multi.yaml", 7, 1)
    assert second.values[("nested", "key")] == Location("multi.yaml", 9, 8)
    assert third.values[(1,)] == Location("multi.yaml", 13, 3)
    assert all(d.file == "multi.yaml" and d.sources == ["multi.yaml"] for d in docs)


def test_a_single_document_file_is_a_list_of_one() -> None:
    [doc] = load("a: 1\n")
    assert doc.data == {"a": 1}
    assert doc.locate(("a",)) == Location("multi.yaml", 1, 4)


def test_problems_of_every_document_are_collected_and_located() -> None:
    assert errors("a: 1\n---\nb: 1\nb: 2\n---\nc: !!python/name:os.system x\n") == [
        "multi.yaml:4:1: error: b: duplicate key 'b' (first defined at line 3)",
        "multi.yaml:6:4: error: c: unsupported YAML tag 'tag:yaml.org,2002:python/name:os.system' "
        "(only !include is allowed)",
    ]


def test_a_syntax_error_in_a_later_document_points_at_its_line() -> None:
    assert errors("a: 1\n---\nb: [1, 2\nc: 3\n") == [
        "multi.yaml:4:2: error: b: invalid YAML: did not find expected ',' or ']'"]


@pytest.mark.parametrize("text", ["", "\n# only a comment\n", "---\n---\n...\n", "---\n~\n---\nnull\n"])
def test_a_file_without_a_document_is_one_error(text: str) -> None:
    assert errors(text) == ["multi.yaml:1:1: error: file is empty (expected a YAML document)"]


def test_an_alias_bomb_in_a_later_document_is_refused() -> None:
    width = 10
    levels = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, 7)]
    [message] = errors("ok: 1\n---\n" + "\n".join(levels) + "\n")
    assert message.startswith("multi.yaml:")
    assert f"more than {MAX_NODES} values" in message
    line = int(message.split(":")[1])
    assert 3 <= line <= 3 + len(levels)  # inside the second document, not at the file's top


def test_includes_resolve_per_document_and_stay_confined(tmp_path: Path) -> None:
    (tmp_path / "part.yaml").write_text("x: 1\n")
    first, second = load("a: !include part.yaml\n---\nb: !include part.yaml\n")
    assert first.data == {"a": {"x": 1}} and second.data == {"b": {"x": 1}}
    assert second.values[("b", "x")] == Location("part.yaml", 1, 4, ("multi.yaml:3:4",))
    assert second.sources == ["multi.yaml", "part.yaml"]
    [message] = errors("a: 1\n---\nb: !include ../outside.yaml\n")
    assert message.startswith("multi.yaml:3:4: error: b: !include: ")


def test_includes_are_confined_to_the_root_given(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "part.yaml").write_text("x: 1\n")
    path = tmp_path / "specs" / "multi.yaml"
    path.write_text("a: !include ../part.yaml\n")
    [doc] = load_documents(path, root=tmp_path)
    assert doc.data == {"a": {"x": 1}}
    with pytest.raises(LoadError):
        load_documents(path)  # the default root is the file's own folder


def test_a_forbidden_character_in_a_later_document_is_located() -> None:
    [message] = errors("a: 1\n---\nb: x\x00y\n")
    assert message.startswith("multi.yaml:3:5: error: invalid YAML: unacceptable character #x0000")
