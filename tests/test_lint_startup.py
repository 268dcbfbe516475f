"""Start-up of the command line: what runs before the heavy imports (docs/performance.md, "Lint time")."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

_TYPER_SEES_GC = """
import gc, json, sys
seen = {}
class Hook:
    def find_spec(self, name, path=None, target=None):
        if name in ("typer", "pydantic", "agentops_gen.spec.service"):
            seen[name] = gc.get_threshold()[0]
        return None
sys.meta_path.insert(0, Hook())
import agentops_gen.cli
import agentops_gen.lint.runner
print(json.dumps(seen))
"""


def test_gc_threshold_raised_before_typer_and_the_models_are_imported() -> None:
    result = subprocess.run([sys.executable, "-c", _TYPER_SEES_GC], capture_output=True, text=True, cwd=ROOT,
                            env={"PYTHONPATH": str(ROOT), "PATH": ""}, check=True)
    seen = json.loads(result.stdout)
    assert seen == {"typer": 200_000, "pydantic": 200_000, "agentops_gen.spec.service": 200_000}
