"""One Grafana panel as JSON from a PanelPlan: targets, field config and each plugin's options.

Options carry every field the foundation-sdk panel schemas mark required (CUE defaults), so the
JSON is complete without Grafana filling it in; values are Grafana's defaults unless noted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agentops_gen.plan.dashboard import PanelPlan, Query, Step

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
"""Every query goes to the dashboard's `datasource` variable, so one JSON works in any Grafana."""
RANGE_KINDS = frozenset({"timeseries", "heatmap", "stat"})
"""Kinds that plot over time (stat draws a sparkline); gauges, bar gauges and tables read the last value."""
_REDUCE = {"calcs": ["lastNotNull"], "fields": "", "values": False}
_LEGEND = {"displayMode": "list", "placement": "bottom", "showLegend": True, "calcs": []}


def panel_json(panel: PanelPlan, panel_id: int, grid: dict[str, int]) -> dict[str, Any]:
    """The JSON of one panel at a grid position."""
    out: dict[str, Any] = {"id": panel_id, "type": panel.kind, "title": panel.title}
    if panel.description:
        out["description"] = panel.description
    out["gridPos"] = grid
    if panel.kind not in ("alertlist", "text"):
        out["datasource"] = dict(DATASOURCE)
        out["targets"] = [_target(panel, q, i) for i, q in enumerate(panel.queries)]
        out["fieldConfig"] = _field_config(panel)
    if panel.links:
        out["links"] = [_link(link.title, link.url, link.tooltip) for link in panel.links]
    out["options"] = OPTIONS[panel.kind](panel)
    return out


