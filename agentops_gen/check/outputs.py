"""Re-parse every rendered file before anything is written; a template bug fails the render."""

from __future__ import annotations

import json
from typing import Any

import yaml

from agentops_gen.check.copies import copy_problem
from agentops_gen.check.shapes import check_rendered
from agentops_gen.check.test_files import unloaded_alert_problem

_RawParser: Any
try:
    from yaml import CSafeLoader as _Loader
    from yaml._yaml import CParser as _RawParser
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]
    _RawParser = None


if _RawParser is not None:
    class _NodeParser(_RawParser):  # type: ignore[misc]
        """libyaml composing nodes with no tag resolution: what parse_strings reads never looks at tags."""

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            """Nothing to track: no tag is resolved."""

        def ascend_resolver(self) -> None:
            """Nothing to track: no tag is resolved."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            """Every node gets the same tag."""
            return ""


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


def parse_strings(path: str, text: str) -> Any:
    """A YAML file as dicts, lists and scalars left as strings (no tags resolved): what the rule-file and
    Alertmanager checks read, at half the cost of yaml.load (libyaml composes the nodes, no Python constructor
    runs)."""
    try:
        if _RawParser is None:  # pragma: no cover - PyYAML without libyaml
            node = yaml.compose(text, Loader=_Loader)
        else:
            parser = _NodeParser(text)
            try:
                node = parser.get_single_node()
            finally:
                parser.dispose()
    except yaml.YAMLError as exc:
        raise OutputError(f"{path}: rendered output does not parse: {exc}") from None
    return _plain(node)


def _plain(node: Any) -> Any:
    if isinstance(node, yaml.MappingNode):
        # most keys and values are scalars: read them here rather than with a call each
        return {key.value if type(key) is _Scalar else _plain(key): value.value if type(value) is _Scalar
                else _plain(value) for key, value in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    return None if node is None else node.value


_Scalar = yaml.ScalarNode


def check_rule_groups(path: str, doc: Any, checked: set[str] | None = None) -> None:
    """Structure of a Prometheus rule file, and every expr parses as Prometheus 2.x PromQL.

    checked: PromQL shapes already checked in this run (shared by the files of one check_outputs call).
    """
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
                check_rendered(rule["expr"], checked)
            except ValueError as exc:
                raise OutputError(f"{path}: {rule.get('record') or rule.get('alert')}: {exc}") from None


def overlapping_panels(panels: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Pairs of panel ids whose gridPos rectangles intersect (Grafana would push one of them down).

    A sweep down the rows: each panel is compared only with the panels still open at its top edge
    (a handful on a 24-column grid), not with every other panel; 10,000 panels take milliseconds.
    """
    boxes = sorted(((p["gridPos"], p["id"], i) for i, p in enumerate(panels)),
                   key=lambda box: (box[0]["y"], box[2]))
    pairs: list[tuple[int, int, int, int]] = []
    open_boxes: list[tuple[dict[str, int], int, int]] = []
    for box in boxes:
        grid = box[0]
        open_boxes = [o for o in open_boxes if o[0]["y"] + o[0]["h"] > grid["y"]]
        for other in open_boxes:
            g = other[0]
            if g["x"] < grid["x"] + grid["w"] and grid["x"] < g["x"] + g["w"] and g["y"] < grid["y"] + grid["h"]:
                first, second = sorted((other, box), key=lambda b: b[2])
                pairs.append((first[2], second[2], first[1], second[1]))
        open_boxes.append(box)
    return [(a_id, b_id) for _, _, a_id, b_id in sorted(pairs)]


def check_dashboard(path: str, doc: Any, checked: set[str] | None = None) -> None:
    """A Grafana dashboard: unique panel ids, every panel inside the 24-column grid, no overlaps, PromQL parses.

    checked: PromQL shapes already checked in this run (shared by the files of one check_outputs call).
    """
    panels = doc.get("panels") if isinstance(doc, dict) else None
    if not isinstance(panels, list) or not doc.get("uid"):
        raise OutputError(f"{path}: expected a dashboard with `uid` and `panels`")
    ids = [p.get("id") for p in panels]
    if len(set(ids)) != len(ids):
        raise OutputError(f"{path}: duplicate panel ids")
    for panel in panels:
        grid = panel.get("gridPos", {})
        if not all(isinstance(grid.get(k), int) for k in "xywh") or grid["x"] + grid["w"] > 24 or grid["w"] < 1:
            raise OutputError(f"{path}: panel {panel.get('id')} is outside the 24-column grid: {grid}")
        for target in panel.get("targets", []):
            try:
                check_rendered(target["expr"], checked)
            except ValueError as exc:
                raise OutputError(f"{path}: panel {panel.get('title')!r}: {exc}") from None
    overlaps = overlapping_panels(panels)
    if overlaps:
        raise OutputError(f"{path}: overlapping panels {overlaps}")


def check_collector_output(path: str, doc: Any) -> None:
    """An OpenTelemetry Collector config passes the structural validator (agentops_gen.check.otel)."""
    from agentops_gen.check.otel import collector_problems

    problems = collector_problems(doc)
    if problems:
        raise OutputError(f"{path}: " + "; ".join(problems))


