"""The merged Alertmanager config: accepted by amtool, routes every service x severity to the exact receiver."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from agentops_gen.pipeline import plan_paths
from agentops_gen.plan.matchers import Matcher, matches
from agentops_gen.plan.routing import carried_labels, config_matchers, plan_alertmanager, unmatched_matchers
from agentops_gen.spec.service import ServiceSpec
from tests.conftest import FIXTURES, SPECS, run_cli

BASIC = FIXTURES / "alertmanager" / "basic"
SEVERITIES = ("critical", "warning", "info")


def render(spec_dir: Path, out: Path, *paths: Path) -> Path:
    """Render through the CLI; returns out/alertmanager/alertmanager.yml."""
    result = run_cli("render", *[str(p) for p in (paths or (spec_dir,))], "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / "alertmanager" / "alertmanager.yml"


@pytest.fixture(scope="module")
def basic_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture spec folder rendered once."""
    return render(BASIC, tmp_path_factory.mktemp("am-basic") / "out")


@pytest.fixture(scope="module")
def example_config(rendered_examples: Path) -> Path:
    """slo_specs/ rendered (session fixture of conftest)."""
    return rendered_examples / "alertmanager" / "alertmanager.yml"


def routes_test(amtool: str, config: Path, **labels: str) -> list[str]:
    """Receivers `amtool config routes test` picks for an alert with these labels."""
    args = [amtool, "config", "routes", "test", f"--config.file={config}", *(f"{k}={v}" for k, v in labels.items())]
    result = subprocess.run(args, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().split(",")


def expected_table(spec_dir: Path) -> tuple[dict[tuple[str, str], list[str]], str]:
    """(service, severity) -> receivers, written out from the specs' `notify:` by the naming rule."""
    specs, _ = plan_paths([spec_dir])
    platform = specs.platform.spec if specs.platform else None
    root = platform.alertmanager.receiver if platform and platform.alertmanager.receiver else "agentops-default"
    table: dict[tuple[str, str], list[str]] = {}
    for sf in specs.services:
        spec = sf.spec
        assert isinstance(spec, ServiceSpec)
        for severity in SEVERITIES:
            wanted = getattr(spec.notify, severity)
            table[(spec.service, severity)] = [
                f"{spec.service}-{n}" if n in spec.receivers else n for n in wanted
            ] or [root]
    return table, root


@pytest.mark.tools
def test_amtool_accepts_the_examples_config(amtool: str, example_config: Path) -> None:
    result = subprocess.run([amtool, "check-config", str(example_config)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " - 1 templates" in result.stdout  # the shipped template file resolved next to the config


@pytest.mark.tools
def test_amtool_accepts_the_fixture_config(amtool: str, basic_config: Path) -> None:
    result = subprocess.run([amtool, "check-config", str(basic_config)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.tools
def test_example_routing_table(amtool: str, example_config: Path) -> None:
    table, root = expected_table(SPECS)
    assert len({s for s, _ in table}) >= 5
    for (service, severity), receivers in sorted(table.items()):
        assert routes_test(amtool, example_config, service=service, severity=severity) == receivers, (service, severity)
    assert routes_test(amtool, example_config, service="no-such-service", severity="critical") == [root]


@pytest.mark.tools
def test_fixture_routing_table_exact(amtool: str, basic_config: Path) -> None:
    # Spelled out by hand: fan-out keeps spec order, platform receivers keep their bare name,
    # a severity without `notify:` entry and an unknown service land on the root receiver.
    table = {
        ("checkout", "critical"): ["checkout-pager", "checkout-chat"],
        ("checkout", "warning"): ["checkout-chat"],
        ("checkout", "info"): ["checkout-tickets"],
        ("search", "critical"): ["search-genie"],
        ("search", "warning"): ["ops-default"],
        ("search", "info"): ["ops-default"],
        ("billing", "critical"): ["ops-default"],
    }
    for (service, severity), receivers in table.items():
        assert routes_test(amtool, basic_config, service=service, severity=severity) == receivers, (service, severity)
    assert expected_table(BASIC)[0] == {k: v for k, v in table.items() if k[0] != "billing"}


def test_routing_tree_shape(basic_config: Path) -> None:
    doc = yaml.safe_load(basic_config.read_text())
    route = doc["route"]
    assert route["receiver"] == "ops-default"
    assert route["group_by"] == ["alertname", "service", "slo"]
    assert route["group_wait"] == "10s"
    checkout, search = route["routes"]
    assert checkout == {"matchers": ['service="checkout"'], "routes": [
        {"matchers": ['severity="critical"'], "receiver": "checkout-pager", "continue": True},
        {"matchers": ['severity="critical"'], "receiver": "checkout-chat"},
        {"matchers": ['severity="warning"'], "receiver": "checkout-chat",
         "mute_time_intervals": ["outside-business-hours"]},
        {"matchers": ['severity="info"'], "receiver": "checkout-tickets",
         "mute_time_intervals": ["outside-business-hours"]},
    ]}
    assert search["group_by"] == ["alertname", "service"]
    assert "continue" not in str(search)


def test_only_current_syntax(example_config: Path) -> None:
    doc = yaml.safe_load(example_config.read_text())

    def walk(node: Any) -> None:
        assert not {"match", "match_re", "source_match", "target_match", "source_match_re",
                    "target_match_re"} & set(node)
        for child in node.get("routes", []):
            walk(child)

    walk(doc["route"])
    for rule in doc["inhibit_rules"]:
        assert set(rule) == {"source_matchers", "target_matchers", "equal"}


def test_continue_only_between_fan_out_siblings(example_config: Path) -> None:
    doc = yaml.safe_load(example_config.read_text())
    for service in doc["route"]["routes"]:
        assert "continue" not in service
        children = service["routes"]
        for i, child in enumerate(children):
            nxt = children[i + 1] if i + 1 < len(children) else None
            same = nxt is not None and nxt["matchers"] == child["matchers"]
            assert child.get("continue", False) == same, (service["matchers"], i)


def test_secrets_only_from_absolute_files(example_config: Path) -> None:
    doc = yaml.safe_load(example_config.read_text())
    for receiver in doc["receivers"]:
        for kind, entries in receiver.items():
            if kind == "name":
                continue
            for entry in entries:
                assert not {"api_url", "routing_key", "service_key", "api_key", "auth_password"} & set(entry)
                for key, value in entry.items():
                    if key.endswith("_file"):
                        assert value.startswith("/"), (receiver["name"], key)
                assert "${" not in str(entry)


def test_one_spec_renders_every_services_routes(tmp_path: Path, example_config: Path) -> None:
    # Rendering a single file still builds the config from the whole spec folder.
    single = render(SPECS, tmp_path / "one", SPECS / "amas.yaml")
    assert single.read_text() == example_config.read_text()
    services = [r["matchers"][0] for r in yaml.safe_load(single.read_text())["route"]["routes"]]
    assert len(services) >= 5 and 'service="support-agent"' in services


def test_one_fixture_spec_keeps_the_other_service(tmp_path: Path, basic_config: Path) -> None:
    single = render(BASIC, tmp_path / "one", BASIC / "search.yaml")
    assert single.read_text() == basic_config.read_text()
    assert 'service="checkout"' in single.read_text().replace('\\"', '"')


def test_templates_shipped_and_referenced(basic_config: Path) -> None:
    doc = yaml.safe_load(basic_config.read_text())
    assert doc["templates"] == ["templates/agentops.tmpl"]
    template = basic_config.parent / "templates" / "agentops.tmpl"
    assert '{{ define "agentops.slack.text" -}}' in template.read_text()
    slack = next(r for r in doc["receivers"] if r["name"] == "checkout-chat")["slack_configs"][0]
    assert slack["text"] == '{{ template "agentops.slack.text" . }}'
    assert slack["channel"] == "#checkout"


@pytest.mark.tools
def test_slack_template_renders_summary_slo_runbook_and_dashboard(amtool: str, basic_config: Path,
                                                                 tmp_path: Path) -> None:
    data = {
        "receiver": "checkout-chat", "status": "firing", "externalURL": "http://am",
        "groupLabels": {"alertname": "CheckoutAvailabilityBurnRatePage"},
        "commonLabels": {"alertname": "CheckoutAvailabilityBurnRatePage", "service": "checkout",
                         "slo": "availability", "severity": "critical"},
        "commonAnnotations": {},
        "alerts": [{
            "status": "firing", "fingerprint": "1", "generatorURL": "", "startsAt": "2024-01-01T00:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "labels": {"alertname": "CheckoutAvailabilityBurnRatePage", "service": "checkout", "team": "shop",
                       "slo": "availability", "severity": "critical"},
            "annotations": {"summary": "checkout availability: burning", "description": "Error ratio now 12%.",
                            "runbook_url": "https://git.example.com/runbooks/checkout/X.md",
                            "dashboard_url": "https://grafana.example.com/d/agentops-checkout"},
        }],
    }
    (tmp_path / "data.json").write_text(json.dumps(data))
    template = basic_config.parent / "templates" / "agentops.tmpl"

    def show(name: str) -> str:
        result = subprocess.run([amtool, "template", "render", f"--template.glob={template}",
                                 f'--template.text={{{{ template "{name}" . }}}}',
                                 f"--template.data={tmp_path / 'data.json'}"],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert show("agentops.slack.title") == "[FIRING:1] checkout / availability: CheckoutAvailabilityBurnRatePage"
    text = show("agentops.slack.text")
    assert "*checkout availability: burning*" in text and "Error ratio now 12%." in text
    assert "*SLO:* availability" in text and "(team shop)" in text
    assert "<https://git.example.com/runbooks/checkout/X.md|Runbook>" in text
    assert "<https://grafana.example.com/d/agentops-checkout|Dashboard>" in text


def _generated_alerts(spec_dir: Path) -> list[dict[str, str]]:
    _, plan = plan_paths([spec_dir])
    return [{**a.labels, "alertname": a.name} for s in plan.services for a in s.alerts]


@pytest.mark.parametrize("spec_dir", [SPECS, BASIC], ids=["examples", "fixture"])
def test_no_inhibit_rule_can_silence_its_own_source(spec_dir: Path) -> None:
    _, plan = plan_paths([spec_dir])
    am = plan_alertmanager(plan)
    alerts = _generated_alerts(spec_dir)
    assert am.inhibit_rules
    for rule in am.inhibit_rules:
        both = [a["alertname"] for a in alerts if matches(rule.source, a) and matches(rule.target, a)]
        assert both == [], rule.why
        # every rule has work to do: some generated alert on each side
        assert any(matches(rule.source, a) for a in alerts), rule.why
        assert any(matches(rule.target, a) for a in alerts), rule.why


def test_inhibit_rules_of_the_fixture() -> None:
    _, plan = plan_paths([BASIC])
    rules = {r.why: r for r in plan_alertmanager(plan).inhibit_rules}
    outage = rules["checkout: an outage/down alert silences the service's other alerts"]
    assert [m.render() for m in outage.source] == ['service="checkout"',
                                                   'alertname=~"CheckoutAvailabilityOutage|CheckoutDown"']
    assert [m.render() for m in outage.target] == ['service="checkout"',
                                                   'alertname!~"CheckoutAvailabilityOutage|CheckoutDown"']
    critical = rules["checkout: a critical SLO alert silences warnings of the same SLO"]
    assert critical.equal == ("service", "slo")
    assert [m.render() for m in critical.source] == ['service="checkout"', 'severity="critical"', 'slo=~".+"']
    page = rules["search: the page burn-rate alert silences the ticket one of its SLO"]
    assert [m.render() for m in page.source] == ['service="search"', 'alertname=~"SearchLatencyBurnRatePage"']
    assert [m.render() for m in page.target] == ['service="search"', 'alertname=~"SearchLatencyBurnRateTicket"']
    # search has both burn alerts critical and no outage alert: only the page > ticket rule applies
    assert [w for w in rules if w.startswith("search")] == [page.why]


def test_route_and_inhibit_matchers_use_labels_alerts_carry() -> None:
    # The hook lint uses: every matcher the generator writes names a label some alert carries.
    for spec_dir in (SPECS, BASIC):
        _, plan = plan_paths([spec_dir])
        carried = carried_labels(plan)
        used = config_matchers(plan_alertmanager(plan))
        assert used and all(isinstance(m, Matcher) for _, m in used)
        assert {m.label for _, m in used} <= carried


def test_render_is_deterministic(tmp_path: Path, basic_config: Path) -> None:
    again = render(BASIC, tmp_path / "again")
    assert again.read_bytes() == basic_config.read_bytes()


def test_dead_routes_are_reported_for_lint() -> None:
    # checkout has no info alert and search no warning alert: their routes can never fire.
    _, plan = plan_paths([BASIC])
    dead = unmatched_matchers(plan, plan_alertmanager(plan))
    assert [(where, [m.render() for m in matchers]) for where, matchers in dead] == [
        ("route.routes[0].routes[3]", ['service="checkout"', 'severity="info"']),
        ("route.routes[1].routes[1]", ['service="search"', 'severity="warning"']),
    ]


def test_newer_target_renders_msteams_and_webhook_url_file(tmp_path: Path) -> None:
    # Alertmanager >= 0.27 only (not provable with the 0.25 amtool): rendered as documented upstream.
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "platform.yaml").write_text("version: agentops-gen/v1\nkind: platform\nalertmanager: {version: '0.27'}\n")
    (specs / "demo.yaml").write_text(
        "version: agentops-gen/v1\nservice: demo\nowner: team-a\nnotify: {critical: [teams, hook]}\n"
        "receivers:\n  teams:\n    msteams: {webhook_url_file: /etc/am/teams}\n"
        "  hook:\n    webhook: {url_file: /etc/am/hook, max_alerts: 5}\n")
    doc = yaml.safe_load(render(specs, tmp_path / "out").read_text())
    receivers = {r["name"]: r for r in doc["receivers"]}
    assert receivers["demo-teams"]["msteams_configs"] == [{
        "webhook_url_file": "/etc/am/teams", "title": '{{ template "agentops.msteams.title" . }}',
        "text": '{{ template "agentops.msteams.text" . }}'}]
    assert receivers["demo-hook"]["webhook_configs"] == [{"url_file": "/etc/am/hook", "max_alerts": 5}]
    assert receivers["agentops-default"] == {"name": "agentops-default"}
    assert doc["route"]["receiver"] == "agentops-default"
    assert "time_intervals" not in doc  # no business hours: nothing muted
