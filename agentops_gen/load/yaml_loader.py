"""Safe YAML loading that remembers where every node came from.

PyYAML's constructors drop marks, so we compose the node graph (libyaml when present) and build
plain Python data ourselves, recording the location of every key and value by field path.

Hostile or broken input is a located error, never a crash, hang or traceback:
- nesting depth is checked on parse events first (libyaml's composer recurses and segfaults
  around 30k levels); the limit continues across `!include`s;
- alias bombs are measured on the composed graph (shared nodes sized once) before anything is
  built, and recursive aliases (`&a [*a]`) are refused;
- duplicate keys, unsupported tags, bad UTF-8 and forbidden characters are all reported; merge
  keys (`<<`) follow YAML semantics (explicit keys win, no false duplicates);
- mapping keys are taken as written, so `on:` or `no:` stay strings.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from agentops_gen.errors import Location, SpecError

try:  # libyaml: ~7x faster and keeps marks
    from yaml import CSafeLoader as _Loader
    from yaml._yaml import get_version as _libyaml_version
except ImportError:  # pragma: no cover - pure-Python fallback
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    def _libyaml_version() -> tuple[int, int, int]:
        return (0, 0, 0)

MAX_DEPTH = 64
"""Deeper nesting is a located error (`nesting deeper than 64 levels`)."""
SCAN_DEPTH_FIRST = _libyaml_version() < (0, 2, 6)
"""libyaml 0.2.6 refuses more than 1,000 levels itself, so its recursive composer cannot overflow and the
depth is checked on the composed nodes while they are built: the text is parsed once. An older libyaml
(or none) composes without a bound and segfaults around 30,000 levels: the depth is then checked on
parse events first, a second parse of every file."""
MAX_FILE_BYTES = 1024 * 1024
"""Largest spec or fragment file read, checked before reading: the largest example spec is 18 KB, and
a 1 MiB spec already takes about 1.7 s to load; past it, parsing time and memory grow without use."""
MAX_NODES = 200_000
"""Bound on the values a document expands to (aliases counted each time they are used): an alias bomb
(billion laughs) is one error at the first value that grows past it, found in linear time."""
CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
"""Never allowed in a spec string: C0 controls but tab and newline, DEL, C1, and the Unicode line and
paragraph separators (line breaks to YAML 1.1 and to JavaScript, invisible in an editor). YAML's reader
refuses most of them written raw, but double-quoted escapes (`"\\r"`, `"\\x85"`) and a raw U+2028 get through."""
KEY_CONTROL_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Mapping keys are names (labels, fields, receivers): tab and newline are refused too."""
INCLUDE_TAG = "!include"
MERGE_TAG = "tag:yaml.org,2002:merge"

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


YAML_CODE = "spec/yaml"
"""The lint check of every loader error."""


class LoadError(Exception):
    """Raised with the located errors of one file (the caller decides how to report)."""

    def __init__(self, errors: list[SpecError]):
        super().__init__("; ".join(e.format() for e in errors))
        # Every error the loader makes is one of the YAML the spec language refuses.
        self.errors = [e if e.code else replace(e, code=YAML_CODE) for e in errors]


def display_path(path: Path) -> str:
    """Path as the user should see it: relative to the working directory when inside it.

    Lexical (symlinks are not followed), so a fragment reached through a link is shown where it
    was written, and a link that leaves the spec folder is never reported under its target's name.
    """
    absolute = Path(os.path.abspath(path))
    for cwd in (Path(os.getcwd()), Path.cwd().resolve()):
        try:
            return absolute.relative_to(cwd).as_posix()
        except ValueError:
            continue
    return absolute.as_posix()


def _loc(file: str, mark: Any, via: tuple[str, ...]) -> Location:
    return Location(file, mark.line + 1, mark.column + 1, via)


def read_text(path: Path, file: str, via: tuple[str, ...] = ()) -> str:
    """Read UTF-8 text; a bad byte, a file past MAX_FILE_BYTES or a non-file is a located error.

    stat comes before open (opening a device can have effects, a FIFO would block), the open does
    not block, and at most MAX_FILE_BYTES + 1 bytes are read whatever the file claims.
    """
    def refuse(message: str) -> LoadError:
        return LoadError([SpecError(Location(file, 1, 1, via), "", message)])

    if not stat.S_ISREG(os.stat(path).st_mode):
        raise refuse("not a regular file; refusing to open it")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb") as stream:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped for something else after the stat
            raise refuse("not a regular file; refusing to open it")
        if info.st_size > MAX_FILE_BYTES:
            raise refuse(_too_big(info.st_size))
        raw = stream.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:  # grew while being read
        raise refuse(_too_big(len(raw), more=True))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        # columns count characters (as libyaml's marks do), not bytes
        col = len(raw[line_start : exc.start].decode("utf-8-sig" if line_start == 0 else "utf-8", "replace")) + 1
        raise LoadError(
            [SpecError(Location(file, line, col, via), "", f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})")]
        ) from None


