"""Extra dashboard panels (SLO/KPI panels are generated)."""


from typing import Literal

from agentops_gen.spec.common import Line, SpecModel
from agentops_gen.spec.promql_fields import Query

PanelType = Literal["timeseries", "stat", "gauge", "table", "bargauge", "heatmap"]


class Panel(SpecModel):
    """One extra panel."""

    title: Line
    """Panel title."""
    query: Query
    """PromQL of the panel."""
    unit: Line = "short"
    """Grafana unit id (`short`, `s`, `percentunit`, `currencyUSD`...)."""
    type: PanelType = "timeseries"
    """Panel type: timeseries, stat, gauge, table, bargauge or heatmap."""
    legend: Line | None = None
    """Legend format (e.g. `{{model}}`)."""
    description: str | None = None
    """Panel description (hover text)."""


class Dashboard(SpecModel):
    """`dashboard:` section."""

    panels: list[Panel] = []
    """Extra panels, after the generated rows."""
