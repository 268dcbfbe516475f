"""The one flow of `render` and `lint`: load -> validate -> plan -> render -> check, each stage once.

`build(paths)` runs the stages in memory and writes nothing. It never raises for bad input: the
located errors, the SpecSet, the Plan, the rendered files and the output-check errors come back in
one Build, and each command decides what to report (render: exit 2 on any error; lint: findings).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentops_gen.errors import Location, SpecError, SpecErrors
from agentops_gen.load.yaml_loader import LoadedFile

if TYPE_CHECKING:
    from agentops_gen.plan.model import Plan
    from agentops_gen.spec.validate import SpecSet
    from agentops_gen.units.promql import ParseCache

FieldPath = tuple[str | int, ...]


@dataclass
class SpecSource:
    """One spec file: its located data (None when it did not load), its errors and its model."""

    path: Path
    file: str
    loaded: LoadedFile | None
    errors: list[SpecError] = field(default_factory=list)
    spec: Any = None
    selected: bool = True

    @property
    def data(self) -> dict[str, Any]:
        """Top-level mapping ({} when the file did not load)."""
        data = self.loaded.data if self.loaded else None
        return data if isinstance(data, dict) else {}

    @property
    def is_platform(self) -> bool:
        """`kind: platform` file."""
        return self.data.get("kind") == "platform"

    def locate(self, path: FieldPath, *, key: bool = False) -> Location:
        """Where a field path was written (its key with key=True)."""
        if self.loaded is None:
            return Location(self.file, 1, 1)
        return self.loaded.locate(path, key=key)


def _parse_cache() -> ParseCache:
    from agentops_gen.units.promql import ParseCache

    return ParseCache()


@dataclass
class Build:
    """Everything one run of the flow produced; later stages are None when an earlier one failed."""

    root: Path
    sources: list[SpecSource]
    """Every spec file of the spec folder, in discovery order, each loaded and validated on its own."""
    fragments: list[Path] = field(default_factory=list)
    """Files the user named that are `!include` fragments (never specs)."""
    errors: list[SpecError] = field(default_factory=list)
    """Every located load and validation error, within and across files; `render` exits 2 on any."""
    specs: SpecSet | None = None
    plan: Plan | None = None
    files: dict[str, str] | None = None
    """Rendered outputs, {path under out/: text}, sorted by path."""
    output_errors: list[tuple[str, str]] = field(default_factory=list)
    """(rendered path, message) of every rendered file the output checks reject (an agentops-gen bug)."""
    failure: Exception | None = None
    """What planning or rendering raised (an agentops-gen bug); the stages after it did not run."""
    queries: ParseCache = field(default_factory=_parse_cache)
    """Every PromQL query parsed by this run, each once; lint's checks parse through it too."""


def build(paths: list[Path], targets: Sequence[str] | None = None) -> Build:
    """Run every stage once over the spec folder of `paths` (targets: which to render; default all, () none).

    Raises only UsageError (a missing path, paths in two folders); problems in the specs are in the result.
    """
    from agentops_gen.spec.validate import is_fragment, resolve_paths
    from agentops_gen.units.promql import active

    root, every, selected = resolve_paths(paths)
    result = Build(root=root, sources=[], fragments=sorted(p for p in selected if is_fragment(p, root)))
    with active(result.queries):
        _run_stages(result, every, selected, targets)
    return result


def _run_stages(result: Build, every: list[Path], selected: set[Path], targets: Sequence[str] | None) -> None:
    """Load and validate every file, then the rules across files, plan, render and check (into `result`)."""
    from agentops_gen.load.yaml_loader import LoadError, display_path, load_file
    from agentops_gen.spec.limits import WorkBudget
    from agentops_gen.spec.validate import validate_data

    root = result.root
    budget = WorkBudget()
    for path in every:
        src = SpecSource(path=path, file=display_path(path), loaded=None, selected=path.resolve() in selected)
        try:
            src.loaded = load_file(path, root)
            past_limit = budget.take(src.loaded)
            if past_limit is not None:
                # bounding the work is the point: this file is not validated and the files after it are
                # not even loaded, so the rules across files are not run on half a folder either
                src.errors, src.loaded = [past_limit], None
                result.sources.append(src)
                result.errors.append(past_limit)
                result.errors = SpecErrors(result.errors).errors
                return
            src.spec = validate_data(src.loaded)
        except (LoadError, SpecErrors) as exc:
            src.errors = list(exc.errors)
        result.sources.append(src)
        result.errors.extend(src.errors)
    specs, folder_errors = _spec_set(root, result.sources)
    result.errors.extend(folder_errors)
    if result.errors:
        result.errors = SpecErrors(result.errors).errors  # one order for every command: file, line, column
        return
    result.specs = specs
    _plan_and_render(result, targets)


def _spec_set(root: Path, sources: list[SpecSource]) -> tuple[SpecSet, list[SpecError]]:
    """The SpecSet of the files that validated, and the rules across files (run even if some file failed)."""
    from agentops_gen.spec.validate import SpecFile, SpecSet, check_across_files

    specs = SpecSet(root=root)
    errors: list[SpecError] = []
    for src in sources:
        if src.spec is None or src.loaded is None:
            continue
        if src.selected:
            specs.selected.add(src.file)
        if src.is_platform:
            if specs.platform is not None:
                errors.append(SpecError(src.locate(("kind",)), "kind", "a second `kind: platform` file (the first "
                                        f"is {specs.platform.loaded.file}); at most one per spec folder",
                                        code="spec/duplicate-name"))
                continue
            specs.platform = SpecFile(src.loaded, src.spec)
        else:
            specs.services.append(SpecFile(src.loaded, src.spec))
    errors.extend(check_across_files(specs))
    return specs, errors


def _plan_and_render(result: Build, targets: Sequence[str] | None) -> None:
    """Plan, render the targets and check every rendered file; a crash is kept in result.failure."""
    import agentops_gen.targets as outputs  # looked up at call time: tests replace render_targets
    from agentops_gen.check.outputs import every_output_error
    from agentops_gen.plan.build import build_plan

    assert result.specs is not None
    try:
        result.plan = build_plan(result.specs)
        if targets == ():
            return
        files = outputs.render_targets(result.plan, outputs.TARGETS if targets is None else tuple(targets))
    except Exception as exc:  # noqa: BLE001 - a planning or template bug: render re-raises it, lint reports it
        result.failure = exc
        return
    result.files = dict(sorted(files.items()))
    result.output_errors = every_output_error(result.files)


def checked(result: Build) -> dict[str, str]:
    """The rendered files of a build `render` may write; raises what stops it (SpecErrors, a bug, OutputError)."""
    from agentops_gen.check.outputs import OutputError

    if result.errors:
        raise SpecErrors(result.errors)
    if result.failure is not None:
        raise result.failure
    if result.output_errors:
        raise OutputError(result.output_errors[0][1])
    assert result.files is not None
    return result.files


def plan_paths(paths: list[Path]) -> tuple[SpecSet, Plan]:
    """Load, validate and plan the spec folder of `paths` (raises SpecErrors / UsageError / a planning bug)."""
    result = build(paths, targets=())
    if result.errors:
        raise SpecErrors(result.errors)
    if result.failure is not None:
        raise result.failure
    assert result.specs is not None and result.plan is not None
    return result.specs, result.plan


def render_paths(paths: list[Path]) -> dict[str, str]:
    """Every output file of the spec folder, rendered and checked in memory (raises like `render`)."""
    return checked(build(paths))
