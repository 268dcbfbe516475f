"""output/promtool: promtool or amtool rejects a rendered file (only with --promtool)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from agentops_gen.lint.context import LintContext
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.outputs import location
from agentops_gen.lint.registry import Check

NAME = "output/promtool"
CHECK = Check(
    name=NAME,
    severity="error",
    summary="With `--promtool`: `promtool check rules` or `amtool check-config` rejects a rendered file.",
    doc="The built-in output checks need no external tool. With `--promtool`, lint also writes the "
        "rendered files to a temporary folder and runs the real tools on them when they are on PATH: "
        "`promtool check rules` on every Prometheus rule file and `amtool check-config` on the "
        "Alertmanager configuration. A missing tool is skipped with a note on stderr, never a finding. "
        "Their messages are reported as they are, at the spec the file was rendered from.",
    stage="output",
)


def _targets(ctx: LintContext) -> tuple[list[str], list[str]]:
    rules, am = [], []
    for path in ctx.rendered or {}:
        if path.startswith("prometheus/") and path.endswith(".rules.yaml"):
            rules.append(path)
        elif path.startswith("alertmanager/") and path.count("/") == 1 and path.endswith((".yml", ".yaml")):
            am.append(path)
    return sorted(rules), sorted(am)


def _run(tool: str, args: list[str], cwd: Path) -> str | None:
    """The tool's output when it fails, None when it passes."""
    result = subprocess.run([tool, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    if result.returncode == 0:
        return None
    return " ".join((result.stderr + result.stdout).split())


def run(ctx: LintContext) -> Iterator[Finding]:
    """promtool/amtool over a temporary copy of the rendered files."""
    if not ctx.use_promtool or ctx.rendered is None:
        return
    rules, am = _targets(ctx)
    with tempfile.TemporaryDirectory(prefix="agentops-gen-lint-") as tmp:
        root = Path(tmp)
        for path, text in ctx.rendered.items():  # everything, so amtool finds the templates it names
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
        for tool, sub, paths in (("promtool", ["check", "rules"], rules), ("amtool", ["check-config"], am)):
            exe = shutil.which(tool)
            if not paths:
                continue
            if exe is None:
                print(f"agentops-gen: note: {tool} is not installed; skipped (--promtool)", file=sys.stderr)
                continue
            for path in paths:
                output = _run(exe, [*sub, path], root)
                if output is not None:
                    yield Finding(location(ctx, path), NAME, CHECK.severity, f"{tool} rejects rendered {path}: "
                                  f"{output}")
