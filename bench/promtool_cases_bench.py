"""Where generated-test time goes: promtool CPU seconds per test case of every example service.

promtool evaluates every rule it loads at every evaluation interval from 0 to a case's last `eval_time`,
so a case costs (its evaluations) x (rules its file loads); input history beyond the last eval time costs
next to nothing. A service has several generated files: `<svc>.test.yaml` and `<svc>.<groups>.test.yaml`
(evaluated every 1m), the same with `.5m` (every 5m), each loading only the rules its cases exercise (a slice).
This prints, per file (and per case with --cases), the CPU seconds of `promtool test rules` on it, its
cases, evaluations and rules loaded, then the total per service (all its files; rule evaluations =
evaluations x rules loaded).
Usage: python bench/promtool_cases_bench.py [OUT] [--cases] [--split] [--one-run]
(OUT: a rendered folder, default: a fresh render of slo_specs into a temporary folder).

--one-run times one `promtool test rules` per service over all its files instead (the issue's target is
read on it: promtool starts once per run, not once per file).

--split is the third round's measurement of that layout before it shipped: each service's rule file cut
into one file per SLO and one per shared family (shared rates, KPIs, anomalies, plain alerts); every case
is timed against the whole file and against only the files it reads (the SLOs it asserts or names, and the
shared families whose records those read), and must pass both ways.
"""

from __future__ import annotations

import re
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


def _rules_loaded(path: Path, data: dict) -> int:
    """Rules in the rule files a test file lists (promtool evaluates each at every evaluation)."""
    return sum(len(g["rules"]) for f in data["rule_files"]
               for g in yaml.safe_load((path.parent / f).read_text())["groups"])


def bench(out: Path, per_case: bool) -> list[tuple[str, float, int, int]]:
    """(service, CPU seconds of its test files, cases, evaluations summed over cases) per service."""
    totals: dict[str, list[float]] = {}
    rule_evaluations: dict[str, int] = {}
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
        rules = _rules_loaded(path, data)
        print(f"{path.name}: {seconds:.2f} s CPU, {len(evaluations)} cases, {sum(evaluations)} evaluations "
              f"every {every}m x {rules} rules{'' if code == 0 else ' FAILED'}", flush=True)
        service = path.name.split(".", 1)[0]
        rule_evaluations[service] = rule_evaluations.get(service, 0) + sum(evaluations) * rules
        total = totals.setdefault(service, [0.0, 0, 0])
        total[0] += seconds
        total[1] += len(evaluations)
        total[2] += sum(evaluations)
    rows = [(service, t[0], int(t[1]), int(t[2])) for service, t in totals.items()]
    for service, seconds, cases, evaluations in rows:
        print(f"{service}: {seconds:.2f} s CPU, {cases} cases, {evaluations} evaluations, "
              f"{rule_evaluations[service]} rule evaluations (all its files)")
    return rows


def one_run(out: Path) -> dict[str, float]:
    """CPU seconds of one `promtool test rules` over all of a service's files (how users and the suite run them)."""
    promtool = shutil.which("promtool") or "promtool"
    tests = out / "prometheus" / "tests"
    seconds: dict[str, float] = {}
    for service in sorted({p.name.split(".", 1)[0] for p in tests.glob("*.test.yaml")}):
        files = sorted(str(p) for p in tests.glob(f"{service}.*test.yaml") if p.name.split(".", 1)[0] == service)
        seconds[service], code = _cpu([promtool, "test", "rules", *files])
        print(f"{service}: {seconds[service]:.2f} s CPU in one promtool run, {len(files)} files"
              f"{'' if code == 0 else ' FAILED'}", flush=True)
    print(f"mean {sum(seconds.values()) / len(seconds):.2f} s of promtool CPU per service, one run each")
    return seconds


FAMILIES = {"shared-rates": "shared-rates", "kpis": "kpis", "anomaly-baselines": "anomalies", "anomalies": "anomalies",
            "alerts": "plain-alerts"}
"""Group name (after `agentops-<service>-`, without a `_2` suffix) -> shared file; any other group is an SLO's."""


