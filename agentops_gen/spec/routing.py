"""Who is paged: `notify` (severity -> receivers) and `receivers` (Alertmanager receiver fields).

Each integration is a model with Alertmanager's own key names, so a typo is a located error with a
did-you-mean hint, and every secret can only come from a `*_file` field holding an absolute path.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from agentops_gen.errors import CodedValueError
from agentops_gen.spec.common import Line, SpecModel
from agentops_gen.spec.urls import URL_CREDENTIALS, header_problem, url_credential_problem

RECEIVER_TYPES = ("slack", "pagerduty", "email", "webhook", "opsgenie", "msteams")
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*")
SECRET_FIELDS = frozenset(
    {"api_url", "routing_key", "service_key", "api_key", "auth_password", "auth_secret", "password",
     "bearer_token", "webhook_url", "token", "secret", "credentials", "client_secret"}
)
"""Fields whose inline value would commit a secret; most have a `*_file` twin in Alertmanager."""
ENDPOINTS = frozenset({("opsgenie", "api_url")})
"""Named like a secret but an API endpoint (OpsGenie's EU or US API), with no `*_file` twin: written inline."""
ALLOWED_INLINE = frozenset({("webhook", "url")}) | ENDPOINTS
"""Alertmanager 0.25 has no webhook `url_file`, so a webhook URL is the documented inline exception."""
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
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True, exclude_unset=True)
    if isinstance(value, dict):
        for k, v in value.items():
            out += [(f"{prefix}{k}", v)] + _walk(v, f"{prefix}{k}.")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _walk(v, f"{prefix[:-1]}[{i}].")
    return out


FILE_TWINS = frozenset({"url", "webhook_url"})
"""Non-secret-looking fields that still have a `*_file` twin (a webhook URL often embeds a token)."""


PLACEHOLDER, INLINE, RELATIVE = "alerting/env-placeholder", "alerting/inline-secret", "alerting/relative-file-path"
"""The lint check of each kind of secret problem."""


def secret_problem(kind: str, key: str, value: Any) -> str | None:
    """Why `key: value` of a `<kind>_configs` entry must not be written in a spec, or None."""
    issue = secret_issue(kind, key, value)
    return None if issue is None else issue[1]


def secret_issue(kind: str, key: str, value: Any) -> tuple[str, str] | None:
    """(lint check, why) `key: value` of a `<kind>_configs` entry must not be written in a spec, or None."""
    leaf = key.rsplit(".", 1)[-1]
    if isinstance(value, str) and _PLACEHOLDER.search(value):
        if (kind, leaf) not in ENDPOINTS and (leaf in SECRET_FIELDS or leaf in FILE_TWINS or leaf.endswith("_file")):
            twin = leaf if leaf.endswith("_file") else f"{leaf}_file"
            return PLACEHOLDER, (f"{value!r} is a shell-style placeholder that Alertmanager never expands; put the "
                                 f"secret in a file and use {twin}")
        return PLACEHOLDER, (f"{value!r} is a shell-style placeholder that neither Alertmanager nor agentops-gen "
                             "expands; write the value itself")
    if leaf in SECRET_FIELDS and (kind, leaf) not in ALLOWED_INLINE and value is not None:
        if leaf in NO_FILE_TWIN:
            return INLINE, "inline secret, and Alertmanager has no file twin for it; use another authentication method"
        return INLINE, f"inline secret; use {leaf}_file with an absolute path instead"
    if leaf.endswith("_file") and isinstance(value, str) and not value.startswith("/"):
        return RELATIVE, (f"{value!r} must be an absolute path (Alertmanager resolves relative paths against its "
                          "working directory)")
    return None


_URL = re.compile(r"^[hH][tT][tT][pP][sS]?://[^\s/?#@]*@?[^\s/?#@]+(?:[/?#]\S*)?$")
_HOST_PORT = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[^\s:\[\]]+):(?:\d{1,5}|[a-z][a-z0-9-]*)$")


def _am_url(value: str) -> str:
    # Alertmanager refuses a URL without an http(s) scheme and a host when it loads the config;
    # a `${VAR}` placeholder gets the secret check's more useful message instead
    if not _URL.match(value) and not _PLACEHOLDER.search(value):
        raise ValueError(f"must be an http(s) URL with a host, e.g. https://alerts.example.com/hook (got {value!r})")
    problem = url_credential_problem(value)
    if problem:
        raise CodedValueError(problem, URL_CREDENTIALS)
    return value