def check_alertmanager(path: str, doc: Any, files: dict[str, str]) -> None:
    """Every receiver and time interval a route names exists, names are unique, templates are shipped."""
    receivers = [r["name"] for r in doc["receivers"]]
    if len(set(receivers)) != len(receivers):
        raise OutputError(f"{path}: duplicate receiver names")
    intervals = {t["name"] for t in doc.get("time_intervals") or []}
    todo = [doc["route"]]
    while todo:
        route = todo.pop()
        if "receiver" in route and route["receiver"] not in receivers:
            raise OutputError(f"{path}: route names undefined receiver {route['receiver']!r}")
        if set(route.get("mute_time_intervals", [])) - intervals:
            raise OutputError(f"{path}: route names an undefined time interval")
        if "match" in route or "match_re" in route:
            raise OutputError(f"{path}: deprecated match/match_re in a route")
        todo.extend(route.get("routes", []))
    if doc["templates"][0] != "templates/agentops.tmpl" or "alertmanager/templates/agentops.tmpl" not in files:
        raise OutputError(f"{path}: the shipped notification template is not referenced")


SYNTAX_ONLY = ("prometheus/tests/", "kubernetes/", "mimir/rules/", "thanos/")
"""Files with no structural check of their own (generated tests, copies of the rule groups in other formats):
parsing them to events in libyaml proves they are valid YAML at a fraction of the cost of
building Python objects. The copies' groups are compared with the Prometheus rule file's as text
(check.copies)."""


def check_syntax(path: str, text: str) -> None:
    """YAML syntax only: libyaml parses every event in C (raw_parse), no Python object per event."""
    try:
        if _RawParser is not None:
            _RawParser(text).raw_parse()
        else:  # pragma: no cover - PyYAML without libyaml
            for _event in yaml.parse(text, Loader=_Loader):
                pass
    except yaml.YAMLError as exc:
        raise OutputError(f"{path}: rendered output does not parse: {exc}") from None


def check_outputs(files: dict[str, str]) -> None:
    """Parse every rendered file; rule files also get their PromQL parsed."""
    checked: set[str] = set()
    for path, text in files.items():
        _check_one(path, text, files, checked)


def every_output_error(files: dict[str, str]) -> list[tuple[str, str]]:
    """(path, message) for every file of `files` the output checks reject, in the order of `files`.

    check_outputs stops at the first bad file, so a bad file is set aside and the rest re-checked;
    cross-file rules (a config that must reference a shipped template) still see every other file.
    """
    remaining = dict(files)
    errors: list[tuple[str, str]] = []
    while remaining:
        try:
            check_outputs(remaining)
            break
        except OutputError as exc:
            message = str(exc)
            path = next((p for p in remaining if message.startswith(p + ":")), None)
        except Exception as exc:  # noqa: BLE001 - a checker tripping over a malformed file is an error too
            path = _crashing_file(remaining)
            message = f"{path}: malformed output ({type(exc).__name__}: {exc})"
        errors.append((path or "", message))
        if path is None:
            break  # cannot tell which file failed: report once rather than loop
        del remaining[path]
    return errors


def _crashing_file(files: dict[str, str]) -> str | None:
    """The file whose check alone raises something other than OutputError."""
    for path, text in files.items():
        try:
            check_outputs({path: text})
        except OutputError:
            continue
        except Exception:  # noqa: BLE001
            return path
    return None


ALERTMANAGER_CONFIG = "alertmanager/alertmanager.yml"
MIMIR_ALERTMANAGER_CONFIG = "mimir/alertmanager/alertmanager.yaml"


def check_mimir_alertmanager(path: str, doc: Any, files: dict[str, str]) -> None:
    """What Mimir's Alertmanager API refuses: a `*_file` field, a template name with a path, a missing template."""
    todo = [doc]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            bad = [k for k in node if str(k).endswith("_file") or k == "proxy_url"]
            if bad:
                raise OutputError(f"{path}: Mimir refuses {bad[0]!r}")
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    for name in doc.get("templates") or []:
        if "/" in name:
            raise OutputError(f"{path}: Mimir refuses the template name {name!r} (a path)")
    if "agentops.tmpl" not in (doc.get("templates") or []) or "mimir/alertmanager/agentops.tmpl" not in files:
        raise OutputError(f"{path}: the shipped notification template is not referenced")


def _check_one(path: str, text: str, files: dict[str, str], checked: set[str]) -> None:
    """Check one rendered file (files: all of them, for cross-file rules; checked: PromQL shapes checked); raise
    OutputError."""
    if path.startswith(SYNTAX_ONLY) and path.endswith(".yaml"):
        check_syntax(path, text)
        problem = copy_problem(path, text, files) or unloaded_alert_problem(path, text, files)
        if problem is not None:
            raise OutputError(f"{path}: {problem}")
    elif path.startswith("prometheus/") and path.endswith(".rules.yaml"):
        check_rule_groups(path, parse_strings(path, text), checked)
    elif path == ALERTMANAGER_CONFIG:  # its checks read names and lists only: no tag needs resolving
        check_alertmanager(path, parse_strings(path, text), files)
    elif path == MIMIR_ALERTMANAGER_CONFIG:
        check_mimir_alertmanager(path, parse_strings(path, text), files)
    else:
        doc = parse_output(path, text)
        if path.startswith("grafana/dashboards/") and path.endswith(".json"):
            check_dashboard(path, doc, checked)
        elif path.startswith("otel/") and path.endswith(".yaml"):
            check_collector_output(path, doc)
