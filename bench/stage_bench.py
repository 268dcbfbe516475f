"""Render time per stage against the number of SLOs, in one process: where the CPU of a large render goes.

Usage: python bench/stage_bench.py [--runs N] [--slos 100,1000]
The spec folders of bench/scale_bench.py (services of 4 SLOs); each stage (load and validation, plan, each
target's render, the output check of each output folder, the write of out/ into a new folder) is run
N times on its own, with the CLI's garbage-collector setting, and its least CPU seconds (user + system of
this process) are printed per size, with the CPU milliseconds per SLO and the per-SLO ratio of the largest
size to the smallest (1.0 = linear; above it, a stage that grows faster than the SLOs); the last column is
the first run at the largest size (with the caches of the smaller sizes warm), nearer what one `render`
pays. Start-up (imports) is not a stage here (bench/startup_bench.py); the whole command is
bench/scale_bench.py. It measures the package of the checkout it is in.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import sys
import tempfile
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

from common import ROOT
from scale_bench import spec_folder

sys.path.insert(0, str(ROOT))  # this checkout's package, whatever the venv has installed


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def stages(slos: int, runs: int, tmp: Path) -> tuple[dict[str, float], dict[str, float]]:
    """({stage: least CPU seconds of `runs`}, {stage: CPU seconds of the first run}) for `slos` SLOs.

    The first run is what one `render` pays: the later ones find the per-render memos of the generated
    tests and Python's own caches (compiled regular expressions, interned strings) warm.
    """
    from agentops_gen import pipeline
    from agentops_gen.check.outputs import check_outputs
    from agentops_gen.plan.build import build_plan
    from agentops_gen.targets import TARGETS
    from agentops_gen.units.promql import active
    from agentops_gen.write import write_atomic

    folder = spec_folder(slos, tmp / f"specs-{slos}")
    least: dict[str, float] = {}
    first: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        best, result = float("inf"), None
        for run in range(runs):
            started = _cpu()
            result = fn()
            spent = _cpu() - started
            best = min(best, spent)
            if run == 0:
                first[name] = spent
        least[name] = best
        return result

    built = timed("load, validate, plan", lambda: pipeline.build([folder], targets=()))
    with active(built.queries):
        plan = timed("plan", lambda: build_plan(built.specs))
        least["load, validate"] = least.pop("load, validate, plan") - least["plan"]
        first["load, validate"] = first.pop("load, validate, plan") - first["plan"]
        files: dict[str, str] = {}
        for name in TARGETS:
            render = import_module(f"agentops_gen.targets.{name}").render
            files.update(timed(f"render {name}", lambda render=render: render(plan)))
        by_folder: dict[str, dict[str, str]] = {}
        for path, text in files.items():
            key = "prometheus/tests" if path.startswith("prometheus/tests/") else path.split("/")[0]
            by_folder.setdefault(key, {})[path] = text
        for key, some in by_folder.items():
            timed(f"check {key}", lambda some=some: check_outputs(some))
    written = iter(range(runs))
    timed("write out/ (new folder)", lambda: write_atomic(tmp / f"out-{slos}-{next(written)}", files))
    return least, first


def main() -> int:
    """Measure each size and print a Markdown table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--slos", default="100,1000")
    args = parser.parse_args()
    gc.set_threshold(200_000, 30, 30)  # what agentops_gen.cli.main sets
    sizes = [int(x) for x in args.slos.split(",") if x]
    tmp = Path(tempfile.mkdtemp())
    try:
        measured = [stages(slos, args.runs, tmp) for slos in sizes]
        results = [least for least, _ in measured]
        first = measured[-1][1]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    names = [n for n in results[-1] if max(r.get(n, 0) for r in results) >= 0.0005]
    print(f"| stage | {' | '.join(f'{s} SLOs: CPU s (ms/SLO)' for s in sizes)} | per-SLO ratio | "
          f"{sizes[-1]} SLOs, first run |  (least of {args.runs}, load {os.getloadavg()[0]:.1f})")
    print("| --- |" + " --- |" * (len(sizes) + 2))
    for name in [*names, "total"]:
        values = [sum(r[n] for n in names) if name == "total" else r.get(name, 0.0) for r in results]
        cells = " | ".join(f"{v:.3f} ({v * 1000 / s:.2f})" for v, s in zip(values, sizes, strict=True))
        ratio = (values[-1] / sizes[-1]) / (values[0] / sizes[0]) if values[0] > 0 else float("nan")
        once = sum(first[n] for n in names) if name == "total" else first.get(name, 0.0)
        print(f"| {name} | {cells} | {ratio:.2f} | {once:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
