"""A generated test file asserts only alerts that the rule files it loads define.

promtool passes a silence assertion (`exp_alerts: []`) on an alert no loaded rule defines: a test file
whose rule slice (targets/rule_slices.py) left the alert out would prove nothing and still pass. Read as
text, like the slices: the template writes one `rule_files` entry per line and one `alertname` per
assertion, every value a JSON-quoted scalar.
"""

from __future__ import annotations

import json
import re

_TESTS = "prometheus/tests/"
_RULE_FILES = re.compile(r"(?m)^rule_files:\n((?:  - .*\n)*)")
# a literal start lets the regular expression engine search for it (megabytes of generated tests)
_ASSERTED = re.compile(r'\n        alertname: ("(?:[^"\\\n]|\\.)*")\n')
_DEFINED = re.compile(r'\n      - alert: ("(?:[^"\\\n]|\\.)*")\n')


def _loaded(path: str, text: str) -> list[str]:
    """Paths under out/ of the rule files a test file lists (relative to its folder)."""
    found = _RULE_FILES.search(text)
    if found is None:
        return []
    folder = path.rsplit("/", 1)[0].split("/")
    out = []
    for line in found.group(1).splitlines():
        parts = list(folder)
        for part in json.loads(line.removeprefix("  - ")).split("/"):
            if part == "..":
                parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        out.append("/".join(parts))
    return out


def unloaded_alert_problem(path: str, text: str, files: dict[str, str]) -> str | None:
    """Why a generated test file asserts an alert that none of its rule files defines (None when it does not,
    when `path` is no generated test file, or when a rule file it lists is not among `files`)."""
    if not (path.startswith(_TESTS) and path.endswith(".test.yaml")):
        return None
    asserted = {json.loads(name) for name in set(_ASSERTED.findall(text))}
    if not asserted:
        return None
    defined: set[str] = set()
    for rules in _loaded(path, text):
        if rules not in files:
            return None  # rendered alone: nothing to compare with
        defined.update(json.loads(name) for name in set(_DEFINED.findall(files[rules])))
    missing = sorted(asserted - defined)
    if not missing:
        return None
    return f"it asserts {missing[0]}, which no rule file it loads defines (a silence test would pass on nothing)"
