"""Extra dashboard panels (SLO/KPI panels are generated)."""

from __future__ import annotations

from typing import Literal

from agentops_gen.spec.common import SpecModel
from agentops_gen.spec.promql_fields import Query

PanelType = Literal["timeseries", "stat", "gauge", "table", "bargauge", "heatmap"]


class Panel(SpecModel):
    """One extra panel."""

    title: str
    query: Query
    unit: str = "short"
    type: PanelType = "timeseries"
    legend: str | None = None
    description: str | None = None


class Dashboard(SpecModel):
    """`dashboard:` section."""

    panels: list[Panel] = []
