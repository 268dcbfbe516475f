"""alerting/relative-file-path: a `*_file` path that is not absolute."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.receivers import problems
from agentops_gen.lint.registry import Check

NAME = "alerting/relative-file-path"
CHECK = Check(
    name=NAME,
    severity="error",
    summary="A receiver `*_file` path that is relative.",
    doc="Alertmanager resolves a relative `*_file` path against its working directory, which differs "
        "between a laptop, a container and a Helm release: the same config finds its secret in one place "
        "and fails to read it in another, and the failure shows only when the first notification is "
        "sent. Use the absolute path where the secret is mounted.",
    bad="receivers:\n  team-pager:\n    pagerduty:\n      routing_key_file: secrets/pagerduty  # flagged\n",
    good="receivers:\n  team-pager:\n    pagerduty:\n      routing_key_file: /etc/alertmanager/secrets/pagerduty\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """The model's own judgement of every receiver key, located at the value itself."""
    for src, path, message in problems(ctx, NAME):
        yield finding(src, NAME, path, message)
