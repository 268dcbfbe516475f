"""A service's spec while it is imported: the data in output order, the `#` notes on what could not be
carried over, and where each written value came from (so validation errors point at the source line)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agentops_gen.errors import Location
from agentops_gen.spec.common import LABEL_NAME_RE, NAME_RE, RESERVED_LABELS
from agentops_gen.spec.limits import MAX_NAME
from agentops_gen.spec.service import VERSION

Path_ = tuple[str | int, ...]

UNKNOWN_OWNER = "unknown"
"""Owner written when the source format has none; the note next to it asks the user to set it."""


@dataclass
class Draft:
    """One service's imported spec."""

    service: str
    sources: list[str]
    data: dict[str, Any]
    notes: dict[Path_, list[str]] = field(default_factory=dict)
    origins: dict[Path_, tuple[Location, str]] = field(default_factory=dict)
    """Output path -> (source location, source field path) of the value written there."""

    def note(self, path: Path_, text: str) -> None:
        """A `#` comment written above the output key at `path` (or the nearest parent that exists)."""
        notes = self.notes.setdefault(path, [])
        if text not in notes:  # documents merged into one service repeat theirs
            notes.append(text)

    def origin(self, path: Path_, loc: Location, source_path: str) -> None:
        """Remember where the value at output `path` came from."""
        self.origins[path] = (loc, source_path)


def new_draft(service: str, source: str, owner: str | None, loc: Location, source_path: str) -> Draft:
    """A Draft with the required top-level keys."""
    draft = Draft(service=service, sources=[source],
                  data={"version": VERSION, "service": service, "owner": owner or UNKNOWN_OWNER})
    draft.origin(("service",), loc, source_path)
    draft.origin(("version",), loc, source_path)
    draft.origin(("owner",), loc, source_path)
    return draft


def kebab(name: str) -> str:
    """A spec name for a foreign name: lowercase, every run of other characters one `-`, at most 63."""
    out = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if out and not out[0].isalpha():
        out = "x-" + out
    return out[:MAX_NAME].rstrip("-") or "unnamed"


def carried_name(name: str) -> tuple[str, str | None]:
    """(spec name, note) for a foreign name: the note says what was renamed."""
    if NAME_RE.match(name) and len(name) <= MAX_NAME:
        return name, None
    new = kebab(name)
    return new, f"renamed from {name!r}: names are lowercase kebab-case, at most {MAX_NAME} characters"


def split_labels(labels: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """(labels the spec language takes, notes on the ones it does not)."""
    kept, notes = {}, []
    for key, value in labels.items():
        if key in RESERVED_LABELS:
            notes.append(f"label {key}={value!r} not carried over: agentops-gen sets `{key}` itself")
        elif not LABEL_NAME_RE.match(key):
            notes.append(f"label {key}={value!r} not carried over: not a Prometheus label name")
        elif "\n" in value or "\t" in value:
            notes.append(f"label {key} not carried over: a label value must be one line")
        else:
            kept[key] = value
    return kept, notes
