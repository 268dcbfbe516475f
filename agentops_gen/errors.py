"""The one error type a user can cause, and its one formatter."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Location:
    """A position in a spec file (1-based line and column), with the include chain that led there."""

    file: str
    line: int = 1
    col: int = 1
    via: tuple[str, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class SpecError:
    """One located problem in user input: `FILE:LINE:COL: error: FIELD.PATH: message`."""

    location: Location
    path: str
    message: str
    code: str = ""
    """Name of the lint check this error belongs to (e.g. `spec/unknown-receiver`), set where the error is
    made; lint files an error by it, never by its message. Empty = `spec/schema`."""

    def format(self) -> str:
        """Render the single stderr line (include origin appended when the node came from a fragment)."""
        field_part = f"{clip(self.path, MAX_PATH_CHARS)}: " if self.path else ""
        via = f" (included from {', '.join(self.location.via)})" if self.location.via else ""
        return one_line(f"{self.location}: error: {field_part}{clip(self.message, MAX_MESSAGE_CHARS)}{via}")


MAX_PATH_CHARS = 200
MAX_MESSAGE_CHARS = 1000
"""An error line stays readable whatever was written: a key of 70,000 characters is the field path and the
`unknown key '...'` message both (fuzz FUZZ_SEED=10 case 824 printed a 140 KB line)."""


def clip(text: str, limit: int) -> str:
    """`text` cut to about `limit` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


def one_line(text: str) -> str:
    """Tools parse these lines one per problem: a message never spans lines."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


class CodedValueError(ValueError):
    """A ValueError from a spec model's validator that names its lint check (pydantic keeps it in the error's ctx).

    `at` is the path below the validated field the problem sits at (a key of a mapping field), `key` whether
    to point at that key rather than its value.
    """

    def __init__(self, message: str, code: str, at: tuple[str | int, ...] = (), *, key: bool = False):
        super().__init__(message)
        self.code = code
        self.at = at
        self.key = key


class SpecErrors(Exception):
    """Raised with every located error of a run; the CLI prints them and exits 2."""

    def __init__(self, errors: list[SpecError]):
        super().__init__("\n".join(e.format() for e in errors))
        self.errors = sorted(errors, key=lambda e: (e.location.file, e.location.line, e.location.col, e.path))


class UsageError(Exception):
    """Bad command line or unreadable path (exit 2)."""
