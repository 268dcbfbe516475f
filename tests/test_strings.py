"""Every user string reaching a generated file is validated (a located exit-2 error) or escaped for its
language, and the real tools agree: control characters, Go templates in labels, spec file names in
comments, values promtool/amtool would refuse, receiver fields as Alertmanager 0.25 reads them.

Bad-input cases run the real CLI (exit 2, one `FILE:LINE:COL: error: FIELD.PATH: message` line, nothing
written). The expected location is where the case's `marker` text is written in the spec, so a case
reads as "the error points at this".
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import generated_tests, run_cli

from agentops_gen.units import names
from agentops_gen.units.durations import MAX_MS, parse_duration
from agentops_gen.units.promql import duration_literal_problem

HEADER = "version: agentops-gen/v1\nservice: checkout-agent\nowner: team-a\n"
SLO = "slos:\n  - name: avail\n    objective: 99\n    sli: {ratio: {errors: e_total, total: t_total}}\n"
SENTINEL = "keep-me.txt"


@dataclass
class Case:
    """A spec body (after HEADER unless it starts with `version:`) and its one expected error."""

    name: str
    body: str
    marker: str
    """Text written where the error must point (its first occurrence after the header)."""
    path: str
    message: str
    """Regex searched in the message part of the line."""


CASES = [
    # 1. control characters: escapes in double-quoted YAML are how they get past YAML's reader
    Case("del", 'description: "a\\x7fb"\n', '"a\\x7f', "description", r"control character U\+007F \(\\x7f\)"),
    Case("c1-in-label", 'labels: {x: "a\\x85b"}\n', '"a\\x85', "labels.x", r"control character U\+0085"),
    Case("u2028-in-selector", SLO.replace("errors: e_total", 'errors: "e_total\\u2028"'), '"e_total',
         "slos[0].sli.ratio.errors", r"control character U\+2028"),
    Case("cr-in-redact", 'telemetry: {traces: {export: {otlp: "x:4317"}}, redact: ["user\\remail"]}\n', '"user',
         "telemetry.redact[0]", r"control character U\+000D \(\\r\)"),
    Case("tab-in-key", 'labels: {"a\\tb": x}\n', '"a\\tb"', "labels.a\\tb", r"key: control character U\+0009"),
    Case("tab-in-label-value", 'labels: {x: "a\\tb"}\n', '"a\\tb"', "labels.x", "must be one line"),
    Case("newline-in-selector", SLO.replace("errors: e_total", 'errors: "e_total\\n"'), '"e_total',
         "slos[0].sli.ratio.errors", "must be one line"),
    # 2. Go templates that Prometheus could not parse, and URLs that would be templates or break Markdown
    Case("unclosed-annotation", "alerts: [{name: A, expr: up, annotations: {note: '{{ oops'}}]\n", "'{{ oops",
         "alerts[0].annotations.note", r"unclosed \{\{ at character 1"),
    Case("unclosed-summary", "alerts: [{name: A, expr: up, summary: 'down {{ oops'}]\n", "'down",
         "alerts[0].summary", r"unclosed \{\{ at character 6"),
    Case("template-in-runbook-url", "runbook_base_url: 'https://git.example.com/{{$value}}'\n", "'https",
         "runbook_base_url", r"'\{' is not allowed in a URL"),
    Case("paren-in-dashboard-url", "dashboard_base_url: https://grafana.example.com/a)(javascript:x\n", "https",
         "dashboard_base_url", r"'\)' is not allowed in a URL; percent-encode it"),
    # 4. accepted today, refused by promtool/amtool
    Case("annotation-key-with-space", "alerts: [{name: A, expr: up, annotations: {my note: x}}]\n", "my note",
         "alerts[0].annotations.my note", "annotation name 'my note' must be a label name"),
    Case("duration-293y", "period: 293y\n", "293y", "period", "longer than Prometheus' longest duration, 292y"),
    Case("duration-30-digits", f"period: {'9' * 30}d\n", "999", "period", "longer than Prometheus' longest"),
    Case("outage-window-0s", SLO + "    alerting: {outage: {window: 0s}}\n", "0s",
         "slos[0].alerting.outage.window", r"must be longer than 0s"),
    Case("query-bare-duration", "kpis: [{name: k, query: 5m, max: 1}]\n", "5m", "kpis[0].query",
         "duration '5m' used as a number"),
    Case("kpi-max-nan", "kpis: [{name: k, query: up, max: .nan}]\n", ".nan", "kpis[0].max", "finite number"),
    Case("kpi-min-inf", "kpis: [{name: k, query: up, min: .inf}]\n", ".inf", "kpis[0].min", "finite number"),
    Case("objective-nan", SLO.replace("objective: 99", "objective: .nan"), ".nan", "slos[0].objective",
         "finite number"),
    Case("zscore-inf", "anomalies: [{name: z, query: up, zscore: .inf}]\n", ".inf", "anomalies[0].zscore",
         "finite number"),
    Case("service-name-64", HEADER.replace("checkout-agent", "a" * 64), "a" * 64, "service",
         r"at most 63 characters \(got 64\)"),
    Case("alerting-name-with-space", SLO + "    alerting: {name: my alert}\n", "my alert", "slos[0].alerting.name",
         "must be CamelCase"),
    # 5. receivers as Alertmanager 0.25 reads them
    Case("smarthost-without-port",
         "receivers: {mail: {email: {to: a@example.com, from: b@example.com, smarthost: smtp.example.com}}}\n",
         "smtp.example.com", "receivers.mail.email.smarthost", "must be host:port"),
    Case("webhook-url-without-scheme", "receivers: {hook: {webhook: {url: hooks.example.com/x}}}\n",
         "hooks.example.com", "receivers.hook.webhook.url", r"must be an http\(s\) URL with a host"),
    Case("http-config-typo", "receivers: {hook: {webhook: {url: 'http://x', http_config: {proxy_ulr: 'http://p:1'}}}}\n",
         "proxy_ulr", "receivers.hook.webhook.http_config.proxy_ulr",
         r"unknown key 'proxy_ulr' \(did you mean 'proxy_url'\?\)"),
    Case("http-config-newer-key", "receivers: {hook: {webhook: {url: 'http://x', http_config: {no_proxy: a}}}}\n",
         "no_proxy", "receivers.hook.webhook.http_config.no_proxy", "unknown key 'no_proxy'"),
]


def _location(text: str, marker: str, start: int) -> tuple[int, int]:
    index = text.index(marker, start)
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_string_is_located_and_writes_nothing(case: Case, tmp_path: Path) -> None:
    text = case.body if case.body.startswith("version:") else HEADER + case.body
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "svc.yaml").write_text(text)
    out = tmp_path / "out"
    out.mkdir()
    (out / SENTINEL).write_text("x")

    result = run_cli("render", "specs", "--out", "out", cwd=tmp_path)

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    line, col = _location(text, case.marker, 0 if case.body.startswith("version:") else len(HEADER))
    prefix = f"specs/svc.yaml:{line}:{col}: error: {case.path}: "
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(prefix), f"expected {prefix!r}\n got {lines[0]!r}"
    assert re.search(case.message, lines[0][len(prefix):]), lines[0]
    assert sorted(p.name for p in out.iterdir()) == [SENTINEL]


# --- escaping, judged by promtool and amtool -------------------------------------------------------------

HOSTILE = """\
version: agentops-gen/v1
service: hostile-agent
owner: team-a
description: "Quotes \\" and ' and colons: here\\nsecond line\\twith a tab, {{ $value }} and `ticks`"
labels:
  platform: '{{ $value }}'
  broken: '{{ oops'
  quoted: 'a "b" c: d'
  tick: '`x` }} {'
