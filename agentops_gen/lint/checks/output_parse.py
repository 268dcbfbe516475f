"""output/parse: a rendered file that is not valid YAML or JSON."""

from __future__ import annotations

from collections.abc import Iterator

from agentops_gen.lint.context import LintContext
from agentops_gen.lint.findings import Finding
from agentops_gen.lint.outputs import kind_of, location, output_errors
from agentops_gen.lint.registry import Check

NAME = "output/parse"
CHECK = Check(
    name=NAME,
    severity="error",
    summary="A rendered file (rules, Alertmanager, Grafana, Collector config) that does not parse.",
    doc="Every file lint renders in memory is parsed again by its extension (YAML or JSON). A file that "
        "does not parse means a template produced broken output for these specs, typically a value that "
        "needed quoting or escaping; Prometheus, Alertmanager, Grafana or the Collector would refuse to "
        "load it, and `render` refuses to write it. The finding points at the spec the file was rendered "
        "from and names the rendered file. Please report it as an agentops-gen bug.",
    stage="output",
)


def run(ctx: LintContext) -> Iterator[Finding]:
    """One finding per rendered file that does not parse."""
    for path, message in output_errors(ctx):
        if kind_of(path, message) == NAME:
            yield Finding(location(ctx, path), NAME, CHECK.severity, f"rendered {message}")
