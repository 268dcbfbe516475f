"""Allow `python -m agentops_gen`."""

from agentops_gen.cli import main

main()