def _ref_id(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else f"Q{index}"


def _target(panel: PanelPlan, query: Query, index: int) -> dict[str, Any]:
    ranged = panel.kind in RANGE_KINDS
    target: dict[str, Any] = {
        "datasource": dict(DATASOURCE), "editorMode": "code", "expr": query.expr,
        "legendFormat": query.legend or "__auto", "range": ranged, "instant": not ranged,
        "refId": _ref_id(index),
    }
    if panel.kind == "heatmap":
        target["format"] = "heatmap"  # buckets as rows, so Grafana draws them without recalculating
    elif panel.kind == "table":
        target["format"] = "table"
    return target


def _link(title: str, url: str, tooltip: str) -> dict[str, Any]:
    return {"title": title, "type": "link", "url": url, "icon": "doc", "tooltip": tooltip, "tags": [],
            "asDropdown": False, "targetBlank": True, "includeVars": False, "keepTime": False}


def thresholds(steps: tuple[Step, ...]) -> dict[str, Any]:
    """Absolute threshold steps; the base step's value is null (-Infinity)."""
    return {"mode": "absolute", "steps": [{"color": colour, "value": value} for value, colour in steps]}


def _field_config(panel: PanelPlan) -> dict[str, Any]:
    defaults: dict[str, Any] = {"unit": panel.unit, "mappings": _mappings(panel.value_map),
                                "thresholds": thresholds(panel.steps or ((None, "green"),))}
    if panel.kind == "timeseries":
        defaults["color"] = {"mode": "palette-classic"}
        defaults["custom"] = _graph_custom(panel)
    elif panel.kind == "heatmap":
        defaults["custom"] = {"hideFrom": {"legend": False, "tooltip": False, "viz": False},
                              "scaleDistribution": {"type": "linear"}}
    else:
        defaults["color"] = {"mode": "thresholds"}
    return {"defaults": defaults, "overrides": _overrides(panel)}


def _mappings(value_map: dict[str, str]) -> list[dict[str, Any]]:
    if not value_map:
        return []
    options = {value: {"color": colour, "index": i} for i, (value, colour) in enumerate(value_map.items())}
    return [{"type": "value", "options": options}]


def _graph_custom(panel: PanelPlan) -> dict[str, Any]:
    return {
        "drawStyle": "line", "lineInterpolation": "linear", "lineWidth": 1, "fillOpacity": 0,
        "gradientMode": "none", "showPoints": "never", "pointSize": 4, "spanNulls": False,
        "axisPlacement": "auto", "axisBorderShow": False, "axisCenteredZero": False, "axisColorMode": "text",
        "axisLabel": "", "barAlignment": 0, "insertNulls": False,
        "hideFrom": {"legend": False, "tooltip": False, "viz": False},
        "scaleDistribution": {"type": "linear"}, "stacking": {"group": "A", "mode": "none"},
        "thresholdsStyle": {"mode": "dashed" if panel.threshold_lines else "off"},
    }


def _overrides(panel: PanelPlan) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    refs = {q.ref: _ref_id(i) for i, q in enumerate(panel.queries) if q.ref}
    for ref, steps in panel.per_query_steps.items():
        out.append({"matcher": {"id": "byFrameRefID", "options": refs[ref]},
                    "properties": [{"id": "thresholds", "value": thresholds(steps)}]})
    if panel.band:
        upper, lower = (refs[r] for r in panel.band)
        # The band's edges are dashed and the area between them is filled, so the value line stands out.
        out.append({"matcher": {"id": "byFrameRefID", "options": upper},
                    "properties": [{"id": "custom.fillBelowTo", "value": _legend_of(panel, panel.band[1])},
                                   {"id": "custom.fillOpacity", "value": 15},
                                   {"id": "custom.lineStyle", "value": {"dash": [4, 4], "fill": "dash"}}]})
        out.append({"matcher": {"id": "byFrameRefID", "options": lower},
                    "properties": [{"id": "custom.lineStyle", "value": {"dash": [4, 4], "fill": "dash"}}]})
    return out


def _legend_of(panel: PanelPlan, ref: str) -> str:
    return next(q.legend for q in panel.queries if q.ref == ref)


def _stat(panel: PanelPlan) -> dict[str, Any]:
    return {"colorMode": "value", "graphMode": "area", "justifyMode": "auto", "orientation": "auto",
            "percentChangeColorMode": "standard", "reduceOptions": dict(_REDUCE), "showPercentChange": False,
            "textMode": "value_and_name" if len(panel.queries) > 1 else "auto", "wideLayout": True}


def _gauge(panel: PanelPlan) -> dict[str, Any]:
    return {"minVizHeight": 75, "minVizWidth": 75, "orientation": "auto", "reduceOptions": dict(_REDUCE),
            "showThresholdLabels": False, "showThresholdMarkers": True, "sizing": "auto"}


def _bargauge(panel: PanelPlan) -> dict[str, Any]:
    return {"displayMode": "gradient", "legend": dict(_LEGEND, showLegend=False), "maxVizHeight": 300,
            "minVizHeight": 16, "minVizWidth": 8, "namePlacement": "auto", "orientation": "horizontal",
            "reduceOptions": dict(_REDUCE), "showUnfilled": True, "sizing": "auto", "valueMode": "color"}


def _timeseries(panel: PanelPlan) -> dict[str, Any]:
    return {"legend": dict(_LEGEND), "tooltip": {"mode": "multi", "sort": "desc"}}


def _heatmap(panel: PanelPlan) -> dict[str, Any]:
    return {
        "calculate": False, "cellGap": 1,
        "color": {"exponent": 0.5, "fill": "dark-orange", "mode": "scheme", "reverse": False, "scale": "exponential",
                  "scheme": "Oranges", "steps": 64},
        "exemplars": {"color": "rgba(255,0,255,0.7)"}, "filterValues": {"le": 1e-09}, "legend": {"show": True},
        "rowsFrame": {"layout": "auto"}, "showValue": "never",
        "tooltip": {"mode": "single", "showColorScale": False, "yHistogram": False},
        "yAxis": {"axisPlacement": "left", "reverse": False, "unit": panel.unit},
    }


def _table(panel: PanelPlan) -> dict[str, Any]:
    return {"cellHeight": "sm", "frameIndex": 0, "showHeader": True}


def _text(panel: PanelPlan) -> dict[str, Any]:
    return {"mode": "markdown", "content": panel.text}


def alertlist_options(label_filter: str) -> dict[str, Any]:
    """Unified alert list: this service's firing and pending alerts from every rule source."""
    return {
        "alertInstanceLabelFilter": label_filter, "alertName": "", "dashboardAlerts": False, "groupBy": [],
        "groupMode": "default", "maxItems": 20, "showInstances": True,
        "sortOrder": 3,  # importance: firing first
        "stateFilter": {"error": True, "firing": True, "noData": False, "normal": False, "pending": True,
                        "recovering": True},
        "viewMode": "list",
    }


def _alertlist(panel: PanelPlan) -> dict[str, Any]:
    return alertlist_options(panel.label_filter)


OPTIONS: dict[str, Callable[[PanelPlan], dict[str, Any]]] = {
    "stat": _stat, "gauge": _gauge, "bargauge": _bargauge, "timeseries": _timeseries, "heatmap": _heatmap,
    "table": _table, "text": _text, "alertlist": _alertlist,
}
"""Panel kind -> options builder; also the list of panel types agentops-gen emits."""
