"""alerting/url-credentials: a password or token inside a URL, or an Authorization header, written in a spec."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agentops_gen.lint.context import FieldPath, LintContext, SpecSource, finding
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.receivers import leaves
from agentops_gen.lint.registry import Check
from agentops_gen.spec.urls import header_problem, url_credential_problem

NAME = "alerting/url-credentials"
CHECK = Check(
    name=NAME,
    severity="error",
    summary="A URL with credentials (`https://user:pass@host`, `?token=...`) or an inline Authorization "
            "header in a receiver, a base URL or a telemetry exporter.",
    doc="URLs in a spec are copied into generated files that are committed: `runbook_base_url` and "
        "`dashboard_base_url` into every alert's annotations, the generated rule tests and the runbooks; "
        "`grafana_url` into runbooks; receiver URLs into alertmanager.yml; exporter endpoints into the "
        "collector config. A password in the user information (`https://user:pass@host`, or a token as "
        "the user name), a token-like query parameter (`token`, `access_token`, `api_key`, `key`, `sig`, "
        "`X-Amz-Signature`, ...) or an `Authorization` header written inline is a leaked secret. "
        "`render` refuses them too. Authenticate with a file instead: webhook `url_file` (Alertmanager "
        ">= 0.26), `http_config.authorization.credentials_file` or `http_config.basic_auth.password_file`; "
        "a base URL needs no credential at all (the browser signs in).",
    bad="runbook_base_url: https://ci:hunter2@git.example.com/ops/runbooks  # flagged\n",
    good="runbook_base_url: https://git.example.com/ops/runbooks\n",
)
URL_FIELDS = ("runbook_base_url", "dashboard_base_url", "grafana_url")
SIGNALS = ("traces", "metrics", "logs")


def run(ctx: LintContext) -> Iterator[Finding]:
    """Every URL-bearing field of every spec, and every header name under a receiver."""
    for src in ctx.specs(services_only=False):
        for field in URL_FIELDS:
            yield from _url(src, (field,), src.data.get(field))
        telemetry = src.data.get("telemetry")
        for signal in SIGNALS:
            section = telemetry.get(signal) if isinstance(telemetry, dict) else None
            export = section.get("export") if isinstance(section, dict) else None
            if isinstance(export, dict):
                for exporter, endpoint in export.items():
                    if isinstance(endpoint, dict):  # the long form: {endpoint, headers_file, ca_file, ...}
                        yield from _url(src, ("telemetry", signal, "export", exporter, "endpoint"),
                                        endpoint.get("endpoint"))
                    else:
                        yield from _url(src, ("telemetry", signal, "export", exporter), endpoint)
    for src, _kind, path, key, value in leaves(ctx):
        if isinstance(value, str) and "://" in value:  # not `to: oncall@example.com`
            yield from _url(src, path, value)
        if len(path) >= 2 and path[-2] == "headers":
            problem = header_problem(key)
            if problem:
                yield finding(src, NAME, path, problem, key=True)


def _url(src: SpecSource, path: FieldPath, value: Any) -> Iterator[Finding]:
    if isinstance(value, str):
        problem = url_credential_problem(value)
        if problem:
            yield finding(src, NAME, path, problem)