def _too_big(size: int, *, more: bool = False) -> str:
    return (f"file is {'at least ' if more else ''}{size} bytes, more than the limit of {MAX_FILE_BYTES} bytes "
            f"({MAX_FILE_BYTES / 2**20:g} MiB); split it into several spec files or !include fragments")


def _yaml_error(file: str, exc: yaml.MarkedYAMLError, text: str, via: tuple[str, ...]) -> SpecError:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or str(exc)
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        problem = "tab character in indentation (YAML allows spaces only)"
    return SpecError(Location(file, line, col, via), _dotted(getattr(exc, "agentops_path", ())),
                     f"invalid YAML: {problem}")


def _check_depth(text: str, file: str, via: tuple[str, ...], base: Path_ = ()) -> None:
    """Reject deep nesting from parse events (iterative in libyaml), before the recursive composer runs.

    The error names the field that holds the deep value (its first levels; line:col is exact).
    """
    frames: list[_Frame] = []
    try:
        _scan_depth(text, file, via, base, frames)
    except yaml.MarkedYAMLError as exc:  # a syntax error: remember which field was being read
        mark = exc.problem_mark
        if mark is not None and "maximum nesting depth" in str(exc.problem):
            # libyaml >= 0.2.6 stops at 1000 levels, and its scanner reads a run of `[` ahead before
            # the first event: the text up to its stop still holds our (shallower) limit's culprit.
            try:
                _scan_depth(text[: mark.index], file, via, base, [])
            except yaml.MarkedYAMLError:
                pass  # the prefix ends mid-collection; libyaml's own error stands
        path = base
        if frames:
            top = frames[-1]
            path = (*top.path, top.key) if top.mapping and not top.expecting_key else top.path
        exc.agentops_path = path  # type: ignore[attr-defined]
        raise


def _scan_depth(text: str, file: str, via: tuple[str, ...], base: Path_, frames: list[_Frame]) -> None:
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            done = frames.pop()
            if frames and frames[-1].mapping:
                frames[-1].expecting_key = not done.is_key
            continue
        if not isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.MappingStartEvent,
                                  yaml.SequenceStartEvent)):
            continue
        opens = isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent))
        path: Path_ = base
        is_key = False
        if frames:
            parent = frames[-1]
            if not parent.mapping:
                path = (*parent.path, parent.index)
                parent.index += 1
            elif parent.expecting_key:
                is_key = True
                parent.key = event.value if isinstance(event, yaml.ScalarEvent) else "?"
                path = (*parent.path, parent.key)
                if not opens:
                    parent.expecting_key = False
            else:
                path = (*parent.path, parent.key)
                if not opens:
                    parent.expecting_key = True
        if opens:
            frames.append(_Frame(path, isinstance(event, yaml.MappingStartEvent), is_key))
            if len(base) + len(frames) > MAX_DEPTH:  # fragments continue their includer's depth
                raise LoadError([SpecError(_loc(file, event.start_mark, via), _dotted(path[:3]),
                                           f"nesting deeper than {MAX_DEPTH} levels")])


def _too_deep(file: str, node: Node, path: Path_, via: tuple[str, ...]) -> LoadError:
    """The error of a collection opened past MAX_DEPTH levels (the field: its first levels)."""
    return LoadError([SpecError(_loc(file, node.start_mark, via), _dotted(path[:3]),
                                f"nesting deeper than {MAX_DEPTH} levels")])


@dataclass
class _Frame:
    """An open collection while scanning parse events."""

    path: Path_
    mapping: bool
    is_key: bool
    expecting_key: bool = True
    key: str = "?"
    index: int = 0


def compose_text(text: str, file: str, via: tuple[str, ...] = (), base: Path_ = ()) -> Node | None:
    """Parse one YAML document to a node graph, turning every YAML problem into a located error.

    `base` is the field path the document's root is found at (non-empty for included fragments).
    """
    nodes = _compose(text, file, via, base, every_document=False)
    return nodes[0] if nodes else None


