"""A real Prometheus (the Debian binary) on 127.0.0.1 with rule files and backfilled history, for tests.

Usage::

    from tests.harness import OpenMetrics, daily, running_prometheus

    data = OpenMetrics(start=end - 7 * 86400, end=end)          # a healthy week, see openmetrics.py
    data.counter("agent_requests_total", {"job": "api"}, daily(5.0))
    with running_prometheus([rules_file], data.chunks(), workdir=tmp_path, rules_from=end - 2 * 3600,
                            rules_to=end) as prom:
        prom.query('slo:sli_error:ratio_rate5m{slo="availability"}', at=end)   # -> list of samples
        prom.alerts()                                                          # -> active alerts

`running_prometheus(rule_files, openmetrics, *, workdir, rules_from=None, rules_to=None, ...)`:
1. writes `openmetrics` (one exposition, or several covering disjoint 2h-aligned time slices, such
   as `OpenMetrics.chunks()`) and turns it into TSDB blocks (`promtool tsdb create-blocks-from
   openmetrics`);
2. when `rules_from` is given, backfills every recording rule of `rule_files` over
   [rules_from, rules_to] with `promtool tsdb create-blocks-from rules`. promtool evaluates rules
   against a running server that does not see series it is still writing, so rules that read other
   recorded series are backfilled level by level (level 0 reads raw series only, level n reads
   levels < n), restarting a rule-less Prometheus over the growing TSDB between levels;
3. starts Prometheus with `rule_files` (config: evaluation_interval `eval_interval`, no scrape
   targets) on a free port and a TSDB under `workdir`, waits for /-/ready (bounded poll), and
4. yields a `Prometheus` handle: `url`, `query(expr, at=None)`, `query_range(expr, start, end,
   step)`, `alerts()`, `rules()`; each raises `PrometheusError` on an API error.
The server is always stopped (terminate, then kill) when the block exits, also on errors.
Binaries: `prometheus`/`promtool` from PATH (override with `prometheus=`, `promtool=`).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import promql_parser
import yaml

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


class PrometheusError(RuntimeError):
    """The server did not start, a tool failed, or the HTTP API answered with an error."""


@dataclass(frozen=True)
class Prometheus:
    """Handle on a running server: HTTP API helpers over urllib."""

    url: str
    log: Path

    def api(self, path: str, **params: Any) -> Any:
        """GET /api/v1/<path>; the `data` of a success answer."""
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        try:
            with urllib.request.urlopen(f"{self.url}/api/v1/{path}?{query}", timeout=30) as response:
                body = json.load(response)
        except urllib.error.HTTPError as exc:
            body = json.load(exc)
        if body.get("status") != "success":
            raise PrometheusError(f"{path} {params}: {body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def query(self, expr: str, at: float | None = None) -> list[dict[str, Any]]:
        """Instant query; the result list (vector samples, or one scalar as [{'value': ...}])."""
        data = self.api("query", query=expr, time=at)
        if data["resultType"] in ("scalar", "string"):
            return [{"metric": {}, "value": data["result"]}]
        return list(data["result"])

    def query_range(self, expr: str, start: float, end: float, step: float = 60) -> list[dict[str, Any]]:
        """Range query; the matrix of series."""
        return list(self.api("query_range", query=expr, start=start, end=end, step=step)["result"])

    def alerts(self) -> list[dict[str, Any]]:
        """Active (pending or firing) alerts."""
        return list(self.api("alerts")["alerts"])

    def rules(self) -> list[dict[str, Any]]:
        """Loaded rule groups with their health and last error."""
        return list(self.api("rules")["groups"])


def free_port() -> int:
    """A port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if result.returncode:
        raise PrometheusError(f"{' '.join(args[:4])}... failed: {result.stderr.strip() or result.stdout.strip()}")


