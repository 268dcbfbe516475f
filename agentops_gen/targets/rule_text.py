"""The rule groups of each service, rendered once per render for the four rule file formats.

Prometheus rule files, Mimir rule namespaces, PrometheusRule resources and Thanos ruler files all
carry the same `groups:` list; rendering it once and deriving the copies is a fifth of a lint run's
rendering. The copies differ only in layout: the PrometheusRule nests the list two columns deeper
(under `spec:`), Thanos adds `partial_response_strategy` to every group.
"""

from __future__ import annotations

from collections.abc import Sequence

from agentops_gen.plan.model import Rule, RuleGroup, ServicePlan
from agentops_gen.targets.jinja import render_template, yaml_quote

RULE_TARGETS = ("prometheus", "operator", "mimir", "thanos", "prom_tests")
"""Targets whose render(plan, rules) takes the shared RuleText of one render_targets call."""

_GROUP_RULES_KEY = "    rules:"
"""A group's `rules:` key in the block (groups at column 2, their keys at 4; rule keys sit deeper, rule
text is quoted on one line or a literal block indented at least 10, so only a group key is this line)."""


class RuleText:
    """Each service's rendered `groups:` list (column 2), made on first use and kept for one render only."""

    def __init__(self) -> None:
        self._blocks: dict[str, str] = {}

    def block(self, service: ServicePlan) -> str:
        """The `groups:` list of a service at column 2, as a Prometheus rule file has it."""
        block = self._blocks.get(service.service)
        if block is None:
            block = self._blocks[service.service] = groups_text(service.groups)
        return block


def groups_text(groups: Sequence[RuleGroup]) -> str:
    """A `groups:` list at column 2 (the rule file's, or any other list of rule groups: the backfill levels)."""
    return render_template("prometheus/_groups.j2", groups=groups, quoted_labels=LabelLines().of)


class LabelLines:
    """A rule's labels as the rule file writes them, computed once per distinct label set of one service:
    an SLO's recording rules all carry the same labels, so sorting and quoting them per rule (Jinja's
    dictsort and a yq per value) was most of the template's time."""

    def __init__(self) -> None:
        self._seen: dict[tuple[bool, tuple[tuple[str, str], ...]], list[tuple[str, str]]] = {}

    def of(self, rule: Rule) -> list[tuple[str, str]]:
        """(name, value quoted by yaml_quote) in the order of Jinja's dictsort (by name, case ignored, stable)."""
        key = (rule.alert is not None, tuple(rule.labels.items()))  # an alert's values are written escaped
        lines = self._seen.get(key)
        if lines is None:
            lines = self._seen[key] = [(name, yaml_quote(value)) for name, value
                                       in sorted(rule.written_labels().items(), key=_name_ignoring_case)]
        return lines


def _name_ignoring_case(item: tuple[str, str]) -> str:
    return item[0].lower()


def indented(block: str, columns: int) -> str:
    """The block moved `columns` to the right (blank lines stay empty): a literal block's lines move with it."""
    pad = " " * columns
    return "\n".join(pad + line if line else line for line in block.split("\n"))


def with_strategy(block: str, strategy: str) -> str:
    """The block with Thanos' `partial_response_strategy` key in every group, before its `rules:`."""
    key = f"    partial_response_strategy: {yaml_quote(strategy)}"
    return "\n".join(f"{key}\n{line}" if line == _GROUP_RULES_KEY else line for line in block.split("\n"))
