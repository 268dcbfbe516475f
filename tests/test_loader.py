"""The YAML loader in-process: data, locations by field path, and every YAML problem as located errors."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from agentops_gen.errors import Location
from agentops_gen.load import yaml_loader
from agentops_gen.load.yaml_loader import MAX_DEPTH, MAX_NODES, LoadedFile, LoadError, display_path, load_file


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Display paths are relative to the working directory: run every test from tmp_path."""
    monkeypatch.chdir(tmp_path)


def load(text: str | bytes, name: str = "svc.yaml") -> LoadedFile:
    path = Path(name)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return load_file(path, Path("."))


def errors(text: str | bytes) -> list[str]:
    with pytest.raises(LoadError) as info:
        load(text)
    return [e.format() for e in info.value.errors]


def test_data_and_locations_by_field_path() -> None:
    loaded = load("version: agentops-gen/v1\nslos:\n  - name: a\n    objective: 99.5\n")
    assert loaded.data == {"version": "agentops-gen/v1", "slos": [{"name": "a", "objective": 99.5}]}
    assert loaded.file == "svc.yaml"
    assert loaded.values[("slos", 0, "objective")] == Location("svc.yaml", 4, 16)
    assert loaded.keys[("slos", 0, "objective")] == Location("svc.yaml", 4, 5)
    assert loaded.locate(("slos", 0, "objective"), key=True) == Location("svc.yaml", 4, 5)
    # an unknown deeper path falls back to its closest known parent
    assert loaded.locate(("slos", 0, "sli", "ratio")) == Location("svc.yaml", 3, 5)
    assert loaded.locate(("nothing",)) == Location("svc.yaml", 1, 1)


def test_keys_stay_strings_as_written() -> None:
    """YAML 1.1 reads `on:`/`no:`/`1.0:` as bool/float; mapping keys are names here, kept verbatim."""
    loaded = load("labels: {on: a, no: b, 1.0: c, null: d}\n")
    assert loaded.data == {"labels": {"on": "a", "no": "b", "1.0": "c", "null": "d"}}


def test_duplicate_keys_all_reported_with_the_first_line() -> None:
    assert errors("a: 1\nb: 2\na: 3\nb: 4\n") == [
        "svc.yaml:3:1: error: a: duplicate key 'a' (first defined at line 1)",
        "svc.yaml:4:1: error: b: duplicate key 'b' (first defined at line 2)",
    ]


def test_nested_duplicate_key_has_its_full_path() -> None:
    assert errors("slos:\n  - name: a\n    name: b\n") == [
        "svc.yaml:3:5: error: slos[0].name: duplicate key 'name' (first defined at line 2)"]


def test_merge_keys_explicit_keys_win_and_are_not_duplicates() -> None:
    text = (
        "defaults: &d {for: 5m, severity: warning}\n"
        "kpis:\n"
        "  - <<: *d\n"
        "    name: a\n"
        "    for: 10m\n"
    )
    loaded = load(text)
    assert loaded.data["kpis"] == [{"name": "a", "for": "10m", "severity": "warning"}]
    # the merged value is located where it was written (the anchor's mapping)
    assert loaded.values[("kpis", 0, "severity")] == Location("svc.yaml", 1, 34)


def test_merge_list_earlier_sources_win() -> None:
    loaded = load("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n")
    assert loaded.data["c"] == {"x": 1, "y": 2, "z": 3}


def test_merge_of_a_scalar_is_an_error() -> None:
    assert errors("c:\n  <<: 5\n") == ["svc.yaml:2:7: error: c: `<<` merges a mapping or a list of mappings only"]


def test_tab_indentation() -> None:
    assert errors("a: 1\nslos:\n\t- name: x\n") == [
        "svc.yaml:3:1: error: slos: invalid YAML: tab character in indentation (YAML allows spaces only)"]


def test_syntax_error_names_the_field_being_read() -> None:
    assert errors("a: 1\nb: [1, 2\nc: 3\n") == [
        "svc.yaml:3:2: error: b: invalid YAML: did not find expected ',' or ']'"]


def test_second_document_is_an_error() -> None:
    (line,) = errors("a: 1\n---\nb: 2\n")
    assert line.startswith("svc.yaml:2:1: error: invalid YAML: ")


def test_unsupported_tags_all_reported() -> None:
    assert errors("a: !!python/object:os.system x\nb: !env HOME\n") == [
        "svc.yaml:1:4: error: a: unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system' "
        "(only !include is allowed)",
        "svc.yaml:2:4: error: b: unsupported YAML tag '!env' (only !include is allowed)",
    ]


def test_empty_and_comment_only_files() -> None:
    assert errors("") == ["svc.yaml:1:1: error: file is empty (expected a mapping with `version:`)"]
    assert errors("# nothing yet\n\n") == ["svc.yaml:1:1: error: file is empty (expected a mapping with `version:`)"]


@pytest.mark.parametrize(("text", "kind"), [("- a\n", "list"), ("just text\n", "scalar"), ("42\n", "scalar")])
def test_root_must_be_a_mapping(text: str, kind: str) -> None:
    assert errors(text) == [f"svc.yaml:1:1: error: top level must be a mapping, got a {kind}"]


def test_bad_utf8_is_located_in_characters() -> None:
    # line 2: `b: "ĀĀ ` is 7 characters (10 bytes), the bad byte is character 8
    assert errors(b'a: 1\nb: "\xc4\x80\xc4\x80 \xff"\n') == ["svc.yaml:2:8: error: file is not valid UTF-8 (byte 0xff)"]


