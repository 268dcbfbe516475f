"""Run lint over paths: every spec file is loaded on its own so one bad file does not hide others."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from agentops_gen.errors import SpecErrors, UsageError
from agentops_gen.lint.findings import SEVERITIES, Finding, from_error
from agentops_gen.load.yaml_loader import LoadError

FORMATS = ("text", "json")


def collect(paths: list[Path]) -> list[Finding]:
    """Findings for the selected spec files (YAML, schema and PromQL syntax for now)."""
    from agentops_gen.spec.validate import load_and_validate, resolve_paths

    root, _every, selected = resolve_paths(paths)
    findings: list[Finding] = []
    for path in sorted(selected):
        try:
            load_and_validate(path, root)
        except (LoadError, SpecErrors) as exc:
            findings.extend(from_error(e) for e in exc.errors)
    return sorted(set(findings))


def run_lint(paths: list[Path], *, output_format: str, disabled: set[str], fail_on: str, use_promtool: bool,
             stream: TextIO) -> int:
    """Print findings in the chosen format; return the exit code (1 when a finding reaches fail_on)."""
    if output_format not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}")
    if fail_on not in SEVERITIES:
        raise UsageError(f"--fail-on must be one of {', '.join(SEVERITIES)}")
    findings = [f for f in collect(paths) if f.check not in disabled]
    if output_format == "json":
        stream.write(json.dumps([{"file": f.location.file, "line": f.location.line, "column": f.location.col,
                                  "severity": f.severity, "check": f.check, "message": f.message}
                                 for f in findings], indent=2) + "\n")
    else:
        for f in findings:
            stream.write(f.format() + "\n")
    threshold = SEVERITIES.index(fail_on)
    return 1 if any(SEVERITIES.index(f.severity) >= threshold for f in findings) else 0
