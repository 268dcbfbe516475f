"""Runs at the size limits (README "Limits"): wall time and peak memory of `render` and `lint`.

Usage: python bench/limits_bench.py [--cases slos,windows,kpis,files,past] [--command render|lint]
Each case is a spec folder built in a temporary folder, at (not past) the limits of
agentops_gen/spec/limits.py, rendered once by the CLI (cold cache); `past` is 10,000 SLOs in one
file, refused with one located error. Prints one row per case: seconds, peak RSS of the CLI
(largest of its processes), exit code.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, user_env

sys.path.insert(0, str(ROOT))
from agentops_gen.spec.limits import MAX_WORK, PER_SLO_LIMITS, SECTION_LIMITS  # noqa: E402

WINDOWS = [
    "{severity: page, long: 1h, short: 5m, budget_percent: 2}",
    "{severity: page, long: 6h, short: 30m, budget_percent: 5}",
    "{severity: page, long: 2h, short: 10m, budget_percent: 3}",
    "{severity: page, long: 3h, short: 15m, budget_percent: 4}",
    "{severity: ticket, long: 1d, short: 2h, budget_percent: 10}",
    "{severity: ticket, long: 3d, short: 6h, budget_percent: 10}",
    "{severity: ticket, long: 2d, short: 4h, budget_percent: 10}",
    "{severity: ticket, long: 4d, short: 8h, budget_percent: 12}",
]


def slo(i: int, windows: int) -> list[str]:
    """One ratio SLO (and its windows) as YAML lines."""
    lines = [f"  - name: s{i}", "    objective: 99.5", "    sli:", "      ratio:",
             f'        errors: req_total{{route="r{i}",code=~"5.."}}', f'        total: req_total{{route="r{i}"}}']
    if windows:
        lines += ["    alerting:", "      windows:"] + [f"        - {w}" for w in WINDOWS[:windows]]
    return lines


def kpi(i: int) -> list[str]:
    """One KPI with a max threshold as YAML lines."""
    return [f"  - name: k{i}", f'    query: sum(rate(cost_usd_total{{route="r{i}"}}[5m]))', "    max: 10"]


def service(folder: Path, name: str, slos: int = 0, kpis: int = 0, windows: int = 0) -> None:
    """Write one service spec."""
    lines = ["version: agentops-gen/v1", f"service: {name}", "owner: team", "notify: {critical: pager, "
             "warning: pager}", "receivers:", "  pager: {webhook: {url: 'http://hook.example:8080/'}}"]
    if slos:
        lines.append("slos:")
        for i in range(slos):
            lines += slo(i, windows)
    if kpis:
        lines.append("kpis:")
        for i in range(kpis):
            lines += kpi(i)
    (folder / f"{name}.yaml").write_text("\n".join(lines) + "\n")


def build(case: str, folder: Path) -> None:
    """A spec folder exactly at the limits for one case."""
    per_file = SECTION_LIMITS["slos"]
    files = MAX_WORK // (per_file + 1)
    if case in ("slos", "windows"):
        windows = PER_SLO_LIMITS[("alerting", "windows")] if case == "windows" else 0
        for f in range(files):
            service(folder, f"svc{f}", slos=min(per_file, MAX_WORK - files - f * per_file), windows=windows)
    elif case == "kpis":
        for f in range(files):
            service(folder, f"svc{f}", kpis=min(SECTION_LIMITS["kpis"], MAX_WORK - files - f * per_file))
    elif case == "files":
        for f in range(MAX_WORK // 2):
            service(folder, f"svc{f}", slos=1)
    elif case == "past":
        service(folder, "svc", slos=10_000)
    else:
        raise SystemExit(f"unknown case {case}")


MEASURE = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
# ru_maxrss of children: the largest process the CLI ran (its forked half included), in KB
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="slos,windows,kpis,files,past")
    parser.add_argument("--command", default="render", choices=["render", "lint"])
    args = parser.parse_args()
    # this tree's code, not an installed agentops-gen: the limits measured are the ones in this checkout
    base, env = [sys.executable, "-m", "agentops_gen"], {**user_env(), "PYTHONPATH": str(ROOT)}
    print(f"{'case':10} {'seconds':>8} {'peak MB':>8} exit")
    for case in args.cases.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            specs = Path(tmp) / "specs"
            specs.mkdir()
            build(case, specs)
            extra = ["--out", str(Path(tmp) / "out")] if args.command == "render" else []
            started = time.perf_counter()
            result = subprocess.run([sys.executable, "-c", MEASURE, *base, args.command, str(specs), *extra],
                                    env={**env, "AGENTOPS_GEN_CACHE_DIR": str(Path(tmp) / "cache")},
                                    capture_output=True, text=True)
            seconds = time.perf_counter() - started
        peak_kb, code = result.stdout.split()[-2:]
        print(f"{case:10} {seconds:8.1f} {int(peak_kb) / 1024:8.0f} {code}", flush=True)
        if code not in ("0", "1", "2") or "Traceback" in result.stderr:
            print(result.stderr[-2000:], file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
