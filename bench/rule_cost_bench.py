"""Rule cost against Sloth: samples each rule reads per evaluation, in a real Prometheus, on the same data.

Usage: python bench/rule_cost_bench.py [--days 4] [--repeat 5]
Sloth's kubernetes-apiserver example (tests/fixtures/sloth: Sloth's own rendered rules) and our rendering
of its translation (tests/sloth_translate.py, our defaults: outage and no-data alerts, minimum-traffic
records) read the same synthetic apiserver history (1m samples, `--days` long: the 3d windows full),
backfilled into a Prometheus; the recording rules of both files are then backfilled over the whole history
(`promtool tsdb create-blocks-from rules`, level by level: tests/harness), so rules that read recorded series
read as much as they would in a server that had been evaluating them all along. Every rule's expression
(records and alerts) is then queried once at the end of the history with `stats=all`:
totalQueryableSamples is what that rule reads per evaluation cycle, evalTotalTime (the fastest of
`--repeat` evaluations) what it costs to evaluate.
Prints per-tool totals, the rules that read most, and our ratio to Sloth.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from common import ROOT, cli

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from sloth_translate import sloth_rules_text  # noqa: E402

from tests.harness import OpenMetrics, running_prometheus  # noqa: E402

SLOTH = ROOT / "tests" / "fixtures" / "sloth" / "examples"
END = 1_800_000_000 - 1_800_000_000 % 86400
VERBS = ("GET", "LIST", "POST", "WATCH")
CODES = {"200": 0.985, "429": 0.005, "500": 0.01}
BOUNDS = {0.1: 0.6, 0.4: 0.97, 1.0: 0.995, float("inf"): 1.0}


def history(days: int) -> list[str]:
    """apiserver request counters and latency histograms per verb, one sample a minute."""
    data = OpenMetrics(start=END - days * 86400, end=END, step=60, tiers=())
    for verb in VERBS:
        for code, share in CODES.items():
            data.counter("apiserver_request", {"verb": verb, "code": code}, 20.0 * share)
        data.histogram("apiserver_request_duration_seconds", {"verb": verb}, 20.0,
                       {b: s for b, s in BOUNDS.items() if b != float("inf")}, 0.15)
    return data.chunks()


def our_rules(tmp: Path) -> Path:
    """Our rule file for the example, imported (`agentops-gen import sloth`, our defaults) and rendered."""
    from agentops_gen.pipeline import render_paths

    specs = tmp / "specs"
    command, env = cli()
    subprocess.run([*command, "import", "sloth", str(SLOTH / "kubernetes-apiserver.yml"), "--out", str(specs)],
                   check=True, env=env, capture_output=True)
    files = render_paths([specs])
    (name,) = [f for f in files if f.startswith("prometheus/") and f.endswith(".rules.yaml")]
    path = tmp / "ours.rules.yaml"
    path.write_text(files[name])
    return path


def rule_costs(prom: Any, rules: Path, repeat: int) -> list[tuple[str, int, float]]:
    """(record or alert name, samples read, eval seconds) of every rule, queried at the end of the history;
    the fastest of `repeat` evaluations (the machine's load only ever adds time)."""
    out = []
    for group in yaml.safe_load(rules.read_text())["groups"]:
        for rule in group["rules"]:
            runs = []
            for _ in range(repeat):
                stats = prom.api("query", query=rule["expr"], time=END, stats="all").get("stats", {})
                runs.append((int(stats.get("samples", {}).get("totalQueryableSamples", 0)),
                             float(stats.get("timings", {}).get("evalTotalTime", 0.0))))
            out.append((rule.get("record") or rule.get("alert"), runs[0][0], min(t for _, t in runs)))
    return out


def main() -> int:
    """Backfill, query every rule of both files, print the totals and the ratio."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=5, help="evaluations per rule; the fastest is kept")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        sloth = tmp / "sloth.rules.yaml"
        sloth.write_text(sloth_rules_text(SLOTH / "_gen" / "kubernetes-apiserver.yml"))
        ours = our_rules(tmp)
        start = END - args.days * 86400
        with running_prometheus([sloth, ours], history(args.days), workdir=tmp / "prom", rules_from=start,
                                rules_to=END, load_rules=False) as prom:
            costs = {"sloth": rule_costs(prom, sloth, args.repeat), "ours": rule_costs(prom, ours, args.repeat)}
    totals = {tool: (sum(s for _, s, _ in rows), sum(t for _, _, t in rows), len(rows)) for tool, rows in costs.items()}
    for tool, rows in costs.items():
        samples, seconds, count = totals[tool]
        print(f"{tool}: {count} rules, {samples} samples read per cycle, {seconds * 1000:.1f} ms of query time")
        for rule, read, _ in sorted(rows, key=lambda r: -r[1])[:6]:
            print(f"    {read:8d}  {rule}")
        slowest = sorted(rows, key=lambda r: -r[2])[:6]
        print("    slowest:", ", ".join(f"{rule} {t * 1000:.1f} ms" for rule, _, t in slowest))
    ratio = totals["ours"][0] / totals["sloth"][0]
    print(f"ours / sloth, samples read per cycle: {ratio:.2f}x (target <= 0.5x)")
    print(f"ours / sloth, query time per cycle: {totals['ours'][1] / totals['sloth'][1]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
