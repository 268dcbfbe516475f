"""Run lint over paths: load every spec of the folder, run the checks, suppress, report, pick the exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from agentops_gen.errors import SpecError, SpecErrors, UsageError
from agentops_gen.lint.context import LintContext, SpecSource
from agentops_gen.lint.findings import SEVERITIES, Finding, from_error
from agentops_gen.load.yaml_loader import LoadError, display_path, load_file


def load_sources(paths: list[Path]) -> tuple[Path, list[SpecSource]]:
    """Every spec of the spec folder, loaded and validated one by one (a bad file does not hide others)."""
    from agentops_gen.spec.limits import WorkBudget, file_limit_errors
    from agentops_gen.spec.validate import is_fragment, resolve_paths, validate_data

    root, every, selected = resolve_paths(paths)
    skipped = sorted(p for p in selected if is_fragment(p, root))
    for p in skipped:
        print(f"agentops-gen: note: {display_path(p)} is an !include fragment, linted through the specs that "
              "include it", file=sys.stderr)
    sources = []
    budget = WorkBudget()
    for path in sorted({*every, *(p for p in selected if p not in skipped)}, key=lambda p: p.as_posix()):
        src = SpecSource(path=path, file=display_path(path), loaded=None, selected=path.resolve() in selected)
        try:
            src.loaded = load_file(path, root)
            too_many = file_limit_errors(src.loaded)
            past_limit = budget.take(src.loaded)
            if too_many or past_limit is not None:
                # past a limit, the checks skip the file: bounding their work is the point
                src.errors, src.loaded = [*too_many, *([past_limit] if past_limit else [])], None
                sources.append(src)
                if past_limit is not None:
                    break  # and the files after it are not even loaded
                continue
            src.spec = validate_data(src.loaded)
        except LoadError as exc:
            src.errors = list(exc.errors)
        except SpecErrors as exc:
            src.errors = list(exc.errors)
        sources.append(src)
    return root, sources


def _validation_findings(ctx: LintContext, errors: list[SpecError], raw: list[Finding]) -> list[Finding]:
    """Load/validation errors in the selected files as findings, unless a check re-derived them precisely.

    Checks re-find on the raw YAML much of what the models reject (so a file with one schema error still
    gets them all); the model's copy of a finding a check already made is dropped, not reported twice.
    """
    from agentops_gen.lint.registry import get

    by_file = {(f.check, f.location.file) for f in raw}
    by_line = {(f.check, f.location.file, f.location.line) for f in raw}
    selected = {s.file for s in ctx.sources if s.selected}
    out = []
    for error in errors:
        finding = from_error(error)
        where = (finding.check, finding.location.file)
        duplicate = where in by_file if get(finding.check).rederives else (*where, finding.location.line) in by_line
        if not duplicate and _origin(error) in selected:
            out.append(finding)
    return out


def _origin(error: SpecError) -> str:
    """The spec file an error belongs to (the including spec for an error inside a fragment)."""
    if error.location.via:
        return error.location.via[0].rsplit(":", 2)[0]
    return error.location.file


def collect(paths: list[Path], *, use_promtool: bool = False,
            disabled: frozenset[str] = frozenset()) -> tuple[list[Finding], LintContext]:
    """Every finding for the selected spec files (before suppression), sorted and de-duplicated."""
    from agentops_gen.lint.outputs import folder_errors, plan, render
    from agentops_gen.lint.registry import registry

    root, sources = load_sources(paths)
    ctx = LintContext(root=root, sources=sources, use_promtool=use_promtool)
    checks = [r for r in registry().values() if r.run is not None and r.check.name not in disabled]

    def spec_checks() -> list[Finding]:
        return [f for reg in checks if reg.check.stage == "spec" for f in reg.run(ctx)]  # type: ignore[misc]

    errors = [e for s in sources for e in s.errors]
    folder_valid = bool(sources) and all(s.spec is not None for s in sources)
    if folder_valid:
        errors += folder_errors(ctx)
    later = [r for r in checks if r.check.stage in ("plan", "output")]
    broken = [s.file for s in sources if s.spec is None and not s.selected]
    if later and broken:
        print(f"agentops-gen: note: output checks skipped: {', '.join(broken)} has errors (lint it too)",
              file=sys.stderr)
    # Only a folder `render` accepts is planned and rendered: anything else would report noise.
    planned = bool(later) and folder_valid and not errors
    if planned:
        plan(ctx)
    if planned and any(r.check.stage == "output" for r in later):
        raw = render(ctx, alongside=spec_checks)  # the slow part: skipped with --disable output
    else:
        raw = spec_checks()
    findings = raw + _validation_findings(ctx, errors, raw)
    if planned:
        for reg in later:
            findings.extend(reg.run(ctx))  # type: ignore[misc]
    return sorted(set(findings)), ctx


def _files_to_scan(findings: list[Finding], ctx: LintContext) -> set[str]:
    """Files whose suppression comments count: the selected specs, their fragments, every finding's file."""
    files = {f.location.file for f in findings}
    for src in ctx.sources:
        if src.selected:
            files.add(src.file)
            files.update(src.loaded.sources if src.loaded else ())
    return files


def lint(paths: list[Path], *, disabled: set[str], use_promtool: bool = False) -> list[Finding]:
    """Findings after `--disable` and per-line suppression (unused suppressions added)."""
    from agentops_gen.lint.registry import registry
    from agentops_gen.lint.suppress import apply

    findings, ctx = collect(paths, use_promtool=use_promtool, disabled=frozenset(disabled))
    findings = apply(findings, _files_to_scan(findings, ctx), set(registry()), disabled)
    return sorted({f for f in findings if f.check not in disabled})


def run_lint(paths: list[Path], *, output_format: str, disabled: set[str], fail_on: str, use_promtool: bool,
             stream: TextIO) -> int:
    """Print findings in the chosen format; return the exit code (1 when a finding reaches fail_on)."""
    from agentops_gen.lint.registry import expand
    from agentops_gen.lint.report import FORMATS, render, summary

    if output_format not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}")
    if fail_on not in SEVERITIES:
        raise UsageError(f"--fail-on must be one of {', '.join(reversed(SEVERITIES))}")
    try:
        names = expand(disabled)
    except ValueError as exc:
        raise UsageError(f"--disable: {exc}") from None
    findings = lint(paths, disabled=names, use_promtool=use_promtool)
    stream.write(render(findings, output_format))
    if output_format == "text" and findings:
        counts = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in summary(findings).items() if n)
        print(f"agentops-gen lint: {counts}", file=sys.stderr)
    threshold = SEVERITIES.index(fail_on)
    return 1 if any(SEVERITIES.index(f.severity) >= threshold for f in findings) else 0
