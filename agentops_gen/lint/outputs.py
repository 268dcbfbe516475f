"""Render the spec folder in memory for the output-side checks, and say where a rendered file came from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, TypeVar

from agentops_gen.errors import Location, SpecError
from agentops_gen.lint.context import LintContext, SpecSource

if TYPE_CHECKING:
    from agentops_gen.spec.validate import SpecSet

T = TypeVar("T")


def spec_set(ctx: LintContext) -> SpecSet:
    """The SpecSet `render` would build, from the already validated sources (every one must be valid)."""
    from agentops_gen.spec.validate import SpecFile, SpecSet

    specs = SpecSet(root=ctx.root)
    for src in ctx.sources:
        assert src.loaded is not None and src.spec is not None
        spec_file = SpecFile(src.loaded, src.spec)
        if src.is_platform:
            specs.platform = specs.platform or spec_file
        else:
            specs.services.append(spec_file)
        if src.selected:
            specs.selected.add(src.file)
    return specs


def folder_errors(ctx: LintContext) -> list[SpecError]:
    """The cross-file validation `render` runs (duplicate services, receivers, routing), on a valid folder."""
    from agentops_gen.spec.validate import check_across_files  # the same rules render applies, not a copy

    return list(check_across_files(spec_set(ctx)))


def plan(ctx: LintContext) -> None:
    """Fill ctx.plan (or ctx.render_error) from the validated specs."""
    from agentops_gen.plan.build import build_plan

    try:
        ctx.plan = build_plan(spec_set(ctx))
    except Exception as exc:  # noqa: BLE001 - a planning bug becomes an output/render finding
        ctx.render_error = f"{type(exc).__name__}: {exc}"


def render(ctx: LintContext, alongside: Callable[[], T]) -> T:
    """Fill ctx.rendered and the output errors (or ctx.render_error) from the plan; return alongside().

    The two halves of the targets render and re-parse at once (agentops_gen.parallel), and
    `alongside` (the spec-side checks) runs next to them; nothing is written.
    """
    from agentops_gen.check.outputs import check_outputs  # noqa: F401 - imported once, before the fork
    from agentops_gen.memo import both_with_memo
    from agentops_gen.targets import HALVES, prepare

    if ctx.plan is None:
        return alongside()
    plan = ctx.plan
    prepare()

    def half(names: tuple[str, ...]) -> tuple[dict[str, str], list[tuple[str, str]], str | None]:
        from agentops_gen.targets import render_targets

        try:
            files = render_targets(plan, names)
        except Exception as exc:  # noqa: BLE001 - a template or target bug becomes an output/render finding
            return {}, [], f"{type(exc).__name__}: {exc}"
        return files, errors_of(files), None

    def here() -> tuple[tuple[dict[str, str], list[tuple[str, str]], str | None], T]:
        return half(HALVES[1]), alongside()

    first, (second, result) = both_with_memo(lambda: half(HALVES[0]), here)
    failed = [h[2] for h in (first, second) if h[2] is not None]
    if failed:
        ctx.render_error = failed[0]
        return result
    try:
        from agentops_gen.targets import merge

        ctx.rendered = merge(first[0], second[0])
    except RuntimeError as exc:
        ctx.render_error = f"{type(exc).__name__}: {exc}"
        return result
    ctx.cache["output_errors"] = sorted(first[1] + second[1])
    return result


def source_of(ctx: LintContext, rel: str) -> SpecSource | None:
    """The spec a rendered file belongs to: the service named in its path, else the platform file."""
    parts = PurePosixPath(rel).parts
    stem = PurePosixPath(rel).name.split(".", 1)[0]
    best: SpecSource | None = None
    for src in ctx.sources:
        service = src.data.get("service")
        if isinstance(service, str) and (service == stem or service in parts[:-1]) and src.loaded is not None:
            if best is None or len(service) > len(str(best.data.get("service"))):
                best = src
    return best or ctx.platform or next((s for s in ctx.sources if s.selected), None)


def location(ctx: LintContext, rel: str) -> Location:
    """Where to report a problem of a rendered file: the `service:` line of its spec."""
    src = source_of(ctx, rel)
    if src is None:
        return Location(str(ctx.root), 1, 1)
    return src.locate(("service",) if "service" in src.data else ("kind",), key=True)


def output_errors(ctx: LintContext) -> list[tuple[str, str]]:
    """(rendered path, message) for every file `render`'s own output checks reject, computed once."""
    if "output_errors" not in ctx.cache:
        ctx.cache["output_errors"] = errors_of(ctx.rendered or {})
    return ctx.cache["output_errors"]  # type: ignore[no-any-return]


def errors_of(files: dict[str, str]) -> list[tuple[str, str]]:
    """(path, message) for every file of `files` that `render`'s output checks reject.

    check_outputs stops at the first bad file, so a bad file is set aside and the rest re-checked;
    cross-file rules (a config that must reference a shipped template) still see every other file.
    """
    from agentops_gen.check.outputs import OutputError, check_outputs

    remaining = dict(files)
    errors: list[tuple[str, str]] = []
    while remaining:
        try:
            check_outputs(remaining)
            break
        except OutputError as exc:
            message = str(exc)
            path = next((p for p in remaining if message.startswith(p + ":")), None)
        except Exception as exc:  # noqa: BLE001 - a checker tripping over a malformed file is a finding too
            path = _crashing_file(remaining)
            message = f"{path}: malformed output ({type(exc).__name__}: {exc})"
        errors.append((path or "", message))
        if path is None:
            break  # cannot tell which file failed: report once rather than loop
        del remaining[path]
    return errors


def _crashing_file(files: dict[str, str]) -> str | None:
    """The file whose check alone raises something other than OutputError."""
    from agentops_gen.check.outputs import OutputError, check_outputs

    for path, text in files.items():
        try:
            check_outputs({path: text})
        except OutputError:
            continue
        except Exception:  # noqa: BLE001
            return path
    return None


def kind_of(path: str, message: str) -> str:
    """Which output check an output error belongs to."""
    if "does not parse" in message:
        return "output/parse"
    if path.startswith("otel/"):
        return "output/otel"
    return "output/structure"
