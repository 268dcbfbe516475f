"""agentops-gen: SLOs, alerts, routing, dashboards and telemetry for AI agent platforms, as code."""

__version__ = "0.1.0"
