"""Receiver problems as the spec model judges them (spec.routing.secret_issue), but at the exact key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agentops_gen.lint.context import FieldPath, LintContext, SpecSource


def leaves(ctx: LintContext) -> Iterator[tuple[SpecSource, str, FieldPath, str, Any]]:
    """(spec, integration type, field path, key, value) for every key under every receiver."""
    for src in ctx.specs(services_only=False):
        receivers = src.data.get("receivers")
        if not isinstance(receivers, dict):
            continue
        for name, receiver in receivers.items():
            if not isinstance(receiver, dict):
                continue
            for kind, entries in receiver.items():
                yield from _walk(src, str(kind), ("receivers", name, kind), entries)


def _walk(src: SpecSource, kind: str, path: FieldPath, value: Any) -> Iterator[tuple[SpecSource, str, FieldPath,
                                                                                   str, Any]]:
    if isinstance(value, dict):
        for key, sub in value.items():
            yield src, kind, (*path, key), str(key), sub
            yield from _walk(src, kind, (*path, key), sub)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _walk(src, kind, (*path, i), sub)


def problems(ctx: LintContext, check: str) -> Iterator[tuple[SpecSource, FieldPath, str]]:
    """(spec, field path, message) of the secret problems of one lint check (spec.routing's codes)."""
    from agentops_gen.spec.routing import secret_issue

    for src, kind, path, key, value in leaves(ctx):
        issue = secret_issue(kind, key, value)
        if issue is not None and issue[0] == check:
            yield src, path, f"{key}: {issue[1]}"
