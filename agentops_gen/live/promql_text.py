"""Print a parsed PromQL tree back to text, with selectors optionally replaced by other expressions.

promql-parser's own `str()` drops the escaping of quoted strings (`a="x\\"y"` prints as `a="x"y"`),
so selectors and string literals are printed here; every other node reuses the parser's printing of
its operator and modifiers, checked piece by piece (a mismatch raises instead of guessing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import promql_parser

Substitute = Callable[[Any], str | None]
"""Given a VectorSelector, the expression text to put in its place, or None to keep it."""


class PrintError(ValueError):
    """The tree cannot be printed back faithfully (an unsupported construct)."""


def quote(value: str) -> str:
    """A PromQL double-quoted string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def op_text(op: Any) -> str:
    """`=`, `!=`, `=~` or `!~` of a matcher."""
    name = str(op).rsplit(".", 1)[-1]
    ops = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}
    for key, text in ops.items():
        if name == key or name.startswith(key + "("):
            return text
    raise PrintError(f"unknown matcher operator {op}")


def _selector_head(vs: Any) -> tuple[str, str]:
    """(head as the parser prints it, head printed with escaping): `name{matchers}`."""
    matchers = vs.matchers
    if matchers.or_matchers:
        raise PrintError("selectors with `or` matchers are not supported")
    name = str(vs.name) if vs.name else ""
    printed = name + "{" + ",".join(str(m) for m in matchers.matchers) + "}"
    escaped = name + "{" + ",".join(f"{m.name}{op_text(m.op)}{quote(str(m.value))}" for m in matchers.matchers) + "}"
    return printed, escaped


def _split_head(node: Any, vs: Any) -> tuple[str, str]:
    """(escaped head, the rest: range, offset, @) of a vector or matrix selector."""
    printed, escaped = _selector_head(vs)
    text = str(node)
    if not text.startswith(printed):
        raise PrintError(f"cannot re-print selector {text}")
    return escaped, text[len(printed):]


def to_text(node: Any, substitute: Substitute | None = None, step: Callable[[Any], str] | None = None) -> str:
    """The expression as PromQL text; selectors `substitute` answers for are replaced by `(their text)`.

    A replaced selector under a range (`x[30d]`) becomes a subquery `(text)[30d:STEP]`, STEP from
    `step(selector)` (the evaluation interval of the rule that records it).
    """
    def emit(n: Any) -> str:
        return to_text(n, substitute, step)

    if isinstance(node, promql_parser.VectorSelector):
        head, rest = _split_head(node, node)
        new = substitute(node) if substitute else None
        if new is None:
            return head + rest
        if rest.strip():
            raise PrintError(f"offset/@ on a recorded series ({node}) is not supported")
        return f"({new})"
    if isinstance(node, promql_parser.MatrixSelector):
        vs = node.vector_selector
        head, rest = _split_head(node, vs)
        new = substitute(vs) if substitute else None
        if new is None:
            return head + rest
        close = rest.find("]")
        if not rest.startswith("[") or close < 0 or step is None:
            raise PrintError(f"cannot turn {node} into a subquery")
        return f"({new}){rest[:close]}:{step(vs)}{rest[close:]}"
    if isinstance(node, promql_parser.StringLiteral):
        return quote(str(node.val))
    if isinstance(node, promql_parser.NumberLiteral):
        return str(node)
    text = str(node)
    if isinstance(node, promql_parser.BinaryExpr):
        lhs, rhs = str(node.lhs), str(node.rhs)
        _expect(text.startswith(lhs) and text.endswith(rhs) and len(text) >= len(lhs) + len(rhs), text)
        return emit(node.lhs) + text[len(lhs):len(text) - len(rhs)] + emit(node.rhs)
    if isinstance(node, promql_parser.Call):
        args = list(node.args)
        name = str(node.func.name)
        _expect(text == f"{name}({', '.join(str(a) for a in args)})", text)
        return f"{name}({', '.join(emit(a) for a in args)})"
    if isinstance(node, promql_parser.AggregateExpr):
        inner = str(node.expr)
        _expect(text.endswith(f"({inner})") or text.endswith(f", {inner})"), text)
        head = text[:len(text) - len(inner) - 1]
        if node.param is not None:
            param = str(node.param)
            _expect(head.endswith(f"({param}, "), text)
            return head[:len(head) - len(param) - 2] + emit(node.param) + ", " + emit(node.expr) + ")"
        return head + emit(node.expr) + ")"
    if isinstance(node, promql_parser.ParenExpr):
        _expect(text == f"({node.expr})", text)
        return f"({emit(node.expr)})"
    if isinstance(node, promql_parser.UnaryExpr):
        _expect(text == f"-{node.expr}", text)
        return f"-{emit(node.expr)}"
    if isinstance(node, promql_parser.SubqueryExpr):
        inner = str(node.expr)
        if text.startswith(f"({inner})"):
            return f"({emit(node.expr)})" + text[len(inner) + 2:]
        _expect(text.startswith(inner), text)
        return emit(node.expr) + text[len(inner):]
    raise PrintError(f"cannot re-print {type(node).__name__}: {text}")


def _expect(ok: bool, text: str) -> None:
    if not ok:
        raise PrintError(f"cannot re-print {text}")
