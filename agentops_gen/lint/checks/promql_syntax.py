"""promql/syntax: a query that does not parse, or uses functions Prometheus 2.x lacks."""

from __future__ import annotations

from agentops_gen.lint.registry import Check

CHECK = Check(
    name="promql/syntax",
    severity="error",
    summary="A query that does not parse, or uses a function Prometheus 2.x does not have.",
    doc="Every PromQL string of a spec (SLI selectors, raw SLIs with `{{ window }}` replaced, KPI and "
        "anomaly queries, alert expressions, dashboard panels) is parsed with promql-parser. That parser "
        "follows Prometheus 3 and accepts functions 2.x rejects (`limitk`, `mad_over_time`, "
        "`sort_by_label`, `info`), so those are errors too. SLI selectors must be one vector selector "
        "with a metric name, no `rate()` or `offset`: agentops-gen adds those itself. The parser gives no "
        "position inside the query, so the finding points at the YAML value.",
    bad="slos: []\nkpis:\n  - name: cost\n    description: Spend.\n"
        "    query: sum(rate(cost_usd_total{job=\"a\"}[5m])  # flagged\n    max: 1\n",
    good="slos: []\nkpis:\n  - name: cost\n    description: Spend.\n"
         "    query: sum(rate(cost_usd_total{job=\"a\"}[5m]))\n    max: 1\n",
)
