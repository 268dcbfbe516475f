"""alerting/env-placeholder: a `${VAR}` placeholder that Alertmanager would send literally."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.receivers import problems
from agentops_gen.lint.registry import Check

NAME = "alerting/env-placeholder"
CHECK = Check(
    name=NAME,
    severity="error",
    summary="A `${VAR}` or `$VAR` placeholder in a receiver, which Alertmanager never expands.",
    doc="Alertmanager does not expand environment variables in its configuration. "
        "`api_url: ${SLACK_WEBHOOK_URL}` (as two of the reference platforms ship it) is sent literally: "
        "a URL field fails to load (\"unsupported scheme\"), a key field pages with the string "
        "`${PAGERDUTY_KEY}` and is rejected. Put the secret in a mounted file and use the field's "
        "`*_file` twin.",
    bad="receivers:\n  team-slack:\n    slack:\n      api_url: \"${SLACK_WEBHOOK_URL}\"  # flagged\n"
        "      channel: \"#alerts\"\n",
    good="receivers:\n  team-slack:\n    slack:\n      api_url_file: /etc/alertmanager/secrets/slack\n"
         "      channel: \"#alerts\"\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """The model's own judgement of every receiver key, located at the value itself."""
    for src, path, message in problems(ctx, NAME):
        yield finding(src, NAME, path, message)
