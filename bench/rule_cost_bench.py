"""Rule cost against Sloth: samples each rule reads per evaluation, in a real Prometheus, on the same data.

Usage: python bench/rule_cost_bench.py [--days 4] [--repeat 5] [--rules] [--uncompacted] [--before REV]
Sloth's kubernetes-apiserver example (tests/fixtures/sloth: Sloth's own rendered rules) and our rendering
of its translation (tests/sloth_translate.py, our defaults: outage and no-data alerts, minimum-traffic
records) read the same synthetic apiserver history (1m samples, `--days` long: the 3d windows full),
backfilled into a Prometheus; the recording rules of both files are then backfilled over the whole history
(`promtool tsdb create-blocks-from rules`, level by level: tests/harness), so rules that read recorded series
read as much as they would in a server that had been evaluating them all along. Every rule's expression
(records and alerts) is then queried once at the end of the history with `stats=all`:
totalQueryableSamples is what that rule reads per evaluation cycle, evalTotalTime (the fastest of
`--repeat` evaluations) what it costs to evaluate.
By default the server first compacts what was backfilled (`wait_compacted`): the history and every
level's records arrive as many overlapping 2h blocks, and a query over a long range pays per block it
opens, so on uncompacted blocks a 3d range costs the same whether it reads 4,000 samples or 86,000. A
server that has been running for days holds them compacted (2h, 6h, 18h, 54h blocks); `--uncompacted`
measures the blocks as backfilled (the measure before 2026-12-06's second round).
Prometheus pays per unit of time, not per cycle: a group with its own `interval` is evaluated less often,
so the query time is also printed per minute of evaluation (each rule's time x 60s / its group's interval,
the global interval being 1m). `--rules` prints every rule's samples, time and group interval.
Prints per-tool totals, the rules that read most, and our ratio to Sloth.
The rules of all files are queried in turns (each round every file's rules, the files' order rotating), so a
change of the machine's load between files weighs on each alike. `--before REV` also measures the rules this
repository rendered at git revision REV (its service renamed `<service>-before`, so its records are series of
their own) on the same server, in the same turns: a before/after comparison that no run-to-run noise enters.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
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


def rules_at(revision: str, tmp: Path) -> Path:
    """The rule file this repository rendered for the example at a git revision, its service renamed
    `<service>-before` (the same raw series, records of their own)."""
    tree = tmp / "before-tree"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "agentops_gen"]
    specs, out = tmp / "before-specs", tmp / "before-out"
    subprocess.run([*command, "import", "sloth", str(SLOTH / "kubernetes-apiserver.yml"), "--out", str(specs)],
                   check=True, env=env, capture_output=True, cwd=tree)
    for spec in specs.glob("*.yaml"):
        text = spec.read_text()
        service = re.search(r'^service: "?([^"\n]+)"?$', text, re.MULTILINE)
        assert service, spec
        spec.write_text(text.replace(service.group(0), f'service: "{service.group(1)}-before"', 1))
    subprocess.run([*command, "render", str(specs), "--out", str(out)], check=True, env=env, capture_output=True,
                   cwd=tree)
    (path,) = (out / "prometheus").glob("*.rules.yaml")
    return path


GLOBAL_INTERVAL_S = 60
"""The evaluation interval of the bench's Prometheus (the harness' default `eval_interval`)."""


def interval_seconds(group: dict[str, Any]) -> float:
    """How often Prometheus evaluates a group: its own `interval`, else the global one."""
    from agentops_gen.units.durations import parse_duration

    return float(parse_duration(group["interval"])) if group.get("interval") else GLOBAL_INTERVAL_S


def rule_costs(prom: Any, files: dict[str, Path], repeat: int) -> dict[str, list[tuple[str, int, float, float]]]:
    """Per file: (record or alert name, samples read, eval seconds, group interval seconds) of every rule, queried
    at the end of the history; the fastest of `repeat` evaluations (the machine's load only ever adds time). Each
    round queries every file's rules, the files in a rotating order."""
    rules = {tool: [(rule, interval_seconds(group)) for group in yaml.safe_load(path.read_text())["groups"]
                    for rule in group["rules"]] for tool, path in files.items()}
    runs: dict[str, list[list[tuple[int, float]]]] = {tool: [[] for _ in found] for tool, found in rules.items()}
    tools = list(files)
    for round_ in range(repeat):
        for tool in tools[round_ % len(tools):] + tools[:round_ % len(tools)]:
            for (rule, _), seen in zip(rules[tool], runs[tool], strict=True):
                stats = prom.api("query", query=rule["expr"], time=END, stats="all").get("stats", {})
                seen.append((int(stats.get("samples", {}).get("totalQueryableSamples", 0)),
                             float(stats.get("timings", {}).get("evalTotalTime", 0.0))))
    return {tool: [(rule.get("record") or rule.get("alert"), seen[0][0], min(t for _, t in seen), every)
                   for (rule, every), seen in zip(rules[tool], runs[tool], strict=True)] for tool in tools}


COMPACTION_TIMEOUT_S = 600
STABLE_S = 20
"""Compaction is done when the loaded blocks have not changed for this long and no block is being written."""


def tsdb_metrics(url: str) -> dict[str, float]:
    """The server's own `prometheus_tsdb_*` gauges and counters (unlabelled ones), from /metrics."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=30) as response:
        text = response.read().decode()
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r"^(prometheus_tsdb_[a-z_]+) ([0-9.e+-]+)$", text, re.MULTILINE)}


def wait_compacted(url: str) -> int:
    """Wait until Prometheus has compacted the backfilled blocks (its first compaction runs a minute after
    start); the number of blocks loaded then."""
    deadline = time.monotonic() + COMPACTION_TIMEOUT_S
    last: tuple[float, float] | None = None
    since = time.monotonic()
    while time.monotonic() < deadline:
        metrics = tsdb_metrics(url)
        state = (metrics.get("prometheus_tsdb_blocks_loaded", 0), metrics.get("prometheus_tsdb_compactions_total", 0))
        busy = metrics.get("prometheus_tsdb_compaction_populating_block", 0) > 0
        if state != last or busy:
            last, since = state, time.monotonic()
        elif state[1] > 0 and time.monotonic() - since >= STABLE_S:
            return int(state[0])
        time.sleep(2)
    raise TimeoutError("Prometheus did not finish compacting the backfilled blocks")


def main() -> int:
    """Backfill, query every rule of both files, print the totals and the ratio."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=5, help="evaluations per rule; the fastest is kept")
    parser.add_argument("--uncompacted", action="store_true",
                        help="query the blocks as backfilled, without waiting for Prometheus to compact them")
    parser.add_argument("--rules", action="store_true", help="print every rule: samples, ms, group interval")
    parser.add_argument("--before", metavar="REV",
                        help="also measure the rules rendered at this git revision (as `before`), on the same server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        sloth = tmp / "sloth.rules.yaml"
        sloth.write_text(sloth_rules_text(SLOTH / "_gen" / "kubernetes-apiserver.yml"))
        files = {"sloth": sloth, "ours": our_rules(tmp)}
        if args.before:
            files["before"] = rules_at(args.before, tmp)
        start = END - args.days * 86400
        with running_prometheus(list(files.values()), history(args.days), workdir=tmp / "prom", rules_from=start,
                                rules_to=END, load_rules=False) as prom:
            blocks = len(list((tmp / "prom" / "tsdb").glob("01*")))
            if not args.uncompacted:
                print(f"blocks as backfilled: {blocks}; compacted: {wait_compacted(prom.url)}")
            else:
                print(f"blocks as backfilled: {blocks} (not compacted)")
            costs = rule_costs(prom, files, args.repeat)
    totals = {tool: (sum(r[1] for r in rows), sum(r[2] for r in rows), len(rows),
                     sum(r[2] * 60 / r[3] for r in rows)) for tool, rows in costs.items()}
    for tool, rows in costs.items():
        samples, seconds, count, per_minute = totals[tool]
        print(f"{tool}: {count} rules, {samples} samples read per cycle, {seconds * 1000:.1f} ms of query time "
              f"per cycle, {per_minute * 1000:.1f} ms per minute of evaluation")
        for rule, read, _, _ in sorted(rows, key=lambda r: -r[1])[:6]:
            print(f"    {read:8d}  {rule}")
        slowest = sorted(rows, key=lambda r: -r[2])[:6]
        print("    slowest:", ", ".join(f"{r[0]} {r[2] * 1000:.1f} ms" for r in slowest))
        if args.rules:
            for rule, read, took, every in rows:
                print(f"    rule {read:8d} samples {took * 1000:7.2f} ms every {every:5.0f}s  {rule}")
    for tool in (t for t in totals if t != "sloth"):
        ratio = totals[tool][0] / totals["sloth"][0]
        print(f"{tool} / sloth, samples read per cycle: {ratio:.2f}x (target <= 0.5x)")
        print(f"{tool} / sloth, query time per cycle: {totals[tool][1] / totals['sloth'][1]:.2f}x")
        print(f"{tool} / sloth, query time per minute of evaluation: {totals[tool][3] / totals['sloth'][3]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
