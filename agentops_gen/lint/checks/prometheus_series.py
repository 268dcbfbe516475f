"""prometheus/series: a selector that matches nothing on the live server (metric, label name or label value)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check
from agentops_gen.live.series import Server, matches, server, uses

NAME = "prometheus/series"
SHOWN = 8
"""Label values listed in a message, at most."""
CHECK = Check(
    name=NAME,
    severity="error",
    summary="A selector of an SLI, KPI, anomaly or alert matches no series on the server given to "
            "`lint --prometheus`: the metric is missing (and whether it disappeared or never existed), "
            "a label name is not on it, or no series has the label value.",
    doc="An SLO over a metric that does not exist never alerts: its error ratio has no data, and "
        "neither has the burn rate. The check asks the server (`/api/v1/labels` and "
        "`/api/v1/label/<name>/values`, each restricted to the metric with `match[]`) whether the metric "
        "has series in the last hour; if not, whether it had any in the last 7 days (it disappeared: "
        "renamed, or its exporter stopped) or never (a typo: the closest existing names are suggested). "
        "For a metric that exists, every label name of an `=`/`=~` matcher must be on it and the "
        "value must match one of the label's values. A histogram SLI checks `<name>_bucket` and "
        "`<name>_count`. Runs only with `lint --prometheus URL`; names the generated rules record "
        "are skipped (use `agentops-gen backtest` for those).",
    bad="slos:\n  - name: availability\n    description: Requests that succeed.\n    objective: 99.5\n"
        "    sli:\n      ratio:\n"
        "        good: shop_request_total{job=\"shop\",status=\"success\"}  # flagged\n"
        "        total: shop_requests_total{job=\"shop\"}\n",
    good="slos:\n  - name: availability\n    description: Requests that succeed.\n    objective: 99.5\n"
         "    sli:\n      ratio:\n"
         "        good: shop_requests_total{job=\"shop\",status=\"success\"}\n"
         "        total: shop_requests_total{job=\"shop\"}\n",
    stage="prometheus",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Every selector use whose metric, label name or label value the server does not have."""
    info = server(ctx)
    seen: set[tuple[str, tuple[str | int, ...], str]] = set()
    for use, _ in uses(ctx):
        for message in _problems(info, use.metric, use.matchers):
            key = (use.field.src.file, use.field.path, message)
            if key not in seen:
                seen.add(key)
                yield finding(use.field.src, NAME, use.field.path, message)


def _problems(info: Server, metric: str, matchers: tuple[tuple[str, str, str], ...]) -> Iterator[str]:
    names = info.label_names(metric)
    if not names:
        if info.existed(metric):
            yield (f"{metric} has no series now but had some in the last 7 days: it disappeared (renamed, "
                   "or its exporter stopped)")
        else:
            close = difflib.get_close_matches(metric, info.metric_names(), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            yield f"{metric} has no series and had none in the last 7 days (never existed){hint}"
        return
    for label, op, value in matchers:
        if op not in ("=", "=~") or value == "" or (op == "=~" and matches(op, value, "")):
            continue  # negative or empty-matching matchers select series without the label too
        if label not in names:
            yield f"{metric} has no label `{label}` (its labels: {', '.join(n for n in names if n != '__name__')})"
            continue
        values = info.label_values(metric, label)
        if not any(matches(op, value, v) for v in values):
            shown = ", ".join(values[:SHOWN]) + (", ..." if len(values) > SHOWN else "")
            yield f"no series of {metric} has {label}{op}\"{value}\" (values of {label}: {shown})"
