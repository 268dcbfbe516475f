"""Render time against the number of SLOs: 100 to 1,000 SLOs (25 to 250 services of 4 SLOs each).

Usage: python bench/scale_bench.py [--runs N] [--slos 100,250,500,1000]
Each service has 4 SLOs, one of each counter SLI kind (SERVICE below); every output is rendered.
Prints the median wall, median CPU and least CPU seconds of `agentops-gen render` per size, the least
CPU milliseconds per SLO, and the ratio of the largest size's per-SLO cost to the smallest's (1.0 =
linear). The least CPU time is what the targets are read against: on a shared machine other load only
adds to it. The command measures this checkout (bench/common.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from common import cli
from render_bench import timed

SLOS_PER_SERVICE = 4


SERVICE = """version: agentops-gen/v1
service: svc-{i}
owner: team-{team}
labels: {{platform: bench}}
slos:
  - name: availability
    objective: 99.5
    sli:
      ratio:
        errors: 'http_requests_total{{job="svc-{i}",code=~"5.."}}'
        total: 'http_requests_total{{job="svc-{i}"}}'
  - name: tool-success
    objective: 99
    period: 28d
    sli:
      ratio: {{good: 'tool_calls_total{{job="svc-{i}",outcome="ok"}}', total: 'tool_calls_total{{job="svc-{i}"}}'}}
  - name: latency
    objective: 95
    period: 7d
    sli: {{latency: {{histogram: 'request_duration_seconds{{job="svc-{i}"}}', threshold: 8s}}}}
    alerting: {{budget: [{{below: 20, severity: warning}}]}}
  - name: groundedness
    objective: 90
    sli: {{score: {{histogram: 'groundedness_score{{job="svc-{i}"}}', above: 0.7}}}}
"""
"""Four SLOs of every SLI kind with counters (ratio errors/good, latency, score) and a budget alert."""


def spec_folder(slos: int, folder: Path) -> Path:
    """A spec folder of slos/4 services of 4 SLOs each (ten services per team)."""
    folder.mkdir(parents=True)
    for i in range(slos // SLOS_PER_SERVICE):
        (folder / f"svc-{i}.yaml").write_text(SERVICE.format(i=i, team=i // 10))
    return folder


def main() -> int:
    """Render each size `runs` times (after a warm-up) and print a Markdown table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--slos", default="100,250,500,1000")
    args = parser.parse_args()
    base, env = cli()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for slos in (int(x) for x in args.slos.split(",") if x):
            folder = spec_folder(slos, Path(tmp) / f"specs-{slos}")
            out = Path(tmp) / f"out-{slos}"
            wall, cpu, least = timed([*base, "render", str(folder), "--out", str(out)], env, args.runs)
            rows.append((slos, wall / 1000, cpu / 1000, least / 1000))
            shutil.rmtree(out, ignore_errors=True)
    print(f"| SLOs (services) | median wall s | median CPU s | min CPU s | min CPU ms per SLO |  (runs={args.runs}, "
          f"load {os.getloadavg()[0]:.1f})")
    print("| --- | --- | --- | --- | --- |")
    for slos, wall, cpu, least in rows:
        print(f"| {slos} ({slos // SLOS_PER_SERVICE}) | {wall:.2f} | {cpu:.2f} | {least:.2f} | "
              f"{least * 1000 / slos:.2f} |")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(f"per-SLO min CPU at {last[0]} / at {first[0]}: {(last[3] / last[0]) / (first[3] / first[0]):.2f} "
              "(1.0 = linear)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
