"""Grafana dashboards of the examples: schema-valid, laid out without overlaps, queries from the plan."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import promql_parser
import pytest
import yaml

from agentops_gen.check.outputs import OutputError, check_dashboard
from agentops_gen.pipeline import plan_paths
from agentops_gen.plan.dashboard import alert_condition, dashboard_plan, grafana_unit, slo_selector
from agentops_gen.plan.grouping import legend
from agentops_gen.targets import grafana
from agentops_gen.units import names
from agentops_gen.units.promql import check_query
from tests.conftest import FIXTURES, SPECS, run_cli

SCHEMAS = FIXTURES / "grafana"
PANEL_TYPES = {"timeseries", "stat", "gauge", "table", "bargauge", "heatmap", "text", "alertlist", "row"}
AEGIS_PANELS = [  # the 14 panels of AegisRAG's aegis_overview_sprint69.json (seed write-up), by topic
    "query rate", "p95 latency by stage", "cache hit rate", "error rate", "memory facts",
    "llm requests and tokens", "latency distribution", "errors by type", "queries by intent",
    "cache hits and misses by type", "database sizes", "llm cost this month", "llm latency by provider",
    "service availability",
]


@cache
def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text())


@cache
def dashboard_validator() -> jsonschema.Draft7Validator:
    """The dashboard schema with its documented false positives relaxed (tests/fixtures/grafana/SOURCE.md)."""
    schema = copy.deepcopy(_schema("dashboard.jsonschema.json"))
    # CUE `_` (any value) came out as `object`: override values and matcher options are often strings.
    schema["definitions"]["DynamicConfigValue"]["properties"]["value"] = {}
    schema["definitions"]["MatcherConfig"]["properties"]["options"] = {}
    return jsonschema.Draft7Validator(schema)


def _definition_validator(file: str, definition: str) -> jsonschema.Draft7Validator:
    schema = _schema(file)
    return jsonschema.Draft7Validator({"$ref": f"#/definitions/{definition}", "definitions": schema["definitions"]})


def schema_errors(dash: dict[str, Any]) -> list[str]:
    """Every schema violation of a dashboard: the model, each panel by its branch, options, custom, targets."""
    validator = dashboard_validator()
    errors = [f"dashboard: {e.message}" for e in validator.iter_errors({**dash, "panels": []})]
    defs = validator.schema["definitions"]
    for panel in dash["panels"]:
        branch = "RowPanel" if panel["type"] == "row" else "Panel"
        where = f"panel {panel['id']} {panel.get('title')!r}"
        sub = jsonschema.Draft7Validator({"$ref": f"#/definitions/{branch}", "definitions": defs})
        errors += [f"{where}: {e.message}" for e in sub.iter_errors(panel)]
        file = f"panels/{panel['type']}.jsonschema.json"
        if (SCHEMAS / file).exists():
            errors += [f"{where} options: {e.message}"
                       for e in _definition_validator(file, "Options").iter_errors(panel["options"])]
            custom = panel.get("fieldConfig", {}).get("defaults", {}).get("custom")
            if custom is not None and "FieldConfig" in _schema(file)["definitions"]:
                errors += [f"{where} custom: {e.message}"
                           for e in _definition_validator(file, "FieldConfig").iter_errors(custom)]
        for target in panel.get("targets", []):
            query = jsonschema.Draft7Validator(_schema("prometheus-dataquery.jsonschema.json"))
            errors += [f"{where} target: {e.message}" for e in query.iter_errors(target)]
    return errors


def dashboards(out: Path) -> dict[str, dict[str, Any]]:
    """service -> dashboard JSON of a rendered out/."""
    return {p.stem: json.loads(p.read_text()) for p in sorted((out / "grafana" / "dashboards").glob("*/*.json"))}


def test_every_example_has_a_dashboard_in_its_team_folder(rendered_examples: Path) -> None:
    _, plan = plan_paths([SPECS])
    for service in plan.services:
        path = rendered_examples / grafana.dashboard_file(service.team, service.service)
        dash = json.loads(path.read_text())
        assert dash["uid"] == names.dashboard_uid(service.service)
        assert dash["tags"] == ["agentops-gen", service.team, service.service]
        assert dash["schemaVersion"] >= 41
        variable = dash["templating"]["list"][0]
        assert (variable["type"], variable["name"], variable["query"]) == ("datasource", "datasource", "prometheus")
    assert len(dashboards(rendered_examples)) == len(plan.services) == 5


def test_dashboards_validate_against_the_foundation_sdk_schemas(rendered_examples: Path) -> None:
    for service, dash in dashboards(rendered_examples).items():
        assert schema_errors(dash) == [], service


def test_the_schema_check_catches_broken_panels(rendered_examples: Path) -> None:
    """The validator is not vacuous: a missing required stat option or a bad gridPos fails it."""
    dash = copy.deepcopy(dashboards(rendered_examples)["aegis-rag"])
    stat = next(p for p in dash["panels"] if p["type"] == "stat")
    del stat["options"]["reduceOptions"]
    dash["panels"][2]["gridPos"]["w"] = 30
    next(p for p in dash["panels"] if "targets" in p)["targets"][0]["format"] = "graph"
    errors = schema_errors(dash)
    assert any("reduceOptions" in e for e in errors)
    assert any("30" in e for e in errors)
    assert any("graph" in e for e in errors)


def test_only_current_panel_types_and_datasource_variable(rendered_examples: Path) -> None:
    for dash in dashboards(rendered_examples).values():
        for panel in dash["panels"]:
            assert panel["type"] in PANEL_TYPES
            for target in panel.get("targets", []):
                assert target["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            if "targets" in panel:
                assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


def test_every_panel_query_parses_as_prometheus_2_promql(rendered_examples: Path) -> None:
    count = 0
    for dash in dashboards(rendered_examples).values():
        for panel in dash["panels"]:
            for target in panel.get("targets", []):
                check_query(target["expr"])
                count += 1
    assert count > 100


def _assert_layout(dash: dict[str, Any]) -> None:
    panels = dash["panels"]
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids))
    cells: dict[tuple[int, int], int] = {}
    for panel in panels:
        g = panel["gridPos"]
        assert 0 < g["w"] <= 24 and g["x"] + g["w"] <= 24 and g["h"] > 0, panel["title"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, f"panel {panel['id']} overlaps panel {cells[(x, y)]}"
                cells[(x, y)] = panel["id"]


def test_layout_has_no_overlap_and_unique_ids(rendered_examples: Path) -> None:
    for dash in dashboards(rendered_examples).values():
        _assert_layout(dash)
        rows = [p["gridPos"]["y"] for p in dash["panels"] if p["type"] == "row"]
        assert rows == sorted(rows)


def test_render_check_rejects_overlap_and_duplicate_ids(rendered_examples: Path) -> None:
    dash = dashboards(rendered_examples)["support-agent"]
    check_dashboard("d.json", dash)
    overlapping = copy.deepcopy(dash)
    overlapping["panels"][2]["gridPos"] = dict(overlapping["panels"][1]["gridPos"])
    with pytest.raises(OutputError, match="overlapping"):
        check_dashboard("d.json", overlapping)
    duplicate = copy.deepcopy(dash)
    duplicate["panels"][3]["id"] = duplicate["panels"][2]["id"]
    with pytest.raises(OutputError, match="duplicate panel ids"):
        check_dashboard("d.json", duplicate)
    bad_query = copy.deepcopy(dash)
    bad_query["panels"][2]["targets"][0]["expr"] = "sum(rate(x[5m])"
    with pytest.raises(OutputError, match="invalid PromQL"):
        check_dashboard("d.json", bad_query)


def test_slo_rows_read_the_recorded_series_and_draw_the_plan_thresholds() -> None:
    _, plan = plan_paths([SPECS])
    for service in plan.services:
        dash = grafana.dashboard_json(dashboard_plan(service))
        for slo in service.slos:
            sel = slo_selector(slo)  # grouped SLOs add `label=~"$label"` (tests/test_group_by.py)
            row = _row(dash, f"SLO {slo.name}:")
            sli = row[0]
            assert sli["targets"][1]["expr"] == f"1 - {names.sli_error_record(slo.period)}{sel}"
            assert _steps(sli) == [(None, "red"), (slo.objective / 100, "green")]
            assert sli["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"] == "dashed"
            assert row[1]["targets"][0]["expr"] == f"{names.BUDGET_REMAINING_RECORD}{sel}"
            for severity in ("page", "ticket"):
                pairs = [w for w in slo.windows if w.severity == severity]
                alert = [a for a in slo.alerts if a.kind == f"burn-{severity}"]
                panel = [p for p in row if p["title"].endswith(f"{severity} windows")]
                assert len(panel) == (1 if pairs and alert else 0)
                if panel:
                    factors = sorted(v for v, _ in _steps(panel[0])[1:])
                    assert factors == sorted(w.factor for w in pairs)
                    windows = {s for w in pairs for s in (w.long, w.short)}
                    assert {t["expr"].split("{")[0].rsplit("rate", 1)[1] for t in panel[0]["targets"]} == windows
            urls = {link["url"] for link in sli["links"]}
            assert urls == {a.runbook_url for a in slo.alerts}


def test_summary_stats_show_objective_sli_and_budget_with_objective_colours() -> None:
    _, plan = plan_paths([SPECS])
    service = next(s for s in plan.services if s.service == "support-agent")
    dash = grafana.dashboard_json(dashboard_plan(service))
    summary = _row(dash, "support-agent: SLO summary")
    assert len(summary) == len(service.slos)
    for panel, slo in zip(summary, service.slos, strict=True):
        legends = [t["legendFormat"] for t in panel["targets"]]
        assert legends == ["objective", legend(slo.group_by, f"SLI ({slo.period})"),
                           legend(slo.group_by, "budget left")]
        sli_override = next(o for o in panel["fieldConfig"]["overrides"] if o["matcher"]["options"] == "B")
        steps = sli_override["properties"][0]["value"]["steps"]
        assert steps[1] == {"color": "green", "value": slo.objective / 100}


def test_budget_colours_follow_the_budget_alerts() -> None:
    """amas alerts at 25% (warning), 15% and 5% (critical) of budget left: the panel changes colour there."""
    _, plan = plan_paths([SPECS])
    service = next(s for s in plan.services if s.service == "amas")
    slo = next(s for s in service.slos if any(a.kind == "budget" for a in s.alerts))
    dash = grafana.dashboard_json(dashboard_plan(service))
    budget = _row(dash, f"SLO {slo.name}:")[1]
    assert _steps(budget) == [(None, "red"), (0.0, "red"), (0.05, "red"), (0.15, "orange"), (0.25, "green")]
    plain = next(s for s in plan.services if s.service == "aegis-rag")
    default = _row(grafana.dashboard_json(dashboard_plan(plain)), "SLO query-latency:")[1]
    assert _steps(default) == [(None, "red"), (0.0, "orange"), (0.25, "green")]


def test_kpi_panels_use_bounds_and_units() -> None:
    _, plan = plan_paths([SPECS])
    seen_units = set()
    for service in plan.services:
        dash = grafana.dashboard_json(dashboard_plan(service))
        kpis = _row(dash, "KPIs") if service.kpis else []
        for kpi in service.kpis:
            stat, series = [p for p in kpis if p["title"] in (kpi.name, f"{kpi.name} over time")]
            for panel in (stat, series):
                assert panel["targets"][0]["expr"] == f'{kpi.record}{{service="{service.service}", kpi="{kpi.name}"}}'
                assert panel["fieldConfig"]["defaults"]["unit"] == grafana_unit(kpi.unit)
                values = [v for v, _ in _steps(panel)[1:]]
                assert values == sorted({b.value for b in kpi.bounds})
            seen_units.add(grafana_unit(kpi.unit))
    assert {"currencyUSD", "s", "percentunit", "short"} <= seen_units


@pytest.mark.parametrize(("unit", "grafana_id"), [("USD", "currencyUSD"), ("seconds", "s"), ("percent", "percent"),
                                                  ("percentunit", "percentunit"), ("short", "short"),
                                                  ("bytes", "bytes"), ("reqps", "reqps")])
def test_units(unit: str, grafana_id: str) -> None:
    assert grafana_unit(unit) == grafana_id


def test_anomaly_band_is_mean_plus_minus_z_stddev() -> None:
    _, plan = plan_paths([SPECS])
    service = next(s for s in plan.services if s.anomalies)
    dash = grafana.dashboard_json(dashboard_plan(service))
    for anomaly, panel in zip(service.anomalies, _row(dash, "Anomalies"), strict=True):
        exprs = [t["expr"] for t in panel["targets"]]
        sel = f'{{service="{service.service}", anomaly="{anomaly.name}"}}'
        z = f"{anomaly.zscore:g}"
        assert exprs[2] == f"{anomaly.records['mean']}{sel} + {z} * {anomaly.records['stddev']}{sel}"
        assert exprs[3] == f"{anomaly.records['mean']}{sel} - {z} * {anomaly.records['stddev']}{sel}"
        upper = panel["fieldConfig"]["overrides"][0]
        assert upper["matcher"] == {"id": "byFrameRefID", "options": "C"}
        assert {"id": "custom.fillBelowTo", "value": panel["targets"][3]["legendFormat"]} in upper["properties"]


ALERTLIST_OPTIONS = {"alertInstanceLabelFilter", "alertName", "dashboardAlerts", "groupBy", "groupMode", "maxItems",
                     "showInstances", "sortOrder", "stateFilter", "viewMode", "folder", "datasource"}


def test_alertlist_is_filtered_to_the_service(rendered_examples: Path) -> None:
    """No schema exists for alertlist: check its options against Grafana's UnifiedAlertListOptions."""
    for service, dash in dashboards(rendered_examples).items():
        (panel,) = [p for p in dash["panels"] if p["type"] == "alertlist"]
        options = panel["options"]
        assert set(options) <= ALERTLIST_OPTIONS
        assert options["viewMode"] in ("list", "stat") and options["groupMode"] in ("default", "custom")
        assert options["sortOrder"] in range(1, 6) and options["maxItems"] > 0
        assert options["stateFilter"]["firing"] and options["stateFilter"]["pending"]
        assert not options["stateFilter"]["normal"] and options["dashboardAlerts"] is False
        matcher = promql_parser.parse(f"ALERTS{options['alertInstanceLabelFilter']}")
        assert [(m.name, m.value) for m in matcher.matchers.matchers] == [("service", service)]
        assert "targets" not in panel


