"""Re-parse every rendered file before anything is written; a template bug fails the render."""

from __future__ import annotations

import json
from typing import Any

import yaml

from agentops_gen.check.promql import check_query

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class OutputError(Exception):
    """A rendered file that does not parse or breaks its target's structure (an agentops-gen bug)."""


def parse_output(path: str, text: str) -> Any:
    """Parse one rendered file by its extension."""
    try:
        if path.endswith((".yaml", ".yml")):
            return yaml.load(text, Loader=_Loader)
        if path.endswith(".json"):
            return json.loads(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise OutputError(f"{path}: rendered output does not parse: {exc}") from None
    return text


def check_rule_groups(path: str, doc: Any) -> None:
    """Structure of a Prometheus rule file, and every expr parses as Prometheus 2.x PromQL."""
    if not isinstance(doc, dict) or not isinstance(doc.get("groups"), list):
        raise OutputError(f"{path}: expected a mapping with `groups:`")
    seen: set[str] = set()
    for group in doc["groups"]:
        if group["name"] in seen:
            raise OutputError(f"{path}: duplicate rule group {group['name']!r}")
        seen.add(group["name"])
        for rule in group["rules"]:
            if ("record" in rule) == ("alert" in rule):
                raise OutputError(f"{path}: rule in {group['name']} must have exactly one of record/alert")
            try:
                check_query(rule["expr"])
            except ValueError as exc:
                raise OutputError(f"{path}: {rule.get('record') or rule.get('alert')}: {exc}") from None


def check_outputs(files: dict[str, str]) -> None:
    """Parse every rendered file; rule files also get their PromQL parsed."""
    for path, text in files.items():
        doc = parse_output(path, text)
        if path.startswith("prometheus/") and path.endswith(".rules.yaml"):
            check_rule_groups(path, doc)
