"""Bad routing input through the CLI: exit 2, one exact `FILE:LINE:COL: error: FIELD: message` line each."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_cli

SERVICE = """\
version: agentops-gen/v1
service: {service}
owner: team-a
notify:
  critical: {notify}
receivers:
{receivers}
"""
PAGER = "  pager:\n    pagerduty: {routing_key_file: /etc/am/pager}\n"


def service(name: str = "demo", notify: str = "pager", receivers: str = PAGER) -> str:
    """A minimal service spec; receivers is the indented body under `receivers:`."""
    return SERVICE.format(service=name, notify=notify, receivers=receivers.rstrip("\n"))


def platform(body: str = "") -> str:
    """A platform file with an optional extra body."""
    return "version: agentops-gen/v1\nkind: platform\n" + textwrap.dedent(body)


def run(tmp_path: Path, files: dict[str, str]) -> tuple[int, list[str], Path]:
    """Write specs/<name> files, render them from tmp_path; (exit code, stderr lines, out folder)."""
    specs = tmp_path / "specs"
    specs.mkdir()
    for name, text in files.items():
        (specs / name).write_text(text)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("untouched")
    result = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stderr.splitlines(), out


def assert_error(tmp_path: Path, files: dict[str, str], *expected: str) -> None:
    """Exit 2, exactly these stderr lines, and the previous output left alone."""
    code, lines, out = run(tmp_path, files)
    assert (code, lines) == (2, list(expected))
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_undefined_receiver(tmp_path: Path) -> None:
    assert_error(tmp_path, {"demo.yaml": service(notify="pagr")},
                 "specs/demo.yaml:5:13: error: notify.critical: receiver 'pagr' is not defined under `receivers:` "
                 "(did you mean 'pager'?)")


def test_undefined_receiver_in_a_fan_out_list(tmp_path: Path) -> None:
    assert_error(tmp_path, {"demo.yaml": service(notify="[pager, chat]")},
                 "specs/demo.yaml:5:21: error: notify.critical[1]: receiver 'chat' is not defined under "
                 "`receivers:`")


def test_two_platform_files(tmp_path: Path) -> None:
    assert_error(tmp_path, {"a.yaml": platform(), "b.yaml": platform(), "demo.yaml": service()},
                 "specs/b.yaml:2:7: error: kind: a second `kind: platform` file (the first is specs/a.yaml); "
                 "at most one per spec folder")


def test_inline_secret(tmp_path: Path) -> None:
    receivers = "  pager:\n    slack:\n      - channel: '#x'\n        api_url: https://hooks.slack.com/services/T0/B0/X\n"
    assert_error(tmp_path, {"demo.yaml": service(receivers=receivers)},
                 "specs/demo.yaml:10:18: error: receivers.pager.slack[0].api_url: inline secret; use api_url_file "
                 "with an absolute path instead")


def test_inline_secret_inside_http_config(tmp_path: Path) -> None:
    receivers = ("  pager:\n    webhook:\n      url: http://bridge:8080/\n"
                 "      http_config: {basic_auth: {username: am, password: hunter2}}\n")
    assert_error(tmp_path, {"demo.yaml": service(receivers=receivers)},
                 "specs/demo.yaml:10:58: error: receivers.pager.webhook.http_config.basic_auth.password: inline "
                 "secret; use password_file with an absolute path instead")


def test_shell_placeholder(tmp_path: Path) -> None:
    receivers = "  pager:\n    pagerduty: {routing_key_file: '${PAGERDUTY_KEY}'}\n"
    assert_error(tmp_path, {"demo.yaml": service(receivers=receivers)},
                 "specs/demo.yaml:8:35: error: receivers.pager.pagerduty.routing_key_file: '${PAGERDUTY_KEY}' is "
                 "a shell-style placeholder that Alertmanager never expands; put the secret in a file and use "
                 "routing_key_file")


def test_shell_placeholder_in_webhook_url(tmp_path: Path) -> None:
    receivers = "  pager:\n    webhook:\n      url: ${SLACK_WEBHOOK_URL}\n"
    assert_error(tmp_path, {"demo.yaml": service(receivers=receivers)},
                 "specs/demo.yaml:9:12: error: receivers.pager.webhook.url: '${SLACK_WEBHOOK_URL}' is a "
                 "shell-style placeholder that Alertmanager never expands; put the secret in a file and use url_file")


def test_relative_secret_file(tmp_path: Path) -> None:
    receivers = "  pager:\n    pagerduty: {routing_key_file: secrets/pager}\n"
    assert_error(tmp_path, {"demo.yaml": service(receivers=receivers)},
                 "specs/demo.yaml:8:35: error: receivers.pager.pagerduty.routing_key_file: 'secrets/pager' must be "
                 "an absolute path (Alertmanager resolves relative paths against its working directory)")


def test_missing_secret_file(tmp_path: Path) -> None:
    receivers = "  pager:\n    slack: {channel: '#x'}\n"
    assert_error(tmp_path, {"demo.yaml": service(receivers=receivers)},
                 "specs/demo.yaml:8:12: error: receivers.pager.slack: slack: set api_url_file")


def test_unknown_receiver_key_has_a_hint(tmp_path: Path) -> None:
    receivers = "  pager:\n    slack: {api_url_file: /x, chanel: '#x'}\n"
    assert_error(tmp_path, {"demo.yaml": service(receivers=receivers)},
                 "specs/demo.yaml:8:31: error: receivers.pager.slack.chanel: unknown key 'chanel' "
                 "(did you mean 'channel'?)")


def test_invalid_duration_in_platform(tmp_path: Path) -> None:
    body = """\
    alertmanager:
      group_wait: 30 seconds
    """
    assert_error(tmp_path, {"platform.yaml": platform(body), "demo.yaml": service()},
                 "specs/platform.yaml:4:15: error: alertmanager.group_wait: must be a Prometheus duration such as 5m, "
                 "1h30m or 28d (got '30 seconds')")


def test_zero_repeat_interval(tmp_path: Path) -> None:
    body = """\
    alertmanager:
      repeat_interval: 0s
    """
    assert_error(tmp_path, {"platform.yaml": platform(body), "demo.yaml": service()},
                 "specs/platform.yaml:4:20: error: alertmanager.repeat_interval: must be longer than 0s (got '0s')")


def test_undefined_root_receiver(tmp_path: Path) -> None:
    body = """\
    alertmanager:
      receiver: sre
    """
    assert_error(tmp_path, {"platform.yaml": platform(body), "demo.yaml": service()},
                 "specs/platform.yaml:4:13: error: alertmanager.receiver: receiver 'sre' is not defined under the "
                 "platform file's `receivers:`")


def test_msteams_needs_a_newer_alertmanager(tmp_path: Path) -> None:
    receivers = "  pager:\n    msteams: {webhook_url_file: /etc/am/teams}\n"
    assert_error(tmp_path, {"demo.yaml": service(receivers=receivers)},
                 "specs/demo.yaml:8:5: error: receivers.pager.msteams: msteams_configs need Alertmanager >= 0.26; "
                 "the target is 0.25 (set `alertmanager.version` in the platform file)")


def test_msteams_webhook_url_file_needs_0_27(tmp_path: Path) -> None:
    receivers = "  pager:\n    msteams: {webhook_url_file: /etc/am/teams}\n"
    body = "alertmanager: {version: '0.26'}\n"
    assert_error(tmp_path, {"demo.yaml": service(receivers=receivers), "platform.yaml": platform(body)},
                 "specs/demo.yaml:8:15: error: receivers.pager.msteams.webhook_url_file: webhook_url_file needs "
                 "Alertmanager >= 0.27; the target is 0.26 (set `alertmanager.version` in the platform file)")


def test_webhook_url_file_needs_0_26(tmp_path: Path) -> None:
    receivers = "  pager:\n    webhook: {url_file: /etc/am/hook}\n"
    assert_error(tmp_path, {"demo.yaml": service(receivers=receivers)},
                 "specs/demo.yaml:8:15: error: receivers.pager.webhook.url_file: url_file needs Alertmanager >= "
                 "0.26; the target is 0.25 (set `alertmanager.version` in the platform file)")


def test_inline_webhook_url_only_on_0_25(tmp_path: Path) -> None:
    receivers = "  pager:\n    webhook: {url: 'http://bridge:8080/hook'}\n"
    body = "alertmanager: {version: '0.27'}\n"
    assert_error(tmp_path, {"demo.yaml": service(receivers=receivers), "platform.yaml": platform(body)},
                 "specs/demo.yaml:8:20: error: receivers.pager.webhook.url: inline webhook URL; Alertmanager 0.27 "
                 "reads it from url_file (an absolute path), so a URL holding a token stays out of the config")


def test_too_old_alertmanager(tmp_path: Path) -> None:
    body = "alertmanager: {version: '0.24'}\n"
    assert_error(tmp_path, {"demo.yaml": service(), "platform.yaml": platform(body)},
                 "specs/platform.yaml:3:25: error: alertmanager.version: Alertmanager 0.24 is not supported; the "
                 "oldest supported version is 0.25")


def test_generated_receiver_names_collide(tmp_path: Path) -> None:
    # "a-b" + "pager" and "a" + "b-pager" both become "a-b-pager".
    other = "  b-pager:\n    pagerduty: {routing_key_file: /etc/am/pager}\n"
    assert_error(tmp_path, {"a-b.yaml": service("a-b"), "a.yaml": service("a", "b-pager", other)},
                 "specs/a.yaml:7:3: error: receivers.b-pager: generated Alertmanager receiver name 'a-b-pager' is "
                 "already taken by specs/a-b.yaml receivers.pager; rename one of them")


@pytest.mark.parametrize(("hours", "expected"), [
    ("{weekdays: ['saturday:sunday']}",
     "specs/platform.yaml:3:44: error: alertmanager.business_hours.weekdays[0]: 'saturday:sunday': Alertmanager "
     "weeks start on Sunday, so a range must not wrap (write two entries: saturday and sunday)"),
    ("{weekdays: [mondays]}",
     "specs/platform.yaml:3:44: error: alertmanager.business_hours.weekdays[0]: 'mondays' is not a weekday or a "
     "range such as monday:friday"),
    ("{times: [{start_time: '18:00', end_time: '09:00'}]}",
     "specs/platform.yaml:3:41: error: alertmanager.business_hours.times[0]: start_time 18:00 must be before "
     "end_time 09:00"),
    ("{times: [{start_time: '9am', end_time: '17:00'}]}",
     "specs/platform.yaml:3:54: error: alertmanager.business_hours.times[0].start_time: '9am' is not a clock time "
     "HH:MM between 00:00 and 24:00"),
    ("{location: Mars/Olympus}",
     "specs/platform.yaml:3:43: error: alertmanager.business_hours.location: unknown time zone 'Mars/Olympus' (use "
     "an IANA name such as Europe/Berlin, or UTC)"),
])
def test_bad_business_hours(tmp_path: Path, hours: str, expected: str) -> None:
    body = f"alertmanager: {{business_hours: {hours}}}\n"
    assert_error(tmp_path, {"demo.yaml": service(), "platform.yaml": platform(body)}, expected)


def test_every_error_of_a_file_is_reported(tmp_path: Path) -> None:
    receivers = ("  pager:\n    slack: {api_url: 'https://hooks.slack.com/x', channel: '#x'}\n"
                 "  chat:\n    email: {to: a@example.com, from: b@example.com, smarthost: 'smtp:25', "
                 "auth_password_file: pw}\n")
    code, lines, _ = run(tmp_path, {"demo.yaml": service(receivers=receivers)})
    assert code == 2
    assert [line.split(": error: ")[1].split(":")[0] for line in lines] == [
        "receivers.pager.slack.api_url", "receivers.chat.email.auth_password_file",
    ]
