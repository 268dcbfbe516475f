"""spec/duplicate-name: a service defined twice in the spec folder, or a name reused within a spec."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, items
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check
from agentops_gen.load.yaml_loader import dotted

NAME = "spec/duplicate-name"
CHECK = Check(
    name=NAME,
    severity="error",
    summary="A service defined twice in the spec folder, or a name reused within a spec.",
    doc="Generated rule names, alert names, runbook paths and Alertmanager routes are derived from the "
        "`service` name and from the names of SLOs, KPIs, anomalies and alerts. The same service in two "
        "files (often a copied spec whose `service:` was not changed) would make two files overwrite each "
        "other's output; the same name twice within a file would give two rules one name. A second "
        "`kind: platform` file in one folder is reported here too.",
    bad="slos: []\nkpis:\n  - name: cost\n    description: Spend per task.\n    query: sum(x_usd{job=\"a\"})\n"
        "    max: 1\n  - name: cost  # flagged\n    description: Spend per task.\n"
        "    query: sum(y_usd{job=\"a\"})\n    max: 1\n",
    good="slos: []\nkpis:\n  - name: cost\n    description: Spend per task.\n    query: sum(x_usd{job=\"a\"})\n"
         "    max: 1\n  - name: cost-per-user\n    description: Spend per user.\n"
         "    query: sum(y_usd{job=\"a\"})\n    max: 1\n",
)
SECTIONS = ("slos", "kpis", "anomalies", "alerts")


def run(ctx: LintContext) -> Iterator[Finding]:
    """Names reused within each file, then services and platform files across the folder."""
    for src in ctx.specs():
        seen: dict[str, tuple[str | int, ...]] = {}
        for section in SECTIONS:
            for i, item in items(src.data, section):
                name = item.get("name")
                if not isinstance(name, str):
                    continue
                if name in seen:
                    yield finding(src, NAME, (section, i, "name"), f"name {name!r} is already used at "
                                  f"{dotted(seen[name])}; generated rules and alerts would collide")
                else:
                    seen[name] = (section, i, "name")
    services: dict[str, str] = {}
    platform: str | None = None
    for src in ctx.sources:
        if src.loaded is None:
            continue
        if src.is_platform:
            if platform is not None and src.selected:
                yield finding(src, NAME, ("kind",), f"a second `kind: platform` file (the first is {platform}); "
                              "at most one per spec folder")
            platform = platform or src.file
            continue
        service = src.data.get("service")
        if not isinstance(service, str):
            continue
        if service in services and src.selected:
            yield finding(src, NAME, ("service",), f"service {service!r} is already defined in {services[service]}; "
                          "the two files would render the same outputs")
        services.setdefault(service, src.file)
