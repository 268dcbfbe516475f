"""prometheus/series-le-bucket: a latency/score threshold with no `le` bucket on the live server's histogram."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, get_in, items, number, seconds
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.queries import metric_name
from agentops_gen.lint.registry import Check
from agentops_gen.live.series import server
from agentops_gen.plan.sli import le_values

NAME = "prometheus/series-le-bucket"
CHECK = Check(
    name=NAME,
    severity="error",
    summary="A latency or score SLI whose threshold is not an `le` bucket of the histogram on the server "
            "given to `lint --prometheus` (either spelling, `8` or `8.0`).",
    doc="A histogram SLI counts good events from `<name>_bucket{le=\"<threshold>\"}`. If the "
        "instrument has no boundary at the threshold, that series does not exist and the SLI has no "
        "data. Offline, `slo/bucket-boundary` compares the threshold with the spec's `buckets:`; this "
        "check asks the server for the real `le` values of `<name>_bucket` "
        "(`/api/v1/label/le/values?match[]=...`) and accepts the Go (`8`) and Python (`8.0`) "
        "spellings. A histogram with no series at all is reported by `prometheus/series` instead.",
    bad="slos:\n  - name: latency\n    description: Requests within 2 s.\n    objective: 95\n"
        "    sli:\n      latency:\n        histogram: shop_request_duration_seconds{job=\"shop\"}\n"
        "        threshold: 2s  # flagged\n        buckets: [0.5, 1, 2, 2.5]\n",
    good="slos:\n  - name: latency\n    description: Requests within 1 s.\n    objective: 95\n"
         "    sli:\n      latency:\n        histogram: shop_request_duration_seconds{job=\"shop\"}\n"
         "        threshold: 1s\n        buckets: [0.5, 1, 2.5]\n",
    stage="prometheus",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Every latency/score SLI whose threshold matches no `le` value of its _bucket series."""
    from agentops_gen.lint.queries import parsed

    info = server(ctx)
    for src in ctx.specs():
        for i, slo in items(src.data, "slos"):
            for kind, key in (("latency", "threshold"), ("score", "above")):
                sli = get_in(slo, "sli", kind)
                if not isinstance(sli, dict) or key not in sli or not isinstance(sli.get("histogram"), str):
                    continue
                bound = seconds(sli[key]) if kind == "latency" else number(sli[key])
                selector = parsed(ctx, sli["histogram"])
                if bound is None or selector is None or not hasattr(selector, "matchers"):
                    continue
                bucket = metric_name(selector) + "_bucket"
                if not info.label_names(bucket):
                    continue
                values = info.label_values(bucket, "le")
                wanted = le_values(bound)
                if not set(wanted) & set(values):
                    present = sorted((v for v in values if v != "+Inf"), key=_as_float)
                    yield finding(src, NAME, ("slos", i, "sli", kind, key),
                                  f"{bucket} has no le bucket for {sli[key]} (looked for le="
                                  f"{' or '.join(repr(w) for w in wanted)}); its boundaries: {', '.join(present)}")


def _as_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("inf")
