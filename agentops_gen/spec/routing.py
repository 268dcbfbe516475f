"""Who is paged: `notify` (severity -> receivers) and `receivers` (Alertmanager receiver fields).

Each integration is a model with Alertmanager's own key names, so a typo is a located error with a
did-you-mean hint, and every secret can only come from a `*_file` field holding an absolute path.
"""


import re
from typing import Annotated, Any, ClassVar, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from agentops_gen.errors import CodedValueError
from agentops_gen.spec.common import Line, SpecModel, label_name_length, percent_escape_problem
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
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*\Z")


def version_tuple(text: str) -> tuple[int, int]:
    """`0.25` -> (0, 25), for comparisons with SINCE."""
    major, minor = text.split(".")
    return int(major), int(minor)


def _group_by(value: list[str]) -> list[str]:
    for label in value:
        if label != "..." and not _LABEL.match(label):
            raise ValueError(f"{label!r} is not a label name (or `...` for every label)")
        too_long = label_name_length(label)
        if too_long:
            raise ValueError(f"label name {too_long}")
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


_HOST_FORBIDDEN = re.compile(r"[{}|\\^`]")
"""Characters Go's url.Parse refuses in a host name (it allows the sub-delimiters, `<`, `>` and `"`)."""
_URL = re.compile(r"^[hH][tT][tT][pP][sS]?://[^\s/?#@]*@?[^\s/?#@]+(?:[/?#]\S*)?\Z")
_HOST_PORT = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[^\s:\[\]]+):(?:\d{1,5}|[a-z][a-z0-9-]*)\Z")


def _am_url(value: str) -> str:
    # Alertmanager refuses a URL without an http(s) scheme and a host when it loads the config;
    # a `${VAR}` placeholder gets the secret check's more useful message instead
    if not _URL.match(value) and not _PLACEHOLDER.search(value):
        raise ValueError(f"must be an http(s) URL with a host, e.g. https://alerts.example.com/hook (got {value!r})")
    escape = percent_escape_problem(value)
    if escape:
        raise ValueError(escape)
    host = _HOST_FORBIDDEN.search(urlsplit(value).netloc.rsplit("@", 1)[-1])
    if host and not _PLACEHOLDER.search(value):
        raise ValueError(f"{host.group()!r} is not allowed in a URL's host (Alertmanager refuses it; got {value!r})")
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
    """Absolute path of the CA certificate file."""
    cert_file: str | None = None
    """Absolute path of the client certificate file."""
    key_file: str | None = None
    """Absolute path of the client key file."""
    server_name: str | None = None
    """Server name for SNI and certificate checks."""
    insecure_skip_verify: bool | None = None
    """Skip certificate verification (tests only)."""
    min_version: str | None = None
    """Lowest TLS version (`TLS12`, `TLS13`)."""
    max_version: str | None = None
    """Highest TLS version."""


class BasicAuth(SpecModel):
    """`basic_auth`: the password only from `password_file`."""

    username: str | None = None
    """User name."""
    password: str | None = None
    """Refused: inline secret; use `password_file`."""
    password_file: str | None = None
    """Absolute path of the file holding the password."""


class Authorization(SpecModel):
    """`authorization` header: type (Bearer) and credentials only from `credentials_file`."""

    type: str | None = None
    """Authorization type (default `Bearer`)."""
    credentials: str | None = None
    """Refused: inline secret; use `credentials_file`."""
    credentials_file: str | None = None
    """Absolute path of the file holding the credentials."""


class OAuth2(SpecModel):
    """`oauth2` client credentials flow."""

    client_id: str | None = None
    """OAuth2 client id."""
    client_secret: str | None = None
    """Refused: inline secret; use `client_secret_file`."""
    client_secret_file: str | None = None
    """Absolute path of the file holding the client secret."""
    scopes: list[str] | None = None
    """Scopes requested."""
    token_url: AmUrl | None = None
    """Token endpoint URL."""
    endpoint_params: dict[str, str] | None = None
    """Extra parameters sent to the token endpoint."""
    tls_config: TLSConfig | None = None
    """TLS settings for the token endpoint."""
    proxy_url: AmUrl | None = None
    """HTTP proxy URL for the token endpoint."""


