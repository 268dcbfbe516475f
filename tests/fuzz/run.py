"""Run mutated specs through render (in this process) and judge the outcome the way the CLI would.

Every case must end in one of two ways:
- rendered (exit 0): its outputs are later handed to promtool/amtool in batches (check_batch);
- refused (exit 2): every stderr line `FILE:LINE:COL: error: ...`, no traceback, no internal error.
Anything else is a Failure with a kind (what went wrong) and a detail (the tool's or error's words).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fuzz.mutate import Mutant, companions

LOCATED = re.compile(r"^[^:]+:\d+:\d+: error: ")
CASE_SECONDS = 60
"""A case that renders longer than this is a hang (the 10,000-SLO class of bug)."""
TOOL_SECONDS = 600
"""promtool/amtool calls longer than this fail their case (a batch of hundreds of files included)."""


@dataclass
class Outcome:
    """What one case did: rendered files, refused with lines, or a failure."""

    number: int
    mutant: Mutant
    folder: Path
    out: Path | None = None
    """Where a rendered case's files were written (exit 0), for the real tools."""
    lines: list[str] = field(default_factory=list)
    failure: str | None = None
    """`kind: detail` of a failure, None when the case ended as it should."""

    @property
    def rendered(self) -> bool:
        """Exit 0: outputs exist and still need the real tools' verdict."""
        return self.failure is None and self.out is not None


class _Timeout(Exception):
    pass


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: Any) -> None:
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def spec_name(mutant: Mutant) -> str:
    """File name of the mutated spec inside its case folder."""
    return mutant.seed.spec.name


def lay_out(mutant: Mutant, folder: Path) -> Path:
    """The case's spec folder: the mutated spec with its fragments and platform file beside it."""
    specs = folder / "specs"
    if specs.exists():
        shutil.rmtree(specs)
    specs.mkdir(parents=True)
    for extra in companions(mutant.seed):
        if extra.is_dir():
            shutil.copytree(extra, specs / extra.name)
        else:
            shutil.copy(extra, specs / extra.name)
    (specs / spec_name(mutant)).write_text(mutant.text, encoding="utf-8", errors="surrogatepass")
    return specs


def render_case(number: int, mutant: Mutant, folder: Path) -> Outcome:
    """Render one case in this process; the stderr lines the CLI (`_guard`) would print, or a failure."""
    from agentops_gen.errors import SpecErrors, UsageError
    from agentops_gen.load.yaml_loader import LoadError
    from agentops_gen.pipeline import render_paths

    outcome = Outcome(number, mutant, folder)
    specs = lay_out(mutant, folder)
    try:
        with _deadline(CASE_SECONDS):
            files = render_paths([specs])
        outcome.out = write_outputs(folder, files)
    except (SpecErrors, LoadError) as exc:
        outcome.lines = [e.format() for e in exc.errors]
    except UsageError as exc:
        outcome.failure = f"unlocated: agentops-gen: error: {exc}"
    except _Timeout:
        outcome.failure = f"hang: render took over {CASE_SECONDS} s"
    except RecursionError as exc:
        outcome.failure = f"internal error: RecursionError: {exc}"
    except Exception as exc:  # noqa: BLE001 - what the CLI prints as "internal error"
        outcome.failure = f"internal error: {type(exc).__name__}: {exc}"
    if outcome.lines:
        if not outcome.lines[0:1] or any(not LOCATED.match(line) for line in outcome.lines):
            bad = next(line for line in outcome.lines if not LOCATED.match(line))
            outcome.failure = f"unlocated: {bad}"
        elif any("Traceback" in line or "internal error" in line for line in outcome.lines):  # pragma: no cover
            outcome.failure = f"internal error in a located line: {outcome.lines[0]}"
    return outcome


def write_outputs(folder: Path, files: dict[str, str]) -> Path:
    """Write a rendered case's files (as `render --out` would) for the real tools; held in memory, a few
    thousand cases would take gigabytes."""
    out = folder / "out"
    if out.exists():
        shutil.rmtree(out)
    for path, text in files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return out


@dataclass(frozen=True)
class ToolRun:
    """One real-tool check over a set of files, case by case."""

    name: str
    command: list[str]
    pattern: str
    """Glob of the files it checks, under a case's out/."""


def tool_runs(promtool: str, amtool: str) -> list[ToolRun]:
    """The checks every rendered case must pass (promtool test rules: on a subset, see check_batch)."""
    return [ToolRun("promtool check rules", [promtool, "check", "rules"], "prometheus/*.rules.yaml"),
            ToolRun("amtool check-config", [amtool, "check-config"], "alertmanager/alertmanager.yml"),
            ToolRun("promtool test rules", [promtool, "test", "rules"], "prometheus/tests/*.test.yaml")]


def _run(command: list[str], files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command, *map(str, files)], capture_output=True, text=True, timeout=TOOL_SECONDS)


def _test_bytes(o: Outcome) -> int:
    return sum(f.stat().st_size for f in o.out.glob("prometheus/tests/*.test.yaml")) if o.out else 0


def check_batch(outcomes: list[Outcome], promtool: str, amtool: str, test_cases: int,
                test_bytes: int = 0) -> None:
    """Hand every rendered case's files to the real tools, many files per call; failures go on their case.

    One call per tool for the whole batch; only when it fails are the cases re-run one by one to
    find the culprits. `promtool test rules` (slow: it evaluates every rule over hours of samples,
    up to half a minute for one example service) runs on `test_cases` rendered cases spread evenly,
    among those whose test files hold at most `test_bytes` (0: any size).
    """
    rendered = [o for o in outcomes if o.rendered]
    outs = {o.number: o.out for o in rendered if o.out is not None}
    testable = [o for o in rendered if not test_bytes or _test_bytes(o) <= test_bytes]
    tested = testable[::max(1, len(testable) // max(test_cases, 1))][:test_cases]
    for tool in tool_runs(promtool, amtool):
        chosen = rendered if tool.name != "promtool test rules" else tested
        files = {o.number: sorted(outs[o.number].glob(tool.pattern)) for o in chosen}
        every = [f for fs in files.values() for f in fs]
        if not every:
            continue
        one_by_one = tool.name == "promtool test rules"  # each may take long: a timeout names its case
        if not one_by_one and _run(tool.command, every).returncode == 0:
            continue
        for o in chosen:
            if not files[o.number] or o.failure:
                continue
            try:
                result = _run(tool.command, files[o.number])
            except subprocess.TimeoutExpired:
                o.failure = f"{tool.name}: timeout after {TOOL_SECONDS} s"
                continue
            if result.returncode != 0:
                words = " ".join((result.stderr + result.stdout).split())
                o.failure = f"{tool.name}: {words[:600]}"


def signature(failure: str) -> str:
    """What kind of failure it is (the tool or exception, without the user's values): shrinking keeps it."""
    head = failure.split(":")[:2]
    return re.sub(r"\d+", "N", ":".join(head))[:80]


def evaluate(number: int, mutant: Mutant, folder: Path, promtool: str, amtool: str) -> Outcome:
    """One case on its own, render and real tools (promtool test rules included)."""
    outcome = render_case(number, mutant, folder)
    check_batch([outcome], promtool, amtool, test_cases=1)
    return outcome
