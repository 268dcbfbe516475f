"""Routing rules that need more than one file: the target Alertmanager version and receiver names.

The platform file's `alertmanager.version` decides which integrations and `*_file` keys exist;
generated receiver names (`<service>-<receiver>`) must be unique across the whole spec folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentops_gen.errors import SpecError
from agentops_gen.load.yaml_loader import dotted
from agentops_gen.spec.routing import INLINE, RECEIVER_TYPES, SINCE, Receiver, version_tuple
from agentops_gen.units import names

if TYPE_CHECKING:
    from agentops_gen.spec.validate import SpecFile, SpecSet

Path_ = tuple[str | int, ...]


def target_version(specs: SpecSet) -> tuple[int, int]:
    """The Alertmanager version the config is generated for (platform `alertmanager.version`, default 0.25)."""
    if specs.platform is None:
        return version_tuple("0.25")
    return version_tuple(specs.platform.spec.alertmanager.version)  # type: ignore[union-attr]


def routing_errors(specs: SpecSet) -> Iterator[SpecError]:
    """Located errors for receivers the target Alertmanager cannot run, and colliding receiver names."""
    version = target_version(specs)
    shown = ".".join(map(str, version))
    files = ([specs.platform] if specs.platform else []) + list(specs.services)
    for sf in files:
        for name, receiver in sf.spec.receivers.items():
            yield from _version_errors(sf, name, receiver, version, shown)
    yield from _collisions(specs, files)


def _version_errors(sf: SpecFile, name: str, receiver: Receiver, version: tuple[int, int],
                    shown: str) -> Iterator[SpecError]:
    for kind in RECEIVER_TYPES:
        since = SINCE.get((kind, ""))
        entries = getattr(receiver, kind)
        if entries and since and version < since:
            yield _error(sf, ("receivers", name, kind), f"{kind}_configs need Alertmanager >= {_v(since)}; the "
                         f"target is {shown} (set `alertmanager.version` in the platform file)", key=True)
            continue
        for i, entry in enumerate(entries):
            for field in sorted(entry.model_fields_set):
                key = type(entry).model_fields[field].alias or field
                since = SINCE.get((kind, key))
                if since and version < since:
                    yield _error(sf, ("receivers", name, kind, i, key),
                                 f"{key} needs Alertmanager >= {_v(since)}; the target is {shown} (set "
                                 "`alertmanager.version` in the platform file)", key=True)
            if kind == "webhook" and "url" in entry.model_fields_set and version >= SINCE[("webhook", "url_file")]:
                yield _error(sf, ("receivers", name, kind, i, "url"),
                             f"inline webhook URL; Alertmanager {shown} reads it from url_file (an absolute path), "
                             "so a URL holding a token stays out of the config", code=INLINE)


def _collisions(specs: SpecSet, files: list[SpecFile]) -> Iterator[SpecError]:
    seen: dict[str, str] = {}
    if specs.platform is None or specs.platform.spec.alertmanager.receiver is None:  # type: ignore[union-attr]
        seen[names.DEFAULT_RECEIVER] = "the built-in default receiver"
    for sf in files:
        service = getattr(sf.spec, "service", None)
        for name in sf.spec.receivers:
            generated = names.receiver(service, name)
            where = f"{sf.loaded.file} receivers.{name}"
            if generated in seen:
                yield _error(sf, ("receivers", name), f"generated Alertmanager receiver name {generated!r} is "
                             f"already taken by {seen[generated]}; rename one of them", key=True)
            else:
                seen[generated] = where


def _v(version: tuple[int, int]) -> str:
    return ".".join(map(str, version))


def _error(sf: SpecFile, path: Path_, message: str, *, key: bool = False, code: str = "") -> SpecError:
    written = path
    if written not in sf.loaded.values and written not in sf.loaded.keys:
        # A lone mapping written instead of a one-entry list has no `[0]` in the YAML.
        written = tuple(p for p in path if not isinstance(p, int))
    return SpecError(sf.loaded.locate(written, key=key), dotted(written), message, code)