class HTTPConfig(SpecModel):
    """`http_config` with the keys Alertmanager 0.25 knows (prometheus/common HTTPClientConfig of that
    release: checked with amtool 0.25, which refuses `no_proxy`, `proxy_from_environment`, `http_headers`)."""

    basic_auth: BasicAuth | None = None
    """HTTP basic authentication."""
    authorization: Authorization | None = None
    """`Authorization` header (type and credentials file)."""
    oauth2: OAuth2 | None = None
    """OAuth2 client-credentials flow."""
    bearer_token: str | None = None
    """Refused: inline secret; use `bearer_token_file`."""
    bearer_token_file: str | None = None
    """Absolute path of the file holding a bearer token."""
    tls_config: TLSConfig | None = None
    """TLS settings."""
    proxy_url: AmUrl | None = None
    """HTTP proxy URL."""
    follow_redirects: bool | None = None
    """Follow HTTP 3xx redirects."""
    enable_http2: bool | None = None
    """Allow HTTP/2."""


class Integration(SpecModel):
    """Keys every Alertmanager integration has; subclasses list the rest with Alertmanager's names."""

    kind: ClassVar[str] = ""
    required_one_of: ClassVar[tuple[str, ...]] = ()
    """At least one of these keys must be set (Alertmanager has no usable default for them here)."""

    send_resolved: bool | None = None
    """Also notify when the alert resolves."""
    http_config: HTTPConfig | None = None
    """HTTP client settings of this integration (auth, TLS, proxy)."""

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
    def _required(self) -> Self:
        if self.required_one_of and not any(getattr(self, f) is not None for f in self.required_one_of):
            keys = " or ".join(type(self).model_fields[f].alias or f for f in self.required_one_of)
            raise ValueError(f"{self.kind}: set {keys}")
        return self


class SlackConfig(Integration):
    """Alertmanager `slack_configs` entry; the webhook URL only from `api_url_file`."""

    kind: ClassVar[str] = "slack"
    required_one_of: ClassVar[tuple[str, ...]] = ("api_url_file",)

    api_url: str | None = None
    """Refused: an inline webhook URL is a secret; use `api_url_file`."""
    api_url_file: str | None = None
    """Absolute path of the file holding the Slack webhook URL (required)."""
    channel: str | None = None
    """Channel or user to post to (`#alerts`, `@someone`)."""
    username: str | None = None
    """Name the message is posted as."""
    color: str | None = None
    """Attachment colour (a Go template; default by firing/resolved)."""
    title: str | None = None
    """Message title (Go template; default from agentops-gen's template)."""
    title_link: str | None = None
    """URL the title links to."""
    pretext: str | None = None
    """Text above the attachment."""
    text: str | None = None
    """Message body (Go template; default from agentops-gen's template)."""
    fields: list[dict[str, Any]] | None = None
    """Slack attachment fields (`title`, `value`, `short`)."""
    short_fields: bool | None = None
    """Show fields side by side."""
    footer: str | None = None
    """Attachment footer text."""
    fallback: str | None = None
    """Plain-text summary for clients without attachments."""
    callback_id: str | None = None
    """Callback id for interactive actions."""
    icon_emoji: str | None = None
    """Emoji used as the poster's icon."""
    icon_url: str | None = None
    """Image URL used as the poster's icon."""
    image_url: str | None = None
    """Image shown in the attachment."""
    thumb_url: str | None = None
    """Thumbnail shown in the attachment."""
    link_names: bool | None = None
    """Turn `@names` and `#channels` into links."""
    mrkdwn_in: list[str] | None = None
    """Attachment fields Slack renders as Markdown."""
    actions: list[dict[str, Any]] | None = None
    """Slack buttons (`type`, `text`, `url`...)."""