def _host_port(value: str) -> str:
    if not _HOST_PORT.match(value):
        raise ValueError(f"must be host:port, e.g. smtp.example.com:587 (got {value!r}; Alertmanager needs the port)")
    return value


AmUrl = Annotated[Line, AfterValidator(_am_url)]
HostPort = Annotated[Line, AfterValidator(_host_port)]


class TLSConfig(SpecModel):
    """Prometheus common `tls_config`, as Alertmanager 0.25 reads it (files only)."""

    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    server_name: str | None = None
    insecure_skip_verify: bool | None = None
    min_version: str | None = None
    max_version: str | None = None


class BasicAuth(SpecModel):
    """`basic_auth`: the password only from `password_file`."""

    username: str | None = None
    password: str | None = None
    password_file: str | None = None


class Authorization(SpecModel):
    """`authorization` header: type (Bearer) and credentials only from `credentials_file`."""

    type: str | None = None
    credentials: str | None = None
    credentials_file: str | None = None


class OAuth2(SpecModel):
    """`oauth2` client credentials flow."""

    client_id: str | None = None
    client_secret: str | None = None
    client_secret_file: str | None = None
    scopes: list[str] | None = None
    token_url: AmUrl | None = None
    endpoint_params: dict[str, str] | None = None
    tls_config: TLSConfig | None = None
    proxy_url: AmUrl | None = None


class HTTPConfig(SpecModel):
    """`http_config` with the keys Alertmanager 0.25 knows (prometheus/common HTTPClientConfig of that
    release: checked with amtool 0.25, which refuses `no_proxy`, `proxy_from_environment`, `http_headers`)."""

    basic_auth: BasicAuth | None = None
    authorization: Authorization | None = None
    oauth2: OAuth2 | None = None
    bearer_token: str | None = None
    bearer_token_file: str | None = None
    tls_config: TLSConfig | None = None
    proxy_url: AmUrl | None = None
    follow_redirects: bool | None = None
    enable_http2: bool | None = None


class Integration(SpecModel):
    """Keys every Alertmanager integration has; subclasses list the rest with Alertmanager's names."""

    kind: ClassVar[str] = ""
    required_one_of: ClassVar[tuple[str, ...]] = ()
    """At least one of these keys must be set (Alertmanager has no usable default for them here)."""

    send_resolved: bool | None = None
    http_config: HTTPConfig | None = None

    @field_validator("*", mode="after")
    @classmethod
    def _no_inline_secrets(cls, value: Any, info: ValidationInfo) -> Any:
        # Checked per field so the error points at the offending key, not at the whole entry.
        name = cls.model_fields[info.field_name].alias or info.field_name if info.field_name else ""
        issue = secret_issue(cls.kind, name, value)
        if issue:
            raise CodedValueError(issue[1], issue[0])
        for key, nested in _walk(value):
            issue = secret_issue(cls.kind, key, nested)
            if issue:
                at = tuple(int(p[1:-1]) if p.startswith("[") else p for p in re.findall(r"\[\d+\]|[^.\[\]]+", key))
                raise CodedValueError(issue[1], issue[0], at)  # located at the nested key's value
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
    url: AmUrl | None = None
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

    # Alertmanager refuses an empty `to`/`from` when it loads the config (we set no global smtp_from)
    to: Annotated[Line, Field(min_length=1)]
    from_: Annotated[Line, Field(min_length=1, alias="from")]
    smarthost: HostPort
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
    tls_config: TLSConfig | None = None

    @field_validator("headers")
    @classmethod
    def _no_auth_headers(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for name in value or {}:
            problem = header_problem(name)
            if problem:
                raise CodedValueError(problem, URL_CREDENTIALS, (name,), key=True)
        return value


class WebhookConfig(Integration):
    """Alertmanager `webhook_configs` entry; `url_file` needs Alertmanager >= 0.26."""

    kind: ClassVar[str] = "webhook"
    required_one_of: ClassVar[tuple[str, ...]] = ("url", "url_file")

    url: AmUrl | None = None
    url_file: str | None = None
    max_alerts: int | None = Field(default=None, ge=0)


class OpsGenieConfig(Integration):
    """Alertmanager `opsgenie_configs` entry; the API key only from `api_key_file`."""

    kind: ClassVar[str] = "opsgenie"
    required_one_of: ClassVar[tuple[str, ...]] = ("api_key_file",)

    api_key: str | None = None
    api_key_file: str | None = None
    api_url: AmUrl | None = None
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
