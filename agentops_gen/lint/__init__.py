"""`agentops-gen lint`: named checks over specs and everything they render."""
