"""`agentops-gen import sloth|openslo` (issue 15 part 4): the mapping of each format, the `#` comment on every
field that is not carried over, located errors on bad input, and written specs that lint, render and load
in promtool. The round trip against Sloth's own output is tests/test_sloth_conformance.py, which imports
every Sloth example with this command."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, run_cli

SLOTH = FIXTURES / "sloth"
OPENSLO = FIXTURES / "openslo"


def do_import(tmp_path: Path, source: str, *files: Path | str, options: tuple[str, ...] = ()) -> dict[str, str]:
    """File name -> text of the specs `import` writes (the command must succeed)."""
    out = tmp_path / "imported"
    result = run_cli("import", source, *map(str, files), "--out", str(out), *options)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return {p.name: p.read_text() for p in sorted(out.iterdir())}


def data(text: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def comment_above(text: str, comment: str) -> str:
    """The first non-comment line after the comment line containing `comment` (stripped)."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("#") and comment in line)
    return next(line for line in lines[at + 1:] if not line.lstrip().startswith("#")).strip()


# --- Sloth: mapping ---------------------------------------------------------------------------------------------


def test_sloth_sum_rate_events_become_a_ratio_sli_with_alert_names_and_labels_kept(tmp_path: Path) -> None:
    (text,) = do_import(tmp_path, "sloth", SLOTH / "examples" / "getting-started.yml").values()
    spec = data(text)
    # written from examples/getting-started.yml by reading it, field by field
    assert spec == {
        "version": "agentops-gen/v1",
        "service": "myservice",
        "owner": "myteam",
        "labels": {"owner": "myteam", "repo": "myorg/myservice", "tier": "2"},
        "slos": [{
            "name": "requests-availability",
            "objective": 99.9,
            "description": "Common SLO based on availability for HTTP request responses.",
            "sli": {"ratio": {"errors": 'http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}',
                              "total": 'http_request_duration_seconds_count{job="myservice"}'}},
            "alerting": {
                "name": "MyServiceHighErrorRate",
                "labels": {"category": "availability"},
                "annotations": {"summary": "High error rate on 'myservice' requests responses"},
                "page": {"labels": {"routing_key": "myteam"}},
                "ticket": {"labels": {"slack_channel": "#alerts-myteam"}},
            },
        }],
    }


def test_sloth_crd_imports_like_the_prometheus_v1_spec(tmp_path: Path) -> None:
    """The CRD spells the same fields in camelCase (errorQuery, pageAlert, ...): same spec, plus metadata notes."""
    (spec_text,) = do_import(tmp_path / "a", "sloth", SLOTH / "examples" / "getting-started.yml").values()
    (crd_text,) = do_import(tmp_path / "b", "sloth", SLOTH / "examples" / "k8s-getting-started.yml").values()
    assert data(crd_text) == data(spec_text)
    assert "# not carried over: CRD metadata.namespace (monitoring)" in crd_text


def test_sloth_count_minus_bucket_becomes_a_latency_sli(tmp_path: Path) -> None:
    (text,) = do_import(tmp_path, "sloth", SLOTH / "examples" / "kubernetes-apiserver.yml").values()
    availability, latency = data(text)["slos"]
    assert availability["sli"] == {"ratio": {"errors": 'apiserver_request_total{code=~"(5..|429)"}',
                                             "total": "apiserver_request_total"}}
    assert latency["sli"] == {"latency": {"histogram": 'apiserver_request_duration_seconds{verb!="WATCH"}',
                                          "threshold": "400ms"}}
    # Sloth's `severity: critical|warning` labels are our page/ticket severities
    assert latency["alerting"]["page"] == {"severity": "critical"}
    assert latency["alerting"]["ticket"] == {"severity": "warning"}


