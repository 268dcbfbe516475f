"""spec/unknown-receiver: `notify` names a receiver that is defined nowhere."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from agentops_gen.lint.context import LintContext, finding, get_in
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.registry import Check

NAME = "spec/unknown-receiver"
CHECK = Check(
    name=NAME,
    severity="error",
    summary="`notify` (or the platform's default `receiver`) names a receiver that is defined nowhere.",
    doc="Alertmanager refuses to load a configuration whose route points at an undefined receiver, so one "
        "typo in one service's `notify` stops notifications for every service. A name in `notify` must be "
        "a key of the spec's `receivers:` or of the platform file's `receivers:`; the platform file's "
        "`alertmanager.receiver` must be one of its own receivers.",
    bad="notify:\n  critical: oncall-pager  # flagged\nreceivers:\n  team-pager:\n"
        "    pagerduty: {routing_key_file: /etc/alertmanager/secrets/pagerduty}\n",
    good="notify:\n  critical: team-pager\nreceivers:\n  team-pager:\n"
         "    pagerduty: {routing_key_file: /etc/alertmanager/secrets/pagerduty}\n",
)


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def run(ctx: LintContext) -> Iterator[Finding]:
    """Every notify name against local and platform receivers; the platform default against its own."""
    platform = ctx.platform
    shared = set(get_in(platform.data, "receivers") or {}) if platform else set()
    for src in ctx.specs():
        local = set(src.data.get("receivers") or {}) if isinstance(src.data.get("receivers"), dict) else set()
        notify = src.data.get("notify")
        if not isinstance(notify, dict):
            continue
        for severity in ("critical", "warning", "info"):
            value = notify.get(severity)
            for k, name in enumerate(_names(value)):
                if name in local or name in shared:
                    continue
                path = ("notify", severity, k) if isinstance(value, list) else ("notify", severity)
                hint = difflib.get_close_matches(name, sorted(local | shared), n=1)
                yield finding(src, NAME, path, f"receiver {name!r} is not defined under `receivers:` (here or in "
                              "the platform file)" + (f"; did you mean {hint[0]!r}?" if hint else ""))
    if platform is not None and platform.selected:
        default = get_in(platform.data, "alertmanager", "receiver")
        if isinstance(default, str) and default not in shared:
            yield finding(platform, NAME, ("alertmanager", "receiver"),
                          f"receiver {default!r} is not defined under the platform file's `receivers:`")