runbook_base_url: https://git.example.com/ops/runbooks?ref=main
dashboard_base_url: https://grafana.example.com
slos:
  - name: avail
    objective: 99
    description: "SLO with {{ .Labels }} and \\"quotes\\"\\nsecond line"
    sli: {ratio: {errors: 'req_total{code=~"5.."}', total: req_total}}
    alerting:
      labels: {tier: '{{ $labels.service }}'}
      page: {labels: {pg: '{{'}}
kpis:
  - name: cost
    query: sum(cost_usd)
    per: '{{ $labels.task }} task'
    max: 1
    description: "KPI with {{ and a newline\\nhere"
alerts:
  - name: HostileDown
    expr: up{job="x"} == 0
    labels: {al: '{{ $value }}'}
    summary: 'Down {{ $labels.instance }}'
    annotations: {note: 'literal {{ `{{` }} kept'}
"""

# Written by hand from HOSTILE (not from the generated tests): the labels the alert must carry in Prometheus,
# every `{{` literal. On the unescaped rule file, promtool expands `platform` to "0" and refuses `{{ oops`.
# The summary is a template on purpose and still expands (`up` has no instance label: empty).
HAND_TEST = """\
rule_files: [../hostile-agent.rules.yaml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="x"}'
        values: '0x5'
    alert_rule_test:
      - eval_time: 2m
        alertname: HostileDown
        exp_alerts:
          - exp_labels:
              job: x
              service: hostile-agent
              team: team-a
              severity: warning
              al: '{{ $value }}'
              platform: '{{ $value }}'
              broken: '{{ oops'
              quoted: 'a "b" c: d'
              tick: '`x` }} {'
            exp_annotations:
              summary: 'Down '
              description: 'Down '
              note: 'literal {{ kept'
              runbook_url: https://git.example.com/ops/runbooks?ref=main/hostile-agent/HostileDown.md
              dashboard_url: https://grafana.example.com/d/agentops-hostile-agent