SLOTH_OTHER = """\
version: "prometheus/v1"
service: "shop"
slos:
  - name: "checkout"
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}])) or vector(0)
        total_query: sum(rate(http_requests_total[{{ .window }}]))
  - name: "grouped"
    objective: 99
    sli:
      events:
        error_query: sum by (route) (rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum by (route) (rate(http_requests_total[{{.window}}]))
  - name: "ratio"
    objective: 95
    sli:
      raw:
        error_ratio_query: 1 - avg_over_time(probe_success{job="shop"}[{{.window}}])
"""


def test_sloth_other_queries_stay_raw_slis_with_sloths_division(tmp_path: Path) -> None:
    (tmp_path / "shop.yml").write_text(SLOTH_OTHER)
    (text,) = do_import(tmp_path, "sloth", tmp_path / "shop.yml").values()
    checkout, grouped, ratio = data(text)["slos"]
    assert checkout["sli"] == {"raw": {
        "error_ratio": '(sum(rate(http_requests_total{code=~"5.."}[{{ window }}])) or vector(0))\n/\n'
                       "(sum(rate(http_requests_total[{{ window }}])))",
        "events": "sum(rate(http_requests_total[{{ window }}]))",
    }}
    assert "raw" in grouped["sli"]  # `sum by` keeps its groups: not a ratio SLI's plain sum
    assert ratio["sli"] == {"raw": {"error_ratio": '1 - avg_over_time(probe_success{job="shop"}[{{ window }}])'}}
    assert comment_above(text, "Sloth events SLI kept as a raw SLI") == "sli:"


SLOTH_TWO_DOCUMENTS = """\
version: "prometheus/v1"
service: "svc"
labels: {tier: "1"}
slos:
  - name: "a"
    objective: 99
    sli: {raw: {error_ratio_query: "sum(rate(x[{{.window}}]))"}}
---
---
version: "prometheus/v1"
service: "svc"
labels: {tier: "2"}
slos:
  - name: "b"
    objective: 99.5
    sli: {raw: {error_ratio_query: "sum(rate(y[{{.window}}]))"}}
"""


def test_sloth_documents_of_one_service_become_one_spec(tmp_path: Path) -> None:
    (tmp_path / "two.yml").write_text(SLOTH_TWO_DOCUMENTS)
    files = do_import(tmp_path, "sloth", tmp_path / "two.yml")
    assert list(files) == ["svc.yaml"]
    spec = data(files["svc.yaml"])
    assert [(slo["name"], slo["objective"]) for slo in spec["slos"]] == [("a", 99), ("b", 99.5)]
    assert spec["labels"] == {"tier": "1"}
    assert comment_above(files["svc.yaml"], "not carried over: labels {'tier': '2'} of the same service") == \
        "labels:"
    assert files["svc.yaml"].count("Sloth has no owner field") == 1


def test_sloth_period_and_window_catalog_options(tmp_path: Path) -> None:
    base = SLOTH / "integration" / "testdata" / "in-base.yaml"
    (text,) = do_import(tmp_path / "a", "sloth", base, options=("--period", "28d")).values()
    assert data(text)["period"] == "28d"
    assert all("windows" not in (slo.get("alerting") or {}) for slo in data(text)["slos"])
    windows = SLOTH / "integration" / "windows" / "7d.yaml"
    (text,) = do_import(tmp_path / "b", "sloth", base, options=("--windows", str(windows))).values()
    spec = data(text)
    assert spec["period"] == "7d"  # the catalog's sloPeriod
    # integration/windows/7d.yaml, with 24h/72h written the way Prometheus (and Sloth's rule names) spell them
    assert spec["slos"][0]["alerting"]["windows"] == [
        {"severity": "page", "long": "1h", "short": "5m", "budget_percent": 8},
        {"severity": "page", "long": "6h", "short": "30m", "budget_percent": 12.5},
        {"severity": "ticket", "long": "1d", "short": "2h", "budget_percent": 20},
        {"severity": "ticket", "long": "3d", "short": "6h", "budget_percent": 42},
    ]
    clash = run_cli("import", "sloth", str(base), "--out", str(tmp_path / "c"), "--period", "30d",
                    "--windows", str(windows))
    assert clash.returncode == 2
    assert clash.stderr.strip().splitlines() == [
        f"agentops-gen: error: --period 30d differs from the sloPeriod 7d of {windows}; Sloth uses a window "
        "catalog only for its own period"]
    assert not (tmp_path / "c").exists()


