"""Typed, located access to the documents being imported (load.yaml_loader.load_documents reads them):
the accessors collect one located error per problem instead of raising on the first."""

from __future__ import annotations

import difflib
from typing import Any

from agentops_gen.errors import Location, SpecError
from agentops_gen.load.yaml_loader import LoadedFile, dotted

Path_ = tuple[str | int, ...]


class Reader:
    """Typed, located access to one document; problems are appended to `errors` (shared across documents)."""

    def __init__(self, doc: LoadedFile, errors: list[SpecError], base: Path_ = ()):
        self.doc = doc
        self.errors = errors
        self.base = base

    def at(self, path: Path_) -> Reader:
        """A Reader rooted at a sub-path (an item of a top-level list)."""
        return Reader(self.doc, self.errors, (*self.base, *path))

    def value(self, path: Path_) -> Any:
        """The value at `path` (None when a parent is missing or not a container)."""
        node: Any = self.doc.data
        for part in (*self.base, *path):
            if isinstance(part, int):
                node = node[part] if isinstance(node, list) and part < len(node) else None
            else:
                node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                return None
        return node

    def loc(self, path: Path_, *, key: bool = False) -> Location:
        """Where `path` was written (its key with `key=True`)."""
        return self.doc.locate((*self.base, *path), key=key)

    def name(self, path: Path_) -> str:
        """The field path as the user wrote it (`slos[0].sli.events`)."""
        return dotted((*self.base, *path))

    def error(self, path: Path_, message: str, *, key: bool = False) -> None:
        """Record one located problem."""
        self.errors.append(SpecError(self.loc(path, key=key), self.name(path), message))

    def mapping(self, path: Path_, allowed: tuple[str, ...], required: tuple[str, ...] = (),
                *, optional: bool = False) -> dict[str, Any] | None:
        """The mapping at `path`: unknown keys and missing required keys are errors."""
        data = self.value(path)
        if data is None and optional:
            return None
        if not isinstance(data, dict):
            self.error(path, f"must be a mapping, got {_kind(data)}")
            return None
        typos = []
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
                hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(allowed)}"
                self.error((*path, key), f"unknown key {key!r} ({hint})", key=True)
                typos.extend(close)
        for key in required:
            if data.get(key) is None and key not in typos:  # the typo's error already says it
                self.error(path, f"required key {key!r} is missing")
        return data

    def string(self, path: Path_, *, required: bool = False) -> str | None:
        """A string value (numbers are not strings here: a name or a query written as `1` is an error)."""
        data = self.value(path)
        if data is None:
            if required:
                self.error(path[:-1], f"required key {path[-1]!r} is missing")
            return None
        if not isinstance(data, str) or not data.strip():
            self.error(path, f"must be a non-empty string, got {_kind(data)}")
            return None
        return data

    def number(self, path: Path_, *, required: bool = False) -> float | int | None:
        """A finite number, as written (an integer stays one)."""
        data = self.value(path)
        if data is None:
            if required:
                self.error(path[:-1], f"required key {path[-1]!r} is missing")
            return None
        if isinstance(data, bool) or not isinstance(data, (int, float)) or data != data or abs(data) == float("inf"):
            self.error(path, f"must be a number, got {_kind(data)}")
            return None
        return data

    def boolean(self, path: Path_) -> bool | None:
        """A true/false value."""
        data = self.value(path)
        if data is None:
            return None
        if not isinstance(data, bool):
            self.error(path, f"must be true or false, got {_kind(data)}")
            return None
        return data

    def string_map(self, path: Path_) -> dict[str, str]:
        """A mapping of strings (labels, annotations); numbers and booleans are taken as Prometheus sees them."""
        data = self.value(path)
        if data is None:
            return {}
        if not isinstance(data, dict):
            self.error(path, f"must be a mapping of strings, got {_kind(data)}")
            return {}
        out = {}
        for key, value in data.items():
            if isinstance(value, bool):
                out[key] = str(value).lower()
            elif isinstance(value, (int, float, str)):
                out[key] = str(value)
            else:
                self.error((*path, key), f"must be a string, got {_kind(value)}")
        return out

    def items(self, path: Path_, *, required: bool = False) -> list[int]:
        """Indexes of the list at `path`."""
        data = self.value(path)
        if data is None:
            if required:
                self.error(path[:-1], f"required key {path[-1]!r} is missing")
            return []
        if not isinstance(data, list):
            self.error(path, f"must be a list, got {_kind(data)}")
            return []
        return list(range(len(data)))


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else f"the string {value!r}"
    return "a list" if isinstance(value, list) else "a mapping"
