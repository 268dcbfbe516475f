"""slo/bucket-boundary: a latency or score threshold that is not (or cannot be checked to be) a bucket boundary."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, get_in, items, number, threshold_seconds
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "slo/bucket-boundary"
OTEL_DEFAULT_MS = (0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000)
"""The OTel SDK's default explicit bucket boundaries (milliseconds-oriented; prometheus_client uses them /1000)."""
CHECK = Check(
    name=NAME,
    severity="warning",
    also=("error",),
    summary="A latency/score SLI threshold that is not one of the histogram's bucket boundaries, or that "
            "cannot be checked because the spec declares no `buckets:`.",
    doc="A histogram SLI counts good events as `_bucket{le=\"<threshold>\"}`, a series that exists only "
        "when the threshold is one of the histogram's bucket boundaries; otherwise the SLI has no data "
        "(or, with interpolation, a guess). The OTel SDK's default boundaries are "
        "[0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000], built for "
        "milliseconds and lacking round seconds such as 8 (and, for a 0..1 score, everything between 0 "
        "and 5). Declare the instrument's real boundaries in `buckets:` so the threshold is checked "
        "(a warning when they are missing, an error when the threshold is not one of them), and add the "
        "threshold to the instrument's boundaries in code.",
    bad="slos:\n  - name: task-latency\n    description: Tasks finished within 8 s.\n    objective: 95\n"
        "    sli:\n      latency:\n        histogram: agent_task_duration_seconds{job=\"a\"}\n"
        "        threshold: 8s  # flagged\n",
    good="slos:\n  - name: task-latency\n    description: Tasks finished within 8 s.\n    objective: 95\n"
         "    sli:\n      latency:\n        histogram: agent_task_duration_seconds{job=\"a\"}\n"
         "        threshold: 8s\n        buckets: [1, 2.5, 5, 8, 15, 30]\n",
)


def _missing(kind: str, bound: float, text: str) -> str:
    if kind == "latency":
        in_defaults = any(abs(bound * 1000 - b) < 1e-9 for b in OTEL_DEFAULT_MS)
        verdict = ("it matches a default boundary, but only if the instrument keeps the defaults" if in_defaults
                   else f"{text} ({bound * 1000:g} ms) is not one of them")
    else:
        verdict = f"{bound:g} is not one of them (a 0..1 score needs its own boundaries)"
    return (f"no `buckets:` declared, so threshold {text} cannot be checked against the histogram's boundaries; "
            f"the OTel SDK defaults are {list(OTEL_DEFAULT_MS)} (ms-oriented, no round seconds such as 8): "
            f"{verdict}")


def run(ctx: LintContext) -> Iterator[Finding]:
    """Every latency and score SLI: buckets declared, and the threshold among them."""
    for src in ctx.specs():
        for i, slo in items(src.data, "slos"):
            for kind, key in (("latency", "threshold"), ("score", "above")):
                sli = get_in(slo, "sli", kind)
                if not isinstance(sli, dict) or key not in sli:
                    continue
                bound = threshold_seconds(sli[key]) if kind == "latency" else number(sli[key])
                if bound is None:
                    continue
                path = ("slos", i, "sli", kind, key)
                buckets = sli.get("buckets")
                if buckets is None:
                    yield finding(src, NAME, path, _missing(kind, bound, str(sli[key])))
                elif isinstance(buckets, list):
                    values = [v for v in (number(b) for b in buckets) if v is not None]
                    if not any(abs(v - bound) < 1e-9 for v in values):
                        yield finding(src, NAME, path, f"{sli[key]} ({bound:g}) is not one of the declared buckets "
                                      f"{values}: the SLI needs an exact `le` boundary", severity="error")