# --- comments on what is not carried over ------------------------------------------------------------------------

SLOTH_UNCARRIED = """\
version: "prometheus/v1"
service: "My_Service"
labels:
  team: "payments"
  cost-center: "42"
slo_plugins:
  chain:
    - id: "sloth.dev/core/debug/v1"
slos:
  - name: "Checkout_Availability"
    objective: 99.9
    plugins:
      chain: []
    labels:
      slo: "dup"
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
    alerting:
      name: CheckoutAlert
      annotations:
        "runbook url": "https://example.com"
        title: "{{$labels.sloth_service}} is failing"
      page_alert:
        labels:
          severity: pager
  - name: "plugin-slo"
    objective: 99
    sli:
      plugin:
        id: "sloth-common/kubernetes/apiserver/availability"
"""


def test_every_uncarried_sloth_field_has_a_comment_where_it_was(tmp_path: Path) -> None:
    (tmp_path / "svc.yml").write_text(SLOTH_UNCARRIED)
    files = do_import(tmp_path, "sloth", tmp_path / "svc.yml")
    assert list(files) == ["my-service.yaml"]
    text = files["my-service.yaml"]
    expected_above = {  # comment -> the line it sits on top of
        "renamed from 'My_Service'": 'service: "my-service"',
        "label team='payments' is the `owner`": "version: \"agentops-gen/v1\"",
        "label cost-center='42' not carried over: not a Prometheus label name": "version: \"agentops-gen/v1\"",
        "not carried over: `slo_plugins`": "version: \"agentops-gen/v1\"",
        "renamed from 'Checkout_Availability'": '- name: "checkout-availability"',
        "not carried over: `plugins`": '- name: "checkout-availability"',
        "label slo='dup' not carried over": '- name: "checkout-availability"',
        "annotation 'runbook url' not carried over": "alerting:",
        "label severity='pager' not carried over": "alerting:",
        "annotation 'title' reads Sloth's label sloth_service": "alerting:",
        "not carried over: SLO 'plugin-slo' (line 28): its SLI is the Sloth plugin": "slos:",
    }
    for comment, line in expected_above.items():
        assert comment_above(text, comment) == line, comment
    spec = data(text)
    assert [slo["name"] for slo in spec["slos"]] == ["checkout-availability"]
    assert spec["owner"] == "payments"
    assert "labels" not in spec and "labels" not in spec["slos"][0]
    assert spec["slos"][0]["alerting"] == {"name": "CheckoutAlert",
                                           "annotations": {"title": "{{$labels.sloth_service}} is failing"}}
    assert_lints_and_renders(tmp_path / "imported", tmp_path / "out")


def test_every_uncarried_openslo_field_has_a_comment(tmp_path: Path) -> None:
    files = do_import(tmp_path, "openslo", OPENSLO / "checkout.yaml", OPENSLO / "go-sdk-slis.yaml")
    assert list(files) == ["checkout.yaml", "web-shop.yaml"]
    checkout, web_shop = files["checkout.yaml"], files["web-shop.yaml"]
    assert comment_above(checkout, "not carried over: alertPolicies") == '- name: "payments-accepted-strict"'
    assert comment_above(checkout, "timeWindow 1M taken as 30d") == 'period: "30d"'
    assert comment_above(checkout, "not carried over: the calendar-aligned time window (startTime 2024-01-01 "
                                   "00:00:00, timeZone UTC)") == 'period: "30d"'
    assert comment_above(checkout, "not carried over: budgetingMethod Timeslices") == '- name: "cart-latency"'
    assert comment_above(checkout, "not carried over: timeSliceTarget 0.95") == '- name: "cart-latency"'
    assert comment_above(checkout, "not carried over: timeSliceWindow '1m'") == '- name: "cart-latency"'
    assert comment_above(web_shop, "not carried over: OpenSLO SLO 'search-availability' objective 1 (line 153): "
                                   "its SLI reads metric source type 'Datadog'") == "slos: []"
    (oslo,) = do_import(tmp_path / "oslo", "openslo", OPENSLO / "oslo-validate-v1.yaml").values()
    assert comment_above(oslo, "label team=['team-a', 'team-b'] not carried over") == '- name: "web-availability"'
    assert comment_above(oslo, "not carried over: op 'gt': only a thresholdMetric") == '- name: "web-availability"'
    assert comment_above(oslo, "OpenSLO has no owner field") == 'owner: "unknown"'


