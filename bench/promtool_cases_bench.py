"""Where generated-test time goes: promtool CPU seconds per test case of every example service.

promtool evaluates every rule of the file at every evaluation interval from 0 to a case's last
`eval_time`, so a case costs (its evaluations) x (rules in the file); input history beyond the
last eval time costs next to nothing. A service has two generated files: `<svc>.test.yaml`
(evaluated every 1m) and `<svc>.5m.test.yaml` (every 5m). This prints, per file (and per case with
--cases), the CPU seconds of `promtool test rules` on it, its cases and evaluations, then the total
per service (both files). Usage: python bench/promtool_cases_bench.py [OUT] [--cases]
(OUT: a rendered folder, default: a fresh render of slo_specs into a temporary folder).
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, cli  # noqa: E402


def _cpu(command: list[str]) -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    code = subprocess.run(command, capture_output=True, text=True).returncode
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), code


def _last_minute(case: dict) -> int:
    times = [t["eval_time"] for t in (*case.get("alert_rule_test", []), *case.get("promql_expr_test", []))]
    return max(int(str(t).removesuffix("m")) for t in times) if times else 0


def bench(out: Path, per_case: bool) -> list[tuple[str, float, int, int]]:
    """(service, CPU seconds of its test files, cases, evaluations summed over cases) per service."""
    totals: dict[str, list[float]] = {}
    promtool = shutil.which("promtool") or "promtool"
    for path in sorted((out / "prometheus" / "tests").glob("*.test.yaml")):
        data = yaml.safe_load(path.read_text())
        every = int(str(data["evaluation_interval"]).removesuffix("m"))
        evaluations = [_last_minute(c) // every + 1 for c in data["tests"]]
        if per_case:
            for i, case in enumerate(data["tests"]):
                one = path.with_name(f"_case{i}.yaml")
                one.write_text(yaml.safe_dump({**data, "tests": [case]}, sort_keys=False))
                seconds, code = _cpu([promtool, "test", "rules", str(one)])
                one.unlink()
                print(f"  {seconds:6.2f} s {evaluations[i]:5d} evaluations {len(case['input_series']):3d} series"
                      f"{'' if code == 0 else ' FAILED'}  {case['name'][:100]}", flush=True)
        seconds, code = _cpu([promtool, "test", "rules", str(path)])
        print(f"{path.name}: {seconds:.2f} s CPU, {len(evaluations)} cases, {sum(evaluations)} evaluations "
              f"every {every}m{'' if code == 0 else ' FAILED'}", flush=True)
        total = totals.setdefault(path.name.split(".", 1)[0], [0.0, 0, 0])
        total[0] += seconds
        total[1] += len(evaluations)
        total[2] += sum(evaluations)
    rows = [(service, t[0], int(t[1]), int(t[2])) for service, t in totals.items()]
    for service, seconds, cases, evaluations in rows:
        print(f"{service}: {seconds:.2f} s CPU, {cases} cases, {evaluations} evaluations (all its files)")
    return rows


def main() -> int:
    """Render (unless given a folder), then time promtool per file (and per case with --cases)."""
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args[0]) if args else Path(tmp) / "out"
        if not args:
            command, env = cli()
            subprocess.run([*command, "render", str(ROOT / "slo_specs"), "--out", str(out)], check=True, env=env)
        rows = bench(out, "--cases" in sys.argv)
    total = sum(r[1] for r in rows)
    print(f"mean {total / len(rows):.2f} s of promtool CPU per service ({len(rows)} services, {total:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
