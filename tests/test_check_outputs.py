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


SLICE = "prometheus/tests/rules/amas/amas.agent-availability.5m.rules.yaml"
"""A test-only slice of amas' rule file: the rules of one of its groups that amas.agent-availability.5m.test.yaml
(the page's step cases of that SLO) exercises."""
SLICE_TEST = "prometheus/tests/amas.agent-availability.5m.test.yaml"


def _other_group(text: str) -> str:
    """The slice with its group's name swapped for another group of amas (a group that is not deployed)."""
    return text.replace('name: "agentops-amas-agent-availability"', 'name: "agentops-amas-agent-latency"', 1)


def _rule_starts(text: str) -> list[int]:
    return [n for n, line in enumerate(text.split("\n")) if line.startswith("      - ")]


def _swap_first_rules(text: str) -> str:
    """The slice with its first two rules in the other order (each still a deployed rule)."""
    lines = text.split("\n")
    a, b, c = _rule_starts(text)[:3]
    return "\n".join(lines[:a] + lines[b:c] + lines[a:b] + lines[c:])


def _with_a_foreign_rule(text: str, files: dict[str, str]) -> str:
    """The slice with the first rule of another of amas' groups added (a deployed rule, not of this group)."""
    other = files["prometheus/amas.rules.yaml"].split('name: "agentops-amas-agent-latency"', 1)[1]
    lines = other.split("\n")
    a, b = _rule_starts(other)[:2]
    return text + "\n".join(lines[a:b]) + "\n"


SLICE_CORRUPTIONS = {**{k: v for k, v in CORRUPTIONS.items() if "Thanos" not in k and k != "a rule dropped"},
                     "a group renamed": _other_group,
                     "two rules swapped": _swap_first_rules,
                     "no group": lambda text: text.split("groups:\n", 1)[0] + "groups: []\n"}


@pytest.mark.parametrize("corruption", [*SLICE_CORRUPTIONS.keys(), "a rule of another group"])
def test_a_test_slice_that_is_not_deployed_rules_is_caught(rendered_examples: Path, corruption: str) -> None:
    """The generated tests load slices of the rule file: a slice that differs from the deployed rules (or
    orders them otherwise) would let a test pass on rules nobody deploys."""
    import yaml

    files = _rendered(rendered_examples)
    assert SLICE in files and f"rules/amas/{SLICE.rsplit('/', 1)[1]}" in files[SLICE_TEST]  # its test file loads it
    corrupt = SLICE_CORRUPTIONS.get(corruption) or (lambda text: _with_a_foreign_rule(text, files))
    broken = corrupt(files[SLICE])
    assert broken != files[SLICE]
    yaml.safe_load(broken)
    errors = every_output_error({**files, SLICE: broken})
    assert (SLICE, f"{SLICE}: its rule groups are not groups of prometheus/amas.rules.yaml with rules left out, as "
                   "that file has them (a test would test other rules)") in errors
    # with no group left, its test file also asserts an alert it does not load; nothing else is blamed
    assert {path for path, _ in errors} == ({SLICE, SLICE_TEST} if corruption == "no group" else {SLICE})


def test_a_test_file_asserting_an_alert_its_slice_left_out_is_caught(rendered_examples: Path) -> None:
    """promtool passes `exp_alerts: []` on an alert no loaded rule defines: a slice without an alert its test
    asserts is refused (every other rule of the slice still deployed byte for byte)."""
    import re

    files = _rendered(rendered_examples)
    assert "alertname: \"AmasAgentAvailabilityBurnRatePage\"" in files[SLICE_TEST]
    rule = re.compile(r'(?ms)^      - alert: "AmasAgentAvailabilityBurnRatePage"\n.*?(?=^      - |\Z)')
    broken = rule.sub("", files[SLICE], count=1)
    assert broken != files[SLICE]
    assert every_output_error({**files, SLICE: broken}) == [
        (SLICE_TEST, f"{SLICE_TEST}: it asserts AmasAgentAvailabilityBurnRatePage, which no rule file it loads defines "
                     "(a silence test would pass on nothing)")]


def test_every_test_slice_is_deployed_rules_and_keeps_what_they_read(rendered_examples: Path) -> None:
    """Read as YAML (not as the check reads it): each slice group is a deployed group with rules left out, in
    order, and every record name a kept rule reads that the rule file writes is kept too."""
    import re

    import yaml

    files = _rendered(rendered_examples)
    slices = [p for p in files if p.startswith("prometheus/tests/rules/")]
    assert len(slices) >= 20
    left_out = 0
    for path in slices:
        service = path.split("/")[3]
        deployed = {g["name"]: g for g in yaml.safe_load(files[f"prometheus/{service}.rules.yaml"])["groups"]}
        written = {r["record"] for g in deployed.values() for r in g["rules"] if "record" in r}
        kept_records: set[str] = set()
        read: set[str] = set()
        for group in yaml.safe_load(files[path])["groups"]:
            whole = deployed[group["name"]]
            assert {k: v for k, v in group.items() if k != "rules"} == {k: v for k, v in whole.items() if k != "rules"}
            remaining = iter(whole["rules"])
            assert all(any(rule == r for r in remaining) for rule in group["rules"]), (path, group["name"])
            left_out += len(whole["rules"]) - len(group["rules"])
            kept_records |= {r["record"] for r in group["rules"] if "record" in r}
            read |= {name for r in group["rules"] for name in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", r["expr"])}
        assert read & written <= kept_records, (path, sorted(read & written - kept_records))
    assert left_out > 100  # the slices do leave rules out
