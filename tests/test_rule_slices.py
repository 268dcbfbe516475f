"""Which rules a generated test case needs (targets/rule_slices.py): the test files load only those."""

from __future__ import annotations

import pytest

from agentops_gen.plan.model import Rule, RuleGroup
from agentops_gen.targets.rule_slices import RuleReads, group_chunks, rule_chunks, slice_block

GROUPS = [
    RuleGroup("shared", (Rule('sum(rate(req_total[5m]))', record="rates:req:rate5m", labels={"service": "s"}),)),
    RuleGroup("a", (Rule("rates:req:rate5m / 2", record="slo:error:ratio", labels={"slo": "a", "service": "s"}),
                    Rule('slo:error:ratio{slo="a"} > 1', alert="APage"))),
    RuleGroup("a_period", (Rule('slo:error:ratio{slo="a", service="s"} > 0.5', alert="ABudget"),)),
    RuleGroup("b", (Rule("rate(b_total[5m])", record="slo:error:ratio", labels={"slo": "b", "service": "s"}),
                    Rule('slo:error:ratio{slo="b"} > 1', alert="BPage"))),
    RuleGroup("plain", (Rule('up{job="x"} == 0', alert="Down"),)),
]


def test_a_case_needs_its_alerts_and_the_records_they_read_by_label() -> None:
    reads = RuleReads(GROUPS)
    # rules numbered in file order: 0 shared rate, 1 a's ratio, 2 APage, 3 ABudget, 4 b's ratio, 5 BPage, 6 Down
    assert reads.count == 7 and reads.group_of == [0, 1, 1, 2, 3, 3, 4]
    # a's page reads slo:error:ratio{slo="a"}: a's record, not b's record of the same name, and what it reads
    assert reads.needed(["APage"], []) == (0, 1, 2)
    # a's budget alert needs a's ratio and what that reads, not a's page beside it in its group
    assert reads.needed(["ABudget"], []) == (0, 1, 3)
    assert reads.groups(reads.needed(["ABudget"], [])) == (0, 1, 2)
    assert reads.needed(["BPage"], []) == (4, 5)
    assert reads.needed(["Down"], []) == (6,)
    assert reads.needed(["APage", "Down"], []) == (0, 1, 2, 6)
    # a query of a record without a telling label reads every rule writing it; an ALERTS query its alert's
    assert reads.needed([], ['slo:error:ratio{service="s"} unless x']) == (0, 1, 4)
    assert reads.needed([], ['ALERTS{alertname="BPage", alertstate="firing"}']) == (4, 5)
    assert reads.needed([], ["{__name__=~'slo:.*'}"]) == (0, 1, 2, 3, 4, 5, 6)


def _text(group: RuleGroup) -> str:
    """A group as the rule file template lays it out (groups at column 2, rules at 6)."""
    rules = "".join(f'      - {"record" if r.record else "alert"}: "{r.record or r.alert}"\n'
                    f"        expr: |-\n          {r.expr}\n" for r in group.rules)
    return f'  - name: "{group.name}"\n    rules:\n{rules}'


def test_a_slice_keeps_each_group_header_and_the_rules_needed_byte_for_byte() -> None:
    chunks = [_text(g) for g in GROUPS]
    head, rules = rule_chunks(chunks[1])
    assert head == '  - name: "a"\n    rules:\n' and len(rules) == 2 and head + "".join(rules) == chunks[1]
    reads = RuleReads(GROUPS)
    block = slice_block([rule_chunks(c) for c in chunks], reads, reads.needed(["ABudget"], []))
    assert block == chunks[0] + head + rules[0] + chunks[2]
    # a rule file whose text and plan disagree on the rule count is refused, never sliced wrong
    with pytest.raises(AssertionError):
        slice_block([rule_chunks(c) for c in chunks[:-1]], reads, [0])


def test_group_chunks_cut_a_groups_block_into_its_groups_text() -> None:
    first = '  - name: "a"\n    rules:\n      - record: "r"\n        expr: |-\n          x\n'
    second = '  - name: "b"\n    rules: []\n'
    block = first + second
    chunks = group_chunks(block)
    assert chunks == [first, second]
    assert "".join(chunks) == block


def test_cut_before_cuts_at_every_line_that_begins_with_the_start_and_nowhere_else() -> None:
    import random

    from agentops_gen.units.rule_layout import cut_before

    rng = random.Random(3)
    lines = ["  - name: a\n", "x\n", "    rules:\n", "\n", "  - nam\n", "  - name: \n", "   - name: b\n"]
    for _ in range(20_000):
        text = "".join(rng.choice(lines) for _ in range(rng.randint(0, 8)))
        text = text.rstrip("\n") if rng.random() < 0.3 else text
        chunks = cut_before(text, "  - name: ")
        assert "".join(chunks) == text and all(chunks)
        assert all(c.startswith("  - name: ") for c in chunks[1:])
        assert all("\n  - name: " not in c[:-1] for c in chunks)