# --- OpenSLO: mapping ----------------------------------------------------------------------------------------------


def test_openslo_mapping(tmp_path: Path) -> None:
    files = do_import(tmp_path, "openslo", OPENSLO / "checkout.yaml", OPENSLO / "go-sdk-slis.yaml")
    spec = data(files["checkout.yaml"])
    assert (spec["service"], spec["owner"], spec["description"]) == ("checkout", "payments",
                                                                     "Checkout API of the web shop.")
    slos = {slo["name"]: slo for slo in spec["slos"]}
    assert list(slos) == ["availability", "payments-accepted-strict", "payments-accepted-relaxed", "cart-latency",
                          "cart-uptime"]
    # indicatorRef -> the SLI object, whose sources name the DataSource `prom` (type Prometheus)
    assert slos["availability"] == {
        "name": "availability", "objective": 99.95, "description": "Checkout availability", "period": "28d",
        "labels": {"tier": "1"},
        "sli": {"ratio": {"errors": 'http_requests_total{job="checkout",code=~"5.."}',
                          "total": 'http_requests_total{job="checkout"}'}},
    }
    # two objectives -> two SLOs; counter queries (a selector, sum(selector)) -> a ratio SLI of their selectors
    strict, relaxed = slos["payments-accepted-strict"], slos["payments-accepted-relaxed"]
    assert (strict["objective"], relaxed["objective"]) == (99.5, 98)
    assert strict["sli"] == relaxed["sli"] == {"ratio": {
        "good": 'payment_attempts_total{job="checkout",result="accepted"}',
        "total": 'payment_attempts_total{job="checkout"}'}}
    assert strict["period"] == "30d"
    # thresholdMetric `lte 0.5`: the share of 1m samples above 0.5 (checked in promtool below)
    ratio = slos["cart-latency"]["sli"]["raw"]["error_ratio"]
    assert re.fullmatch(r"avg_over_time\(\(\s*\(histogram_quantile\(.*\)\) > bool 0\.5\s*\)\[\{\{ window \}\}:1m\]\)",
                        ratio, re.S), ratio
    # rawType success: the error ratio is 1 - the stored ratio
    assert slos["cart-uptime"]["sli"]["raw"]["error_ratio"] == \
        '1 - (\n  avg(avg_over_time(up{job="cart"}[{{ window }}]))\n)'
    assert "period" not in slos["cart-uptime"]  # no timeWindow: the service's (default) period


def test_openslo_counter_sums_and_list_files(tmp_path: Path) -> None:
    """oslo's v1 example: a list of objects, `counter: true` with `sum(selector)` queries."""
    (text,) = do_import(tmp_path, "openslo", OPENSLO / "oslo-validate-v1.yaml").values()
    (slo,) = data(text)["slos"]
    assert slo["objective"] == 99.5 and slo["period"] == "1w" and slo["labels"] == {"env": "prod"}
    assert slo["sli"] == {"ratio": {"good": 'http_requests{k8s_cluster="prod",component="web",code=~"2xx|4xx"}',
                                    "total": 'http_requests{k8s_cluster="prod",component="web"}'}}