def test_utf8_bom_is_accepted() -> None:
    assert load(b"\xef\xbb\xbfa: 1\n").data == {"a": 1}


@pytest.fixture(params=[False, True], ids=["nodes", "events-first"])
def depth_check(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways the depth is checked: on the composed nodes (libyaml >= 0.2.6 bounds its own recursion) and
    on parse events before composing (an older libyaml, or none): the same error either way."""
    monkeypatch.setattr(yaml_loader, "SCAN_DEPTH_FIRST", request.param)


def test_depth_limit_is_exact(depth_check: None) -> None:
    # the root mapping is level 1; `x:` holds MAX_DEPTH - 1 more levels: allowed
    ok = "x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert load(ok).data["x"] is not None
    bad = "x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    assert errors(bad) == [f"svc.yaml:1:{3 + MAX_DEPTH}: error: x[0][0]: nesting deeper than {MAX_DEPTH} levels"]


def test_block_style_depth_names_the_keys(depth_check: None) -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH)) + "  " * MAX_DEPTH + "v: 1\n"
    (line,) = errors(text)
    # k{i}'s value mapping is level i + 2 and starts on line i + 2 at column 2(i + 1) + 1: level 65 is k63's
    depth = MAX_DEPTH + 1
    assert line == f"svc.yaml:{depth}:{2 * (depth - 1) + 1}: error: k0.k1.k2: nesting deeper than {MAX_DEPTH} levels"


def test_deep_nesting_does_not_crash_libyaml() -> None:
    """~30k levels crash libyaml's recursive composer (a segfault, not an exception): checked before."""
    started = time.monotonic()
    (line,) = errors("x: " + "{a: " * 100_000 + "1" + "}" * 100_000 + "\n")
    # the first `{` (level 2) is column 4, each level 4 columns on: level MAX_DEPTH + 1 is the first too deep
    assert line.startswith(f"svc.yaml:1:{4 + 4 * (MAX_DEPTH - 1)}: error: x.a.a: nesting deeper than")
    assert time.monotonic() - started < 10


def test_nesting_past_libyamls_own_limit_still_names_the_first_level_too_deep() -> None:
    """libyaml 0.2.6 stops at 1000 levels after reading a run of `[` ahead: our error is still exact.

    Non-ASCII text before the run checks that the cut point counts characters, not bytes.
    """
    (line,) = errors('a: "ééé"\nx: ' + "[" * 5000 + "]" * 5000 + "\n")
    assert line == f"svc.yaml:2:{3 + MAX_DEPTH}: error: x[0][0]: nesting deeper than {MAX_DEPTH} levels"


def test_aliases_nesting_past_the_limit_are_one_error_not_a_crash(depth_check: None) -> None:
    """Each line nests 40 levels around an alias of the line before: the text never nests past MAX_DEPTH, the
    values do (this was a RecursionError while building, an internal error)."""
    lines = ["x0: &a0 " + "[" * 40 + "1" + "]" * 40]
    lines += [f"x{i}: &a{i} " + "[" * 40 + f"*a{i - 1}" + "]" * 40 for i in range(1, 40)]
    # x1's 40 levels, then x0's: level MAX_DEPTH + 1 (the 64th `[` under x1) is x0's 24th, column 9 + 23
    assert errors("\n".join(lines) + "\n") == [
        f"svc.yaml:1:{9 + MAX_DEPTH - 40 - 1}: error: x1[0][0]: nesting deeper than {MAX_DEPTH} levels"]


def test_alias_bomb_is_one_error_and_fast() -> None:
    lines = ["l0: &l0 [" + ",".join(["x"] * 10) + "]"]
    lines += [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 10)]
    started = time.monotonic()
    # sizes: l4 = 111,111 values, l5 = 1,111,111 > MAX_NODES: the first too-big value is l5 (line 6)
    assert MAX_NODES < 1_111_111
    assert errors("\n".join(lines) + "\n") == [
        f"svc.yaml:6:5: error: l5: aliases expand this value to more than {MAX_NODES} values (alias bomb?)"]
    assert time.monotonic() - started < 2


def test_modest_aliases_are_fine() -> None:
    loaded = load("base: &b {severity: warning, for: 5m}\nkpis: [*b, *b, *b]\n")
    assert loaded.data["kpis"] == [{"severity": "warning", "for": "5m"}] * 3


def test_recursive_alias_is_an_error_not_a_recursion_error() -> None:
    assert errors("a: &x [1, *x]\n") == ["svc.yaml:1:4: error: a[1]: recursive alias: this value contains itself"]


def test_non_scalar_keys_are_errors() -> None:
    assert errors("? [a, b]\n: 1\n") == ["svc.yaml:1:3: error: mapping keys must be plain scalars"]


def test_display_path_relative_to_cwd_and_lexical(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "x.yaml").write_text("a: 1\n")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert display_path(Path("link/x.yaml")) == "link/x.yaml"
    assert display_path(tmp_path / "real" / "x.yaml") == "real/x.yaml"
    outside = Path(os.path.abspath("/"))
    assert display_path(outside / "etc") == "/etc"


def test_control_characters_are_located_on_one_line() -> None:
    # libyaml's reader error is not a marked error and its text spans two lines: still one located line
    assert errors('a: 1\nb: "x\x00y"\n') == [
        "svc.yaml:2:6: error: invalid YAML: unacceptable character #x0000: control characters are not allowed"]


def test_error_lines_never_span_lines() -> None:
    from agentops_gen.errors import SpecError

    assert SpecError(Location("f.yaml", 3, 4), "a.b", "first\n  second\n").format() == (
        "f.yaml:3:4: error: a.b: first second")
