"""Where agentops-gen keeps what it may reuse across runs (compiled templates, remembered results)."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "AGENTOPS_GEN_CACHE_DIR"
"""Overrides the cache folder; set it empty to turn every cache off."""


def cache_base() -> Path | None:
    """$AGENTOPS_GEN_CACHE_DIR, else $XDG_CACHE_HOME/agentops-gen or ~/.cache/agentops-gen; None if off."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    try:
        return (Path(xdg) if xdg else Path.home() / ".cache") / "agentops-gen"
    except RuntimeError:  # no home directory to put it in
        return None
