"""output/structure: a rendered file that parses but breaks its target's structure."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.outputs import kind_of, location, output_errors
from agentops_gen.lint.registry import Check

NAME = "output/structure"
CHECK = Check(
    name=NAME,
    severity="error",
    summary="A rendered rule file, dashboard or Alertmanager config that breaks its target's structure, or "
            "holds PromQL that does not parse.",
    doc="The checks `render` runs before writing, applied file by file so every broken file is reported: "
        "Prometheus rule files need uniquely named groups of rules with exactly one of `record`/`alert`, "
        "and every generated expression must parse as Prometheus 2.x PromQL; Grafana dashboards need a "
        "`uid`, unique panel ids and panels inside the 24-column grid; the Alertmanager config may route "
        "only to receivers and time intervals it defines. This catches template bugs that still produce "
        "valid YAML. Collector configs are reported by `output/otel`.",
    stage="output",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """render's output checks, file by file."""
    for path, message in output_errors(ctx):
        if kind_of(path, message) == NAME:
            yield Finding(location(ctx, path), NAME, CHECK.severity, f"rendered {message}")
