"""What every bench shares: the command a user runs and the environment a user's shell gives it."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def user_env() -> dict[str, str]:
    """This environment as a user's shell has it: bytecode caches allowed (pip writes .pyc at install)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cli() -> tuple[list[str], dict[str, str]]:
    """agentops-gen as a user runs it (console script beside this Python or on PATH, else -m), and its env."""
    script = Path(sys.executable).parent / "agentops-gen"
    if script.exists():
        return [str(script)], user_env()
    found = shutil.which("agentops-gen")
    if found:
        return [found], user_env()
    return [sys.executable, "-m", "agentops_gen"], {**user_env(), "PYTHONPATH": str(ROOT)}
