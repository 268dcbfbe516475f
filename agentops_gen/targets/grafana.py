"""Grafana: out/grafana/dashboards/<team>/<service>.json and out/grafana/provisioning/dashboards.yaml.

The dashboard is a Python dict serialized as indented JSON (no JSON template): key order is fixed by
construction, panel ids count up in layout order and the layout is a pure function of the plan.
"""

from __future__ import annotations

from typing import Any

from agentops_gen.plan.dashboard import DashboardPlan, RowPlan, VariablePlan, dashboard_plan
from agentops_gen.plan.model import Plan
from agentops_gen.targets.grafana_panels import panel_json
from agentops_gen.targets.jinja import render_template
from agentops_gen.targets.json_text import dumps_indented

SCHEMA_VERSION = 42
"""The default of the grafana-foundation-sdk dashboard schema (Grafana 12); older Grafana keeps it as is."""
GRID_WIDTH = 24
PROVISIONING_FILE = "grafana/provisioning/dashboards.yaml"
DASHBOARDS_DIR = "/etc/agentops-gen/grafana/dashboards"
"""Where the provider reads dashboards inside the Grafana container (docs/grafana.md: how to mount out/grafana)."""


def dashboard_file(team: str, service: str) -> str:
    """Dashboard path under out/: one folder per team, which provisioning turns into a Grafana folder."""
    return f"grafana/dashboards/{team}/{service}.json"


def layout(rows: tuple[RowPlan, ...]) -> list[dict[str, Any]]:
    """Rows and their panels, left to right and wrapped at 24 columns; ids count up from 1."""
    panels: list[dict[str, Any]] = []
    y = 0
    for row in rows:
        panels.append({"id": len(panels) + 1, "type": "row", "title": row.title, "collapsed": False,
                       "gridPos": {"h": 1, "w": GRID_WIDTH, "x": 0, "y": y}, "panels": [],
                       **({"repeat": row.repeat} if row.repeat else {})})
        y += 1
        x = line_height = 0
        for panel in row.panels:
            width = min(panel.width, GRID_WIDTH)
            if x + width > GRID_WIDTH:
                y, x, line_height = y + line_height, 0, 0
            grid = {"h": panel.height, "w": width, "x": x, "y": y}
            panels.append(panel_json(panel, len(panels) + 1, grid))
            x += width
            line_height = max(line_height, panel.height)
        y += line_height
    return panels


def dashboard_json(dash: DashboardPlan) -> dict[str, Any]:
    """The dashboard model (schemaVersion 42)."""
    return {
        "uid": dash.uid,
        "title": dash.title,
        "description": dash.description,
        "tags": list(dash.tags),
        "timezone": "browser",
        "editable": False,  # generated: edits belong in the spec, a saved UI edit would be overwritten
        "graphTooltip": 1,
        "time": {"from": "now-24h", "to": "now"},
        "timepicker": {},
        "refresh": "1m",
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "schemaVersion": SCHEMA_VERSION,
        "links": [{"title": f"{dash.team} dashboards", "type": "dashboards", "icon": "external link",
                   "tooltip": "Other agentops-gen dashboards of this team", "tags": ["agentops-gen", dash.team],
                   "asDropdown": True, "targetBlank": False, "includeVars": True, "keepTime": True}],
        "templating": {"list": [{
            "type": "datasource", "name": "datasource", "label": "Prometheus", "query": "prometheus",
            "regex": "", "hide": 0, "refresh": 1, "multi": False, "includeAll": False, "options": [],
            "skipUrlSync": False,
        }, *(_group_variable(v) for v in dash.variables)]},
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True, "hide": True,
            "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard",
        }]},
        "panels": layout(dash.rows),
    }


def _group_variable(variable: VariablePlan) -> dict[str, Any]:
    """A multi-value query variable over one SLO group label; All is `.*` (every group, and ungrouped series)."""
    return {
        "type": "query", "name": variable.name, "label": variable.name,
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "query": variable.query,
        "definition": variable.query, "regex": "", "hide": 0, "refresh": 2, "sort": 1, "multi": True,
        "includeAll": True, "allValue": ".*", "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "options": [], "skipUrlSync": False,
    }


def render(plan: Plan) -> dict[str, str]:
    """Every service's dashboard, plus the provisioning file shared by all of them."""
    files: dict[str, str] = {}
    for service in plan.services:
        dash = dashboard_json(dashboard_plan(service))
        files[dashboard_file(service.team, service.service)] = dumps_indented(dash) + "\n"
    if plan.services:
        teams = sorted({s.team for s in plan.services})
        files[PROVISIONING_FILE] = render_template("grafana/dashboards.yaml.j2", path=DASHBOARDS_DIR, teams=teams)
    return files
