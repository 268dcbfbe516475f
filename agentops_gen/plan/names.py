"""Re-export of agentops_gen.units.names (moved below spec: spec checks generated names too); new code imports units."""

from agentops_gen.units.names import *  # noqa: F403
