"""Re-export of agentops_gen.units.promql (spec parses PromQL fields too)."""

from agentops_gen.units.promql import *  # noqa: F403
