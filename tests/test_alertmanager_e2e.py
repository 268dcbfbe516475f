"""A real Alertmanager runs the generated config: alerts reach the intended receivers, inhibited ones do not.

The Debian binary starts on 127.0.0.1 without clustering; a test-only copy of the generated config
points every receiver at a small local webhook server (path = receiver name), so delivery is
observable. Everything else (routes, inhibit rules, templates) is the generated config as is.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES, require_tool, run_cli

BASIC = FIXTURES / "alertmanager" / "basic"
WAIT = 20.0


@dataclass
class Sink:
    """Notifications received by the local webhook server: (receiver, alertname) in arrival order."""

    received: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def got(self, receiver: str) -> set[str]:
        """Alert names delivered to a receiver so far."""
        with self.lock:
            return {name for r, name in self.received if r == receiver}


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    """A webhook server on a free local port; stopped whatever happens."""
    store = Sink()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with store.lock:
                store.received += [(self.path.strip("/"), a["labels"]["alertname"]) for a in body["alerts"]]
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield store, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sink_config(config: Path, sink_port: int, dest: Path) -> Path:
    """The generated config with every receiver replaced by a webhook to the sink, group waits shortened."""
    doc = yaml.safe_load(config.read_text())
    for receiver in doc["receivers"]:
        name = receiver["name"]
        receiver.clear()
        receiver.update(name=name, webhook_configs=[{"url": f"http://127.0.0.1:{sink_port}/{name}",
                                                     "send_resolved": False}])
    doc["route"].update(group_wait="0s", group_interval="1s", repeat_interval="1h")

    def unmute(route: dict[str, Any]) -> None:
        # Business-hours muting would make the result depend on when the test runs.
        route.pop("mute_time_intervals", None)
        for child in route.get("routes", []):
            unmute(child)

    unmute(doc["route"])
    doc["templates"] = [str(config.parent / t) for t in doc["templates"]]  # the copy lives elsewhere
    path = dest / "alertmanager.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def wait_for(what: str, check: Callable[[], bool], timeout: float = WAIT) -> None:
    """Poll until check() is true; fail with `what` after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")


