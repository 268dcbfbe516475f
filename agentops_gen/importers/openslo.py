"""OpenSLO v1 -> Drafts (placeholder)."""

from __future__ import annotations

from agentops_gen.importers.draft import Draft
from agentops_gen.importers.source import Reader


def read_documents(readers: list[Reader], period: str | None) -> list[Draft]:
    """Drafts of every OpenSLO document."""
    return []
