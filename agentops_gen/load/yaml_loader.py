"""Safe YAML loading that remembers where every node came from.

PyYAML's constructors drop marks, so we compose the node graph (libyaml when present) and build
plain Python data ourselves, recording the location of every key and value by field path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from agentops_gen.errors import Location, SpecError

try:  # libyaml: ~7x faster and keeps marks
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - pure-Python fallback
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 64
"""Deeper nesting is rejected from parse events, before libyaml's recursive composer can overflow."""
MAX_NODES = 200_000
"""Bound on constructed values, so an alias bomb (billion laughs) fails fast instead of exhausting memory."""
INCLUDE_TAG = "!include"

Path_ = tuple[str | int, ...]


@dataclass
class LoadedFile:
    """A spec file's data and, for every field path, where its value (and key) were written."""

    file: str
    data: Any
    values: dict[Path_, Location] = field(default_factory=dict)
    keys: dict[Path_, Location] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def locate(self, path: Path_, *, key: bool = False) -> Location:
        """The closest known location for a field path (its key, its value, or its nearest parent)."""
        if key and path in self.keys:
            return self.keys[path]
        for n in range(len(path), -1, -1):
            prefix = path[:n]
            if prefix in self.values:
                return self.values[prefix]
        return Location(self.file, 1, 1)


class LoadError(Exception):
    """Raised with the located errors of one file (the caller decides how to report)."""

    def __init__(self, errors: list[SpecError]):
        super().__init__("; ".join(e.format() for e in errors))
        self.errors = errors


def display_path(path: Path) -> str:
    """Path as the user should see it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _loc(file: str, mark: Any, via: tuple[str, ...]) -> Location:
    return Location(file, mark.line + 1, mark.column + 1, via)


def read_text(path: Path, file: str, via: tuple[str, ...] = ()) -> str:
    """Read UTF-8 text; a bad byte is a located error, not a traceback."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise LoadError(
            [SpecError(Location(file, line, col, via), "", f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})")]
        ) from None


def _yaml_error(file: str, exc: yaml.MarkedYAMLError, text: str, via: tuple[str, ...]) -> SpecError:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or str(exc)
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        problem = "tab character in indentation (YAML allows spaces only)"
    return SpecError(Location(file, line, col, via), "", f"invalid YAML: {problem}")


def _check_depth(text: str, file: str, via: tuple[str, ...]) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise LoadError(
                    [SpecError(_loc(file, event.start_mark, via), "", f"nesting deeper than {MAX_DEPTH} levels")]
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def compose_text(text: str, file: str, via: tuple[str, ...] = ()) -> Node | None:
    """Parse one YAML document to a node graph, turning every YAML problem into a located error."""
    try:
        _check_depth(text, file, via)
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise LoadError([_yaml_error(file, exc, text, via)]) from None
    except yaml.YAMLError as exc:  # e.g. a second document ("expected a single document")
        raise LoadError([SpecError(Location(file, 1, 1, via), "", f"invalid YAML: {exc}")]) from None


class _Builder:
    """Walks composed nodes into plain data, recording locations and collecting errors."""

    def __init__(self, root: Path, loaded: LoadedFile):
        self.root = root
        self.loaded = loaded
        self.errors: list[SpecError] = []
        self.count = 0
        self.scalars = SafeConstructor()

    def build(self, node: Node, file: str, path: Path_, via: tuple[str, ...], stack: tuple[Path, ...]) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise LoadError(
                [SpecError(_loc(file, node.start_mark, via), _dotted(path),
                           f"document expands to more than {MAX_NODES} values (alias bomb?)")]
            )
        self.loaded.values[path] = _loc(file, node.start_mark, via)
        if node.tag == INCLUDE_TAG:
            from agentops_gen.load.include import resolve_include

            target, text, inc_file = resolve_include(self, node, file, via, stack)
            inc_via = (*via, str(_loc(file, node.start_mark, ())))
            inc_node = compose_text(text, inc_file, inc_via)
            if inc_node is None:
                return None
            self.loaded.sources.append(inc_file)
            value = self.build(inc_node, inc_file, path, inc_via, (*stack, target))
            self.loaded.values[path] = _loc(file, node.start_mark, via)
            return value
        if isinstance(node, MappingNode):
            return self._mapping(node, file, path, via, stack)
        if isinstance(node, SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                return self._bad_tag(node, file, path, via)
            return [self.build(item, file, (*path, i), via, stack) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        try:
            return self.scalars.construct_object(node, deep=True)
        except ConstructorError:
            return self._bad_tag(node, file, path, via)

    def _bad_tag(self, node: Node, file: str, path: Path_, via: tuple[str, ...]) -> None:
        self.errors.append(SpecError(_loc(file, node.start_mark, via), _dotted(path),
                                     f"unsupported YAML tag {node.tag!r} (only {INCLUDE_TAG} is allowed)"))
        return None

    def _mapping(self, node: MappingNode, file: str, path: Path_, via: tuple[str, ...],
                 stack: tuple[Path, ...]) -> dict[str, Any] | None:
        if node.tag != "tag:yaml.org,2002:map":
            return self._bad_tag(node, file, path, via)
        try:
            self.scalars.flatten_mapping(node)  # YAML merge keys (<<: *defaults)
        except ConstructorError as exc:
            mark = exc.problem_mark or node.start_mark
            self.errors.append(SpecError(_loc(file, mark, via), _dotted(path), f"invalid merge key: {exc.problem}"))
            return None
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.errors.append(SpecError(_loc(file, key_node.start_mark, via), _dotted(path),
                                             "mapping keys must be plain scalars"))
                continue
            key = str(self.scalars.construct_object(key_node))
            key_path = (*path, key)
            key_loc = _loc(file, key_node.start_mark, via)
            if key in out:
                first = self.loaded.keys.get(key_path)
                self.errors.append(SpecError(key_loc, _dotted(key_path),
                                             f"duplicate key {key!r} (first defined at line {first.line if first else '?'})"))
                continue
            self.loaded.keys[key_path] = key_loc
            out[key] = self.build(value_node, file, key_path, via, stack)
        return out


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


dotted = _dotted


def load_file(path: Path, root: Path) -> LoadedFile:
    """Load one spec file (with confined `!include`s under `root`) or raise LoadError with located errors."""
    file = display_path(path)
    text = read_text(path, file)
    node = compose_text(text, file)
    loaded = LoadedFile(file=file, data=None, sources=[file])
    if node is None:
        raise LoadError([SpecError(Location(file, 1, 1), "", "file is empty (expected a mapping with `version:`)")])
    if not isinstance(node, MappingNode) and node.tag != INCLUDE_TAG:
        raise LoadError([SpecError(_loc(file, node.start_mark, ()), "",
                                   f"top level must be a mapping, got a {_kind(node)}")])
    builder = _Builder(root, loaded)
    loaded.data = builder.build(node, file, (), (), (path.resolve(),))
    if builder.errors:
        raise LoadError(builder.errors)
    if not isinstance(loaded.data, dict):
        raise LoadError([SpecError(Location(file, 1, 1), "", "top level must be a mapping")])
    return loaded


def _kind(node: Node) -> str:
    return {MappingNode: "mapping", SequenceNode: "list"}.get(type(node), "scalar")