@contextmanager
def _server(binary: str, tsdb: Path, workdir: Path, rule_files: Sequence[Path], eval_interval: str,
            name: str, retention: str = "3650d") -> Iterator[Prometheus]:
    config = workdir / f"{name}.yml"
    config.write_text(yaml.safe_dump({"global": {"evaluation_interval": eval_interval},
                                      "rule_files": [str(Path(f).resolve()) for f in rule_files]}))
    port = free_port()
    log = workdir / f"{name}.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={tsdb}",
             f"--web.listen-address=127.0.0.1:{port}", f"--storage.tsdb.retention.time={retention}",
             "--log.level=warn"],
            stdout=log_file, stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_ready(url, process, log)
        yield Prometheus(url, log)
    finally:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise PrometheusError(f"prometheus exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise PrometheusError(f"prometheus not ready after {READY_TIMEOUT:.0f}s: {log.read_text()[-2000:]}")


def _names_in(expr: str) -> set[str]:
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            names.add(str(node.name))

    promql_parser.walk(promql_parser.parse(expr), pre_visit=visit)
    return names


def _selectors_in(expr: str) -> list[tuple[str, dict[str, str]]]:
    """(metric name, its equality matchers) of every named vector selector of an expression."""
    found: list[tuple[str, dict[str, str]]] = []

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            equal = {m.name: m.value for m in node.matchers.matchers
                     if str(m.op) in ("MatchOp.Equal", "=") and m.name != "__name__"}
            found.append((str(node.name), equal))

    promql_parser.walk(promql_parser.parse(expr), pre_visit=visit)
    return found


def _may_read(selector: tuple[str, dict[str, str]], rule: dict[str, Any]) -> bool:
    """Can a selector match what a recording rule writes? Its name, and no equality matcher against a label the
    rule sets to another value (labels the rule does not set come from its expression: they may match)."""
    name, equal = selector
    labels = {k: str(v) for k, v in (rule.get("labels") or {}).items()}
    return name == rule["record"] and all(labels.get(k, v) == v for k, v in equal.items())


def recording_levels(rule_files: Sequence[Path]) -> list[list[dict[str, Any]]]:
    """Rule groups split into dependency levels: level n holds recording rules reading only levels < n.

    Dependencies are between rule instances, not record names: `slo:sli_error:ratio_rate5m{slo="a"}` reads
    the rule that writes that record with `slo: a`, not every rule writing `slo:sli_error:ratio_rate5m` (one
    SLO's failed events may multiply its ratio while another's ratio divides its failed events)."""
    groups = [g for f in rule_files for g in (yaml.safe_load(Path(f).read_text()) or {}).get("groups", [])]
    records = [r for g in groups for r in g["rules"] if "record" in r]
    deps = [{j for sel in _selectors_in(rule["expr"]) for j, other in enumerate(records)
             if j != i and _may_read(sel, other)} for i, rule in enumerate(records)]
    level_of: dict[int, int] = {}
    while len(level_of) < len(records):
        progress = False
        for i in range(len(records)):
            if i not in level_of and all(j in level_of for j in deps[i]):
                level_of[i] = max((level_of[j] + 1 for j in deps[i]), default=0)
                progress = True
        if not progress:
            raise PrometheusError("recording rules depend on each other in a cycle: "
                                  f"{sorted({records[i]['record'] for i in range(len(records)) if i not in level_of})}")
    index = {id(r): i for i, r in enumerate(records)}
    levels: list[list[dict[str, Any]]] = [[] for _ in range(max(level_of.values(), default=-1) + 1)]
    for group in groups:
        for level, out in enumerate(levels):
            rules = [r for r in group["rules"] if "record" in r and level_of[index[id(r)]] == level]
            if rules:
                out.append({**{k: v for k, v in group.items() if k != "rules"}, "rules": rules})
    return levels


def _backfill_rules(prometheus: str, promtool: str, tsdb: Path, workdir: Path, rule_files: Sequence[Path],
                    start: float, end: float, eval_interval: str) -> None:
    level_files = []
    for level, groups in enumerate(recording_levels(rule_files)):
        level_file = workdir / f"rules-level-{level}.yaml"
        level_file.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
        level_files.append(level_file)
    _backfill_levels(prometheus, promtool, tsdb, workdir, level_files, start, end, eval_interval)


def _backfill_levels(prometheus: str, promtool: str, tsdb: Path, workdir: Path, level_files: Sequence[Path],
                     start: float, end: float, eval_interval: str) -> None:
    for level, level_file in enumerate(level_files):
        blocks = workdir / f"blocks-level-{level}"
        with _server(prometheus, tsdb, workdir, [], eval_interval, f"backfill-{level}") as server:
            _run([promtool, "tsdb", "create-blocks-from", "rules", f"--url={server.url}", f"--start={int(start)}",
                  f"--end={int(end)}", f"--output-dir={blocks}", f"--eval-interval={eval_interval}", "--quiet",
                  str(level_file)])
        for block in sorted(blocks.iterdir()) if blocks.exists() else []:
            shutil.move(str(block), tsdb / block.name)


@contextmanager
def running_prometheus(rule_files: Sequence[Path], openmetrics: str | Sequence[str] | None, *, workdir: Path,
                       rules_from: float | None = None, rules_to: float | None = None, eval_interval: str = "1m",
                       prometheus: str = "prometheus", promtool: str = "promtool",
                       retention: str = "3650d", load_rules: bool = True,
                       backfill: Sequence[Path] | None = None) -> Iterator[Prometheus]:
    """Backfill data (and recorded history), start Prometheus with `rule_files`, yield it, always stop it.

    `backfill`: rule files to backfill over [rules_from, rules_to] one after the other, each level's blocks
    loaded before the next (agentops-gen's own backfill levels), instead of every record of `rule_files`.

    `retention` is the server's --storage.tsdb.retention.time (short ones test retention checks);
    `load_rules=False` serves the backfilled history without evaluating the rules (a bench queries them itself).
    """
    prometheus = shutil.which(prometheus) or prometheus
    promtool = shutil.which(promtool) or promtool
    workdir.mkdir(parents=True, exist_ok=True)
    tsdb = workdir / "tsdb"
    tsdb.mkdir(exist_ok=True)
    for i, text in enumerate([openmetrics] if isinstance(openmetrics, str) else openmetrics or []):
        data = workdir / f"data-{i}.om"
        data.write_text(text)
        _run([promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet", str(data), str(tsdb)])
    if rules_from is not None:
        end = rules_to if rules_to is not None else time.time()
        if backfill is not None:
            _backfill_levels(prometheus, promtool, tsdb, workdir, backfill, rules_from, end, eval_interval)
        else:
            _backfill_rules(prometheus, promtool, tsdb, workdir, rule_files, rules_from, end, eval_interval)
    with _server(prometheus, tsdb, workdir, rule_files if load_rules else [], eval_interval, "prometheus",
                 retention) as server:
        yield server
