"""The compiled-template cache: reused across runs, invisible in the output, never a reason to fail.

It serves templates that have no current shipped compiled module (tests/test_precompiled_templates.py): the
tests here turn those modules off."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from agentops_gen.cache import CACHE_ENV
from agentops_gen.targets import jinja


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private cache folder; the shared environment is rebuilt around each test."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(jinja, "manifest_for", lambda settings: None)  # every template from its source
    jinja.environment.cache_clear()
    yield tmp_path / "cache"
    jinja.environment.cache_clear()


def _render() -> str:
    return jinja.render_template("prometheus/tests.yaml.j2", service="s", source="s.yaml", rules_files=["r.yaml"],
                                 cases=[], untested=["a: \"quoted\""], group_order=["g"], file_name="s.test.yaml",
                                 every=1)


def test_second_run_loads_compiled_code_instead_of_compiling(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _render()
    assert list(cache.glob("jinja-*/*.cache")), "the first run writes the compiled template"
    jinja.environment.cache_clear()

    def no_compile(*args: object, **kwargs: object) -> None:
        raise AssertionError("template compiled although it was cached")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compile)
    assert _render() == first


def test_corrupt_cache_file_is_a_miss(cache: Path) -> None:
    first = _render()
    for path in cache.glob("jinja-*/*.cache"):
        path.write_bytes(path.read_bytes()[:20])
    jinja.environment.cache_clear()
    assert _render() == first


def test_unusable_cache_folder_still_renders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))  # a folder inside a file: every write fails
    jinja.environment.cache_clear()
    assert "group_eval_order" in _render()


def test_empty_setting_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, "")
    jinja.environment.cache_clear()
    assert jinja.cache_dir() is None
    _render()
    assert not cache.exists()


def test_dont_write_bytecode_is_honoured(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _render()
    assert not cache.exists()


def test_cache_name_changes_with_the_environment_settings(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    before = jinja.cache_dir()
    monkeypatch.setitem(jinja._OPTIONS, "trim_blocks", False)
    assert jinja.cache_dir() != before
