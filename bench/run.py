"""`make bench`: every benchmark of bench/, one after the other (numbers go to the README's Performance)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ("startup_bench.py", "render_bench.py", "lint_bench.py")


def main() -> int:
    """Run each bench with this Python; the exit code is the worst of theirs."""
    worst = 0
    for bench in BENCHES:
        print(f"\n## {bench}", flush=True)
        worst = max(worst, subprocess.run([sys.executable, str(HERE / bench)]).returncode)
    return worst


if __name__ == "__main__":
    sys.exit(main())