@pytest.fixture
def alertmanager(tmp_path: Path, sink: tuple[Sink, int]) -> Iterator[tuple[str, Sink]]:
    """The real Alertmanager on the fixture's generated config; (base URL, sink). Killed whatever happens."""
    # Debian names the server prometheus-alertmanager; upstream tarballs call it alertmanager.
    binary = require_tool("prometheus-alertmanager" if shutil.which("prometheus-alertmanager") else "alertmanager")
    out = tmp_path / "out"
    result = run_cli("render", str(BASIC), "--out", str(out))
    assert result.returncode == 0, result.stderr
    store, sink_port = sink
    config = sink_config(out / "alertmanager" / "alertmanager.yml", sink_port, tmp_path)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "alertmanager.log").open("w")
    proc = subprocess.Popen([binary, f"--config.file={config}", f"--storage.path={tmp_path / 'data'}",
                             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
                             "--log.level=warn"], stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        def ready() -> bool:
            if proc.poll() is not None:
                pytest.fail(f"alertmanager exited: {(tmp_path / 'alertmanager.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as response:
                    return bool(response.status == 200)
            except OSError:
                return False

        wait_for("alertmanager to be ready", ready)
        yield url, store
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def post(url: str, *alerts: dict[str, str]) -> None:
    """POST alerts (labels only) to /api/v2/alerts."""
    body = json.dumps([{"labels": labels, "annotations": {"summary": labels["alertname"]}} for labels in alerts])
    request = urllib.request.Request(f"{url}/api/v2/alerts", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200


def states(url: str) -> dict[str, dict[str, Any]]:
    """alertname -> the alert as /api/v2/alerts shows it (status.state, status.inhibitedBy, receivers)."""
    with urllib.request.urlopen(f"{url}/api/v2/alerts", timeout=5) as response:
        return {a["labels"]["alertname"]: a for a in json.loads(response.read())}


def alert(name: str, service: str, severity: str, **extra: str) -> dict[str, str]:
    """Labels of an alert as the generated rules label it."""
    return {"alertname": name, "service": service, "severity": severity, **extra}


@pytest.mark.slow
def test_real_alertmanager_routes_and_inhibits(alertmanager: tuple[str, Sink]) -> None:
    url, sink = alertmanager
    # 1. Routing: fan-out, a service's own receiver, the platform root for unknown services, info.
    post(url,
         alert("CheckoutAvailabilityBurnRatePage", "checkout", "critical", slo="availability"),
         alert("SearchLatencyBurnRatePage", "search", "critical", slo="latency"),
         alert("BillingBroken", "billing", "critical"),
         alert("CheckoutQueueInfo", "checkout", "info"))
    wait_for("the first notifications", lambda: {"checkout-pager", "checkout-chat", "search-genie", "ops-default",
                                                 "checkout-tickets"} <= {r for r, _ in sink.received})
    assert sink.got("checkout-pager") == {"CheckoutAvailabilityBurnRatePage"}
    assert sink.got("checkout-chat") == {"CheckoutAvailabilityBurnRatePage"}
    assert sink.got("search-genie") == {"SearchLatencyBurnRatePage"}
    assert sink.got("ops-default") == {"BillingBroken"}
    assert sink.got("checkout-tickets") == {"CheckoutQueueInfo"}

    # 2. Inhibition: critical > warning of the same SLO, page > ticket burn (both critical in search).
    post(url,
         alert("CheckoutAvailabilityBurnRateTicket", "checkout", "warning", slo="availability"),
         alert("CheckoutLatencyBurnRateTicket", "checkout", "warning", slo="latency"),
         alert("SearchLatencyBurnRateTicket", "search", "critical", slo="latency"))
    wait_for("the ticket alerts to be processed", lambda: {
        "CheckoutAvailabilityBurnRateTicket", "CheckoutLatencyBurnRateTicket", "SearchLatencyBurnRateTicket"}
        <= set(states(url)))
    shown = states(url)
    assert shown["CheckoutAvailabilityBurnRateTicket"]["status"]["state"] == "suppressed"
    assert shown["CheckoutAvailabilityBurnRateTicket"]["status"]["inhibitedBy"] == [
        shown["CheckoutAvailabilityBurnRatePage"]["fingerprint"]]
    assert shown["SearchLatencyBurnRateTicket"]["status"]["state"] == "suppressed"
    assert shown["SearchLatencyBurnRateTicket"]["status"]["inhibitedBy"] == [
        shown["SearchLatencyBurnRatePage"]["fingerprint"]]
    # a warning of another SLO is not silenced by the availability page
    assert shown["CheckoutLatencyBurnRateTicket"]["status"]["state"] == "active"
    wait_for("the unsilenced warning", lambda: "CheckoutLatencyBurnRateTicket" in sink.got("checkout-chat"))
    assert "CheckoutAvailabilityBurnRateTicket" not in sink.got("checkout-chat")
    assert "SearchLatencyBurnRateTicket" not in sink.got("search-genie")

    # 3. The service is down: CheckoutDown silences every other checkout alert, itself still pages.
    post(url, alert("CheckoutDown", "checkout", "critical"))
    wait_for("CheckoutDown to page", lambda: "CheckoutDown" in sink.got("checkout-pager"))
    # Only once the inhibitor holds the source (an older alert shows as silenced) is a new target
    # certain to be muted before its first notification; posting both at once would race.
    wait_for("the outage to silence the page", lambda: states(url)["CheckoutAvailabilityBurnRatePage"]["status"][
        "state"] == "suppressed")
    post(url, alert("CheckoutCostAboveMax", "checkout", "warning"))
    wait_for("the outage to silence checkout", lambda: "CheckoutCostAboveMax" in states(url) and all(
        a["status"]["state"] == "suppressed" for n, a in states(url).items()
        if n.startswith("Checkout") and n != "CheckoutDown"))
    shown = states(url)
    down = shown["CheckoutDown"]
    assert down["status"]["state"] == "active"
    assert sorted(r["name"] for r in down["receivers"]) == ["checkout-chat", "checkout-pager"]
    for name in ("CheckoutAvailabilityBurnRatePage", "CheckoutLatencyBurnRateTicket", "CheckoutCostAboveMax",
                 "CheckoutQueueInfo"):
        assert down["fingerprint"] in shown[name]["status"]["inhibitedBy"], name
    time.sleep(1.5)  # longer than group_interval: a notification that was going out has arrived by now
    assert "CheckoutCostAboveMax" not in sink.got("checkout-chat")
    # other services are untouched by checkout's outage
    assert shown["SearchLatencyBurnRatePage"]["status"]["state"] == "active"
    assert shown["BillingBroken"]["status"]["state"] == "active"
