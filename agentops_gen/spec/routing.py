"""Who is paged: `notify` (severity -> receivers) and `receivers` (Alertmanager receiver fields).

Each integration is a model with Alertmanager's own key names, so a typo is a located error with a
did-you-mean hint, and every secret can only come from a `*_file` field holding an absolute path.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from agentops_gen.spec.common import SpecModel

RECEIVER_TYPES = ("slack", "pagerduty", "email", "webhook", "opsgenie", "msteams")
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*")
SECRET_FIELDS = frozenset(
    {"api_url", "routing_key", "service_key", "api_key", "auth_password", "auth_secret", "password",
     "bearer_token", "webhook_url", "token", "secret", "credentials", "client_secret"}
)
"""Fields whose inline value would commit a secret; most have a `*_file` twin in Alertmanager."""
ALLOWED_INLINE = frozenset({("webhook", "url")})
"""Alertmanager 0.25 has no webhook `url_file`, so a webhook URL is the one documented inline exception."""
NO_FILE_TWIN = frozenset({"auth_secret", "token", "secret"})
"""Secrets Alertmanager can only take inline: not supported at all, use another auth method."""
MIN_ALERTMANAGER = (0, 25)
"""The oldest target (Debian 12's prometheus-alertmanager); `matchers:` and `time_intervals:` need it."""
SINCE: dict[tuple[str, str], tuple[int, int]] = {
    ("webhook", "url_file"): (0, 26),
    ("msteams", ""): (0, 26),
    ("msteams", "webhook_url_file"): (0, 27),
}
"""Integrations / keys newer than MIN_ALERTMANAGER: (type, key) -> first Alertmanager version with it."""
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def version_tuple(text: str) -> tuple[int, int]:
    """`0.25` -> (0, 25), for comparisons with SINCE."""
    major, minor = text.split(".")
    return int(major), int(minor)


def _group_by(value: list[str]) -> list[str]:
    for label in value:
        if label != "..." and not _LABEL.match(label):
            raise ValueError(f"{label!r} is not a label name (or `...` for every label)")
    if "..." in value and len(value) > 1:
        raise ValueError("`...` (group by every label) cannot be combined with label names")
    twice = next((label for i, label in enumerate(value) if label in value[:i]), None)
    if twice is not None:  # Alertmanager refuses the whole config over it
        raise ValueError(f"{twice!r} is listed twice")
    return value


GroupBy = Annotated[list[str], AfterValidator(_group_by)]


def _config_list(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


def _walk(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out += [(f"{prefix}{k}", v)] + _walk(v, f"{prefix}{k}.")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _walk(v, f"{prefix[:-1]}[{i}].")
    return out


FILE_TWINS = frozenset({"url", "webhook_url"})
"""Non-secret-looking fields that still have a `*_file` twin (a webhook URL often embeds a token)."""


def secret_problem(kind: str, key: str, value: Any) -> str | None:
    """Why `key: value` of a `<kind>_configs` entry must not be written in a spec, or None."""
    leaf = key.rsplit(".", 1)[-1]
    if isinstance(value, str) and _PLACEHOLDER.search(value):
        if leaf in SECRET_FIELDS or leaf in FILE_TWINS or leaf.endswith("_file"):
            twin = leaf if leaf.endswith("_file") else f"{leaf}_file"
            return (f"{value!r} is a shell-style placeholder that Alertmanager never expands; put the secret in "
                    f"a file and use {twin}")
        return (f"{value!r} is a shell-style placeholder that neither Alertmanager nor agentops-gen expands; "
                "write the value itself")
    if leaf in SECRET_FIELDS and (kind, leaf) not in ALLOWED_INLINE and value is not None:
        if leaf in NO_FILE_TWIN:
            return "inline secret, and Alertmanager has no file twin for it; use another authentication method"
        return f"inline secret; use {leaf}_file with an absolute path instead"
    if leaf.endswith("_file") and isinstance(value, str) and not value.startswith("/"):
        return (f"{value!r} must be an absolute path (Alertmanager resolves relative paths against its working "
                "directory)")
    return None


class Integration(SpecModel):
    """Keys every Alertmanager integration has; subclasses list the rest with Alertmanager's names."""

    kind: ClassVar[str] = ""
    required_one_of: ClassVar[tuple[str, ...]] = ()
    """At least one of these keys must be set (Alertmanager has no usable default for them here)."""

    send_resolved: bool | None = None
    http_config: dict[str, Any] | None = None

    @field_validator("*", mode="after")
    @classmethod
    def _no_inline_secrets(cls, value: Any, info: ValidationInfo) -> Any:
        # Checked per field so the error points at the offending key, not at the whole entry.
        name = cls.model_fields[info.field_name].alias or info.field_name if info.field_name else ""
        problem = secret_problem(cls.kind, name, value)
        if problem:
            raise ValueError(problem)
        for key, nested in _walk(value):
            problem = secret_problem(cls.kind, key, nested)
            if problem:
                raise ValueError(f"{key}: {problem}")
        return value

    @model_validator(mode="after")
    def _required(self) -> Integration:
        if self.required_one_of and not any(getattr(self, f) is not None for f in self.required_one_of):
            keys = " or ".join(type(self).model_fields[f].alias or f for f in self.required_one_of)
            raise ValueError(f"{self.kind}: set {keys}")
        return self


class SlackConfig(Integration):
    """Alertmanager `slack_configs` entry; the webhook URL only from `api_url_file`."""

    kind: ClassVar[str] = "slack"
    required_one_of: ClassVar[tuple[str, ...]] = ("api_url_file",)

    api_url: str | None = None
    api_url_file: str | None = None
    channel: str | None = None
    username: str | None = None
    color: str | None = None
    title: str | None = None
    title_link: str | None = None
    pretext: str | None = None
    text: str | None = None
    fields: list[dict[str, Any]] | None = None
    short_fields: bool | None = None
    footer: str | None = None
    fallback: str | None = None
    callback_id: str | None = None
    icon_emoji: str | None = None
    icon_url: str | None = None
    image_url: str | None = None
    thumb_url: str | None = None
    link_names: bool | None = None
    mrkdwn_in: list[str] | None = None
    actions: list[dict[str, Any]] | None = None


class PagerDutyConfig(Integration):
    """Alertmanager `pagerduty_configs` entry; the key only from `routing_key_file` or `service_key_file`."""

    kind: ClassVar[str] = "pagerduty"
    required_one_of: ClassVar[tuple[str, ...]] = ("routing_key_file", "service_key_file")

    routing_key: str | None = None
    routing_key_file: str | None = None
    service_key: str | None = None
    service_key_file: str | None = None
    url: str | None = None
    client: str | None = None
    client_url: str | None = None
    description: str | None = None
    details: dict[str, str] | None = None
    images: list[dict[str, Any]] | None = None
    links: list[dict[str, Any]] | None = None
    source: str | None = None
    severity: str | None = None
    class_: str | None = Field(default=None, alias="class")
    component: str | None = None
    group: str | None = None


class EmailConfig(Integration):
    """Alertmanager `email_configs` entry; the SMTP password only from `auth_password_file`."""

    kind: ClassVar[str] = "email"

    to: str
    from_: str = Field(alias="from")
    smarthost: str
    hello: str | None = None
    auth_username: str | None = None
    auth_password: str | None = None
    auth_password_file: str | None = None
    auth_secret: str | None = None
    auth_identity: str | None = None
    headers: dict[str, str] | None = None
    html: str | None = None
    text: str | None = None
    require_tls: bool | None = None
    tls_config: dict[str, Any] | None = None


class WebhookConfig(Integration):
    """Alertmanager `webhook_configs` entry; `url_file` needs Alertmanager >= 0.26."""

    kind: ClassVar[str] = "webhook"
    required_one_of: ClassVar[tuple[str, ...]] = ("url", "url_file")

    url: str | None = None
    url_file: str | None = None
    max_alerts: int | None = Field(default=None, ge=0)


class OpsGenieConfig(Integration):
    """Alertmanager `opsgenie_configs` entry; the API key only from `api_key_file`."""

    kind: ClassVar[str] = "opsgenie"
    required_one_of: ClassVar[tuple[str, ...]] = ("api_key_file",)

    api_key: str | None = None
    api_key_file: str | None = None
    api_url: str | None = None
    message: str | None = None
    description: str | None = None
    source: str | None = None
    details: dict[str, str] | None = None
    entity: str | None = None
    responders: list[dict[str, Any]] | None = None
    actions: str | None = None
    tags: str | None = None
    note: str | None = None
    priority: str | None = None
    update_alerts: bool | None = None


class MSTeamsConfig(Integration):
    """Alertmanager `msteams_configs` entry (Alertmanager >= 0.27, for `webhook_url_file`)."""

    kind: ClassVar[str] = "msteams"
    required_one_of: ClassVar[tuple[str, ...]] = ("webhook_url_file",)

    webhook_url: str | None = None
    webhook_url_file: str | None = None
    title: str | None = None
    summary: str | None = None
    text: str | None = None


def _entries(model: type[Integration]) -> Any:
    # json_schema_input_type: the JSON Schema must accept what a spec may write (one mapping or a list)
    one_or_list = BeforeValidator(_config_list, json_schema_input_type=model | list[model])  # type: ignore[valid-type]
    return Annotated[list[model], one_or_list]  # type: ignore[valid-type]


class Receiver(SpecModel):
    """One receiver: per integration type, one mapping or a list, keys as in Alertmanager's `<type>_configs`."""

    slack: _entries(SlackConfig) = Field(default_factory=list)  # type: ignore[valid-type]
    pagerduty: _entries(PagerDutyConfig) = Field(default_factory=list)  # type: ignore[valid-type]
    email: _entries(EmailConfig) = Field(default_factory=list)  # type: ignore[valid-type]
    webhook: _entries(WebhookConfig) = Field(default_factory=list)  # type: ignore[valid-type]
    opsgenie: _entries(OpsGenieConfig) = Field(default_factory=list)  # type: ignore[valid-type]
    msteams: _entries(MSTeamsConfig) = Field(default_factory=list)  # type: ignore[valid-type]

    def integrations(self) -> dict[str, list[dict[str, Any]]]:
        """Type -> Alertmanager config entries as written (keys by Alertmanager name, unset keys left out)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for kind in RECEIVER_TYPES:
            entries = getattr(self, kind)
            if entries:
                out[kind] = [e.model_dump(by_alias=True, exclude_unset=True) for e in entries]
        return out


def _names(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


ReceiverNames = Annotated[list[str], BeforeValidator(_names, json_schema_input_type=str | list[str])]


class Notify(SpecModel):
    """Severity -> receiver name(s); more than one name fans out with `continue`."""

    critical: ReceiverNames = []
    warning: ReceiverNames = []
    info: ReceiverNames = []
    group_by: GroupBy | None = None
