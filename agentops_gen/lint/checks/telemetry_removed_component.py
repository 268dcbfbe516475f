"""telemetry/removed-component: an exporter removed from the Collector, or one it does not have."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, get_in
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check
from agentops_gen.spec.telemetry import REMOVED_EXPORTERS, SIGNAL_EXPORTERS

NAME = "telemetry/removed-component"
CHECK = Check(
    name=NAME,
    severity="error",
    summary="A telemetry exporter that was removed from the OpenTelemetry Collector (`loki`, `logging`, "
            "`jaeger`) or that it does not have for that signal.",
    doc="The Collector refuses to start when its config names a component its build lacks, and the "
        "contrib distribution has removed several that tutorials still use: `loki` (Loki 3 ingests OTLP: "
        "`otlphttp: http://loki:3100/otlp`), `logging` (replaced by `debug`, here `telemetry.debug: "
        "true`) and `jaeger` (Jaeger ingests OTLP: `otlp: jaeger:4317`). Each signal's `export:` accepts "
        "the OTLP exporters (`otlp`/`otlp_grpc`, `otlphttp`/`otlp_http`) and, for metrics, `prometheus` "
        "and `prometheusremotewrite`, optionally as `type/name`.",
    bad="telemetry:\n  logs:\n    export: {loki: http://loki:3100/loki/api/v1/push}  # flagged\n"
        "  redact: [user.email]\n",
    good="telemetry:\n  logs:\n    export: {otlphttp: http://loki:3100/otlp}\n  redact: [user.email]\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Every exporter key of every signal."""
    for src in ctx.specs():
        for signal, allowed in SIGNAL_EXPORTERS.items():
            export = get_in(src.data, "telemetry", signal, "export")
            if not isinstance(export, dict):
                continue
            for key in export:
                kind = str(key).split("/", 1)[0]
                path = ("telemetry", signal, "export", key)
                if kind in REMOVED_EXPORTERS:
                    yield finding(src, NAME, path, f"exporter `{kind}` {REMOVED_EXPORTERS[kind]}", key=True)
                elif str(key).count("/") > 1 or str(key).endswith("/"):
                    yield finding(src, NAME, path, f"{signal} exporter {key!r} must be `type` or `type/name`", key=True)
                elif kind not in allowed:
                    hint = difflib.get_close_matches(kind, allowed, n=1)
                    tip = f"; did you mean `{hint[0]}`?" if hint else ""
                    yield finding(src, NAME, path, f"{signal} exporter `{kind}` is not one the generated Collector "
                                  f"has (one of {', '.join(allowed)}){tip}", key=True)