class PagerDutyConfig(Integration):
    """Alertmanager `pagerduty_configs` entry; the key only from `routing_key_file` or `service_key_file`."""

    kind: ClassVar[str] = "pagerduty"
    required_one_of: ClassVar[tuple[str, ...]] = ("routing_key_file", "service_key_file")

    routing_key: str | None = None
    """Refused: inline secret; use `routing_key_file`."""
    routing_key_file: str | None = None
    """Absolute path of the file holding the Events API v2 routing key (this or `service_key_file`)."""
    service_key: str | None = None
    """Refused: inline secret; use `service_key_file`."""
    service_key_file: str | None = None
    """Absolute path of the file holding the (v1) service key."""
    url: AmUrl | None = None
    """PagerDuty API URL (Alertmanager's default unless set)."""
    client: str | None = None
    """Client name shown in PagerDuty."""
    client_url: str | None = None
    """Back-link shown in PagerDuty."""
    description: str | None = None
    """Incident description (Go template)."""
    details: dict[str, str] | None = None
    """Extra key/value details of the incident."""
    images: list[dict[str, Any]] | None = None
    """Images attached to the incident (`src`, `alt`, `href`)."""
    links: list[dict[str, Any]] | None = None
    """Links attached to the incident (`href`, `text`)."""
    source: str | None = None
    """Where the incident comes from."""
    severity: str | None = None
    """PagerDuty severity (Go template)."""
    class_: str | None = Field(default=None, alias="class")
    """PagerDuty event class."""
    component: str | None = None
    """Affected component."""
    group: str | None = None
    """Logical group of the source."""


class EmailConfig(Integration):
    """Alertmanager `email_configs` entry; the SMTP password only from `auth_password_file`."""

    kind: ClassVar[str] = "email"

    # Alertmanager refuses an empty `to`/`from` when it loads the config (we set no global smtp_from)
    to: Annotated[Line, Field(min_length=1)]
    """Recipient address(es)."""
    from_: Annotated[Line, Field(min_length=1, alias="from")]
    """Sender address."""
    smarthost: HostPort
    """SMTP server as `host:port`."""
    hello: str | None = None
    """Hostname sent in SMTP HELO."""
    auth_username: str | None = None
    """SMTP user name."""
    auth_password: str | None = None
    """Refused: inline secret; use `auth_password_file`."""
    auth_password_file: str | None = None
    """Absolute path of the file holding the SMTP password."""
    auth_secret: str | None = None
    """Refused: Alertmanager has no file form for it; use another auth method."""
    auth_identity: str | None = None
    """SMTP PLAIN auth identity."""
    headers: dict[str, str] | None = None
    """Extra email headers (no credentials in them)."""
    html: str | None = None
    """HTML body (Go template)."""
    text: str | None = None
    """Plain-text body (Go template)."""
    require_tls: bool | None = None
    """Require STARTTLS."""
    tls_config: TLSConfig | None = None
    """TLS settings for the SMTP connection."""

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
    """URL to POST alerts to (the documented inline exception: Alertmanager 0.25 has no `url_file`)."""
    url_file: str | None = None
    """Absolute path of a file holding the URL (Alertmanager >= 0.26)."""
    max_alerts: int | None = Field(default=None, ge=0)
    """Most alerts per message (0: all)."""