THRESHOLD = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: lag-{name}
spec:
  service: queue
  indicator:
    metadata:
      name: lag
    spec:
      thresholdMetric:
        metricSource:
          type: Prometheus
          spec:
            query: max(queue_lag{{job="q"}})
  budgetingMethod: Occurrences
  objectives:
    - op: {op}
      value: 100
      target: 0.9
"""


@pytest.mark.tools
def test_openslo_threshold_metric_counts_bad_samples_in_promtool(tmp_path: Path, promtool: str) -> None:
    """lag 50, then 100 for 20m, then 150: with `lt 100` a sample of 100 is bad, with `lte 100` good.

    Each checked window (10m of 1m samples) holds one value only, so the expected share does not depend on
    whether Prometheus counts the sample at the window's left edge (2.x does, 3.x does not)."""
    for op in ("lt", "lte"):
        (tmp_path / f"{op}.yaml").write_text(THRESHOLD.format(name=op, op=op))
    (text,) = do_import(tmp_path, "openslo", tmp_path / "lt.yaml", tmp_path / "lte.yaml").values()
    rules = {slo["name"]: slo["sli"]["raw"]["error_ratio"].replace("{{ window }}", "10m")
             for slo in data(text)["slos"]}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": [{"name": "t", "rules": [
        {"record": f"bad:{name.replace('-', '_')}", "expr": expr} for name, expr in sorted(rules.items())]}]}))
    expected = {"9m30s": (0, 0), "25m": (1, 0), "29m30s": (1, 0), "45m": (1, 1)}
    tests = [{"expr": "bad:lag_lt", "eval_time": t, "exp_samples": [{"labels": "bad:lag_lt", "value": lt}]}
             for t, (lt, _) in expected.items()]
    tests += [{"expr": "bad:lag_lte", "eval_time": t, "exp_samples": [{"labels": "bad:lag_lte", "value": lte}]}
              for t, (_, lte) in expected.items()]
    (tmp_path / "test.yaml").write_text(yaml.safe_dump({
        "rule_files": ["rules.yaml"], "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": [{"series": 'queue_lag{job="q"}',
                                                       "values": "50x9 100x19 150x20"}],
                   "promql_expr_test": tests}]}))
    result = subprocess.run([promtool, "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# --- written specs are valid and deterministic --------------------------------------------------------------------


def assert_lints_and_renders(specs: Path, out: Path, promtool: str | None = None) -> None:
    lint = run_cli("lint", str(specs))
    assert lint.returncode == 0, lint.stdout + lint.stderr
    render = run_cli("render", str(specs), "--out", str(out))
    assert render.returncode == 0, render.stderr
    if promtool:
        rules = sorted((out / "prometheus").glob("*.rules.yaml"))
        assert rules
        check = subprocess.run([promtool, "check", "rules", *map(str, rules)], capture_output=True, text=True,
                               timeout=120)
        assert check.returncode == 0, check.stdout + check.stderr


IMPORTS = {
    "sloth-examples": ("sloth", ["examples/getting-started.yml", "examples/kubernetes-apiserver.yml",
                                 "examples/no-alerts.yml", "examples/raw-home-wifi.yml",
                                 "integration/testdata/in-base.yaml"], ()),
    "sloth-crd": ("sloth", ["examples/k8s-getting-started.yml"], ()),
    "sloth-7d-windows": ("sloth", ["integration/testdata/in-base.yaml"], ("--windows", "windows-7d")),
    "openslo": ("openslo", ["checkout.yaml", "go-sdk-slis.yaml", "oslo-validate-v1.yaml",
                            "spec-occurrences-threshold-slo.yaml"], ()),
}


@pytest.mark.tools
@pytest.mark.parametrize("case", list(IMPORTS))
def test_imported_specs_lint_render_and_load_in_promtool(case: str, tmp_path: Path, promtool: str) -> None:
    source, names, options = IMPORTS[case]
    base = SLOTH if source == "sloth" else OPENSLO
    opts = tuple(str(SLOTH / "integration" / "windows" / "7d.yaml") if o == "windows-7d" else o for o in options)
    files = do_import(tmp_path, source, *(base / n for n in names), options=opts)
    assert files
    assert_lints_and_renders(tmp_path / "imported", tmp_path / "out", promtool)


def test_same_input_same_bytes(tmp_path: Path) -> None:
    for source, names, _ in (IMPORTS["sloth-examples"], IMPORTS["openslo"]):
        base = SLOTH if source == "sloth" else OPENSLO
        first = do_import(tmp_path / f"{source}-1", source, *(base / n for n in names))
        second = do_import(tmp_path / f"{source}-2", source, *(base / n for n in names))
        assert first == second
        again = run_cli("import", source, *(str(base / n) for n in names), "--out", str(tmp_path / f"{source}-1"
                                                                                          / "imported"))
        assert again.returncode == 0, again.stderr  # same content: rewriting is not a clash


# --- bad input ----------------------------------------------------------------------------------------------------

BAD = {
    "sloth-typo-and-missing-window": ("sloth", """\
version: "prometheus/v1"
service: "svc"
slos:
  - name: "a"
    objetive: 99.9
    sli:
      events:
        error_query: sum(rate(x{code="5"}[5m]))
        total_query: sum(rate(x[{{.window}}]))
""", ["bad.yml:5:5: error: slos[0].objetive: unknown key 'objetive' (did you mean 'objective'?)",
      "bad.yml:8:22: error: slos[0].sli.events.error_query: query has no {{.window}} placeholder (Sloth fills in "
      "each alert window there)"]),
    "sloth-two-slis-and-a-string-objective": ("sloth", """\
version: "prometheus/v1"
service: "svc"
slos:
  - name: "a"
    objective: "high"
    sli:
      raw:
        error_ratio_query: x[{{.window}}]
      events:
        error_query: x
""", ["bad.yml:5:16: error: slos[0].objective: must be a number, got the string 'high'",
      "bad.yml:7:7: error: slos[0].sli: set exactly one of raw, events, plugin (got raw, events)"]),
    "sloth-not-sloth": ("sloth", 'version: "agentops-gen/v1"\nservice: x\n',
                        ["bad.yml:1:10: error: version: not a Sloth spec: expected `version: prometheus/v1`, or "
                         "`apiVersion: sloth.slok.dev/v1` with `kind: PrometheusServiceLevel`"]),
    "sloth-values-our-language-refuses": ("sloth", """\
version: "prometheus/v1"
service: "svc"
slos:
  - name: "a"
    objective: 100
    sli:
      raw:
        error_ratio_query: sum(rate(x[{{.window}}]))
  - name: "b"
    objective: 99
    sli:
      events:
        error_query: sum(rate(x[{{.window}}])) +
        total_query: sum(rate(x[{{.window}}]))
""", ["bad.yml:5:16: error: slos[0].objective: cannot be imported: must be > 0 and < 100 (got 100)",
      "bad.yml:13:22: error: slos[1].sli.events.error_query: cannot be imported as `slos[1].sli.raw.error_ratio`: "
      "invalid PromQL: invalid promql query"]),
    "sloth-wrong-types-also-under-alerting": ("sloth", """\
version: prometheus/v1
service: s
slos:
  - 5
  - name: a
    objective: 99
    sli: {raw: {error_ratio_query: 5}}
    alerting: {page_alert: {disable: "yes", labels: [a]}}
""", ["bad.yml:4:5: error: slos[0]: must be a mapping, got the number 5",
      "bad.yml:7:36: error: slos[1].sli.raw.error_ratio_query: must be a non-empty string, got the number 5",
      "bad.yml:8:38: error: slos[1].alerting.page_alert.disable: must be true or false, got the string 'yes'",
      "bad.yml:8:53: error: slos[1].alerting.page_alert.labels: must be a mapping of strings, got a list"]),
    "bad-yaml": ("sloth", 'version: "prometheus/v1"\nservice: [svc\n',
                 ["bad.yml:3:1: error: service: invalid YAML: did not find expected ',' or ']'"]),
    "openslo-errors": ("openslo", """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: s
spec:
  service: web
  indicatorRef: nope
  timeWindow:
    - duration: 1x
  budgetingMethod: Occurences
  objectives:
    - target: 1.5
---
apiVersion: openslo/v1alpha
kind: SLO
""", ["bad.yml:7:17: error: spec.indicatorRef: no SLI named 'nope' in the imported files",
      "bad.yml:9:17: error: spec.timeWindow[0].duration: must be a duration shorthand such as 28d, 4w or 1M "
      "(got '1x')",
      "bad.yml:10:20: error: spec.budgetingMethod: must be one of Occurrences, Timeslices, RatioTimeslices, got "
      "'Occurences'",
      "bad.yml:12:15: error: spec.objectives[0].target: must be > 0 and < 1 (got 1.5)",
      "bad.yml:14:13: error: apiVersion: only openslo/v1 is supported, got 'openslo/v1alpha'"]),
    "openslo-objective-fields": ("openslo", """\
- apiVersion: openslo/v1
  kind: SLO
  metadata:
    name: s
  spec:
    service: web
    indicator:
      spec:
        thresholdMetric:
          metricSource: {type: Prometheus, spec: {query: up}}
    budgetingMethod: Occurrences
    objectives:
      - target: 0.9
        targetPercent: 90
      - target: 0.9
        op: below
""", ["bad.yml:13:9: error: [0].spec.objectives[0]: set exactly one of `target` or `targetPercent`",
      "bad.yml:16:13: error: [0].spec.objectives[1].op: must be one of lt, lte, gt, gte, got 'below'"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_located_line_per_problem_and_writes_nothing(case: str, tmp_path: Path) -> None:
    source, text, expected = BAD[case]
    (tmp_path / "bad.yml").write_text(text)
    result = run_cli("import", source, "bad.yml", "--out", "specs", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == expected
    assert not (tmp_path / "specs").exists()


def test_an_existing_different_spec_is_not_overwritten_without_force(tmp_path: Path) -> None:
    out = tmp_path / "specs"
    out.mkdir()
    (out / "myapp.yaml").write_text("# mine\n")
    args = ("import", "sloth", str(SLOTH / "examples" / "no-alerts.yml"), "--out", str(out))
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"agentops-gen: error: {out / 'myapp.yaml'} exists and differs; move it "
                                          "away or pass --force"]
    assert (out / "myapp.yaml").read_text() == "# mine\n"
    forced = run_cli(*args, "--force")
    assert forced.returncode == 0, forced.stderr
    assert data((out / "myapp.yaml").read_text())["service"] == "myapp"


@pytest.mark.parametrize(("args", "line"), [
    (("pyrra", "x.yml"), "agentops-gen: error: unknown import source 'pyrra': choose one of sloth, openslo"),
    (("sloth", "nope.yml"), "agentops-gen: error: nope.yml: No such file or directory"),
    (("openslo", "x.yml", "--windows", "w.yaml"),
     "agentops-gen: error: --windows is a Sloth window catalog (kind AlertWindows): only for `import sloth`"),
    (("sloth", "x.yml", "--period", "1.5h"),
     "agentops-gen: error: --period '1.5h': must be a Prometheus duration such as 5m, 1h30m or 28d (got '1.5h'); "
     "Prometheus durations take no decimals: write 1h30m"),
])
def test_usage_errors(args: tuple[str, ...], line: str, tmp_path: Path) -> None:
    (tmp_path / "x.yml").write_text((SLOTH / "examples" / "no-alerts.yml").read_text())
    result = run_cli("import", *args, "--out", "specs", cwd=tmp_path)
    assert (result.returncode, result.stderr.splitlines()) == (2, [line])
    assert not (tmp_path / "specs").exists()


def test_help_shows_an_example() -> None:
    result = run_cli("import", "--help")
    assert result.returncode == 0
    assert "Example: agentops-gen import sloth slos/*.yml --out slo_specs" in result.stdout