"""


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    (root / "specs").mkdir()
    (root / "specs" / "hostile.yaml").write_text(HOSTILE)
    result = run_cli("render", "specs", "--out", "out", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "out"


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=120)


def test_hostile_strings_pass_promtool_and_amtool(hostile_out: Path, promtool: str, amtool: str) -> None:
    rules = hostile_out / "prometheus" / "hostile-agent.rules.yaml"
    checked = _run(promtool, "check", "rules", str(rules))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tests = hostile_out / "prometheus" / "tests"
    generated = _run(promtool, "test", "rules", *(p.name for p in generated_tests(tests / "hostile-agent.test.yaml")),
                     cwd=tests)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    config = _run(amtool, "check-config", str(hostile_out / "alertmanager" / "alertmanager.yml"))
    assert config.returncode == 0, config.stdout + config.stderr


def test_alert_labels_keep_their_literal_text_in_prometheus(hostile_out: Path, promtool: str) -> None:
    """A hand-written promtool test: the firing alert carries `{{ $value }}` as text, not the value."""
    tests = hostile_out / "prometheus" / "tests"
    (tests / "hand.test.yaml").write_text(HAND_TEST)
    result = _run(promtool, "test", "rules", "hand.test.yaml", cwd=tests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_recording_rules_keep_label_values_unescaped(hostile_out: Path) -> None:
    """Recording rules do not expand templates: their labels are written as given."""
    groups = yaml.safe_load((hostile_out / "prometheus" / "hostile-agent.rules.yaml").read_text())["groups"]
    records = [r for g in groups for r in g["rules"] if "record" in r]
    alerts = [r for g in groups for r in g["rules"] if "alert" in r]
    assert records and all(r["labels"]["platform"] == "{{ $value }}" for r in records)
    assert alerts and all(r["labels"]["platform"] == '{{ "{{" }} $value }}' for r in alerts)
    kpi = next(r for r in alerts if r["alert"] == "HostileAgentCostAboveMax")
    assert kpi["annotations"]["summary"].endswith('per {{ "{{" }} $labels.task }} task, limit 1')


def test_runbooks_show_user_text_not_escapes(hostile_out: Path) -> None:
    page = (hostile_out / "runbooks" / "hostile-agent" / "HostileAgentCostAboveMax.md").read_text()
    assert '{{ "{{" }}' not in page
    assert "KPI with {{ and a newline here" in page


# --- spec file names -------------------------------------------------------------------------------------

INJECTED = 'svc\ninhibit_rules:\n  - source_matchers: [severity="info"]\n    target_matchers: [severity="critical"]\n#'
def _service(name: str) -> str:
    return f"version: agentops-gen/v1\nservice: {name}\nowner: team-a\n" + SLO


def test_spec_file_name_cannot_leave_its_comment(tmp_path: Path, amtool: str, promtool: str) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / f"{INJECTED}.yaml").write_text(_service("checkout-agent"))
    (specs / "p--> [x](javascript:alert(1)) <!--.yaml").write_text(_service("other-agent"))
    result = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"

    config_text = (out / "alertmanager" / "alertmanager.yml").read_text()
    config = yaml.safe_load(config_text)
    # only the generated inhibit rules: each one's source is an alert of a named service
    assert config["inhibit_rules"]
    assert all(any(m.startswith("service=") for m in rule["source_matchers"]) for rule in config["inhibit_rules"])
    assert config_text.splitlines()[0].startswith("# Generated by agentops-gen from svc\\ninhibit_rules:\\n")
    assert _run(amtool, "check-config", str(out / "alertmanager" / "alertmanager.yml")).returncode == 0

    slices = sorted((out / "prometheus" / "tests" / "rules" / "checkout-agent").glob("*.rules.yaml"))
    assert slices  # the test-only slices of the rule file carry the file name in their comment too
    for file in (out / "prometheus" / "checkout-agent.rules.yaml",
                 out / "prometheus" / "tests" / "checkout-agent.test.yaml", slices[0]):
        first = file.read_text().splitlines()[0]  # the whole file name, escaped, on the comment's one line
        assert first.startswith("# Generated by agentops-gen from svc\\ninhibit_rules:") and "DO NOT EDIT" in first
    assert _run(promtool, "check", "rules", str(out / "prometheus" / "checkout-agent.rules.yaml")).returncode == 0

    readme = (out / "runbooks" / "other-agent" / "README.md").read_text().splitlines()
    # one HTML comment on the first line, closed only at its end; the link never becomes Markdown
    assert readme[0].startswith("<!-- ") and readme[0].endswith(" -->") and readme[0].count("-->") == 1
    assert readme[1].startswith("# Runbooks: other-agent")


# --- limits measured on the real tools -------------------------------------------------------------------

def _rule_with_for(tmp_path: Path, duration: str) -> Path:
    path = tmp_path / f"r-{duration}.yaml"
    path.write_text(f"groups:\n- name: g\n  rules:\n  - alert: A\n    expr: vector(1)\n    for: {duration}\n")
    return path


def test_longest_duration_is_prometheus_own(tmp_path: Path, promtool: str) -> None:
    """parse_duration accepts exactly what promtool accepts at the int64-nanosecond boundary."""
    longest, too_long = "292y24w3d23h47m16s854ms", "292y24w3d23h47m16s855ms"
    assert _run(promtool, "check", "rules", str(_rule_with_for(tmp_path, longest))).returncode == 0
    assert _run(promtool, "check", "rules", str(_rule_with_for(tmp_path, too_long))).returncode != 0
    assert parse_duration(longest) * 1000 == MAX_MS
    with pytest.raises(ValueError, match="longest duration"):
        parse_duration(too_long)


@pytest.mark.parametrize(("query", "prometheus_accepts"), [
    ("5m", False), ("vector(1) * 1h", False), ("(5m)", False),
    ("rate(x_total[5m])", True), ("x offset 5m", True), ("max_over_time(x[1h:5m])", True),
    ('x{window="5m"}', True), ("foo_5m", True), ("1e3", True),
])
def test_duration_as_number_matches_promtool(query: str, prometheus_accepts: bool, tmp_path: Path,
                                             promtool: str) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [{"record": "a", "expr": query}]}]}))
    assert (_run(promtool, "check", "rules", str(path)).returncode == 0) is prometheus_accepts
    assert (duration_literal_problem(query) is None) is prometheus_accepts


# --- dashboard uids ---------------------------------------------------------------------------------------

def test_dashboard_uids_stay_unique_and_short() -> None:
    common = "a" * 31
    first, second = names.dashboard_uid(f"{common}-one"), names.dashboard_uid(f"{common}-two")
    assert first != second
    assert len(first) == len(second) == 40
    # names that fit keep their uid (the example dashboards' uids do not change)
    assert names.dashboard_uid("support-agent") == "agentops-support-agent"
    assert names.dashboard_uid("b" * 31) == "agentops-" + "b" * 31


def test_rendered_dashboards_get_distinct_uids(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    common = "c" * 31
    for suffix in ("one", "two"):
        (specs / f"{suffix}.yaml").write_text(_service(f"{common}-{suffix}"))
    # a 63-character name (the longest) renders: file names built from it stay short enough
    (specs / "long.yaml").write_text(_service("d" * 63))
    result = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    import json

    uids = [json.loads(p.read_text())["uid"] for p in sorted((tmp_path / "out" / "grafana").rglob("*.json"))]
    assert len(uids) == 3 and len(set(uids)) == 3 and all(len(u) <= 40 for u in uids)


# --- receivers Alertmanager accepts ----------------------------------------------------------------------

def test_opsgenie_api_url_is_an_endpoint(tmp_path: Path, amtool: str) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    receivers = ("receivers:\n  genie:\n    opsgenie: {api_key_file: /etc/am/opsgenie, "
                 "api_url: 'https://api.eu.opsgenie.com/'}\n  mail:\n    email: {to: a@example.com, "
                 "from: b@example.com, smarthost: 'smtp.example.com:587'}\n"
                 "notify: {critical: genie, warning: mail}\n")
    (specs / "svc.yaml").write_text(_service("checkout-agent") + receivers)
    result = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    config = tmp_path / "out" / "alertmanager" / "alertmanager.yml"
    assert '"https://api.eu.opsgenie.com/"' in config.read_text()
    checked = _run(amtool, "check-config", str(config))
    assert checked.returncode == 0, checked.stdout + checked.stderr


# --- credentials in URLs and headers (alerting/url-credentials) ------------------------------------------

@pytest.mark.parametrize(("body", "marker"), [
    ("dashboard_base_url: 'https://grafana.example.com/?api_key=abc'\n", "'https"),
    ("receivers: {hook: {webhook: {url: 'https://hooks.example.com/x?access_token=abc'}}}\n", "'https"),
    ("receivers: {hook: {webhook: {url: 'https://u:p@hooks.example.com/x'}}}\n", "'https"),
    ("receivers: {mail: {email: {to: a@example.com, from: b@example.com, smarthost: 's:25', "
     "headers: {Authorization: Bearer x}}}}\n", "Authorization"),
    ("telemetry: {traces: {export: {otlphttp: 'https://u:p@tempo.example.com:4318'}}}\n", "'https"),
])
def test_url_credentials_are_lint_errors_at_their_value(body: str, marker: str, tmp_path: Path) -> None:
    from agentops_gen.lint.runner import lint

    text = HEADER + "description: x\n" + body
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "svc.yaml").write_text(text)
    hits = [f for f in lint([specs], disabled=set()) if f.check == "alerting/url-credentials"]
    assert [(f.location.line, f.location.col) for f in hits] == [_location(text, marker, len(HEADER))]
    assert hits[0].severity == "error"
    # render refuses the same value: a credential in a committed file is a leak
    rendered = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert rendered.returncode == 2 and "committed credential" in rendered.stderr, rendered.stderr
    assert not (tmp_path / "out").exists()


def test_plain_urls_and_email_addresses_are_not_credentials(tmp_path: Path) -> None:
    from agentops_gen.lint.runner import lint

    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "svc.yaml").write_text(
        HEADER + "description: x\nrunbook_base_url: https://git.example.com/ops?ref=main&path=runbooks\n"
        "receivers: {mail: {email: {to: oncall@example.com, from: am@example.com, smarthost: 's:25', "
        "headers: {Subject: hi}}}}\n")
    assert [f.format() for f in lint([specs], disabled=set()) if f.check == "alerting/url-credentials"] == []


def test_inf_bucket_boundary_is_still_accepted(tmp_path: Path) -> None:
    """Only NaN/Inf *values* are refused: the +Inf bucket of a histogram may be listed among the buckets."""
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "svc.yaml").write_text(HEADER + "slos:\n  - name: lat\n    objective: 99\n    sli: {latency: "
                                    "{histogram: h_seconds, threshold: 1s, buckets: [0.5, 1, .inf]}}\n")
    result = run_cli("render", "specs", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("template", "go_parses"), [
    ("{{ $value }} and {{ $labels.job }}", True), ('{{ "}}" }} quoted', True), ("{{ `a }} b` }}", True),
    ("{{/* it's a comment */}} x", True), ("{{- /* trimmed */ -}} y", True), ("}} alone {", True),
    ("{{ humanize $value }}", True), ('{{ range query "up" }}{{ .Labels.job }}{{ end }}', True),
    ("{{ oops", False), ("a {{ {{ $value }}", False), ('{{ "abc }}', False), ("{{/* open", False),
    ("{{ a }}", False), ("{{ $value | humanise }}", False),
])
def test_template_check_agrees_with_promtool(template: str, go_parses: bool, tmp_path: Path, promtool: str) -> None:
    from agentops_gen.spec.common import go_template_problem

    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [
        {"alert": "A", "expr": "vector(1)", "annotations": {"note": template}}]}]}))
    assert (_run(promtool, "check", "rules", str(path)).returncode == 0) is go_parses
    assert (go_template_problem(template) is None) is go_parses