def test_a_service_without_slos_gets_no_empty_rows() -> None:
    _, plan = plan_paths([SPECS])
    service = replace(plan.services[0], slos=(), kpis=(), anomalies=())
    dash = grafana.dashboard_json(dashboard_plan(service))
    rows = [p["title"] for p in dash["panels"] if p["type"] == "row"]
    assert rows[-1] == "Alerts" and not any("SLO" in r or r in ("KPIs", "Anomalies") for r in rows)
    _assert_layout(dash)


def test_plain_alerts_show_their_condition() -> None:
    assert alert_condition('up{job="x"} == 0') == ('up{job="x"}', "==", 0.0)
    assert alert_condition("sum(rate(e_total[5m])) > 0.1") == ("sum(rate(e_total[5m]))", ">", 0.1)
    assert alert_condition('up{job="x"} == bool 0') is None
    assert alert_condition("absent(up)") is None
    _, plan = plan_paths([SPECS])
    service = next(s for s in plan.services if s.service == "aegis-rag")
    dash = grafana.dashboard_json(dashboard_plan(service))
    alerts = {p["title"]: p for p in _row(dash, "Alerts")}
    assert alerts["ServiceDown"]["targets"][0]["expr"] == 'max(up{job="aegis-rag"})'
    assert alerts["ServiceDown"]["fieldConfig"]["defaults"]["mappings"][0]["options"]["0"]["color"] == "red"
    assert _steps(alerts["HighLLMErrorRate"]) == [(None, "green"), (0.1, "red")]
    assert set(alerts) >= {a.name for a in service.plain_alerts} | {"Alerts firing"}


