"""PromQL parses per lint: how often promql-parser runs against how many distinct queries it is given.

Usage: python bench/parse_count.py [--specs DIR] [--json]
Runs `lint` of DIR once in this process (no caches carried over: a fresh interpreter) with
promql_parser.parse wrapped by a counter. Issue 17's target: one parse per distinct query.
A count, not a time: the result is the same on any machine.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from common import ROOT


def count(specs: Path) -> dict[str, int]:
    """{parses, distinct, repeated}: promql-parser calls, distinct query texts, calls beyond the first of each."""
    sys.path.insert(0, str(ROOT))
    import promql_parser

    from agentops_gen.lint.runner import collect

    calls: Counter[str] = Counter()
    real = promql_parser.parse

    def counted(query: str) -> Any:
        calls[query] += 1
        return real(query)

    promql_parser.parse = counted
    try:
        _, ctx = collect([specs])
    finally:
        promql_parser.parse = real
    parses = sum(calls.values())
    lookups = getattr(getattr(ctx.build, "queries", None), "lookups", -1)  # -1: a tree without the Build's cache
    return {"parses": parses, "distinct": len(calls), "repeated": parses - len(calls), "lookups": lookups}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--specs", default="slo_specs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = count((ROOT / args.specs).resolve())
    if args.json:
        print(json.dumps(result))
    else:
        print(f"lint {args.specs}: {result['parses']} parses of {result['distinct']} distinct queries "
              f"({result['repeated']} repeats; {result['lookups']} parse requests)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
