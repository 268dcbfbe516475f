"""alerting/unrouted-severity: alerts with a severity that `notify` routes nowhere."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agentops_gen.lint.context import FieldPath, LintContext, SpecSource, finding, get_in, items
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "alerting/unrouted-severity"
SEVERITIES = ("critical", "warning", "info")
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="An alert whose severity has no receiver in `notify` and no platform default receiver.",
    doc="Alertmanager routes by the `severity` label. When a service's `notify` has no receiver for a "
        "severity its alerts use, and the platform file sets no default `alertmanager.receiver`, those "
        "alerts fire and reach nobody (AstraDesk's route matched `severity=\"page\"` only, so every "
        "`warn` alert was dropped). Explicit severities are reported where they are written; alerts "
        "that get a severity by default (an SLO's ticket alert is `warning`, its page alert "
        "`critical`) are summed up at `notify`.",
    bad="slos: []\nkpis:\n  - name: cost-per-task\n    description: Spend per task.\n"
        "    query: sum(cost_usd{job=\"a\"})\n    max: 0.03\n    severity: warning  # flagged\n"
        "notify: {critical: team-pager}\nreceivers:\n  team-pager:\n"
        "    pagerduty: {routing_key_file: /etc/alertmanager/secrets/pagerduty}\n",
    good="slos: []\nkpis:\n  - name: cost-per-task\n    description: Spend per task.\n"
         "    query: sum(cost_usd{job=\"a\"})\n    max: 0.03\n    severity: warning\n"
         "notify: {critical: team-pager, warning: team-pager}\nreceivers:\n  team-pager:\n"
         "    pagerduty: {routing_key_file: /etc/alertmanager/secrets/pagerduty}\n",
)


def _usages(src: SpecSource) -> Iterator[tuple[str, FieldPath | None, str]]:
    """(severity, path of an explicit `severity:` or None when defaulted, what uses it)."""
    for section, what in (("kpis", "KPI"), ("anomalies", "anomaly"), ("alerts", "alert")):
        for i, item in items(src.data, section):
            if "severity" in item:
                yield str(item["severity"]), (section, i, "severity"), f"{what} {item.get('name')}"
            else:
                yield "warning", None, f"{what} {item.get('name')}"
    for i, slo in items(src.data, "slos"):
        alerting: dict[str, Any] = slo["alerting"] if isinstance(slo.get("alerting"), dict) else {}
        name = slo.get("name")
        for which, default in (("page", "critical"), ("ticket", "warning"), ("outage", "critical")):
            opts: dict[str, Any] = alerting[which] if isinstance(alerting.get(which), dict) else {}
            outage_less = get_in(slo, "sli", "ratio") is None and get_in(slo, "sli", "latency") is None
            if opts.get("disable") is True or (which == "outage" and outage_less):
                continue  # only ratio and latency SLIs get an outage alert
            if "severity" in opts:
                yield str(opts["severity"]), ("slos", i, "alerting", which, "severity"), f"SLO {name} {which} alert"
            else:
                yield default, None, f"SLO {name} {which} alert"
        for j, budget in items(alerting, "budget"):
            if "severity" in budget:
                yield str(budget["severity"]), ("slos", i, "alerting", "budget", j, "severity"), \
                    f"SLO {name} budget alert"


def run(ctx: LintContext) -> Iterator[Finding]:
    """Severities used against `notify` and the platform default receiver."""
    platform = ctx.platform
    if platform is not None and get_in(platform.data, "alertmanager", "receiver"):
        return  # every unrouted alert lands on the platform's default receiver
    # Without one, they land on the built-in `agentops-default` receiver, which has no integration.
    for src in ctx.specs():
        notify: dict[str, Any] = src.data["notify"] if isinstance(src.data.get("notify"), dict) else {}
        routed = {s for s in SEVERITIES if notify.get(s)}
        implicit: dict[str, list[str]] = {}
        for severity, path, what in _usages(src):
            if severity not in SEVERITIES or severity in routed:
                continue  # an invalid severity is spec/schema's
            if path is not None:
                yield finding(src, NAME, path, f"severity {severity} is not routed: `notify` has no {severity} "
                              "receiver and the platform file sets no default receiver, so this alert reaches nobody")
            else:
                implicit.setdefault(severity, []).append(what)
        for severity, whats in sorted(implicit.items()):
            where: FieldPath = ("notify",) if "notify" in src.data else ("service",)
            shown = ", ".join(whats[:3]) + (f" and {len(whats) - 3} more" if len(whats) > 3 else "")
            yield finding(src, NAME, where, f"severity {severity} (the default of {shown}) is not routed: add a "
                          f"{severity} receiver to `notify` or a default receiver to the platform file", key=True)