def _compose(text: str, file: str, via: tuple[str, ...], base: Path_, *, every_document: bool) -> list[Node]:
    """The composed documents of `text` (the first only unless `every_document`), all checked for alias bombs."""
    try:
        if SCAN_DEPTH_FIRST:
            _check_depth(text, file, via, base)
        try:
            if every_document:
                nodes = [n for n in yaml.compose_all(text, Loader=_Loader) if n is not None]
            else:
                node = yaml.compose(text, Loader=_Loader)
                nodes = [node] if node is not None else []
        except yaml.MarkedYAMLError:
            if not SCAN_DEPTH_FIRST:
                # Only on bad input: the scan names the field being read at a syntax error, and past
                # libyaml's 1,000 levels it finds the first level past MAX_DEPTH (both raise).
                _check_depth(text, file, via, base)
            raise
    except yaml.MarkedYAMLError as exc:
        raise LoadError([_yaml_error(file, exc, text, via)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids (NUL, other control characters)
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        char = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        raise LoadError([SpecError(Location(file, line, col, via), "",
                                   f"invalid YAML: unacceptable character {char}: {exc.reason}")]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every parser error carries a mark
        raise LoadError([SpecError(Location(file, 1, 1, via), "", f"invalid YAML: {exc}")]) from None
    # Without an anchor (`&`) nothing is shared, and a document of n characters composes to fewer
    # than 2n + 2 nodes: neither an alias bomb nor a self-containing value is possible.
    if "&" in text or 2 * len(text) + 2 > MAX_NODES:
        for node in nodes:
            _check_expansion(node, file, via, base)
    return nodes


def _check_expansion(root: Node, file: str, via: tuple[str, ...], base: Path_) -> None:
    """Reject alias bombs before building: the first value whose aliases expand past MAX_NODES is the error.

    The node graph shares aliased nodes, so sizes are computed once per node (linear in the file),
    and the culprit is the first anchored value (in document order) that grows too big.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: Node, path: Path_, depth: int) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        if id(node) in open_nodes:  # `&a [*a]`: PyYAML composes a node that contains itself
            raise LoadError([SpecError(_loc(file, node.start_mark, via), _dotted(path),
                                       "recursive alias: this value contains itself")])
        open_nodes.add(id(node))
        total = 1
        if isinstance(node, (SequenceNode, MappingNode)) and depth >= MAX_DEPTH:
            raise _too_deep(file, node, path, via)
        if isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                total += size(item, (*path, i), depth + 1)
        elif isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, ScalarNode) else "?"
                total += size(key_node, path, depth + 1) + size(value_node, (*path, key), depth + 1)
        sizes[id(node)] = total
        open_nodes.discard(id(node))
        if total > MAX_NODES:
            raise LoadError([SpecError(_loc(file, node.start_mark, via), _dotted(path),
                                       f"aliases expand this value to more than {MAX_NODES} values (alias bomb?)")])
        return total

    size(root, base, len(base))


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
        if self.count > MAX_NODES:  # aliases of !include nodes: each expansion re-reads the fragment
            raise LoadError(
                [SpecError(_loc(file, node.start_mark, via), _dotted(path),
                           f"document expands to more than {MAX_NODES} values (alias bomb?)")]
            )
        if len(path) >= MAX_DEPTH and isinstance(node, (MappingNode, SequenceNode)):
            raise _too_deep(file, node, path, via)  # (keys are never built: a collection key is an error)
        self.loaded.values[path] = _loc(file, node.start_mark, via)
        if node.tag == INCLUDE_TAG:
            return self._include(node, file, path, via, stack)
        if isinstance(node, MappingNode):
            return self._mapping(node, file, path, via, stack)
        if isinstance(node, SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                return self._bad_tag(node, file, path, via)
            return [self.build(item, file, (*path, i), via, stack) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        try:
            value = self.scalars.construct_object(node, deep=True)
        except ConstructorError:
            return self._bad_tag(node, file, path, via)
        if isinstance(value, str):
            self._check_chars(value, CONTROL_CHARS, node, file, path, via)
        return value

    def _check_chars(self, text: str, pattern: re.Pattern[str], node: Node, file: str, path: Path_,
                     via: tuple[str, ...], what: str = "") -> None:
        """One located error for the first forbidden control character of a string (value or key)."""
        bad = pattern.search(text)
        if bad is not None:
            self.errors.append(SpecError(_loc(file, node.start_mark, via), _dotted(path),
                                         f"{what}control character {_codepoint(bad.group())} is not allowed"))

    def _include(self, node: Node, file: str, path: Path_, via: tuple[str, ...], stack: tuple[Path, ...]) -> Any:
        """Build an included fragment in place; its problems are errors of this file, located in the fragment."""
        from agentops_gen.load.include import resolve_include

        site = _loc(file, node.start_mark, via)
        try:
            target, text, inc_file = resolve_include(self, node, file, via, stack, path)
            inc_via = (*via, str(_loc(file, node.start_mark, ())))
            inc_node = compose_text(text, inc_file, inc_via, path)
        except LoadError as exc:
            self.errors.extend(exc.errors)
            return None
        if inc_file not in self.loaded.sources:
            self.loaded.sources.append(inc_file)
        if inc_node is None:
            self.errors.append(SpecError(site, _dotted(path), f"!include: {inc_file} is empty"))
            return None
        # the included value is located in its fragment (with the include site in `via`), so a problem
        # with the value as a whole ("required key is missing") points into the fragment
        return self.build(inc_node, inc_file, path, inc_via, (*stack, target))

    def _bad_tag(self, node: Node, file: str, path: Path_, via: tuple[str, ...]) -> Any:
        self.errors.append(SpecError(_loc(file, node.start_mark, via), _dotted(path),
                                     f"unsupported YAML tag {node.tag!r} (only {INCLUDE_TAG} is allowed)"))
        return None

    def _mapping(self, node: MappingNode, file: str, path: Path_, via: tuple[str, ...],
                 stack: tuple[Path, ...]) -> dict[str, Any] | None:
        if node.tag != "tag:yaml.org,2002:map":
            self._bad_tag(node, file, path, via)
            return None
        out: dict[str, Any] = {}
        merged: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:  # `<<: *defaults`: keys written here win, so merge them last
                merged.extend(self._merge_pairs(value_node, file, path, via))
                continue
            if not isinstance(key_node, ScalarNode):
                self.errors.append(SpecError(_loc(file, key_node.start_mark, via), _dotted(path),
                                             "mapping keys must be plain scalars"))
                continue
            key = key_node.value  # as written: `on:`/`no:` stay strings (YAML 1.1 would read booleans)
            key_path = (*path, key)
            key_loc = _loc(file, key_node.start_mark, via)
            self._check_chars(key, KEY_CONTROL_CHARS, key_node, file, key_path, via, "key: ")
            if key in out:
                first = self.loaded.keys[key_path]
                where = f"line {first.line}" if first.file == file else str(first)
                self.errors.append(SpecError(key_loc, _dotted(key_path),
                                             f"duplicate key {key!r} (first defined at {where})"))
                continue
            self.loaded.keys[key_path] = key_loc
            out[key] = self.build(value_node, file, key_path, via, stack)
        for key_node, value_node in merged:
            key = key_node.value
            if key in out:
                continue
            self.loaded.keys[(*path, key)] = _loc(file, key_node.start_mark, via)
            out[key] = self.build(value_node, file, (*path, key), via, stack)
        return out

    def _merge_pairs(self, value: Node, file: str, path: Path_, via: tuple[str, ...]) -> list[tuple[Node, Node]]:
        """Key/value pairs a merge key brings in (a mapping or a list of mappings; earlier ones win)."""
        sources = value.value if isinstance(value, SequenceNode) else [value]
        pairs: list[tuple[Node, Node]] = []
        for source in sources:
            if not isinstance(source, MappingNode) or source.tag != "tag:yaml.org,2002:map":
                self.errors.append(SpecError(_loc(file, source.start_mark, via), _dotted(path),
                                             "`<<` merges a mapping or a list of mappings only"))
                continue
            nested: list[tuple[Node, Node]] = []
            for key_node, value_node in source.value:
                if key_node.tag == MERGE_TAG:
                    nested.extend(self._merge_pairs(value_node, file, path, via))
                elif isinstance(key_node, ScalarNode):
                    pairs.append((key_node, value_node))
            pairs.extend(nested)  # a source's own keys win over what it merged itself
        return pairs


def _codepoint(char: str) -> str:
    """`U+000D (\\r)`: the code point, and the escape the user most likely wrote."""
    escape = repr(char)[1:-1]
    return f"U+{ord(char):04X}" + (f" ({escape})" if escape.startswith("\\") else "")


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    # a key may hold a control character (that is the error being reported): show its escape
    return KEY_CONTROL_CHARS.sub(lambda m: repr(m.group())[1:-1], out)


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


def load_documents(path: Path, root: Path | None = None) -> list[LoadedFile]:
    """Every non-empty document of a `---` separated YAML file, each located like `load_file`, or a LoadError.

    Locations are lines of the whole file; problems of every document are collected before raising.
    `!include`s are confined to `root` (default: the file's folder). A document may be any value.
    """
    file = display_path(path)
    nodes = [n for n in _compose(read_text(path, file), file, (), (), every_document=True) if not _empty(n)]
    if not nodes:
        raise LoadError([SpecError(Location(file, 1, 1), "", "file is empty (expected a YAML document)")])
    docs: list[LoadedFile] = []
    errors: list[SpecError] = []
    for node in nodes:
        loaded = LoadedFile(file=file, data=None, sources=[file])
        builder = _Builder(root if root is not None else path.resolve().parent, loaded)
        loaded.data = builder.build(node, file, (), (), (path.resolve(),))
        errors.extend(builder.errors)
        docs.append(loaded)
    if errors:
        raise LoadError(errors)
    return docs


def _empty(node: Node) -> bool:
    """An empty document (`---` followed by nothing), which kubectl and Sloth skip too."""
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null" and node.value in ("", "~", "null")


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "mapping"
    return "list" if isinstance(node, SequenceNode) else "scalar"
