"""Markdown escaping for user strings in runbooks: tables, inline code and fenced blocks stay intact."""

from __future__ import annotations

import re
from typing import Any

_SPECIAL = tuple((c, "\\" + c) for c in "\\`*[]<>|")
"""Markdown syntax characters, each escaped by a backslash; the backslash first, so no escape is escaped again.
A `in` scan and a replace per character present: prose rarely holds any, and str.translate looks every
character up in a dict (about 5x the CPU on a runbook sentence)."""
_EDGE_UNDERSCORE = re.compile(r"(?<!\w)_|_(?!\w)")
"""Underscores inside words never start emphasis in GitHub Markdown (user_id stays readable)."""


def md_text(value: Any) -> str:
    """Inline prose: Markdown syntax characters are escaped; line breaks become spaces."""
    text = " ".join(str(value).split())
    for char, escaped in _SPECIAL:
        if char in text:
            text = text.replace(char, escaped)
    return _EDGE_UNDERSCORE.sub(r"\\_", text) if "_" in text else text


def md_cell(value: Any) -> str:
    """A table cell: like md_text, and a pipe can never end the cell (GitHub reads `\\|` even in code)."""
    return md_text(value) or " "


def md_code(value: Any) -> str:
    """Inline code whose delimiter is longer than any backtick run inside it; pipes escaped for tables."""
    text = " ".join(str(value).split())
    if "`" not in text:  # the common case: one backtick, no padding
        return f"`{text.replace('|', chr(92) + '|')}`"
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text.replace('|', chr(92) + '|')}{pad}{ticks}"


def md_fence(value: Any, lang: str = "") -> str:
    """A fenced block whose fence is longer than any backtick run inside, so the content cannot close it."""
    text = str(value).rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0) if "`" in text else 0
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def md_comment(value: Any) -> str:
    """Inside `<!-- -->`: one line (as comment_text) and no `--`, so the comment cannot be closed early."""
    from agentops_gen.targets.jinja import comment_text

    return re.sub(r"-(?=-)", "- ", comment_text(value))


def md_url(value: Any) -> str:
    """A Markdown link target: characters that would end it (`)`, `>`, spaces) are percent-encoded."""
    return re.sub(r"[\s()<>\[\]`]", lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), str(value))


MARKDOWN_FILTERS = {"md_text": md_text, "md_cell": md_cell, "md_code": md_code, "md_fence": md_fence,
                    "md_comment": md_comment, "md_url": md_url}
