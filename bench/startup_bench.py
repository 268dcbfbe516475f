"""Start-up time of `agentops-gen --help`: median wall time of 10 runs, must stay under 250 ms.

Usage: python bench/startup_bench.py [--runs N] [--limit-ms MS]
Runs the installed console script next to this Python when there is one, else `python -m agentops_gen`
with the repository on PYTHONPATH. Exit 1 when the median is over the limit.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import cli, user_env


def command() -> tuple[list[str], dict[str, str]]:
    """The command a user runs, and its environment."""
    base, env = cli()
    return [*base, "--help"], env


def measure(runs: int, cmd: list[str] | None = None, env: dict[str, str] | None = None) -> list[float]:
    """Wall time of each run in milliseconds (one warm-up run first, so the OS page cache is warm)."""
    if cmd is None:
        cmd, env = command()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--limit-ms", type=float, default=250.0)
    args = parser.parse_args()
    times = measure(args.runs)
    median = statistics.median(times)
    # the bare interpreter, for scale: on a loaded machine both grow, and the difference is ours
    bare = statistics.median(measure(args.runs, [sys.executable, "-c", "pass"], user_env()))
    cmd, _ = command()
    print(f"{' '.join(Path(cmd[0]).name if i == 0 else c for i, c in enumerate(cmd))}: median {median:.0f} ms "
          f"over {args.runs} runs (min {min(times):.0f}, max {max(times):.0f}; limit {args.limit_ms:.0f} ms); "
          f"bare `python -c pass`: {bare:.0f} ms")
    return 0 if median < args.limit_ms else 1


if __name__ == "__main__":
    sys.exit(main())
