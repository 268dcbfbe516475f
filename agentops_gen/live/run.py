"""The `backtest` command: build the plan, connect, evaluate, print."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import TextIO

from agentops_gen.errors import SpecErrors, UsageError
from agentops_gen.live.client import Client, Connection

FORMATS = ("text", "json")


def parse_end(text: str | None) -> float:
    """--end: RFC 3339 or Unix seconds; now when not given."""
    if not text:
        return time.time()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise UsageError(f"--end must be RFC 3339 or Unix seconds (got {text!r})") from None


def run_backtest(paths: list[Path], conn: Connection, *, range_: str, end: str | None, output_format: str,
                 stream: TextIO) -> int:
    """Print when every alert of the specs would have fired; 1 when some alert could not be evaluated."""
    import sys

    from agentops_gen.live.backtest import backtest, to_json, to_text
    from agentops_gen.pipeline import build
    from agentops_gen.units.durations import parse_duration

    if output_format not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}")
    try:
        span = parse_duration(range_)
    except ValueError as exc:
        raise UsageError(f"--range {exc}") from None
    stop = parse_end(end)
    result = build(paths, targets=())
    if result.errors:
        raise SpecErrors(result.errors)
    if result.failure is not None:
        raise result.failure
    assert result.plan is not None
    services = {s.spec.service for s in result.sources if s.selected and s.spec is not None and not s.is_platform}
    client = Client(conn)
    results = backtest(client, result.plan, stop - span, stop, services)
    stream.write(to_json(results) if output_format == "json" else to_text(results, stop - span, stop))
    failed = [r for r in results if r.error]
    for r in failed:
        print(f"agentops-gen: warning: {r.rule.name}: not evaluated: {r.error}", file=sys.stderr)
    print(f"agentops-gen backtest: {len({(r.rule.service, r.rule.name) for r in results})} alerts, "
          f"{sum(len(r.episodes) for r in results)} episodes, {client.requests} queries", file=sys.stderr)
    return 1 if failed else 0
