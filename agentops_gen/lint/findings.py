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

    @property
    def docs(self) -> str:
        """Path of the check's docs page."""
        from agentops_gen.lint.registry import DOCS_DIR

        return f"{DOCS_DIR}/{self.check.replace('/', '-')}.md"

    def format(self) -> str:
        """The text-format line."""
        return f"{self.location}: {self.severity}: {self.check}: {self.message}"


def check_of(error: SpecError) -> str:
    """Name of the check a load/validation error belongs to."""
    from agentops_gen.lint.registry import check_of as registry_check_of

    return registry_check_of(error)


def from_error(error: SpecError) -> Finding:
    """A validation error as an error-severity finding (render stops on it, so it is never milder)."""
    message = f"{error.path}: {error.message}" if error.path else error.message
    if error.location.via:
        message += f" (included from {', '.join(error.location.via)})"
    return Finding(error.location, check_of(error), "error", message)
