"""What every bench shares: the command a user runs and the environment a user's shell gives it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def user_env() -> dict[str, str]:
    """This environment as a user's shell has it: bytecode caches allowed (pip writes .pyc at install)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cli() -> tuple[list[str], dict[str, str]]:
    """agentops-gen as a user runs it, measuring this checkout: the console script beside this Python or on
    PATH when it imports this checkout's package, else `python -m agentops_gen` with this checkout first
    on PYTHONPATH (a venv shared by several checkouts has another copy installed)."""
    script = Path(sys.executable).parent / "agentops-gen"
    found = str(script) if script.exists() else shutil.which("agentops-gen")
    if found and _installed_package_is_this_checkout():
        return [found], user_env()
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return [sys.executable, "-m", "agentops_gen"], {**user_env(), "PYTHONPATH": path}


def _installed_package_is_this_checkout() -> bool:
    """Whether `import agentops_gen` outside this folder finds this checkout's package (an editable install)."""
    env = {k: v for k, v in user_env().items() if k != "PYTHONPATH"}
    found = subprocess.run([sys.executable, "-c", "import agentops_gen; print(agentops_gen.__file__)"], env=env,
                           cwd="/", capture_output=True, text=True).stdout.strip()
    return bool(found) and Path(found).resolve().parent == ROOT / "agentops_gen"
