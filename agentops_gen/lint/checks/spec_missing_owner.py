"""spec/missing-owner: a service without an owning team, or with a placeholder one."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "spec/missing-owner"
PLACEHOLDERS = frozenset({"my-team", "team", "todo", "tbd", "unknown", "none", "nobody", "changeme", "owner"})
"""`my-team` is what `agentops-gen init` writes; the rest are the usual stand-ins."""
CHECK = Check(
    name=NAME,
    severity="warning",
    summary="A service without an owning team, or with a placeholder such as `my-team`.",
    doc="`owner` becomes the `team` label of every rule and alert, which is what Alertmanager routes "
        "and silences on and what tells the person paged whom to escalate to. A missing owner is a "
        "schema error (an error finding); a placeholder left from `agentops-gen init` (`my-team`) or a "
        "stand-in such as `tbd` or `unknown` is a warning: the spec renders, but nobody owns the pages.",
    full_spec=True,
    bad="version: agentops-gen/v1\nservice: example\nowner: my-team  # flagged\ndescription: Example.\n",
    good="version: agentops-gen/v1\nservice: example\nowner: support-platform\ndescription: Example.\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """Placeholder owners (a missing one is claimed from the schema errors)."""
    for src in ctx.specs():
        owner = src.data.get("owner")
        if isinstance(owner, str) and owner.strip().lower() in PLACEHOLDERS:
            yield finding(src, NAME, ("owner",), f"owner {owner!r} is a placeholder; name the team that is paged "
                          "(it becomes the `team` label of every alert)")
