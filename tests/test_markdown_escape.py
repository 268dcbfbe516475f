"""md_text escapes each Markdown syntax character exactly once, whatever else the text holds."""

from __future__ import annotations

import itertools
import re

from agentops_gen.targets.markdown import md_cell, md_text

_SYNTAX = re.compile(r"([\\`*\[\]<>|])")
_EDGE = re.compile(r"(?<!\w)_|_(?!\w)")


def _expected(text: str) -> str:
    """The escaping spelt as one regex pass: a backslash before every syntax character, then edge underscores."""
    escaped = _SYNTAX.sub(r"\\\1", " ".join(text.split()))
    return _EDGE.sub(r"\\_", escaped)


def test_every_combination_of_syntax_characters_is_escaped_once() -> None:
    alphabet = "\\`*[]<>|_a \n"
    for size in range(1, 5):
        for chars in itertools.product(alphabet, repeat=size):
            text = "".join(chars)
            assert md_text(text) == _expected(text), repr(text)


def test_prose_without_syntax_characters_is_unchanged() -> None:
    text = "More than 14.4% of availability events failed over the last 1h; user_id stays readable."
    assert md_text(text) == text
    assert md_cell("a\\|b") == "a\\\\\\|b"