def _split(rules_path: Path, into: Path) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """Write the rule file's groups into one file per SLO / shared family; (groups per file, alert -> file)."""
    prefix = f"agentops-{rules_path.name.split('.')[0]}-"
    files: dict[str, list[dict]] = {}
    owner: dict[str, str] = {}
    for group in yaml.safe_load(rules_path.read_text())["groups"]:
        base = re.sub(r"_\d+$", "", group["name"].removeprefix(prefix))
        key = FAMILIES.get(base, base)
        files.setdefault(key, []).append(group)
        owner.update({r["alert"]: key for r in group["rules"] if "alert" in r})
    for key, groups in files.items():
        (into / f"{key}.rules.yaml").write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    (into / "full.rules.yaml").write_text(rules_path.read_text())
    return files, owner


def _needs(case: dict, files: dict[str, list[dict]], owner: dict[str, str]) -> set[str]:
    """The files a case reads: its alerts' and named SLOs', then the shared records those read (by name)."""
    text = yaml.safe_dump(case)
    need = {owner[a["alertname"]] for a in case.get("alert_rule_test", [])}
    need |= {k for k in files if k not in FAMILIES.values() and (f'slo="{k}"' in text or f"slo: {k}\n" in text)}
    shared = {r["record"]: k for k, groups in files.items() if k in FAMILIES.values()
              for g in groups for r in g["rules"] if "record" in r}
    while True:
        body = yaml.safe_dump([files[k] for k in sorted(need)]) + text
        more = {k for name, k in shared.items() if name in body} - need
        if not more:
            return need
        need |= more


def split_bench(out: Path, work: Path) -> None:
    """CPU seconds and rule evaluations per service, every case against the whole file and its own files."""
    promtool = shutil.which("promtool") or "promtool"
    means = [0.0, 0.0]
    services = sorted((out / "prometheus").glob("*.rules.yaml"))
    for rules_path in services:
        service = rules_path.name.split(".")[0]
        into = work / service
        into.mkdir(parents=True)
        files, owner = _split(rules_path, into)
        sizes = {k: sum(len(g["rules"]) for g in groups) for k, groups in files.items()}
        row = [0.0, 0.0, 0, 0]
        for path in sorted((out / "prometheus" / "tests").glob(f"{service}.*test.yaml")):
            data = yaml.safe_load(path.read_text())
            every = int(str(data["evaluation_interval"]).removesuffix("m"))
            for case in data["tests"]:
                need = _needs(case, files, owner)
                evaluations = _last_minute(case) // every + 1
                for column, rule_files in enumerate((["full.rules.yaml"], [f"{k}.rules.yaml" for k in files
                                                                           if k in need])):
                    groups = {g["name"] for f in rule_files for g in yaml.safe_load((into / f).read_text())["groups"]}
                    one = {"rule_files": rule_files, "evaluation_interval": data["evaluation_interval"],
                           "group_eval_order": [g for g in data["group_eval_order"] if g in groups], "tests": [case]}
                    (into / "case.yaml").write_text(yaml.safe_dump(one, sort_keys=False))
                    seconds, code = _cpu([promtool, "test", "rules", str(into / "case.yaml")])
                    if code:
                        print(f"  FAILED ({'whole file' if column == 0 else 'own files'}): {case['name'][:100]}")
                    row[column] += seconds
                row[2] += evaluations * sum(sizes.values())
                row[3] += evaluations * sum(sizes[k] for k in need)
        print(f"{service}: {row[0]:.2f} -> {row[1]:.2f} s CPU, rule evaluations {row[2]} -> {row[3]} "
              f"({row[3] / row[2]:.2f}x), every case alone, whole rule file -> its own files", flush=True)
        means = [means[0] + row[0] / len(services), means[1] + row[1] / len(services)]
    print(f"mean per service: {means[0]:.2f} -> {means[1]:.2f} s of promtool CPU (cases run one by one)")


def main() -> int:
    """Render (unless given a folder), then time promtool per file (and per case with --cases)."""
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args[0]) if args else Path(tmp) / "out"
        if not args:
            command, env = cli()
            subprocess.run([*command, "render", str(ROOT / "slo_specs"), "--out", str(out)], check=True, env=env)
        if "--split" in sys.argv:
            split_bench(out, Path(tmp) / "split")
            return 0
        if "--one-run" in sys.argv:
            one_run(out)
            return 0
        rows = bench(out, "--cases" in sys.argv)
    total = sum(r[1] for r in rows)
    print(f"mean {total / len(rows):.2f} s of promtool CPU per service ({len(rows)} services, {total:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
