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


STRING_TREES = {
    "nested maps and lists": "groups:\n  - name: a\n    rules:\n      - record: r\n        expr: sum(x)\n"
                             "        labels: {team: t, n: 3}\n      - alert: A\n        expr: |-\n          up\n"
                             "          == 0\n        for: 5m\n",
    "scalars stay strings": "a: 1\nb: true\nc: ~\nd: ''\ne: 1.5e3\nf: [null, false, 0x1f]\n",
    "lists of lists and empty collections": "a: [[1, [2]], {}, []]\nb: {c: {d: {}}}\n",
    "a mapping as a key, an alias": "? {k: v}\n: x\nbase: &b {p: q}\nuse: *b\n",
    "a scalar document": "just text\n",
}


@pytest.mark.parametrize("text", STRING_TREES.values(), ids=STRING_TREES.keys())
def test_parse_strings_reads_what_the_base_loader_reads(text: str) -> None:
    """parse_strings (nodes read by hand, scalars inline) gives the tree PyYAML's untyped loader gives."""
    import yaml

    from agentops_gen.check.outputs import parse_strings

    try:
        expected = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds no objects
    except yaml.constructor.ConstructorError:  # a mapping key PyYAML cannot hash: parse_strings fails too
        with pytest.raises(TypeError):
            parse_strings("x.yaml", text)
        return
    assert parse_strings("x.yaml", text) == expected