def test_aegis_rag_dashboard_has_the_14_panels_of_its_write_up(rendered_examples: Path) -> None:
    dash = dashboards(rendered_examples)["aegis-rag"]
    spec_panels = _row(dash, "Service panels")
    titles = [p["title"].lower() for p in spec_panels]
    assert len(titles) == 14
    for topic, title in zip(AEGIS_PANELS, titles, strict=True):
        assert topic in title
    spec = yaml.safe_load((SPECS / "aegis-rag.yaml").read_text())["dashboard"]["panels"]
    for panel, source in zip(spec_panels, spec, strict=True):
        assert panel["type"] == source["type"] and panel["targets"][0]["expr"] == source["query"].strip()
    assert next(p for p in spec_panels if p["type"] == "heatmap")["targets"][0]["format"] == "heatmap"


def test_provisioning_is_a_file_provider_with_team_folders(rendered_examples: Path) -> None:
    doc = yaml.safe_load((rendered_examples / grafana.PROVISIONING_FILE).read_text())
    (provider,) = doc["providers"]
    assert doc["apiVersion"] == 1 and provider["type"] == "file"
    assert provider["options"] == {"path": grafana.DASHBOARDS_DIR, "foldersFromFilesStructure": True}
    assert "folder" not in provider and "folderUid" not in provider


