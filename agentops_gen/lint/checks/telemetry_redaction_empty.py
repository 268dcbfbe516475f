"""telemetry/redaction-empty: logs are exported but no attribute is redacted."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, get_in
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "telemetry/redaction-empty"
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="Logs are exported while `telemetry.redact` is empty or missing.",
    doc="Agent logs carry prompts, completions, user e-mails and tool arguments. When the collector "
        "exports logs with nothing in `redact:`, all of it lands in the log backend, readable by "
        "everyone who can search logs and kept for its whole retention. List the attributes to drop or "
        "hash (`user.email`, `gen_ai.prompt`, ...); `redact_mode: hash` keeps them joinable.",
    bad="telemetry:\n  logs:\n    export: {otlphttp: http://loki:3100/otlp}\n  redact: []  # flagged\n",
    good="telemetry:\n  logs:\n    export: {otlphttp: http://loki:3100/otlp}\n  redact: [user.email, gen_ai.prompt]\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Logs exported with an empty redact list."""
    for src in ctx.specs():
        telemetry = src.data.get("telemetry")
        if not isinstance(telemetry, dict) or not get_in(telemetry, "logs", "export"):
            continue
        if not telemetry.get("redact"):
            where = ("telemetry", "redact") if "redact" in telemetry else ("telemetry", "logs")
            yield finding(src, NAME, where, "logs are exported but `redact` is empty: prompts, e-mails and tool "
                          "arguments reach the log backend as written", key="redact" not in telemetry)
