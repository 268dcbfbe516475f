"""Where a rendered file came from, and which output check an output error belongs to."""

from __future__ import annotations

from pathlib import PurePosixPath

from agentops_gen.errors import Location
from agentops_gen.lint.context import LintContext, SpecSource


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
    """(rendered path, message) for every file `render`'s own output checks reject (checked once, by build)."""
    return ctx.output_errors


def kind_of(path: str, message: str) -> str:
    """Which output check an output error belongs to."""
    if "does not parse" in message:
        return "output/parse"
    if path.startswith("otel/"):
        return "output/otel"
    return "output/structure"