def test_rendering_one_spec_keeps_every_dashboard_and_is_deterministic(tmp_path: Path,
                                                                      rendered_examples: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("render", str(SPECS / "amas.yaml"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    provisioning = grafana.PROVISIONING_FILE
    assert (out / provisioning).read_bytes() == (rendered_examples / provisioning).read_bytes()
    for path in (rendered_examples / "grafana").rglob("*.json"):
        relative = path.relative_to(rendered_examples)
        if (out / relative).exists():
            assert (out / relative).read_bytes() == path.read_bytes(), relative


def _row(dash: dict[str, Any], title_prefix: str) -> list[dict[str, Any]]:
    """The panels after the row whose title starts with `title_prefix`, up to the next row."""
    panels = dash["panels"]
    start = next(i for i, p in enumerate(panels) if p["type"] == "row" and p["title"].startswith(title_prefix))
    out = []
    for panel in panels[start + 1:]:
        if panel["type"] == "row":
            break
        out.append(panel)
    return out


def _steps(panel: dict[str, Any]) -> list[tuple[float | None, str]]:
    return [(s["value"], s["color"]) for s in panel["fieldConfig"]["defaults"]["thresholds"]["steps"]]


def test_each_slos_queries_and_budget_colours_are_made_once_and_used_by_its_own_panels(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The summary stat and the SLO's row read one slo_queries and one budget_steps per SLO (issue 16 item 4),
    each its own SLO's: the budget panel of every row has that SLO's colours, the summary stat too."""
    from agentops_gen.plan import dashboard

    _, plan = plan_paths([SPECS])
    calls: dict[str, list[str]] = {"queries": [], "steps": []}
    real_queries, real_steps = dashboard.slo_queries, dashboard.budget_steps

    def queries(slo: Any) -> dict[str, str]:
        calls["queries"].append(slo.name)
        return real_queries(slo)

    def steps(slo: Any) -> Any:
        calls["steps"].append(slo.name)
        return real_steps(slo)

    monkeypatch.setattr(dashboard, "slo_queries", queries)
    monkeypatch.setattr(dashboard, "budget_steps", steps)
    for service in plan.services:
        calls["queries"].clear()
        calls["steps"].clear()
        dash = grafana.dashboard_json(dashboard_plan(service))
        assert calls["queries"] == calls["steps"] == [slo.name for slo in service.slos]
        summary = _row(dash, f"{service.service}: SLO summary") if service.slos else []
        for slo, stat in zip(service.slos, summary, strict=True):
            colours = [(s.get("value"), s["color"]) for s in next(
                o for o in stat["fieldConfig"]["overrides"] if o["matcher"]["options"] == "C")["properties"][0][
                "value"]["steps"]]
            assert colours == list(real_steps(slo))
            assert _steps(_row(dash, f"SLO {slo.name}:")[1]) == list(real_steps(slo))
            assert stat["targets"][2]["expr"] == real_queries(slo)["budget_remaining"]
