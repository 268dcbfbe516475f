"""Re-export of agentops_gen.units.durations (moved below spec: spec parses durations too); new code imports units."""

from agentops_gen.units.durations import *  # noqa: F403
