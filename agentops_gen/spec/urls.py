"""Credentials hidden in URLs and headers: a URL in a spec is copied into rules, tests, dashboards and
runbooks (all committed), so a password or token in it is a leaked secret. Shared by the spec models
(render refuses them) and the `alerting/url-credentials` lint check (which locates each one)."""


import re
from urllib.parse import parse_qsl, urlsplit

URL_CREDENTIALS = "alerting/url-credentials"
"""The lint check that files the models' credential errors (their code)."""
CREDENTIAL_HINT = "committed credential"
"""Every message of this module contains it."""
TOKEN_PARAM = re.compile(
    r"^(?:.*[_.-])?(?:token|key|apikey|sig|signature|secret|password|passwd|pwd|auth|credentials?)$",
    re.IGNORECASE)
"""Query parameter names that carry a secret: token, access_token, api_key, key, sig, X-Amz-Signature..."""
AUTH_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "api-key", "x-auth-token", "cookie"})
"""Header names whose value is a credential."""


def url_credential_problem(value: str) -> str | None:
    """Why `value` (a URL or host:port endpoint) holds a credential, or None."""
    text = value.strip()
    if "://" not in text:
        text = "//" + text  # host:port endpoints: userinfo is still `user:pass@host`
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if "@" in parts.netloc:
        user = parts.netloc.rsplit("@", 1)[0].split(":")[0]
        return (f"{CREDENTIAL_HINT}: the URL's user information before `@` ({user}:...) is copied into every "
                "generated file; authenticate another way (a `*_file`, http_config.basic_auth.password_file)")
    for name, _ in parse_qsl(parts.query, keep_blank_values=True):
        if TOKEN_PARAM.match(name):
            return (f"{CREDENTIAL_HINT}: URL query parameter {name!r} looks like a token and is copied into every "
                    "generated file; use a `*_file` field (webhook `url_file`, Alertmanager >= 0.26) or "
                    "http_config.authorization.credentials_file")
    return None


def header_problem(name: str) -> str | None:
    """Why a header written in a spec is a credential (`Authorization: Bearer ...`), or None."""
    if name.strip().lower() in AUTH_HEADERS:
        return (f"{CREDENTIAL_HINT}: header {name!r} written inline; use "
                "http_config.authorization.credentials_file or a `*_file` field")
    return None
