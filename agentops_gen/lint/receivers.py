"""Receiver problems as the spec model judges them (spec.routing.secret_problem), but at the exact key."""

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


def problems(ctx: LintContext, which: str) -> Iterator[tuple[SpecSource, FieldPath, str]]:
    """(spec, field path, message) of one kind of secret problem: placeholder, inline or relative."""
    from agentops_gen.spec.routing import secret_problem

    for src, kind, path, key, value in leaves(ctx):
        problem = secret_problem(kind, key, value)
        if problem is not None and kind_of(problem) == which:
            yield src, path, f"{key}: {problem}"


def kind_of(message: str) -> str:
    """placeholder | inline | relative, from the model's message."""
    if "shell-style placeholder" in message:
        return "placeholder"
    if "inline secret" in message or "inline webhook URL" in message:
        return "inline"
    if "must be an absolute path" in message:
        return "relative"
    return ""
