"""spec/schema: a key, type or value that the spec language does not allow."""

from __future__ import annotations

from agentops_gen.lint.registry import Check

CHECK = Check(
    name="spec/schema",
    severity="error",
    summary="A key, type or value that the spec language does not allow.",
    doc="Every validation error of the spec models that no more specific check claims: unknown keys "
        "(with a did-you-mean hint), wrong types, values outside their allowed set (a severity `page` "
        "instead of critical, warning or info; a removed Grafana panel type such as `graph`), missing "
        "required keys. The finding points at the YAML node, inside `!include`d fragments too. `render` "
        "exits 2 on the same errors.",
    bad="alerts:\n  - name: ApiDown\n    expr: up{job=\"api\"} == 0\n    for: 1m\n"
        "    severity: page  # flagged\n    runbook: Check the pods.\n",
    good="alerts:\n  - name: ApiDown\n    expr: up{job=\"api\"} == 0\n    for: 1m\n"
         "    severity: critical\n    runbook: Check the pods.\n",
)
