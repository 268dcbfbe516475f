"""Test harness shared by the end-to-end tests: a real Prometheus with backfilled synthetic data.

`running_prometheus` (prometheus.py) starts the Debian `prometheus` binary with rule files and
history; `OpenMetrics` and `daily` (openmetrics.py) build that history. See prometheus.py for the API.
"""

from tests.harness.openmetrics import OpenMetrics, daily
from tests.harness.prometheus import Prometheus, PrometheusError, recording_levels, running_prometheus

__all__ = ["OpenMetrics", "Prometheus", "PrometheusError", "daily", "recording_levels", "running_prometheus"]
