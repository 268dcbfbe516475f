"""`!include`: relative to the including file, confined to the include root, every escape a located error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli

from agentops_gen.errors import Location
from agentops_gen.load.include import MAX_INCLUDE_DEPTH
from agentops_gen.load.yaml_loader import LoadedFile, LoadError, load_file

HEADER = "version: agentops-gen/v1\nservice: checkout-agent\nowner: team-a\n"


@pytest.fixture()
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty spec folder, with the working directory at its parent (paths print as specs/...)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "specs").mkdir()
    return tmp_path / "specs"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def load(root: Path, name: str = "svc.yaml") -> LoadedFile:
    return load_file(root / name, root)


def errors(root: Path, name: str = "svc.yaml") -> list[str]:
    with pytest.raises(LoadError) as info:
        load(root, name)
    return [e.format() for e in info.value.errors]


def test_nested_includes_resolve_relative_to_the_including_file(root: Path) -> None:
    shutil.copytree(FIXTURES / "include/good", root, dirs_exist_ok=True)
    loaded = load(root)
    assert loaded.data["slos"] == [{"name": "availability", "objective": 99.5, "sli": {"ratio": {
        "errors": 'agent_requests_total{status="error"}', "total": "agent_requests_total"}}}]
    assert loaded.sources == ["specs/svc.yaml", "specs/_shared/slos.yaml", "specs/_shared/sli/availability.yaml",
                              "specs/_shared/receivers.yaml"]
    # values inside fragments are located in the fragment, with the chain of include sites
    assert loaded.values[("slos", 0, "sli", "ratio", "total")] == Location(
        "specs/_shared/sli/availability.yaml", 3, 10, ("specs/svc.yaml:4:7", "specs/_shared/slos.yaml:3:8"))
    # the included value as a whole is located in its fragment, with the include site
    assert loaded.values[("slos",)] == Location("specs/_shared/slos.yaml", 1, 1)
    assert loaded.values[("slos",)].via == ("specs/svc.yaml:4:7",)


def test_a_whole_included_value_is_located_in_the_fragment(tmp_path: Path) -> None:
    """`required key is missing` for an included mapping names the fragment and the include site."""
    specs = tmp_path / "specs"
    write(specs, {"svc.yaml": HEADER + "slos:\n  - name: a\n    objective: 99\n    sli: !include _sli.yaml\n",
                  "_sli.yaml": "ratio:\n  errors: x_total\n"})
    result = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("specs/_sli.yaml:2:3: error: slos[0].sli.ratio.total: required key is missing "
                             "(included from specs/svc.yaml:7:10)\n")


def test_good_includes_render_through_the_cli(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "include/good", tmp_path / "specs")
    result = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rules = (tmp_path / "out/prometheus/checkout-agent.rules.yaml").read_text()
    assert 'agent_requests_total{status="error"}' in rules
    # fragments (folders starting with _) are never rendered as specs
    assert not any("_shared" in p.as_posix() for p in (tmp_path / "out").rglob("*"))


def test_include_scalar_and_mapping_values(root: Path) -> None:
    write(root, {"svc.yaml": HEADER + "description: !include _text.yaml\nlabels: !include _labels.yaml\n",
                 "_text.yaml": "Checkout agent.\n", "_labels.yaml": "tier: gold\n"})
    data = load(root).data
    assert data["description"] == "Checkout agent."
    assert data["labels"] == {"tier": "gold"}


@pytest.mark.parametrize(("target", "message"), [
    ("/etc/hostname", "absolute paths are not allowed ('/etc/hostname'); use a path relative to specs/svc.yaml"),
    ("~/x.yaml", "absolute paths are not allowed ('~/x.yaml')"),
    ("../outside.yaml", "'../outside.yaml' escapes the include root specs"),
    ("_a/../../specs/../outside.yaml", "'_a/../../specs/../outside.yaml' escapes the include root specs"),
    ("https://example.com/x.yaml", "URLs are not allowed ('https://example.com/x.yaml')"),
    ("file:///etc/hostname", "URLs are not allowed"),
    ("_frag/*.yaml", "globs are not allowed ('_frag/*.yaml')"),
    ("_frag/[ab].yaml", "globs are not allowed"),
    ("_frag/nope.yaml", "file not found: specs/_frag/nope.yaml"),
    ("_frag", "not a file: specs/_frag"),
    ("", "empty path"),
])
def test_escapes_are_located_errors(root: Path, target: str, message: str) -> None:
    (root.parent / "outside.yaml").write_text("[]\n")
    (root / "_frag").mkdir()
    write(root, {"svc.yaml": HEADER + f"slos: !include '{target}'\n"})
    (line,) = errors(root)
    assert line.startswith(f"specs/svc.yaml:4:7: error: slos: !include: {message}")


def test_mapping_form_with_options_is_refused(root: Path) -> None:
    write(root, {"svc.yaml": HEADER + "slos: !include {urlpath: _s.yaml, encoding: latin-1}\n", "_s.yaml": "[]\n"})
    (line,) = errors(root)
    assert line.startswith("specs/svc.yaml:4:7: error: slos: !include: ")


def test_dotdot_that_stays_inside_is_fine(root: Path) -> None:
    write(root, {"svc.yaml": HEADER + "slos: !include _a/../_s.yaml\n", "_s.yaml": "[]\n", "_a/x": ""})
    assert load(root).data["slos"] == []


def test_symlink_inside_the_root_is_fine_and_one_leaving_it_is_not(root: Path) -> None:
    write(root, {"_real.yaml": "[]\n"})
    (root.parent / "secret.yaml").write_text("[]\n")
    (root / "_inside.yaml").symlink_to(root / "_real.yaml")
    (root / "_outside.yaml").symlink_to(root.parent / "secret.yaml")
    write(root, {"svc.yaml": HEADER + "slos: !include _inside.yaml\nkpis: !include _outside.yaml\n"})
    assert errors(root) == [
        "specs/svc.yaml:5:7: error: kpis: !include: '_outside.yaml' is a symlink that leaves the include root specs"]


def test_symlinked_folder_leaving_the_root(root: Path) -> None:
    (root.parent / "elsewhere").mkdir()
    (root.parent / "elsewhere" / "s.yaml").write_text("[]\n")
    (root / "_ext").symlink_to(root.parent / "elsewhere")
    write(root, {"svc.yaml": HEADER + "slos: !include _ext/s.yaml\n"})
    assert errors(root) == [
        "specs/svc.yaml:4:7: error: slos: !include: '_ext/s.yaml' is a symlink that leaves the include root specs"]


def test_fragment_symlink_is_not_discovered_as_a_spec(tmp_path: Path) -> None:
    """A `_` fragment that links outside the root is still a fragment (was loaded as a spec before)."""
    shutil.copytree(FIXTURES / "include/good", tmp_path / "specs")
    (tmp_path / "elsewhere.yaml").write_text("- not a spec\n")
    (tmp_path / "specs" / "_linked.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    result = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_self_include_and_cycle(root: Path) -> None:
    write(root, {"svc.yaml": HEADER + "slos: !include svc.yaml\n"})
    assert errors(root) == [
        "specs/svc.yaml:4:7: error: slos: !include: include cycle: specs/svc.yaml -> specs/svc.yaml"]
    write(root, {"svc.yaml": HEADER + "slos: !include _a.yaml\n", "_a.yaml": "- !include _b.yaml\n",
                 "_b.yaml": "- !include _a.yaml\n"})
    assert errors(root) == [
        "specs/_b.yaml:1:3: error: slos[0][0]: !include: include cycle: specs/svc.yaml -> specs/_a.yaml -> "
        "specs/_b.yaml -> specs/_a.yaml (included from specs/svc.yaml:4:7, specs/_a.yaml:1:3)"]


def test_the_same_fragment_twice_is_not_a_cycle(root: Path) -> None:
    write(root, {"svc.yaml": HEADER + "slos: [!include _s.yaml, !include _s.yaml]\n", "_s.yaml": "{name: a}\n"})
    assert load(root).data["slos"] == [{"name": "a"}, {"name": "a"}]


def test_include_chain_depth_limit(root: Path) -> None:
    n = MAX_INCLUDE_DEPTH + 2
    files = {"svc.yaml": HEADER + "description: !include _0.yaml\n"}
    files |= {f"_{i}.yaml": f"!include _{i + 1}.yaml\n" for i in range(n)}
    files[f"_{n}.yaml"] = "end\n"
    write(root, files)
    (line,) = errors(root)
    assert f"!include: includes nested deeper than {MAX_INCLUDE_DEPTH}" in line


def test_all_include_errors_of_a_file_are_reported(root: Path) -> None:
    write(root, {"svc.yaml": HEADER + "slos: !include /abs.yaml\nkpis: !include _missing.yaml\n"})
    assert [e.split(": !include")[0] for e in errors(root)] == [
        "specs/svc.yaml:4:7: error: slos", "specs/svc.yaml:5:7: error: kpis"]


@pytest.mark.parametrize(("fragment", "expected"), [
    (b"- a\n\t- b\n", "specs/_s.yaml:2:1: error: slos: invalid YAML: tab character in indentation"),
    (b"- caf\xe9\n", "specs/_s.yaml:1:6: error: file is not valid UTF-8 (byte 0xe9)"),
    (b"", "specs/svc.yaml:4:7: error: slos: !include: specs/_s.yaml is empty"),
    (b"- {a: 1, a: 2}\n", "specs/_s.yaml:1:10: error: slos[0].a: duplicate key 'a' (first defined at line 1)"),
])
def test_problems_inside_a_fragment_say_where_it_was_included(root: Path, fragment: bytes, expected: str) -> None:
    write(root, {"svc.yaml": HEADER + "slos: !include _s.yaml\n"})
    (root / "_s.yaml").write_bytes(fragment)
    (line,) = errors(root)
    assert line.startswith(expected)
    if "is empty" not in expected:
        assert line.endswith("(included from specs/svc.yaml:4:7)")


def test_depth_continues_across_includes(root: Path) -> None:
    """A fragment nests under its include site: 60 levels there + 10 in the fragment is too deep."""
    outer = "a: " + "[" * 59 + "!include _deep.yaml" + "]" * 59 + "\n"
    write(root, {"svc.yaml": outer, "_deep.yaml": "[" * 10 + "]" * 10 + "\n"})
    (line,) = errors(root)
    assert line.startswith("specs/_deep.yaml:1:5: error: a[0][0]: nesting deeper than 64 levels")


@pytest.mark.parametrize("statement",
                         ["_s.yaml", "'_s.yaml'", '"_s.yaml"', "'dir with space/_s.yaml'", "|-\n  _s.yaml"])
def test_scalar_fast_path_matches_pyyaml_include(statement: str) -> None:
    """The scalar form is read without importing pyyaml-include; it must give what the library gives."""
    import yaml
    import yaml_include

    from agentops_gen.load.include import _statement

    node = yaml.compose(f"k: !include {statement}\n", Loader=yaml.SafeLoader).value[0][1]
    library = yaml_include.Constructor(autoload=False)(yaml.SafeLoader(""), node)
    assert _statement(node) == (str(library.urlpath), False)


@pytest.mark.parametrize("statement", ["[_s.yaml]", "{urlpath: _s.yaml}"])
def test_sequence_and_mapping_forms_without_options_load(root: Path, statement: str) -> None:
    write(root, {"svc.yaml": HEADER + f"slos: !include {statement}\n", "_s.yaml": "[]\n"})
    assert load(root).data["slos"] == []


def test_plain_include_does_not_import_pyyaml_include(root: Path) -> None:
    """pyyaml-include imports fsspec and asyncio: a lint of specs using the scalar form must not pay for it."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    write(root, {"svc.yaml": HEADER + "slos: !include _s.yaml\n", "_s.yaml": "[]\n"})
    code = ("import sys; from pathlib import Path; from agentops_gen.load.yaml_loader import load_file; "
            f"load_file(Path({str(root / 'svc.yaml')!r}), Path({str(root)!r})); "
            "print(sorted(m for m in ('yaml_include', 'fsspec', 'asyncio') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "[]"
