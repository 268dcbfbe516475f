"""alerting/inline-secret: a credential written into the spec instead of a `*_file` path."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.receivers import problems
from agentops_gen.lint.registry import Check

NAME = "alerting/inline-secret"
CHECK = Check(
    name=NAME,
    severity="error",
    summary="A receiver credential (`api_url`, `routing_key`, `service_key`, ...) written inline instead of "
            "as a `*_file` path.",
    doc="The spec and the generated Alertmanager configuration are committed to git, so an inline "
        "Slack webhook URL, PagerDuty key or SMTP password is a leaked secret (and a placeholder such as "
        "`'<key>'` is a config that pages nobody). Every such field has a `*_file` twin in Alertmanager: "
        "`api_url_file`, `routing_key_file`, `service_key_file`, `auth_password_file`; point it at an "
        "absolute path where the secret is mounted. Fields with no file twin (`auth_secret`, `token`, "
        "`secret`) cannot be used at all; a webhook `url` is allowed inline only for an Alertmanager "
        "without `url_file` (before 0.26, set by the platform's `alertmanager.version`).",
    bad="receivers:\n  team-pager:\n    pagerduty:\n      service_key: \"<key>\"  # flagged\n",
    good="receivers:\n  team-pager:\n    pagerduty:\n      service_key_file: /etc/alertmanager/secrets/pagerduty\n",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """The model's own judgement of every receiver key, located at the value, where `render` reports it."""
    for src, path, message in problems(ctx, NAME):
        yield finding(src, NAME, path, message)
