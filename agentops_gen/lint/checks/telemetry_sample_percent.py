"""telemetry/sample-percent: a trace sampling percentage outside 0..100."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, get_in, number
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "telemetry/sample-percent"
CHECK = Check(
    name=NAME,
    severity="error",
    summary="`telemetry.traces.sample_percent` outside 0..100 (or not a number).",
    doc="The tail-sampling policy keeps this percentage of the traces that are neither errors nor slow. "
        "A ratio written as a percentage (`0.1` meaning 10%) keeps one trace in a thousand; a value "
        "above 100 or below 0 is rejected by the Collector's probabilistic policy at start-up, which "
        "takes the whole trace pipeline down. Write a percentage between 0 and 100.",
    bad="telemetry:\n  traces:\n    sample_percent: 150  # flagged\n    export: {otlp: tempo:4317}\n",
    good="telemetry:\n  traces:\n    sample_percent: 10\n    export: {otlp: tempo:4317}\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """sample_percent in range."""
    for src in ctx.specs():
        traces = get_in(src.data, "telemetry", "traces")
        if not isinstance(traces, dict) or "sample_percent" not in traces:
            continue
        value = number(traces["sample_percent"])
        if value is None or not 0 <= value <= 100:
            yield finding(src, NAME, ("telemetry", "traces", "sample_percent"),
                          f"sample_percent must be a percentage between 0 and 100 (got {traces['sample_percent']!r})")
