"""docs/alertmanager.md shows the routing tree of the examples exactly as amtool prints it for the generated config."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.tools
def test_readme_routing_tree_is_current(amtool: str, rendered_examples: Path) -> None:
    page = (ROOT / "docs" / "alertmanager.md").read_text()
    block = page.split("<!-- routes:begin -->", 1)[1].split("<!-- routes:end -->", 1)[0]
    shown = block.strip().removeprefix("```").removesuffix("```").strip("\n")
    config = rendered_examples / "alertmanager" / "alertmanager.yml"
    result = subprocess.run([amtool, "config", "routes", "show", f"--config.file={config}"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert shown == result.stdout.strip("\n"), (
        "docs/alertmanager.md's routing tree is stale: paste the output of `amtool config routes show "
        "--config.file=out/alertmanager/alertmanager.yml` between the routes:begin/end markers")
