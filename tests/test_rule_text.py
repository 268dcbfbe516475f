"""The rule groups are rendered once per service and shared by the four rule file formats (targets/rule_text.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from agentops_gen import targets
from agentops_gen.pipeline import plan_paths
from agentops_gen.targets import rule_text
from agentops_gen.targets.rule_text import indented, with_strategy

SPECS = Path(__file__).resolve().parent.parent / "slo_specs"
RULE_FILES = {"prometheus/": "prometheus", "kubernetes/": "operator", "mimir/rules/": "mimir", "thanos/": "thanos"}


def _groups(path: str, text: str) -> list[dict[str, Any]]:
    doc = yaml.safe_load(text)
    return doc["spec"]["groups"] if path.startswith("kubernetes/") else doc["groups"]


def test_groups_rendered_once_per_service_for_all_four_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    _, plan = plan_paths([SPECS])
    calls: list[str] = []
    real = rule_text.render_template

    def counting(name: str, **context: Any) -> str:
        calls.append(name)
        return real(name, **context)

    monkeypatch.setattr(rule_text, "render_template", counting)
    files = targets.render_targets(plan, ("prometheus", "operator", "mimir", "thanos"))
    assert calls == ["prometheus/_groups.j2"] * len(plan.services)
    assert {t for path in files for p, t in RULE_FILES.items() if path.startswith(p)} == set(RULE_FILES.values())


def test_every_format_carries_the_prometheus_groups() -> None:
    _, plan = plan_paths([SPECS])
    files = targets.render_targets(plan, ("prometheus", "operator", "mimir", "thanos"))
    assert plan.thanos_strategy == "abort"
    for service in plan.services:
        name = service.service
        plain = _groups(f"prometheus/{name}.rules.yaml", files[f"prometheus/{name}.rules.yaml"])
        assert plain
        assert _groups("kubernetes/", files[f"kubernetes/{name}.prometheusrule.yaml"]) == plain
        assert _groups("mimir/", files[f"mimir/rules/{name}.yaml"]) == plain
        thanos = _groups("thanos/", files[f"thanos/{name}.rules.yaml"])
        assert [list(g) for g in thanos] == [[k for k in ("name", "interval") if k in g] +
                                             ["partial_response_strategy", "rules"] for g in plain]
        assert [{k: v for k, v in g.items() if k != "partial_response_strategy"} for g in thanos] == plain


# A literal block whose lines look like group keys, a quoted value with a newline, an empty group, a group
# with an interval: none of the text inside a rule may move or gain a key.
BLOCK = """\
  - name: "a"
    interval: "1m"
    rules:
      - record: "r"
        expr: |-
          sum(x)
          rules:
            rules:
        labels:
          k: "v\\n    rules:"
  - name: "empty"
    rules:
"""


def test_moved_and_keyed_blocks_keep_every_rule_as_it_was() -> None:
    plain = yaml.safe_load("groups:\n" + BLOCK)["groups"]
    assert plain[0]["rules"][0]["expr"] == "sum(x)\nrules:\n  rules:"
    moved = yaml.safe_load("spec:\n  groups:\n" + indented(BLOCK, 2))["spec"]["groups"]
    assert moved == plain
    keyed = yaml.safe_load("groups:\n" + with_strategy(BLOCK, "warn"))["groups"]
    assert [list(g) for g in keyed] == [["name", "interval", "partial_response_strategy", "rules"],
                                        ["name", "partial_response_strategy", "rules"]]
    assert [{k: v for k, v in g.items() if k != "partial_response_strategy"} for g in keyed] == plain
    assert {g["partial_response_strategy"] for g in keyed} == {"warn"}


def test_label_lines_sort_and_quote_as_dictsort_and_yq_did() -> None:
    """One sort and quote per label set (rule_text.LabelLines) gives what `labels | dictsort` with `yq` gave:
    names sorted ignoring case (stable on a tie), an alert's `{{` escaped but not a record's."""
    from agentops_gen.plan.model import Rule
    from agentops_gen.targets.jinja import environment

    labels = {"b": "x", "B": 'say "hi"', "a": "{{ $value }}", "Zone": "eu\nwest", "_x": "1"}
    rules = [Rule(expr="up", record="r", labels=labels), Rule(expr="up", alert="A", labels=labels),
             Rule(expr="up", record="r2", labels=dict(reversed(labels.items()))),
             Rule(expr="up", alert="A2", labels={"a": "{{ $value }}", "B": 'say "hi"', "b": "x", "Zone": "eu\nwest",
                                                 "_x": "1"})]
    dictsort = environment().from_string(
        "{% for key, value in rule.written_labels() | dictsort %}{{ key }}: {{ value | yq }}\n{% endfor %}")
    lines = rule_text.LabelLines()
    for rule in [*rules, *rules]:  # the second pass reads the lines already made
        assert "".join(f"{k}: {v}\n" for k, v in lines.of(rule)) == dictsort.render(rule=rule)
    assert [k for k, _ in lines.of(rules[0])] == ["_x", "a", "b", "B", "Zone"]
    assert [k for k, _ in lines.of(rules[2])] == ["_x", "a", "B", "b", "Zone"]
    assert lines.of(rules[1]) != lines.of(rules[0])  # the alert's `{{` is escaped
