"""Validate loaded spec files against the models and the rules no single model can see.

Every problem becomes a SpecError at the YAML node it concerns, inside included files too.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from agentops_gen.errors import SpecError, SpecErrors, UsageError, clip
from agentops_gen.load.yaml_loader import LoadedFile, display_path, dotted
from agentops_gen.spec.limits import file_limit_errors
from agentops_gen.spec.service import PlatformSpec, ServiceSpec
from agentops_gen.units import names
from agentops_gen.units.durations import parse_duration, parse_threshold

SPEC_SUFFIXES = (".yaml", ".yml")
PERIOD_WINDOW = "spec/period-window"
UNKNOWN_RECEIVER = "spec/unknown-receiver"


@dataclass
class SpecFile:
    """A validated spec and the located source it came from."""

    loaded: LoadedFile
    spec: ServiceSpec | PlatformSpec


@dataclass
class SpecSet:
    """Every spec of a run: services by name and the optional platform file."""

    root: Path
    services: list[SpecFile] = field(default_factory=list)
    platform: SpecFile | None = None
    selected: set[str] = field(default_factory=set)
    """Files the user named (display paths); per-service outputs are limited to these."""


def is_fragment(path: Path, root: Path) -> bool:
    """Files or folders starting with `_` are `!include` fragments, never specs.

    Decided on the path as written under root (lexically): a fragment that is a symlink is still a
    fragment, wherever it points.
    """
    absolute, base = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    try:
        parts = absolute.relative_to(base).parts
    except ValueError:
        parts = (path.name,)
    return any(p.startswith("_") for p in parts)


def discover(root: Path) -> list[Path]:
    """Spec files under a folder, recursively, in a stable order, fragments skipped.

    Nothing is opened: a FIFO, device or socket named `*.yaml`, a symlink (file or folder) leading
    outside the spec folder and a folder that cannot be read are errors (UsageError, one line
    each), never skipped. A symlinked folder inside the spec folder is not walked twice.
    """
    base = root.resolve()
    found: list[Path] = []
    problems: list[str] = []

    def walk(folder: Path) -> None:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(f"{display_path(folder)}: cannot read folder: {exc.strerror or exc}")
            return
        for entry in entries:
            if entry.name.startswith("_"):  # fragments are read only through !include
                continue
            path = Path(entry.path)
            link = entry.is_symlink()
            if Path(entry.name).suffix not in SPEC_SUFFIXES and not _is_dir(entry):
                continue
            try:
                target = path.resolve() if link else path
            except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
                problems.append(f"{display_path(path)}: cannot read: {os.strerror(errno.ELOOP)}")
                continue
            if link and not _inside(target, base):
                problems.append(f"{display_path(path)}: a symlink that leaves the spec folder {display_path(root)}; "
                                "refusing to read it")
                continue
            try:
                mode = path.stat().st_mode
            except OSError as exc:
                problems.append(f"{display_path(path)}: cannot read: {exc.strerror or exc}")
                continue
            if stat.S_ISDIR(mode):
                if not link:  # the folder it points to is walked under its own name
                    walk(path)
            elif stat.S_ISREG(mode):
                found.append(path)
            else:
                problems.append(f"{display_path(path)}: {file_kind(mode)}, not a spec file; refusing to open it")

    walk(root)
    if problems:
        raise UsageError("\n".join(problems))
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def file_kind(mode: int) -> str:
    """What a stat mode is, in words, for errors about paths that are not files or folders."""
    kinds = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"), (stat.S_ISREG, "a file"))
    return next((name for test, name in kinds if test(mode)), "a special file")


def spec_root(paths: list[Path]) -> Path:
    """The spec folder: the folder given, or the folder of the file(s) given."""
    roots = {(p if p.is_dir() else p.parent).resolve() for p in paths}
    if len(roots) != 1:
        raise UsageError("all PATHs must be in one spec folder (the !include root and the merged outputs use it)")
    return roots.pop()


def _check_named(p: Path) -> bool:
    """Refuse a PATH that is missing, unreadable or neither a spec file nor a folder; True for a folder."""
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        raise UsageError(f"{p}: no such file or directory" if not os.path.lexists(p) else
                         f"{p}: a symlink to a missing file") from None
    except OSError as exc:
        raise UsageError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        return True
    if not stat.S_ISREG(mode):
        raise UsageError(f"{p}: {file_kind(mode)}, not a spec file or folder; refusing to open it")
    if p.suffix not in SPEC_SUFFIXES:
        raise UsageError(f"{p}: not a .yaml/.yml spec file")
    return False


def resolve_paths(paths: list[Path]) -> tuple[Path, list[Path], set[Path]]:
    """(root, every spec file of the spec folder, the files the user selected).

    Checked with stat before anything is opened (a FIFO would block, a device never ends); a named
    file that is a symlink must stay inside its spec folder, as `!include` targets must.
    """
    folders = {p: _check_named(p) for p in paths}
    root = spec_root(paths)
    for p, folder in folders.items():
        if not folder and not _inside(p.resolve(), root):
            raise UsageError(f"{p}: a symlink that leaves the spec folder {display_path(root)}; refusing to read it")
    every = discover(root)
    selected: set[Path] = set()
    for p, folder in folders.items():
        # a folder PATH is the spec folder itself (spec_root allows one)
        if folder:
            selected.update(x.resolve() for x in every)
        else:
            selected.add(p.resolve())
    return root, every, selected


def validate_data(loaded: LoadedFile) -> ServiceSpec | PlatformSpec:
    """Validate loaded data with the model its `kind` selects, plus cross-field rules."""
    model: type[ServiceSpec] | type[PlatformSpec] = (
        PlatformSpec if loaded.data.get("kind") == "platform" else ServiceSpec
    )
    too_many = file_limit_errors(loaded)  # before the models: validating 100,000 entries is the slow part
    if too_many:
        raise SpecErrors(too_many)
    try:
        spec = model.model_validate(loaded.data)
    except ValidationError as exc:
        raise SpecErrors([_from_pydantic(loaded, err, model) for err in _misspelt_not_missing(exc.errors())]) from None
    errors = list(_within_file(loaded, spec)) if isinstance(spec, ServiceSpec) else []
    if errors:
        raise SpecErrors(errors)
    return spec


def _misspelt_not_missing(errors: list[Any]) -> list[Any]:
    """Drop "required key is missing" when the same mapping has a misspelling of it (`objetive:`):
    the did-you-mean error on the typo already says everything, on the line the user wrote."""
    typos: dict[tuple[Any, ...], list[str]] = {}
    for err in errors:
        if err["type"] == "extra_forbidden":
            typos.setdefault(tuple(err["loc"][:-1]), []).append(str(err["loc"][-1]))
    kept = []
    for err in errors:
        if err["type"] == "missing":
            parent, key = tuple(err["loc"][:-1]), str(err["loc"][-1])
            if difflib.get_close_matches(key, typos.get(parent, []), n=1, cutoff=0.75):
                continue
        kept.append(err)
    return kept


def _from_pydantic(loaded: LoadedFile, err: Any, model: type[BaseModel]) -> SpecError:
    """A pydantic error at its YAML node; the field path is reported as written (no `[0]` for a lone mapping)."""
    loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
    where = _written_path(loaded.data, loc)
    error = _pydantic_error(loaded, err, model, loc, where)
    raised = (err.get("ctx") or {}).get("error")
    below = (*where, *getattr(raised, "at", ()))
    if below != where and (below in loaded.values or below in loaded.keys):  # the validator named the exact node
        key = bool(getattr(raised, "key", False))
        error = replace(error, location=loaded.locate(below, key=key), path=dotted(below))
    return replace(error, code=_code(err, error.path))


def _code(err: Any, path: str) -> str:
    """The lint check of a pydantic error: named by the validator that raised it, else by its field."""
    code = getattr((err.get("ctx") or {}).get("error"), "code", "")
    if isinstance(code, str) and code:
        return code
    if path == "owner":
        return "spec/missing-owner"
    if path.endswith("sample_percent"):
        return "telemetry/sample-percent"
    return ""


def _pydantic_error(loaded: LoadedFile, err: Any, model: type[BaseModel], loc: tuple[str | int, ...],
                    where: tuple[str | int, ...]) -> SpecError:
    kind = err["type"]
    message = str(err["msg"])
    if message.startswith(("Value error, ", "Assertion failed, ")):
        message = message.split(", ", 1)[1]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        hint = suggest(key, _allowed_keys(model, loc[:-1]))
        message = f"unknown key {clip(key, 80)!r}" + (f" (did you mean {hint!r}?)" if hint else "")
        return SpecError(loaded.locate(where, key=True), dotted(where), message)
    if kind == "missing":
        return SpecError(loaded.locate(where[:-1]), dotted(where), "required key is missing")
    if loc and loc[-1] == "[key]":  # a dict key failed (e.g. a receiver name): point at the key itself
        where = where[:-1]
        return SpecError(loaded.locate(where, key=True), dotted(where), message)
    label = _LABEL_MESSAGE.match(message)
    if label and loc and loc[-1] in ("labels", "annotations") and (*where, label.group(2)) in loaded.keys:
        # label checks run on the whole mapping; point at the offending key (a bad value: at the value)
        where = (*where, label.group(2))
        on_value = label.group(1) == "value of "
        return SpecError(loaded.locate(where, key=not on_value), dotted(where),
                         message.split(": ", 1)[1] if on_value else message)
    if kind not in ("value_error", "assertion_error") and "input" in err and not isinstance(err["input"], (dict, list)):
        message += f" (got {err['input']!r})"
    if kind == "literal_error" and loc == ("kind",) and isinstance(err.get("input"), str):
        kind_hint = suggest(err["input"], ["service", "platform"])
        message = f"must be 'service' (the default) or 'platform' (got {err['input']!r})" + (
            f"; did you mean {kind_hint!r}?" if kind_hint else "")
    return SpecError(loaded.locate(where), dotted(where), message)


_LABEL_MESSAGE = re.compile(r"^(label (?:name )?|annotation name |value of )'([^']*)'")


def suggest(word: str, choices: list[str]) -> str | None:
    """The known key a typo most likely meant: difflib's best match, else the one edit distance <= 2 away."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return close[0]
    # the distance is at least the difference in length: a word of thousands of characters is no typo of
    # a key, and its distance to every key of every union member took minutes (fuzz FUZZ_SEED=10 case 824)
    near = [c for c in choices if abs(len(c) - len(word)) <= 2]
    scored = sorted((_edits(word.lower(), c.lower()), c) for c in near)
    if scored and scored[0][0] <= min(2, len(word) // 2) and (len(scored) == 1 or scored[1][0] > scored[0][0]):
        return scored[0][1]
    return None


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _written_path(data: Any, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """The YAML path of a pydantic loc: drops the `[0]` a "one mapping or a list" field adds to a lone mapping."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, dict) or isinstance(part, str) and part.startswith("@"):
            continue  # the @ parts are union tags (telemetry's exporter forms), never written keys
        out.append(part)
        node = node.get(part) if isinstance(node, dict) else (
            node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None)
    return tuple(out)


def _allowed_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """Field names (aliases) of the model reached by following loc; falls back to every known key."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields:
            return sorted(_every_key())
        info = next((f for n, f in fields.items() if (f.alias or n) == part), None)
        if info is None:
            return sorted(_every_key())
        current = _model_of(info.annotation)
        if current is None:
            return sorted(_every_key())
    fields = getattr(current, "model_fields", {})
    return [f.alias or n for n, f in fields.items()]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


@lru_cache(maxsize=1)
def _every_key() -> frozenset[str]:
    keys: set[str] = set()
    todo: list[type[BaseModel]] = [ServiceSpec, PlatformSpec]
    seen: set[type[BaseModel]] = set()
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        for n, f in m.model_fields.items():
            keys.add(f.alias or n)
            sub = _model_of(f.annotation)
            if sub is not None:
                todo.append(sub)
    return frozenset(keys)


def _generated_alert_names(spec: ServiceSpec) -> dict[str, str]:
    """Every alert name the plan may generate for this spec -> what it belongs to (for collision checks)."""
    out: dict[str, str] = {}
    for slo in spec.slos:
        for kind in ("page", "ticket"):
            out[names.burn_alert(spec.service, slo.name, kind, slo.alerting.name)] = f"SLO {slo.name}"
        out[names.outage_alert(spec.service, slo.name)] = f"SLO {slo.name}"
        for budget in slo.alerting.budget:
            out[names.budget_alert(spec.service, slo.name, budget.below)] = f"SLO {slo.name}"
    for kpi in spec.kpis:
        for bound in ("min", "max"):
            out[names.kpi_alert(spec.service, kpi.name, bound)] = f"KPI {kpi.name}"
    for anomaly in spec.anomalies:
        out[names.anomaly_alert(spec.service, anomaly.name)] = f"anomaly {anomaly.name}"
    return out


def _within_file(loaded: LoadedFile, spec: ServiceSpec) -> Iterator[SpecError]:
    def err(path: tuple[str | int, ...], message: str, *, key: bool = False, code: str = "") -> SpecError:
        return SpecError(loaded.locate(path, key=key), dotted(path), message, code)

    seen: dict[str, tuple[str | int, ...]] = {}
    sections: list[tuple[str, list[Any]]] = [("slos", spec.slos), ("kpis", spec.kpis),
                                             ("anomalies", spec.anomalies), ("alerts", spec.alerts)]
    for section, items in sections:
        for i, item in enumerate(items):
            path = (section, i, "name")
            if item.name in seen:
                yield err(path, f"name {item.name!r} is already used at {dotted(seen[item.name])}",
                          code="spec/duplicate-name")
            else:
                seen[item.name] = path
    generated = _generated_alert_names(spec)
    for i, alert in enumerate(spec.alerts):
        if alert.name == "README":
            yield err(("alerts", i, "name"), "README is the runbook index's file name; choose another alert name")
        elif alert.name in generated:
            yield err(("alerts", i, "name"), f"{alert.name!r} is the name of an alert agentops-gen generates for "
                      f"{generated[alert.name]}; choose another name")
    default_period = parse_duration(spec.period)
    for i, slo in enumerate(spec.slos):
        period = parse_duration(slo.period) if slo.period else default_period
        yield from (err(path, message) for path, message in group_by_problems(spec, i))
        budgets: dict[str, int] = {}
        for k, budget in enumerate(slo.alerting.budget):
            budget_name = names.budget_alert(spec.service, slo.name, budget.below)
            if budget_name in budgets:
                # one alert name, twice in one rule group: both would fire as one alert, with either severity
                yield err(("slos", i, "alerting", "budget", k, "below"),
                          f"below {budget.below:g} is already budget[{budgets[budget_name]}]'s threshold "
                          f"({budget_name}); give each budget alert its own `below`", code="spec/duplicate-name")
            else:
                budgets[budget_name] = k
        for kind in ("latency", "score"):
            sli = getattr(slo.sli, kind)
            if sli is None or sli.buckets is None:
                continue
            bound = parse_threshold(sli.threshold) if kind == "latency" else sli.above
            if not any(abs(b - bound) < 1e-9 for b in sli.buckets):
                field_name = "threshold" if kind == "latency" else "above"
                yield err(("slos", i, "sli", kind, field_name),
                          f"{bound:g} is not one of the histogram buckets {sli.buckets}; the SLI needs an "
                          "exact `le` boundary", code="slo/bucket-boundary")
        for which in ("page", "ticket"):
            alert = getattr(slo.alerting, which)
            if alert.for_ and parse_duration(alert.for_) >= period:
                yield err(("slos", i, "alerting", which, "for"), f"`for: {alert.for_}` is not shorter than the "
                          "SLO period", code=PERIOD_WINDOW)
        for j, budget in enumerate(slo.alerting.budget):
            if parse_duration(budget.for_) >= period:
                yield err(("slos", i, "alerting", "budget", j, "for"), "`for:` is not shorter than the SLO period",
                          code=PERIOD_WINDOW)
        for j, window in enumerate(slo.alerting.windows or []):
            if parse_duration(window.short) >= parse_duration(window.long):
                yield err(("slos", i, "alerting", "windows", j, "short"), "short window must be shorter than long",
                          code=PERIOD_WINDOW)
            if parse_duration(window.long) > period:
                yield err(("slos", i, "alerting", "windows", j, "long"), "long window is longer than the SLO period",
                          code=PERIOD_WINDOW)
    for i, anomaly in enumerate(spec.anomalies):
        if parse_duration(anomaly.baseline) < 3600:
            yield err(("anomalies", i, "baseline"), f"baseline {anomaly.baseline} is shorter than 1h; a z-score "
                      "needs a longer history", code=PERIOD_WINDOW)
    for i, kpi in enumerate(spec.kpis):
        if parse_duration(kpi.for_) >= default_period:
            yield err(("kpis", i, "for"), "`for:` is not shorter than the SLO period", code=PERIOD_WINDOW)
    for i, alert in enumerate(spec.alerts):
        if parse_duration(alert.for_) >= default_period:
            yield err(("alerts", i, "for"), "`for:` is not shorter than the SLO period", code=PERIOD_WINDOW)


def group_by_problems(spec: ServiceSpec, i: int) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """A group label set as a fixed label would merge every group into one; a raw SLI must keep the labels."""
    from agentops_gen.units.promql import substitute_window
    from agentops_gen.units.promql_labels import dropped_labels

    slo = spec.slos[i]
    fixed = [("labels", spec.labels), (f"slos[{i}].labels", slo.labels),
             (f"slos[{i}].alerting.labels", slo.alerting.labels),
             (f"slos[{i}].alerting.page.labels", slo.alerting.page.labels),
             (f"slos[{i}].alerting.ticket.labels", slo.alerting.ticket.labels)]
    for j, label in enumerate(slo.group_by):
        for where, labels in fixed:
            if label in labels:
                yield ("slos", i, "group_by", j), (f"{label!r} is also a fixed label in {where}: every group would "
                                                   "carry the same value; remove one of them")
    raw = slo.sli.raw
    if raw is None or not slo.group_by:
        return
    for key, query in (("error_ratio", raw.error_ratio), ("events", raw.events)):
        if query is None:
            continue
        lost = dropped_labels(substitute_window(query, "5m"), tuple(slo.group_by))
        if lost:
            yield ("slos", i, "sli", "raw", key), (f"the query drops group label(s) {', '.join(lost)} "
                                                   f"(group_by): aggregate with `by ({', '.join(slo.group_by)})`")


def check_across_files(specs: SpecSet) -> Iterator[SpecError]:
    """Rules across spec files: unique services, receivers named by `notify` exist (render and lint share them)."""
    seen: dict[str, str] = {}
    platform_receivers = set(specs.platform.spec.receivers) if specs.platform else set()
    for sf in specs.services:
        spec = sf.spec
        assert isinstance(spec, ServiceSpec)
        if spec.service in seen:
            yield SpecError(sf.loaded.locate(("service",)), "service",
                            f"service {spec.service!r} is already defined in {seen[spec.service]}",
                            code="spec/duplicate-name")
        else:
            seen[spec.service] = sf.loaded.file
        for severity in ("critical", "warning", "info"):
            for k, name in enumerate(getattr(spec.notify, severity)):
                if name not in spec.receivers and name not in platform_receivers:
                    path: tuple[str | int, ...] = ("notify", severity, k)
                    if path not in sf.loaded.values:  # a single name, not a list
                        path = ("notify", severity)
                    known = sorted(spec.receivers) + sorted(platform_receivers)
                    hint = difflib.get_close_matches(name, known, n=1)
                    yield SpecError(sf.loaded.locate(path), dotted(path),
                                    f"receiver {name!r} is not defined under `receivers:`"
                                    + (f" (did you mean {hint[0]!r}?)" if hint else ""), code=UNKNOWN_RECEIVER)
    if specs.platform is not None:
        platform = specs.platform.spec
        assert isinstance(platform, PlatformSpec)
        default = platform.alertmanager.receiver
        if default is not None and default not in platform.receivers:
            yield SpecError(specs.platform.loaded.locate(("alertmanager", "receiver")), "alertmanager.receiver",
                            f"receiver {default!r} is not defined under the platform file's `receivers:`",
                            code=UNKNOWN_RECEIVER)
    from agentops_gen.spec.routing_checks import routing_errors  # lazy: it imports this module's types

    yield from routing_errors(specs)
    yield from _mimir_refused(specs)


_TLS_FILES = "Mimir's Alertmanager refuses TLS files"
MIMIR_REFUSED = {"proxy_url": "Mimir's Alertmanager refuses proxy_url",
                 "ca_file": _TLS_FILES, "cert_file": _TLS_FILES, "key_file": _TLS_FILES}
"""Receiver keys the Mimir payload cannot carry (a secret `*_file` becomes a placeholder instead; docs/scale-out.md)."""


def _mimir_refused(specs: SpecSet) -> Iterator[SpecError]:
    """With `outputs.mimir.alertmanager`, receiver keys Mimir's Alertmanager API would refuse."""
    platform = specs.platform.spec if specs.platform else None
    mimir = platform.outputs.mimir if isinstance(platform, PlatformSpec) else None
    if mimir is None or not mimir.alertmanager:
        return
    files = ([specs.platform] if specs.platform else []) + list(specs.services)
    for sf in files:
        todo: list[tuple[tuple[str | int, ...], object]] = [(("receivers",), sf.loaded.data.get("receivers"))]
        while todo:
            path, node = todo.pop()
            items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
            for key, value in items:
                if key in MIMIR_REFUSED:
                    yield SpecError(sf.loaded.locate((*path, key), key=True), dotted((*path, key)),
                                    f"{MIMIR_REFUSED[key]} (outputs.mimir.alertmanager is on: switch it off or "
                                    "drop this key)")
                else:
                    todo.append(((*path, key), value))
