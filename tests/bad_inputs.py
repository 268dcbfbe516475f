"""Every bad spec folder the tests feed `render` (test_bad_input.py and test_alertmanager_errors.py), as builders.

Collected from those modules themselves, so a case added there is covered by the tests that compare
render with lint (test_render_lint_agree.py) and check error codes (test_error_codes.py).
"""

from __future__ import annotations

import inspect
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tests.test_alertmanager_errors as am_errors
import tests.test_bad_input as bad_input
from tests.conftest import FIXTURES


@dataclass(frozen=True)
class BadInput:
    """A named spec folder builder: build(specs) fills the (empty or missing) folder `specs`."""

    name: str
    build: Callable[[Path], None]


def _from_case(case: Any) -> BadInput:
    def build(specs: Path) -> None:
        if case.source:
            shutil.copytree(FIXTURES / case.source, specs, symlinks=True)
        else:
            specs.mkdir(parents=True)
        if case.build:
            case.build(specs)

    return BadInput(case.name, build)


def _from_files(name: str, files: dict[str, str]) -> BadInput:
    def build(specs: Path) -> None:
        specs.mkdir(parents=True)
        for file, text in files.items():
            (specs / file).write_text(text)

    return BadInput(name, build)


def _alertmanager_cases() -> list[BadInput]:
    """The spec folders test_alertmanager_errors.py renders, recorded by running its tests with a recorder."""
    recorded: list[dict[str, str]] = []

    def record(_tmp: Path, files: dict[str, str], *_expected: str) -> tuple[int, list[str], Path]:
        recorded.append(dict(files))
        return 2, [], Path()

    out: list[BadInput] = []
    saved = am_errors.assert_error, am_errors.run
    am_errors.assert_error, am_errors.run = record, record  # type: ignore[assignment]
    try:
        for name, test in inspect.getmembers(am_errors, inspect.isfunction):
            if not name.startswith("test_"):
                continue
            marks = [m for m in getattr(test, "pytestmark", []) if m.name == "parametrize"]
            params = [dict(zip(marks[0].args[0], values, strict=True)) for values in marks[0].args[1]] if marks \
                else [{}]
            for i, kwargs in enumerate(params):
                recorded.clear()
                try:
                    test(Path("unused"), **kwargs)
                except AssertionError:
                    pass  # the recorder's answer is not what the test expects; the files are recorded
                out += [_from_files(f"am-{name[5:]}-{i}-{j}", files) for j, files in enumerate(recorded)]
    finally:
        am_errors.assert_error, am_errors.run = saved
    return out


BAD_INPUTS = [_from_case(c) for c in bad_input.CASES] + _alertmanager_cases()
