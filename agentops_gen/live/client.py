"""A small Prometheus HTTP API client: auth headers, TLS CA, timeouts, and a hard cap on requests.

Only the standard library (urllib): the online features must not add a runtime dependency for
a handful of GET requests. Every failure (connection, HTTP status, API error, bad JSON) raises
PrometheusUnavailable with one line that names the URL; the CLI prints it and exits 2.
"""

from __future__ import annotations

import json
import os
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_URL = "AGENTOPS_GEN_PROMETHEUS_URL"
DEFAULT_TIMEOUT = 30.0
MAX_REQUESTS = 2000
"""Hard cap per run, whatever the spec folder: a bug or a huge folder must not hammer the server."""


class PrometheusUnavailable(Exception):
    """The server could not be reached or answered with an error (the CLI exits 2 with this one line)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status
        """The HTTP status when the server answered with one."""


@dataclass
class Connection:
    """How to reach the server: URL, extra headers (bearer token, X-Scope-OrgID, ...), timeout, TLS CA."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    ca_file: Path | None = None


def connection(url: str | None, *, bearer_token_file: Path | None = None, header_file: Path | None = None,
               timeout: float = DEFAULT_TIMEOUT, ca_file: Path | None = None) -> Connection:
    """A Connection from CLI options (URL falls back to $AGENTOPS_GEN_PROMETHEUS_URL); ValueError on bad input."""
    url = url or os.environ.get(ENV_URL, "")
    if not url:
        raise ValueError(f"no Prometheus URL: pass --prometheus URL or set {ENV_URL}")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--prometheus must be an http(s) URL (got {url!r})")
    if timeout <= 0:
        raise ValueError("--timeout must be positive")
    headers: dict[str, str] = {}
    if header_file is not None:
        headers.update(read_header_file(header_file))
    if bearer_token_file is not None:
        token = bearer_token_file.read_text(encoding="utf-8").strip()
        if not token:
            raise ValueError(f"{bearer_token_file}: empty bearer token file")
        headers["Authorization"] = f"Bearer {token}"
    return Connection(url.rstrip("/"), headers, timeout, ca_file)


def read_header_file(path: Path) -> dict[str, str]:
    """`Name: value` lines (blank lines and # comments skipped); ValueError naming the bad line."""
    out: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or any(c.isspace() for c in name.strip()):
            raise ValueError(f"{path}:{n}: expected `Name: value`")
        out[name.strip()] = value.strip()
    return out


class Client:
    """GET requests to /api/v1/*, one at a time, counted and capped; answers cached per run (selectors repeat)."""

    def __init__(self, conn: Connection, max_requests: int = MAX_REQUESTS):
        self.conn = conn
        self.max_requests = max_requests
        self.requests = 0
        self._cache: dict[str, Any] = {}
        self._context = ssl.create_default_context(cafile=str(conn.ca_file)) if conn.ca_file else None

    def get(self, path: str, params: list[tuple[str, str]] | None = None) -> Any:
        """The `data` of a successful API answer (cached by URL)."""
        url = f"{self.conn.url}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        if url in self._cache:
            return self._cache[url]
        if self.requests >= self.max_requests:
            raise PrometheusUnavailable(f"{self.conn.url}: more than {self.max_requests} requests needed; "
                                        "check fewer specs at a time (or backtest a shorter --range)")
        self.requests += 1
        self._cache[url] = data = self._fetch(url, path)
        return data

    def _fetch(self, url: str, path: str) -> Any:
        request = urllib.request.Request(url, headers={"Accept": "application/json", **self.conn.headers})
        where = f"{self.conn.url} (/api/v1/{path})"
        try:
            with urllib.request.urlopen(request, timeout=self.conn.timeout, context=self._context) as response:
                body = json.load(response)
        except urllib.error.HTTPError as exc:
            raise PrometheusUnavailable(f"{where}: HTTP {exc.code} {exc.reason}{_api_error(exc)}", exc.code) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise PrometheusUnavailable(f"{where}: cannot connect: {reason}") from None
        except ValueError as exc:
            raise PrometheusUnavailable(f"{where}: answer is not JSON: {exc}") from None
        if not isinstance(body, dict) or body.get("status") != "success":
            error = body.get("error") if isinstance(body, dict) else body
            raise PrometheusUnavailable(f"{where}: {error}")
        return body.get("data")

    def optional(self, path: str, params: list[tuple[str, str]] | None = None) -> Any:
        """Like get, but None when the server does not offer the endpoint (Mimir/Cortex: no status/flags)."""
        try:
            return self.get(path, params)
        except PrometheusUnavailable as exc:
            if exc.status in (404, 405):
                return None
            raise

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[dict[str, Any]]:
        """A range query's matrix (one request; the caller bounds points per series)."""
        data = self.get("query_range", [("query", expr), ("start", _ts(start)), ("end", _ts(end)),
                                        ("step", _ts(step))])
        return list(data.get("result", [])) if isinstance(data, dict) else []


def _ts(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _api_error(exc: urllib.error.HTTPError) -> str:
    """The `error` of a Prometheus error body, when there is one."""
    try:
        body = json.loads(exc.read() or b"{}")
    except (ValueError, OSError):
        return ""
    return f": {body['error']}" if isinstance(body, dict) and body.get("error") else ""
