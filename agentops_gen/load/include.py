"""`!include` confined to the include root.

pyyaml-include parses the statement (scalar, sequence or mapping form); this module adds what it
lacks: relative-to-including-file resolution, confinement to the root (no absolute paths, no `..`
escape, no symlinks leaving the root), no URLs or globs, and cycle detection.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from yaml.nodes import Node

from agentops_gen.errors import Location, SpecError
from agentops_gen.load.yaml_loader import LoadError, display_path, dotted, read_text

if TYPE_CHECKING:
    from agentops_gen.load.yaml_loader import _Builder

MAX_INCLUDE_DEPTH = 16
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://|^[a-zA-Z][a-zA-Z0-9+.-]*::")
_GLOB = re.compile(r"[*?\[\]]")


def _statement(node: Node) -> tuple[str, bool]:
    """Parse the include statement with pyyaml-include; returns (urlpath, has_extra_params).

    The scalar form (`!include path.yaml`) is pyyaml-include's `Data(construct_scalar(node))`, taken
    here directly: importing pyyaml-include pulls in fsspec and asyncio (~80 ms), a third of a lint
    run, for a statement that is the scalar itself. The sequence and mapping forms go to the library.
    """
    if isinstance(node, yaml.ScalarNode):
        return str(node.value), False
    import yaml_include

    constructor = yaml_include.Constructor(autoload=False)
    data = constructor(yaml.SafeLoader(""), node)
    extra = bool(data.sequence_params or data.mapping_params or data.flatten)
    return str(data.urlpath), extra


def resolve_include(builder: _Builder, node: Node, file: str, via: tuple[str, ...],
                    stack: tuple[Path, ...], path: tuple[str | int, ...] = ()) -> tuple[Path, str, str]:
    """Return (resolved path, text, display name) of an include target, or raise a located LoadError.

    `stack` holds the resolved files being built (the spec file first); `path` is the field the
    include fills, reported with every error.
    """
    loc = Location(file, node.start_mark.line + 1, node.start_mark.column + 1, via)
    field = dotted(path)

    def fail(message: str) -> LoadError:
        return LoadError([SpecError(loc, field, f"!include: {message}")])

    try:
        urlpath, extra = _statement(node)
    except Exception as exc:  # pyyaml-include raises TypeError/ValueError on malformed statements
        raise fail(f"malformed include statement ({exc})") from None
    if extra:
        raise fail("only a plain relative path is supported (no open/glob parameters)")
    if not urlpath:
        raise fail("empty path")
    if _URL.match(urlpath):
        raise fail(f"URLs are not allowed ({urlpath!r}); include files inside the spec folder")
    if _GLOB.search(urlpath):
        raise fail(f"globs are not allowed ({urlpath!r}); include one file at a time")
    if urlpath.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", urlpath):
        raise fail(f"absolute paths are not allowed ({urlpath!r}); use a path relative to {file}")
    if len(stack) > MAX_INCLUDE_DEPTH:
        raise fail(f"includes nested deeper than {MAX_INCLUDE_DEPTH}")
    root = builder.root.resolve()
    including_dir = stack[-1].parent
    lexical = Path(*including_dir.parts, *Path(urlpath).parts)
    normalized = Path(_normpath(str(lexical)))
    if not _inside(normalized, root):
        raise fail(f"{urlpath!r} escapes the include root {display_path(root)}")
    if not normalized.exists():
        raise fail(f"file not found: {display_path(normalized)}")
    target = normalized.resolve()
    if not _inside(target, root):
        raise fail(f"{urlpath!r} is a symlink that leaves the include root {display_path(root)}")
    if not target.is_file():
        raise fail(f"not a file: {display_path(normalized)}")
    if target in stack:
        chain = " -> ".join(display_path(p) for p in (*stack, target))
        raise fail(f"include cycle: {chain}")
    inc_file = display_path(normalized)
    try:
        text = read_text(target, inc_file, (*via, str(Location(file, loc.line, loc.col))))
    except OSError as exc:
        raise fail(f"cannot read {inc_file}: {exc.strerror or exc}") from None
    return target, text, inc_file


def _normpath(path: str) -> str:
    import os.path

    return os.path.normpath(path)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


__all__ = ["resolve_include"]
