"""output/otel: a rendered OpenTelemetry Collector config the structural validator rejects."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.outputs import kind_of, location, output_errors
from agentops_gen.lint.registry import Check

NAME = "output/otel"
CHECK = Check(
    name=NAME,
    severity="error",
    summary="A rendered Collector config with components the Collector lacks, broken references or a bad "
            "processor order.",
    doc="Rendered `otel/*.yaml` files go through agentops-gen's Collector validator "
        "(`agentops_gen/check/otel.py`; no Collector binary needed): every component type exists in "
        "otelcol-contrib and is neither removed nor a deprecated alias, every pipeline reference is "
        "defined and every definition used, each component supports its pipeline's signal, "
        "`memory_limiter` comes first and `batch` last, and redaction runs before every exporter.",
    stage="output",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Collector configs rejected by render's output checks."""
    for path, message in output_errors(ctx):
        if kind_of(path, message) == NAME:
            yield Finding(location(ctx, path), NAME, CHECK.severity, f"rendered {message}")
