"""The check stage: every rendered file is re-parsed; syntax-only files still fail on broken YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_gen.check.outputs import OutputError, check_outputs, check_syntax, every_output_error

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


def _rendered(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*"))
            if p.is_file()}


COPIES = ["kubernetes/amas.prometheusrule.yaml", "mimir/rules/amas.yaml", "thanos/amas.rules.yaml"]


def test_the_examples_derived_rule_files_pass(rendered_examples: Path) -> None:
    files = _rendered(rendered_examples)
    assert set(COPIES) <= set(files)
    assert every_output_error(files) == []


def _drop_first_rule(text: str) -> str:
    lines = text.split("\n")
    first = next(n for n, line in enumerate(lines) if line.lstrip().startswith("- record:"))
    indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
    after = next(n for n in range(first + 1, len(lines)) if lines[n].startswith(indent + "- "))
    return "\n".join(lines[:first] + lines[after:])


CORRUPTIONS = {
    "an expression changed": lambda text: text.replace("[5m]", "[6m]", 1),
    "a rule dropped": _drop_first_rule,
    "a key renamed": lambda text: text.replace(" expr:", " expression:", 1),
    "a Thanos group without its strategy": lambda text: text.replace('    partial_response_strategy: "abort"\n', "", 1),
}


@pytest.mark.parametrize("path", COPIES)
@pytest.mark.parametrize("corruption", CORRUPTIONS.keys())
def test_a_derived_copy_that_is_valid_yaml_but_differs_is_caught(rendered_examples: Path, path: str,
                                                                corruption: str) -> None:
    """The copies are not composed nor their PromQL parsed; the text comparison with the Prometheus rule
    file catches what the syntax pass cannot."""
    import yaml

    files = _rendered(rendered_examples)
    broken = CORRUPTIONS[corruption](files[path])
    if broken == files[path]:
        assert not path.startswith("thanos/") and "Thanos" in corruption
        return
    yaml.safe_load(broken)  # still valid YAML: the syntax pass alone would let it through
    assert every_output_error({**files, path: broken}) == [
        (path, f"{path}: its rule groups differ from those of prometheus/amas.rules.yaml (derived copies carry "
               "that file's groups)")]


def test_a_derived_copy_rendered_without_its_prometheus_file_gets_the_syntax_pass_only(rendered_examples: Path) -> None:
    files = _rendered(rendered_examples)
    assert check_outputs({"thanos/amas.rules.yaml": files["thanos/amas.rules.yaml"] + "# edited\n"}) is None


LINES = ["", "  - name: g", "    rules:", "      - record: r", "        expr: |-", "          x", "  ", "rules:",
         '    partial_response_strategy: "abort"', '    partial_response_strategy: "warn"']


def test_the_copy_comparisons_say_what_the_renderers_transformations_say() -> None:
    """check.copies rebuilds the derived layouts with string operations of its own (check/ never imports
    targets/): over random blocks they accept exactly what targets/rule_text.py makes."""
    import random

    from agentops_gen.check.copies import _keyed, _moved
    from agentops_gen.targets.rule_text import indented, with_strategy

    rng = random.Random(17)
    for _ in range(20_000):
        block = "\n".join(rng.choice(LINES[:8]) for _ in range(rng.randint(0, 8)))
        copy = "\n".join(rng.choice(LINES) for _ in range(rng.randint(0, 10)))
        assert _moved(indented(block, 2), block)
        assert _moved(copy, block) == (copy == indented(block, 2))
        made = {with_strategy(block, s) for s in ("abort", "warn")}
        assert all(_keyed(text, block) for text in made)
        assert _keyed(copy, block) == (copy in made)


SLICE = "prometheus/tests/rules/amas/agent-availability.rules.yaml"
"""A test-only slice of amas' rule file: one of its groups, loaded by the generated tests of that SLO."""


def _other_group(text: str) -> str:
    """The slice with its group's name swapped for another group of amas (a group that is not deployed)."""
    return text.replace('name: "agentops-amas-agent-availability"', 'name: "agentops-amas-agent-latency"', 1)


SLICE_CORRUPTIONS = {**{k: v for k, v in CORRUPTIONS.items() if "Thanos" not in k},
                     "a group renamed": _other_group,
                     "no group": lambda text: text.split("groups:\n", 1)[0] + "groups: []\n"}


@pytest.mark.parametrize("corruption", SLICE_CORRUPTIONS.keys())
def test_a_test_slice_that_is_not_a_deployed_group_is_caught(rendered_examples: Path, corruption: str) -> None:
    """The generated tests load slices of the rule file: a slice that differs from the deployed groups would
    let a test pass on rules nobody deploys."""
    import yaml

    files = _rendered(rendered_examples)
    tests = [p for p, t in files.items() if p.endswith(".test.yaml") and "rules/amas/agent-availability." in t]
    assert SLICE in files and tests  # a generated test file loads it
    broken = SLICE_CORRUPTIONS[corruption](files[SLICE])
    assert broken != files[SLICE]
    yaml.safe_load(broken)
    assert every_output_error({**files, SLICE: broken}) == [
        (SLICE, f"{SLICE}: its rule groups are not groups of prometheus/amas.rules.yaml as that file has them (a "
                "test would test other rules)")]


def test_every_test_slice_is_a_group_of_its_rule_file(rendered_examples: Path) -> None:
    files = _rendered(rendered_examples)
    slices = [p for p in files if p.startswith("prometheus/tests/rules/")]
    assert len(slices) >= 20
    for path in slices:
        service = path.split("/")[3]
        body = files[path].split("\ngroups:\n", 1)[1]
        assert body.startswith("  - name: ") and body in files[f"prometheus/{service}.rules.yaml"], path
