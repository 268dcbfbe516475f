"""A lint finding and the severities it can have."""

from __future__ import annotations

from dataclasses import dataclass

from agentops_gen.errors import Location, SpecError

SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True, order=True)
class Finding:
    """One finding: `FILE:LINE:COL: SEVERITY: CHECK-NAME: message`."""

    location: Location
    check: str
    severity: str
    message: str

    def format(self) -> str:
        """The text-format line."""
        return f"{self.location}: {self.severity}: {self.check}: {self.message}"


def check_of(error: SpecError) -> str:
    """Name of the check a load/validation error belongs to."""
    if "invalid PromQL" in error.message:
        return "promql/syntax"
    if error.message.startswith(("invalid YAML", "file is", "nesting", "duplicate key", "!include", "document",
                                 "top level", "unsupported YAML tag", "mapping keys")):
        return "spec/yaml"
    return "spec/schema"


def from_error(error: SpecError) -> Finding:
    """A validation error as an error-severity finding."""
    message = f"{error.path}: {error.message}" if error.path else error.message
    return Finding(error.location, check_of(error), "error", message)
