"""The check stage: every rendered file is re-parsed; syntax-only files still fail on broken YAML."""

from __future__ import annotations

import pytest

from agentops_gen.check.outputs import OutputError, check_outputs, check_syntax

BROKEN = {
    "unclosed flow sequence": "a: [1, 2\nb: c\n",
    "bad indentation": "a:\n  b: 1\n c: 2\n",
    "tab indentation": "a:\n\tb: 1\n",
    "unclosed quote": 'a: "x\n',
}


@pytest.mark.parametrize("text", BROKEN.values(), ids=BROKEN.keys())
@pytest.mark.parametrize("path", ["kubernetes/s.prometheusrule.yaml", "prometheus/tests/s.test.yaml"])
def test_syntax_only_files_fail_on_broken_yaml(path: str, text: str) -> None:
    with pytest.raises(OutputError, match=f"^{path}: rendered output does not parse"):
        check_outputs({path: text})


def test_syntax_only_accepts_valid_yaml_of_any_shape() -> None:
    check_syntax("x.yaml", "a: 1\n---\n- [1, {b: 'c'}]\n- |-\n  block\n")


def test_syntax_error_carries_the_line() -> None:
    with pytest.raises(OutputError, match="line 2"):
        check_syntax("x.yaml", "a: [1, 2\nb: c\n")
