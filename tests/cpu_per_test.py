"""Opt-in pytest plugin: CPU seconds per test (the worker process and the children it waited for, promtool and
real servers included; a module fixture counts in its first test), one `seconds<TAB>node id` line per test
appended to the file named by CPU_PER_TEST. Usage (docs/development.md, "Test time"):

    CPU_PER_TEST=/tmp/cpu.tsv PYTHONPATH=tests python -m pytest -p cpu_per_test -n 3 ...
    sort -rn /tmp/cpu.tsv | head
"""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator

import pytest


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Append the CPU seconds of one test's setup, call and teardown to CPU_PER_TEST."""
    start = _cpu_seconds()
    yield
    with open(os.environ["CPU_PER_TEST"], "a", encoding="utf-8") as out:
        out.write(f"{_cpu_seconds() - start:.2f}\t{item.nodeid}\n")
