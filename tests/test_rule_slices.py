"""Which rule groups a generated test case needs (targets/rule_slices.py): the test files load only those."""

from __future__ import annotations

from agentops_gen.plan.model import Rule, RuleGroup
from agentops_gen.targets.rule_slices import GroupReads, group_chunks

GROUPS = [
    RuleGroup("shared", (Rule('sum(rate(req_total[5m]))', record="rates:req:rate5m", labels={"service": "s"}),)),
    RuleGroup("a", (Rule("rates:req:rate5m / 2", record="slo:error:ratio", labels={"slo": "a", "service": "s"}),
                    Rule('slo:error:ratio{slo="a"} > 1', alert="APage"))),
    RuleGroup("a_period", (Rule('slo:error:ratio{slo="a", service="s"} > 0.5', alert="ABudget"),)),
    RuleGroup("b", (Rule("rate(b_total[5m])", record="slo:error:ratio", labels={"slo": "b", "service": "s"}),
                    Rule('slo:error:ratio{slo="b"} > 1', alert="BPage"))),
    RuleGroup("plain", (Rule('up{job="x"} == 0', alert="Down"),)),
]


def test_a_case_needs_its_alerts_groups_and_the_records_they_read_by_label() -> None:
    reads = GroupReads(GROUPS)
    # a's page reads slo:error:ratio{slo="a"}: a's group, not b's record of the same name, and a's reads
    assert reads.needed(["APage"], []) == (0, 1)
    assert reads.needed(["ABudget"], []) == (0, 1, 2)
    assert reads.needed(["BPage"], []) == (3,)
    assert reads.needed(["Down"], []) == (4,)
    # a query of a record without a telling label reads every group writing it; an ALERTS query its alert's
    assert reads.needed([], ['slo:error:ratio{service="s"} unless x']) == (0, 1, 3)
    assert reads.needed([], ['ALERTS{alertname="BPage", alertstate="firing"}']) == (3,)
    assert reads.needed([], ["{__name__=~'slo:.*'}"]) == (0, 1, 2, 3, 4)


def test_group_chunks_cut_a_groups_block_into_its_groups_text() -> None:
    first = '  - name: "a"\n    rules:\n      - record: "r"\n        expr: |-\n          x\n'
    second = '  - name: "b"\n    rules: []\n'
    block = first + second
    chunks = group_chunks(block)
    assert chunks == [first, second]
    assert "".join(chunks) == block
