"""Run lint over paths: the build `render` runs (agentops_gen.pipeline), the checks over it, suppression,
the report and the exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from agentops_gen.errors import SpecError, UsageError
from agentops_gen.lint.context import LintContext
from agentops_gen.lint.findings import SEVERITIES, Finding, from_error
from agentops_gen.load.yaml_loader import display_path
from agentops_gen.targets import DERIVED_RULE_TARGETS, TARGETS

if TYPE_CHECKING:
    from agentops_gen.live.client import Connection


def _validation_findings(ctx: LintContext, errors: list[SpecError], raw: list[Finding]) -> list[Finding]:
    """Load/validation errors in the selected files as findings, unless a check made the same one.

    Checks re-find on the raw YAML much of what the models reject (so a file with one schema error still
    gets them all); the model's copy of a finding a check already made at the same place is dropped, not
    reported twice. A copy at another place stays, so every FILE:LINE:COL `render` reports is a lint error.
    """
    made = {(f.check, f.location) for f in raw}
    selected = {s.file for s in ctx.sources if s.selected}
    out = []
    for error in errors:
        finding = from_error(error)
        if (finding.check, finding.location) not in made and _origin(error) in selected:
            out.append(finding)
    return out


def _origin(error: SpecError) -> str:
    """The spec file an error belongs to (the including spec for an error inside a fragment)."""
    if error.location.via:
        return error.location.via[0].rsplit(":", 2)[0]
    return error.location.file


LINT_TARGETS = tuple(t for t in TARGETS if t not in ("prom_tests", "runbooks", "backfill", *DERIVED_RULE_TARGETS))
"""What lint renders: every target but the generated promtool tests (the slowest), the runbooks, which no
check reads, the backfill files, whose rules the rule files already hold, and the PrometheusRule, Mimir and
Thanos rule files, whose groups are the Prometheus rule file's text (lint checks each group once there;
their wrappers hold only platform-file values quoted as in every file). `render` still generates them all
and checks every file before writing: the copies byte for byte against the rule file, the tests, the
backfill files. Skipping the copies is 7% of a warm lint (callgrind: 2,299M -> 2,137M instructions)."""


def collect(paths: list[Path], *, use_promtool: bool = False, disabled: frozenset[str] = frozenset(),
            prometheus: Connection | None = None) -> tuple[list[Finding], LintContext]:
    """Every finding for the selected spec files (before suppression), sorted and de-duplicated.

    The online prometheus/* checks run only with a `prometheus` connection (`lint --prometheus URL`).
    """
    from agentops_gen.lint.registry import registry
    from agentops_gen.pipeline import build
    from agentops_gen.units.promql import active

    checks = [r for r in registry().values() if r.run is not None and r.check.name not in disabled
              and (prometheus is not None or r.check.stage != "prometheus")]
    rendering = any(r.check.stage == "output" for r in checks)  # `--disable output` skips the render
    result = build(paths, targets=LINT_TARGETS if rendering else ())
    for fragment in result.fragments:
        print(f"agentops-gen: note: {display_path(fragment)} is an !include fragment, linted through the specs "
              "that include it", file=sys.stderr)
    ctx = LintContext(build=result, use_promtool=use_promtool)
    if prometheus is not None:
        from agentops_gen.live.client import Client

        ctx.prometheus = Client(prometheus)
    broken = [s.file for s in ctx.sources if s.errors and not s.selected]
    if broken and any(r.check.stage in ("plan", "output") for r in checks):
        print(f"agentops-gen: note: output checks skipped: {', '.join(broken)} has errors (lint it too)",
              file=sys.stderr)
    with active(result.queries):  # the checks parse through the build's cache
        raw = [f for reg in checks if reg.check.stage == "spec" for f in reg.run(ctx)]  # type: ignore[misc]
        findings = raw + _validation_findings(ctx, result.errors, raw)
        if result.plan is not None or result.failure is not None:  # only a folder `render` accepts: else noise
            for reg in checks:
                if reg.check.stage in ("plan", "output", "prometheus"):
                    findings.extend(reg.run(ctx))  # type: ignore[misc]
    if ctx.prometheus is not None:
        print(f"agentops-gen: note: {ctx.prometheus.requests} requests to {ctx.prometheus.conn.url}", file=sys.stderr)
    return sorted(set(findings)), ctx


def _files_to_scan(findings: list[Finding], ctx: LintContext) -> set[str]:
    """Files whose suppression comments count: the selected specs, their fragments, every finding's file."""
    files = {f.location.file for f in findings}
    for src in ctx.sources:
        if src.selected:
            files.add(src.file)
            files.update(src.loaded.sources if src.loaded else ())
    return files


def lint(paths: list[Path], *, disabled: set[str], use_promtool: bool = False,
         prometheus: Connection | None = None) -> list[Finding]:
    """Findings after `--disable` and per-line suppression (unused suppressions added)."""
    from agentops_gen.lint.registry import registry
    from agentops_gen.lint.suppress import apply

    findings, ctx = collect(paths, use_promtool=use_promtool, disabled=frozenset(disabled), prometheus=prometheus)
    findings = apply(findings, _files_to_scan(findings, ctx), set(registry()), disabled)
    return sorted({f for f in findings if f.check not in disabled})


def run_lint(paths: list[Path], *, output_format: str, disabled: set[str], fail_on: str, use_promtool: bool,
             stream: TextIO, prometheus: Connection | None = None) -> int:
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
    findings = lint(paths, disabled=names, use_promtool=use_promtool, prometheus=prometheus)
    stream.write(render(findings, output_format))
    if output_format == "text" and findings:
        counts = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in summary(findings).items() if n)
        print(f"agentops-gen lint: {counts}", file=sys.stderr)
    threshold = SEVERITIES.index(fail_on)
    return 1 if any(SEVERITIES.index(f.severity) >= threshold for f in findings) else 0
