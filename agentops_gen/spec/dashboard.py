"""Extra dashboard panels (SLO/KPI panels are generated)."""

from __future__ import annotations

from typing import Literal

from agentops_gen.spec.common import Line, SpecModel
from agentops_gen.spec.promql_fields import Query

PanelType = Literal["timeseries", "stat", "gauge", "table", "bargauge", "heatmap"]


class Panel(SpecModel):
    """One extra panel."""

    title: Line
    query: Query
    unit: Line = "short"
    type: PanelType = "timeseries"
    legend: Line | None = None
    description: str | None = None


class Dashboard(SpecModel):
    """`dashboard:` section."""

    panels: list[Panel] = []