class OpsGenieConfig(Integration):
    """Alertmanager `opsgenie_configs` entry; the API key only from `api_key_file`."""

    kind: ClassVar[str] = "opsgenie"
    required_one_of: ClassVar[tuple[str, ...]] = ("api_key_file",)

    api_key: str | None = None
    """Refused: inline secret; use `api_key_file`."""
    api_key_file: str | None = None
    """Absolute path of the file holding the OpsGenie API key (required)."""
    api_url: AmUrl | None = None
    """OpsGenie API endpoint (EU or US)."""
    message: str | None = None
    """Alert message (Go template)."""
    description: str | None = None
    """Alert description (Go template)."""
    source: str | None = None
    """Source shown in OpsGenie."""
    details: dict[str, str] | None = None
    """Extra key/value details."""
    entity: str | None = None
    """Entity the alert is about."""
    responders: list[dict[str, Any]] | None = None
    """Responders (`id`/`name`/`username` and `type`)."""
    actions: str | None = None
    """Comma-separated actions."""
    tags: str | None = None
    """Comma-separated tags."""
    note: str | None = None
    """Additional note."""
    priority: str | None = None
    """OpsGenie priority (P1..P5)."""
    update_alerts: bool | None = None
    """Update an existing OpsGenie alert instead of creating a new one."""


class MSTeamsConfig(Integration):
    """Alertmanager `msteams_configs` entry (Alertmanager >= 0.27, for `webhook_url_file`)."""

    kind: ClassVar[str] = "msteams"
    required_one_of: ClassVar[tuple[str, ...]] = ("webhook_url_file",)

    webhook_url: str | None = None
    """Refused: inline secret; use `webhook_url_file`."""
    webhook_url_file: str | None = None
    """Absolute path of the file holding the Teams incoming-webhook URL (Alertmanager >= 0.27)."""
    title: str | None = None
    """Card title (Go template)."""
    summary: str | None = None
    """Card summary (Go template)."""
    text: str | None = None
    """Card text (Go template)."""


def _no_entries() -> list[Any]:
    # a Python function, not `list`: pydantic reads the signature of a default factory, and a builtin's
    # only by tokenizing its text signature (4 ms of every start-up for these six fields)
    return []


def _entries(model: type[Integration]) -> Any:
    # json_schema_input_type: the JSON Schema must accept what a spec may write (one mapping or a list)
    one_or_list = BeforeValidator(_config_list, json_schema_input_type=model | list[model])  # type: ignore[valid-type]
    return Annotated[list[model], one_or_list]  # type: ignore[valid-type]


class Receiver(SpecModel):
    """One receiver: per integration type, one mapping or a list, keys as in Alertmanager's `<type>_configs`."""

    slack: _entries(SlackConfig) = Field(default_factory=_no_entries)  # type: ignore[valid-type]
    """Slack integrations (one mapping or a list), keys as in Alertmanager's `slack_configs`."""
    pagerduty: _entries(PagerDutyConfig) = Field(default_factory=_no_entries)  # type: ignore[valid-type]
    """PagerDuty integrations, keys as in `pagerduty_configs`."""
    email: _entries(EmailConfig) = Field(default_factory=_no_entries)  # type: ignore[valid-type]
    """Email integrations, keys as in `email_configs`."""
    webhook: _entries(WebhookConfig) = Field(default_factory=_no_entries)  # type: ignore[valid-type]
    """Webhook integrations, keys as in `webhook_configs`."""
    opsgenie: _entries(OpsGenieConfig) = Field(default_factory=_no_entries)  # type: ignore[valid-type]
    """OpsGenie integrations, keys as in `opsgenie_configs`."""
    msteams: _entries(MSTeamsConfig) = Field(default_factory=_no_entries)  # type: ignore[valid-type]
    """Microsoft Teams integrations, keys as in `msteams_configs` (Alertmanager >= 0.26)."""

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
    """Receiver name, or a list of names (a list fans out), for critical alerts."""
    warning: ReceiverNames = []
    """Receiver name or list of names for warning alerts."""
    info: ReceiverNames = []
    """Receiver name or list of names for info alerts."""
    group_by: GroupBy | None = None
    """Labels this service's alerts are grouped by in Alertmanager (`...`: every label); unset: the platform's
    `group_by`."""
