"""Render speed: `agentops-gen render --check` of the examples, and scaling with the number of services.

Usage: python bench/render_bench.py [--runs N] [--services 10,50]
Median wall, median CPU and least CPU time of N runs (after one warm-up) of the CLI on slo_specs/, then
of spec folders with 10 and 50 copies of the amas spec (renamed), to show how render grows per service.
The command measures this checkout (bench/common.py).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, cli


def timed(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float, float]:
    """(median wall ms, median CPU ms, least CPU ms of the child) over `runs`, after one warm-up.

    On a shared machine the least CPU time is the steadiest: other load only ever adds to it.
    """
    subprocess.run(cmd, env=env, capture_output=True)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        walls.append((time.perf_counter() - started) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
        if result.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed: {result.stderr}")
    return statistics.median(walls), statistics.median(cpus), min(cpus)


def copies(n: int, folder: Path) -> Path:
    """A spec folder with `n` renamed copies of the amas example (its fragments included)."""
    import shutil

    shutil.copytree(ROOT / "slo_specs" / "_fragments", folder / "_fragments")
    text = (ROOT / "slo_specs" / "amas.yaml").read_text()
    for i in range(n):
        (folder / f"amas-{i}.yaml").write_text(re.sub(r"^service: amas$", f"service: amas-{i}", text, flags=re.M))
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--services", default="10,50")
    args = parser.parse_args()
    base, env = cli()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        subprocess.run([*base, "render", str(ROOT / "slo_specs"), "--out", str(out)], env=env, check=True,
                       capture_output=True)
        wall, cpu, least = timed([*base, "render", str(ROOT / "slo_specs"), "--out", str(out), "--check"], env,
                                 args.runs)
        rows.append(("render --check slo_specs/ (5 services)", wall, cpu, least))
        for n in (int(x) for x in args.services.split(",") if x):
            folder = copies(n, Path(tmp) / f"specs-{n}")
            wall, cpu, least = timed([*base, "render", str(folder), "--out", str(Path(tmp) / f"out-{n}")], env,
                                     args.runs)
            rows.append((f"render {n} services (amas copies)", wall, cpu, least))
    print(f"| what | median wall ms | median CPU ms | min CPU ms |  (runs={args.runs}, "
          f"load {os.getloadavg()[0]:.1f})")
    print("| --- | --- | --- | --- |")
    for what, wall, cpu, least in rows:
        print(f"| {what} | {wall:.0f} | {cpu:.0f} | {least:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
