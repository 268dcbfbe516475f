"""The import command: read every file, build one Draft per service, validate each with the spec language's
own validator (errors located in the source files), and only then write anything."""

from __future__ import annotations

import os
from pathlib import Path

from agentops_gen.errors import Location, SpecError, SpecErrors, UsageError
from agentops_gen.importers.draft import Draft, Path_
from agentops_gen.importers.source import Reader
from agentops_gen.importers.writer import spec_text
from agentops_gen.load.yaml_loader import LoadedFile, LoadError, display_path, load_documents

SOURCES = ("sloth", "openslo")


def import_specs(source: str, paths: list[Path], *, period: str | None = None,
                 windows: Path | None = None) -> dict[str, str]:
    """File name -> spec text of every service in the files (raises SpecErrors/LoadError/UsageError)."""
    if source not in SOURCES:
        raise UsageError(f"unknown import source {source!r}: choose one of {', '.join(SOURCES)}")
    if windows is not None and source != "sloth":
        raise UsageError("--windows is a Sloth window catalog (kind AlertWindows): only for `import sloth`")
    errors: list[SpecError] = []
    drafts: list[Draft] = []
    if period is not None:
        _check_period(period)
    if source == "sloth":
        from agentops_gen.importers import sloth

        catalog = None
        if windows is not None:
            catalog = sloth.read_windows(Reader(_one_document(windows), errors))
            if catalog is not None and period is not None and period != catalog.period:
                raise UsageError(f"--period {period} differs from the sloPeriod {catalog.period} of {windows}; "
                                 "Sloth uses a window catalog only for its own period")
            if catalog is not None:
                period = catalog.period
        for path in paths:
            for doc in _documents(path, errors):
                draft = sloth.read_document(Reader(doc, errors), period, catalog)
                if draft is not None:
                    drafts.append(draft)
    else:
        from agentops_gen.importers import openslo

        docs = [(doc, Reader(doc, errors)) for path in paths for doc in _documents(path, errors)]
        drafts.extend(openslo.read_documents([reader for _, reader in docs], period))
        if not drafts and not errors:
            raise UsageError("no OpenSLO SLO in the files (SLI, Service and alert objects alone make no spec)")
    if errors:
        raise SpecErrors(errors)
    merged = _by_service(drafts)
    for draft in merged:
        errors.extend(_validate(draft))
    if errors:
        raise SpecErrors(errors)
    return {f"{d.service}.yaml": spec_text(d, source) for d in merged}


def _check_period(period: str) -> None:
    from agentops_gen.units.durations import parse_duration

    try:
        if parse_duration(period) <= 0:
            raise ValueError("must be longer than 0s")
    except ValueError as exc:
        raise UsageError(f"--period {period!r}: {exc}") from None


def _documents(path: Path, errors: list[SpecError]) -> list[LoadedFile]:
    try:
        return load_documents(path)
    except LoadError as exc:
        errors.extend(exc.errors)
        return []


def _one_document(path: Path) -> LoadedFile:
    docs = load_documents(path)
    if len(docs) != 1:
        raise LoadError([SpecError(Location(display_path(path), 1, 1), "", "expected one YAML document")])
    return docs[0]


def _by_service(drafts: list[Draft]) -> list[Draft]:
    """One Draft per service: SLOs of later documents for the same service are appended to the first."""
    out: dict[str, Draft] = {}
    for draft in drafts:
        first = out.get(draft.service)
        if first is None:
            out[draft.service] = draft
            continue
        shift = len(first.data.get("slos", []))
        first.data.setdefault("slos", []).extend(draft.data.get("slos", []))
        for source in draft.sources:
            if source not in first.sources:
                first.sources.append(source)
        for path, notes in draft.notes.items():
            for note in notes:
                first.note(_shifted(path, shift), note)
        for path, origin in draft.origins.items():
            first.origins.setdefault(_shifted(path, shift), origin)
        for key in ("labels", "owner", "period"):
            if draft.data.get(key) != first.data.get(key):
                first.note((key,), f"not carried over: {key} {draft.data.get(key)!r} of the same service in "
                                   f"{draft.sources[0]}: one spec has one `{key}`")
    return [out[name] for name in sorted(out)]


def _shifted(path: Path_, shift: int) -> Path_:
    if len(path) >= 2 and path[0] == "slos" and isinstance(path[1], int):
        return ("slos", path[1] + shift, *path[2:])
    return path


def _validate(draft: Draft) -> list[SpecError]:
    """The spec language's validation of a Draft, each error moved to the source value it came from."""
    from agentops_gen.spec.validate import validate_data

    loaded = LoadedFile(file=draft.sources[0], data=draft.data,
                        values={path: loc for path, (loc, _) in draft.origins.items()})
    source_paths = {loc: name for loc, name in draft.origins.values()}
    try:
        validate_data(loaded)
    except SpecErrors as exc:
        out = []
        for e in exc.errors:
            source_path = source_paths.get(e.location, "")
            what = f" as `{e.path}`" if e.path and e.path != source_path else ""
            out.append(SpecError(e.location, source_path, f"cannot be imported{what}: {e.message}"))
        return out
    return []


def write_specs(out: Path, files: dict[str, str], *, force: bool = False) -> list[Path]:
    """Write the spec files into `out`; an existing file with other content is refused unless `force`."""
    clashes = [out / name for name, text in sorted(files.items())
               if (out / name).exists() and not _same(out / name, text)]
    if clashes and not force:
        raise UsageError("\n".join(f"{display_path(p)} exists and differs; move it away or pass --force"
                                   for p in clashes))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in sorted(files.items()):
        target = out / name
        temp = out / f".{name}.tmp"
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, target)
        written.append(target)
    return written


def _same(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False
