"""How much one spec file and one run may hold, checked on the loaded YAML before the models see it.

Each SLO, KPI, anomaly and alert becomes rules, tests, panels and a runbook, so the work of a run
grows with their number; these limits keep a run at the limit within a few minutes and 1 GB
(measured with bench/limits_bench.py; docs/spec.md "Limits"). Every error points at the first entry
past a limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agentops_gen.errors import SpecError
from agentops_gen.load.yaml_loader import LoadedFile, dotted

MAX_NAME = 63
"""Longest spec name (service, owner, SLO, KPI, receiver...): a DNS label's limit, so a name also fits a
Kubernetes resource, and file names built from two names plus a suffix stay far below 255 bytes."""
MAX_ALERT_NAME = 128
"""Longest alert name written in a spec: it becomes a runbook file name (`<Alert>.md`)."""
MAX_LABEL_NAME = 128
"""Longest label or annotation name written in a spec (`labels`, `annotations`, every `group_by`): it is
copied into every rule, alert, route and test case of its SLO, and Mimir refuses names past 1,024."""
MAX_PERIOD = "366d"
"""Longest SLO period: a year. The generated budget tests run the period's error budget down (their
memory and time grow with it: 1,000d took 2.8 s and 640 MB for one SLO, 10000w never finished) and
Prometheus must keep the period's recorded 5m rates for the whole period."""
MAX_ATTRIBUTE_NAME = 255
"""Longest telemetry attribute key (`redact`, `metrics.drop_attributes`) or HTTP header name (`headers_file`):
each is copied into the Collector config; real ones are a few dozen characters, and a 70,000-character key
made every later step slower for nothing."""
MAX_FOR = "366d"
"""Longest `for:` of an alert, a year like the SLO period: `10000w` is no plan. A fire case of the generated
tests holds the condition minute by minute, so an alert waiting longer than a day gets none (it is listed as
untested, targets/prom_tests.LONGEST_FIRE_FOR): 10000w took over 60 s to render when it did."""

MAX_ENTRIES = 1000
"""Entries of any one list or mapping anywhere in a spec (buckets, labels, receivers' lists, ...)."""

SECTION_LIMITS: dict[str, int] = {"slos": 500, "kpis": 500, "anomalies": 500, "alerts": 500, "receivers": 100}
"""Entries of a top-level section of one spec file."""

NESTED_LIMITS: dict[tuple[str, ...], int] = {("dashboard", "panels"): 100}
"""Entries of a nested list of one spec file (path without list indexes)."""

PER_SLO_LIMITS: dict[tuple[str, ...], int] = {("alerting", "windows"): 8, ("alerting", "budget"): 8}
"""Entries of a list inside each SLO: every burn window or budget alert adds rules and test cases."""

WORK_SECTIONS = ("slos", "kpis", "anomalies", "alerts")
_SINGULAR = {"slos": "SLO", "kpis": "KPI", "anomalies": "anomaly", "alerts": "alert"}
MAX_WORK = 2000
"""Spec files plus their SLOs, KPIs, anomalies and alerts, summed over the spec folder."""

Path_ = tuple[str | int, ...]


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _error(loaded: LoadedFile, path: Path_, message: str) -> SpecError:
    return SpecError(loaded.locate(path, key=True), dotted(path), message)


def _past(loaded: LoadedFile, path: Path_, value: Any, limit: int, per: str) -> Iterator[SpecError]:
    """One error at the first entry of `value` past `limit` (its key for a mapping)."""
    if isinstance(value, (list, dict)) and len(value) > limit:
        first = list(value)[limit] if isinstance(value, dict) else limit
        yield _error(loaded, (*path, first), f"too many entries: {len(value)} (at most {limit} per {per})")


def file_limit_errors(loaded: LoadedFile) -> list[SpecError]:
    """Errors for lists of one spec file past their limits (checked before validation: cheap)."""
    data = loaded.data
    if not isinstance(data, dict):
        return []
    errors: list[SpecError] = []
    for section, limit in SECTION_LIMITS.items():
        errors.extend(_past(loaded, (section,), data.get(section), limit, "spec file"))
    for path, limit in NESTED_LIMITS.items():
        errors.extend(_past(loaded, path, _get(data, path), limit, "spec file"))
    slos = data.get("slos")
    if isinstance(slos, list):
        for i, slo in enumerate(slos[:SECTION_LIMITS["slos"]]):
            for path, limit in PER_SLO_LIMITS.items():
                errors.extend(_past(loaded, ("slos", i, *path), _get(slo, path), limit, "SLO"))
    if not errors:
        errors.extend(_any_list(loaded, (), data))
    return errors


def _any_list(loaded: LoadedFile, path: Path_, value: Any) -> Iterator[SpecError]:
    """The generic bound on any list or mapping (iterative: the YAML loader already bounds depth)."""
    todo: list[tuple[Path_, Any]] = [(path, value)]
    while todo:
        where, node = todo.pop()
        if isinstance(node, (list, dict)) and len(node) > MAX_ENTRIES:
            first = list(node)[MAX_ENTRIES] if isinstance(node, dict) else MAX_ENTRIES
            yield _error(loaded, (*where, first), f"too many entries: {len(node)} (at most {MAX_ENTRIES} in one "
                         "list or mapping)")
            continue
        if isinstance(node, dict):
            todo.extend(((*where, k), v) for k, v in node.items())
        elif isinstance(node, list):
            todo.extend(((*where, i), v) for i, v in enumerate(node))


class WorkBudget:
    """Counts the work of a run file by file; the file that crosses MAX_WORK gets the error."""

    def __init__(self, limit: int = MAX_WORK):
        self.limit = limit
        self.used = 0

    def take(self, loaded: LoadedFile) -> SpecError | None:
        """Add one file and its entries; an error at the first entry past the limit, else None."""
        self.used += 1
        if self.used > self.limit:
            return SpecError(loaded.locate(()), "", self._message("spec file"))
        data = loaded.data if isinstance(loaded.data, dict) else {}
        for section in WORK_SECTIONS:
            entries = data.get(section)
            if not isinstance(entries, list):
                continue
            # a section past its own limit gets that error (file_limit_errors); count only what it allows
            count = min(len(entries), SECTION_LIMITS[section])
            if self.used + count > self.limit:
                first = self.limit - self.used
                self.used += count
                return _error(loaded, (section, first), self._message(_SINGULAR[section]))
            self.used += count
        return None

    def _message(self, what: str) -> str:
        return (f"this {what} is past the limit of {self.limit} spec files, SLOs, KPIs, anomalies and alerts "
                "in one run; render the spec folder in parts (one folder per team) or remove unused entries")
