"""Who is paged: `notify` (severity -> receivers) and `receivers` (Alertmanager receiver fields)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from agentops_gen.spec.common import SpecModel

RECEIVER_TYPES = ("slack", "pagerduty", "email", "webhook", "opsgenie", "msteams")
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*")
SECRET_FIELDS = frozenset(
    {"api_url", "routing_key", "service_key", "api_key", "auth_password", "auth_secret", "password",
     "bearer_token", "webhook_url", "token", "secret"}
)
"""Fields whose inline value would commit a secret; each has a `*_file` twin in Alertmanager."""
ALLOWED_INLINE = frozenset({("webhook", "url")})
"""Alertmanager 0.25 has no webhook `url_file`, so a webhook URL is the one documented inline exception."""


def _config_list(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


def _check_entry(kind: str, entry: dict[str, Any]) -> dict[str, Any]:
    for key, value in _walk(entry):
        leaf = key.rsplit(".", 1)[-1]
        if isinstance(value, str) and _PLACEHOLDER.search(value):
            raise ValueError(f"{key}: {value!r} is a shell-style placeholder that Alertmanager never expands; "
                             f"put the secret in a file and use {leaf}_file")
        if leaf in SECRET_FIELDS and (kind, leaf) not in ALLOWED_INLINE:
            raise ValueError(f"{key}: inline secret; use {leaf}_file with an absolute path instead")
        if leaf.endswith("_file") and isinstance(value, str) and not value.startswith("/"):
            raise ValueError(f"{key}: {value!r} must be an absolute path (Alertmanager resolves relative paths "
                             "against its working directory)")
    return entry


def _walk(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out += [(f"{prefix}{k}", v)] + _walk(v, f"{prefix}{k}.")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _walk(v, f"{prefix[:-1]}[{i}].")
    return out


def _entries(kind: str) -> Any:
    def check(value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [_check_entry(kind, e) for e in value]

    from pydantic import AfterValidator

    return Annotated[list[dict[str, Any]], BeforeValidator(_config_list), AfterValidator(check)]


class Receiver(SpecModel):
    """One receiver: per integration type, one mapping or a list, keys as in Alertmanager's `<type>_configs`."""

    slack: _entries("slack") = Field(default_factory=list)  # type: ignore[valid-type]
    pagerduty: _entries("pagerduty") = Field(default_factory=list)  # type: ignore[valid-type]
    email: _entries("email") = Field(default_factory=list)  # type: ignore[valid-type]
    webhook: _entries("webhook") = Field(default_factory=list)  # type: ignore[valid-type]
    opsgenie: _entries("opsgenie") = Field(default_factory=list)  # type: ignore[valid-type]
    msteams: _entries("msteams") = Field(default_factory=list)  # type: ignore[valid-type]


def _names(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


ReceiverNames = Annotated[list[str], BeforeValidator(_names)]


class Notify(SpecModel):
    """Severity -> receiver name(s); more than one name fans out with `continue`."""

    critical: ReceiverNames = []
    warning: ReceiverNames = []
    info: ReceiverNames = []
    group_by: list[str] | None = None
