"""The built-in templates ship compiled (agentops_gen/targets/compiled/): current, used, and never stale output."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from conftest import ROOT, SPECS

from agentops_gen.cache import CACHE_ENV
from agentops_gen.pipeline import render_paths
from agentops_gen.targets import jinja, precompiled


@pytest.fixture()
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The shared environment built anew, with the compiled-template cache off."""
    monkeypatch.setenv(CACHE_ENV, "")
    jinja.environment.cache_clear()
    yield
    jinja.environment.cache_clear()


def _no_compile(*args: object, **kwargs: object) -> None:
    raise AssertionError("a built-in template was compiled from its source")


def test_committed_modules_are_what_the_templates_compile_to(tmp_path: Path) -> None:
    names = jinja.write_compiled(tmp_path / "compiled")
    assert len(names) == len(list((ROOT / "templates").rglob("*.j2")))
    written = {p.name: p.read_bytes() for p in (tmp_path / "compiled").glob("*.py")}
    committed = {p.name: p.read_bytes() for p in precompiled.PACKAGE_DIR.glob("*.py")}
    stale = sorted(n for n in written.keys() | committed.keys() if written.get(n) != committed.get(n))
    assert not stale, f"run `python -m agentops_gen.targets.precompiled`: {stale} differ from templates/"


def test_every_builtin_template_loads_without_compiling(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jinja2.Environment, "compile", _no_compile)
    env = jinja.environment()
    names = [n for n in env.list_templates() if n.endswith(".j2")]
    for name in names:
        template = env.get_template(name)
        assert template.root_render_func.__module__ == f"{precompiled.PACKAGE}.{precompiled.module_name(name)}"
        assert template.filename == str(jinja.templates_dir() / name)  # errors point at the template


def test_output_is_the_same_compiled_from_source(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = sorted(SPECS.glob("*.yaml"))
    shipped = render_paths(paths)
    jinja.environment.cache_clear()
    monkeypatch.setattr(jinja, "manifest_for", lambda settings: None)
    assert jinja.environment().loader.manifest == {}  # type: ignore[union-attr]
    assert render_paths(paths) == shipped
    assert len(shipped) > 100


def test_an_edited_template_renders_as_edited(fresh: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "templates"
    shutil.copytree(jinja.templates_dir(), copy)
    groups = copy / "prometheus" / "_groups.j2"
    groups.write_text("# edited\n" + groups.read_text())
    monkeypatch.setattr(jinja, "templates_dir", lambda: copy)
    env = jinja.environment()
    assert env.get_template("prometheus/_groups.j2").render(groups=[]).startswith("# edited\n")
    assert env.get_template("thanos/rules.yaml.j2").root_render_func.__module__.startswith(precompiled.PACKAGE)


def test_modules_compiled_under_other_settings_are_not_used() -> None:
    assert precompiled.manifest_for(precompiled.settings_key(jinja._OPTIONS))
    assert precompiled.manifest_for(precompiled.settings_key({**jinja._OPTIONS, "trim_blocks": False})) is None
    assert precompiled.manifest_for("2.11.3|" + precompiled.settings_key(jinja._OPTIONS).split("|", 1)[1]) is None
