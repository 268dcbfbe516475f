"""Re-export of agentops_gen.units.promql_limits (spec bounds PromQL fields too)."""

from agentops_gen.units.promql_limits import *  # noqa: F403
