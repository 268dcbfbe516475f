"""Conformance with Sloth (issue 4): the same burn-rate factors and windows, and the same alert timing.

Every Sloth example and the 30d/28d/7d integration cases (tests/fixtures/sloth, Apache-2.0, see NOTICE.md) is
imported with `agentops-gen import sloth` (the 28d/7d cases with `--period` / `--windows`, Sloth's own flags),
rendered with our CLI and compared with Sloth's committed output:

(a) the window pairs and burn-rate factors of every page/ticket alert, parsed from both rule files, equal each
    other and the factors computed from Sloth's AlertWindows catalog (budget% x period / long window);
(b) one `promtool test rules` run loads Sloth's expected rule file and ours over the same synthetic series
    (a healthy baseline, then a step to a higher error ratio) and asserts that both tools' page and ticket
    alerts are silent one evaluation before the step the math predicts and firing at it. The prediction comes
    from `predict` below (window error ratios on the sample grid vs factor x budget from the catalog), never
    from either rule file, so a wrong factor or window in our rules fails the test. Our windows longer than
    1h (SLIs with event counts) are sums of recorded 5m rates, which see a step a little later than a raw
    rate(): `predict` models them as such and states each tool's own firing step.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
import subprocess
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml
from conftest import run_cli
from sloth_translate import (
    SLOTH,
    BurnPair,
    WindowPair,
    burn_clauses,
    burn_pairs,
    load_sloth_spec,
    load_windows,
    our_severity,
    record_windows,
    rules_of_slo,
    seconds,
    sloth_rules_text,
    sloth_severity,
)

from agentops_gen.units import promql

CONFORMANCE_ALERTING = {
    "page": {"for": "0s", "keep_firing_for": "0s"},
    "ticket": {"for": "0s", "keep_firing_for": "0s"},
    "outage": {"disable": True},
}
"""Set on top of the imported spec: Sloth's alerts have no `for:` and no `keep_firing_for`, and Sloth has no
outage alert."""

SLOTH_RULES_PER_SLO = 17
"""8 SLI recordings + 7 metadata recordings + page and ticket alert (Sloth's getting-started output)."""

HTTP = 'http_request_duration_seconds_count{{job="{job}",code="{code}"}}'


def _http(job: str) -> list[tuple[str, str]]:
    return [(HTTP.format(job=job, code="200"), "good"), (HTTP.format(job=job, code="500"), "bad")]


@dataclass(frozen=True)
class Case:
    """One Sloth input/output pair and the synthetic series that feed each of its SLOs."""

    name: str
    sloth_input: str
    sloth_output: str
    windows: str
    period: str | None
    custom_windows: bool
    series: dict[str, list[tuple[str, str]]]
    """SLO -> [(series, role)]: role good/bad/total (cumulative counters) or gauge (a 0..1 good ratio)."""


CASES = [
    Case("getting-started", "examples/getting-started.yml", "examples/_gen/getting-started.yml",
         "windows/google-30d.yaml", None, False, {"requests-availability": _http("myservice")}),
    Case("k8s-getting-started", "examples/k8s-getting-started.yml", "examples/_gen/k8s-getting-started.yml",
         "windows/google-30d.yaml", None, False, {"requests-availability": _http("myservice")}),
    Case("kubernetes-apiserver", "examples/kubernetes-apiserver.yml", "examples/_gen/kubernetes-apiserver.yml",
         "windows/google-30d.yaml", None, False, {
             "requests-availability": [('apiserver_request_total{code="200"}', "good"),
                                       ('apiserver_request_total{code="500"}', "bad")],
             "requests-latency": [('apiserver_request_duration_seconds_bucket{le="0.4",verb="GET"}', "good"),
                                  ('apiserver_request_duration_seconds_count{verb="GET"}', "total")],
         }),
    Case("raw-home-wifi", "examples/raw-home-wifi.yml", "examples/_gen/raw-home-wifi.yml",
         "windows/google-30d.yaml", None, False,
         {"wifi-client-satisfaction": [('unifipoller_client_satisfaction_ratio{client="laptop"}', "gauge")]}),
    Case("no-alerts", "examples/no-alerts.yml", "examples/_gen/no-alerts.yml",
         "windows/google-30d.yaml", None, False, {"http-availability": _http("myapp")}),
    Case("integration-30d", "integration/testdata/in-base.yaml", "integration/testdata/out-base.yaml.tpl",
         "windows/google-30d.yaml", None, False, {"slo1": _http("myservice")}),
    Case("integration-28d", "integration/testdata/in-base.yaml", "integration/testdata/out-base-28d.yaml.tpl",
         "windows/google-28d.yaml", "28d", False, {"slo1": _http("myservice")}),
    Case("integration-7d-custom-windows", "integration/testdata/in-base.yaml",
         "integration/testdata/out-base-custom-windows-7d.yaml.tpl", "integration/windows/7d.yaml", "7d", True,
         {"slo1": _http("myservice")}),
]
CASE_IDS = [c.name for c in CASES]


# --- rendering ----------------------------------------------------------------------------------------------


@dataclass
class Rendered:
    """Both tools' rule files for one case, as text and parsed."""

    case: Case
    sloth_spec: dict[str, Any]
    our_spec: dict[str, Any]
    sloth_text: str
    our_text: str
    period_s: int
    catalog: list[WindowPair]
    scenarios: dict[str, list[tuple[Scenario, Prediction]]] = field(default_factory=dict)
    """Severity -> timing_scenarios, filled on first use."""

    @cached_property
    def sloth_groups(self) -> list[dict[str, Any]]:
        groups: list[dict[str, Any]] = yaml.safe_load(self.sloth_text)["groups"]
        return groups

    @cached_property
    def our_groups(self) -> list[dict[str, Any]]:
        groups: list[dict[str, Any]] = yaml.safe_load(self.our_text)["groups"]
        return groups

    def budget(self, slo: str) -> float:
        objective = next(s["objective"] for s in self.sloth_spec["slos"] if s["name"] == slo)
        return (100 - objective) / 100

    def alerting_slos(self) -> list[str]:
        return [s["name"] for s in self.sloth_spec["slos"] if self.enabled(s["name"])]

    def enabled(self, slo: str, severity: str | None = None) -> set[str]:
        """Severities whose alert the Sloth spec keeps for an SLO."""
        spec = next(s for s in self.sloth_spec["slos"] if s["name"] == slo)
        alerting = spec.get("alerting") or {}
        return {sev for sev in ("page", "ticket")
                if not (alerting.get(f"{sev}_alert") or {}).get("disable") and severity in (None, sev)}


def import_sloth(case: Case, workdir: Path) -> dict[str, Any]:
    """Our spec for a case's Sloth input, imported by the CLI as a user would (Sloth's period and window flags
    become --period / --windows)."""
    args = ["import", "sloth", str(SLOTH / case.sloth_input), "--out", str(workdir / "imported")]
    if case.custom_windows:
        args += ["--windows", str(SLOTH / case.windows)]
    elif case.period:
        args += ["--period", case.period]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    (path,) = (workdir / "imported").iterdir()
    spec: dict[str, Any] = yaml.safe_load(path.read_text())
    return spec


def with_sloth_alerting(spec: dict[str, Any]) -> dict[str, Any]:
    """The imported spec with CONFORMANCE_ALERTING merged into every SLO's alerting."""
    out = copy.deepcopy(spec)
    for slo in out["slos"]:
        alerting = slo.setdefault("alerting", {})
        for key, options in CONFORMANCE_ALERTING.items():
            alerting[key] = {**alerting.get(key, {}), **options}
    return out


def render_ours(spec: dict[str, Any], workdir: Path) -> str:
    """Our rule file for a translated spec, rendered by the CLI as a user would."""
    (workdir / "specs").mkdir(parents=True)
    (workdir / "specs" / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    result = run_cli("render", str(workdir / "specs" / "spec.yaml"), "--out", str(workdir / "out"))
    assert result.returncode == 0, result.stderr
    return (workdir / "out" / "prometheus" / f"{spec['service']}.rules.yaml").read_text()


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Any:
    @cache
    def get(name: str) -> Rendered:
        case = next(c for c in CASES if c.name == name)
        sloth_spec = load_sloth_spec(SLOTH / case.sloth_input)
        period_s, catalog = load_windows(SLOTH / case.windows)
        workdir = tmp_path_factory.mktemp(name)
        spec = with_sloth_alerting(import_sloth(case, workdir))
        our_text = render_ours(spec, workdir)
        return Rendered(case, sloth_spec, spec, sloth_rules_text(SLOTH / case.sloth_output), our_text,
                        period_s, catalog)

    return get


# --- (a) factors and windows ---------------------------------------------------------------------------------


def expected_pairs(r: Rendered, slo: str) -> list[BurnPair]:
    """The pairs both tools must write, from Sloth's window catalog: factor = budget% x period / long."""
    return [BurnPair(slo, w.severity, w.long_s, w.short_s, w.factor(r.period_s), r.budget(slo))
            for w in r.catalog if w.severity in r.enabled(slo)]


def _sorted(pairs: list[BurnPair]) -> list[BurnPair]:
    return sorted(pairs, key=lambda p: (p.slo, p.severity, p.long_s, p.short_s))


def assert_same_pairs(got: list[BurnPair], want: list[BurnPair], what: str) -> None:
    got, want = _sorted(got), _sorted(want)
    assert [(p.slo, p.severity, p.long_s, p.short_s) for p in got] == \
           [(p.slo, p.severity, p.long_s, p.short_s) for p in want], f"{what}: window pairs differ"
    for g, w in zip(got, want, strict=True):
        where = f"{what}: {g.slo} {g.severity} {g.long_s}s/{g.short_s}s"
        assert math.isclose(g.factor, w.factor, rel_tol=0, abs_tol=1e-9), f"{where}: factor {g.factor} != {w.factor}"
        assert math.isclose(g.budget, w.budget, rel_tol=0, abs_tol=1e-9), f"{where}: budget {g.budget} != {w.budget}"
        assert math.isclose(g.factor * g.budget, w.factor * w.budget, rel_tol=0, abs_tol=1e-9), where


@pytest.mark.parametrize("name", CASE_IDS)
def test_same_burn_factors_and_windows(rendered: Any, name: str) -> None:
    r = rendered(name)
    want = [p for slo in (s["name"] for s in r.sloth_spec["slos"]) for p in expected_pairs(r, slo)]
    sloth = burn_pairs(r.sloth_groups, sloth_severity)
    ours = burn_pairs(r.our_groups, our_severity)
    assert_same_pairs(sloth, want, "Sloth's output vs its window catalog")  # the yardstick reads Sloth right
    assert_same_pairs(ours, want, "ours vs Sloth's window catalog")
    assert_same_pairs(ours, sloth, "ours vs Sloth's output")


@pytest.mark.parametrize("name", CASE_IDS)
def test_same_recorded_windows(rendered: Any, name: str) -> None:
    """The same `slo:sli_error:ratio_rate<W>` series per SLO, period window included (28d -> 4w, 7d -> 1w)."""
    r = rendered(name)
    for slo in (s["name"] for s in r.sloth_spec["slos"]):
        sloth = record_windows(r.sloth_groups, slo, "sloth_slo")
        assert len(sloth) == 8, sloth
        assert record_windows(r.our_groups, slo, "slo") == sloth


@pytest.mark.parametrize("name", CASE_IDS)
def test_rules_per_slo_at_most_sloths(rendered: Any, name: str, tmp_path: Path) -> None:
    """Our burn-rate machinery (recordings + page/ticket alerts) per SLO needs no more rules than Sloth's 17;
    what Sloth does not have comes on top and is counted separately: the outage alert, the no-data alert and
    the failed-event rates of the minimum-traffic clauses (one per alert window)."""
    r = rendered(name)
    defaults = import_sloth(r.case, tmp_path)
    default_groups = yaml.safe_load(render_ours(defaults, tmp_path))["groups"]
    slos = [s["name"] for s in r.sloth_spec["slos"]]
    for groups in (r.our_groups, default_groups):  # every rule belongs to one SLO: none left uncounted
        assert sum(len(rules_of_slo(groups, slo, "slo")) for slo in slos) == sum(len(g["rules"]) for g in groups)
    for slo in slos:
        sloth = rules_of_slo(r.sloth_groups, slo, "sloth_slo")
        assert len(sloth) == (SLOTH_RULES_PER_SLO if r.enabled(slo) else SLOTH_RULES_PER_SLO - 2)
        ours = [x for x in rules_of_slo(r.our_groups, slo, "slo") if not _extra(x)]
        assert len(ours) <= len(sloth) <= SLOTH_RULES_PER_SLO
        with_defaults = rules_of_slo(default_groups, slo, "slo")
        outage = [x for x in with_defaults if x.get("alert", "").endswith("Outage")]
        assert len([x for x in with_defaults if not _extra(x)]) <= SLOTH_RULES_PER_SLO
        assert len(outage) <= 1
        # one per alert window, plus the 5m failed events of the traffic-weighted period ratio
        assert len([x for x in with_defaults if x.get("record", "").startswith("slo:sli_bad_events:")]) <= 6
        # the 5m events of the period ratio, and the 1h page window's: its ratio divides its two records
        assert len([x for x in with_defaults if x.get("record", "").startswith("slo:sli_events:")]) <= 2


def _extra(rule: dict[str, Any]) -> bool:
    """A rule Sloth has no counterpart for: outage and no-data alerts, failed-event and event rates."""
    return rule.get("alert", "").endswith(("Outage", "NoData")) or rule.get("record", "").startswith(
        ("slo:sli_bad_events:", "slo:sli_events:"))


# --- (b) alert timing ------------------------------------------------------------------------------------------

COUNTER_START = 10**9
"""Counters start high: Prometheus' rate() never clips its extrapolation at zero, so the error ratio of a
window is exactly (error increase) / (total increase) between its first and last sample."""
EVENTS_PER_SAMPLE = 100_003
"""Events per input interval; prime, so no window's error ratio lands exactly on a threshold."""
MIN_STEPS = 40
"""The step incident must take at least this many evaluations to fire: a factor 2.5% off moves the firing
step by at least one evaluation (14.4 -> 14 is 2.8%)."""
INTERVAL_S = {"page": 60, "ticket": 300}
"""Input and evaluation interval: 1m for page windows (up to 6h), 5m for ticket windows (up to 3d: a 3d
window then holds 865 samples per series, and a 3d incident with its baseline takes ~870 evaluations instead
of ~4,300 at 1m). Not longer: a 5m rate needs two samples in its 5m, and our long windows
sum the recorded 5m rates."""
SUMMED_ABOVE_S = 3600
"""Our windows longer than this, of SLIs with event counts (not the gauge), sum the recorded 5m rates."""
RECORDED_S = 300
"""The window of our recorded failed-event and event rates."""
MARGIN = 1e-7
"""Relative distance every evaluated window ratio keeps from every threshold (Sloth writes 14.4 x
0.0009999999999999432, we write 14.4 x 0.001: no ratio may sit in between)."""


@dataclass(frozen=True)
class Scenario:
    """A healthy baseline (error ratio e0) for `baseline` samples, then a step to e1 until sample `last`."""

    slo: str
    target: WindowPair
    interval_s: int
    baseline: int
    last: int
    e0: float
    e1: float
    gauge: bool

    def errors(self) -> list[float]:
        """Error ratio of the events that arrive with sample i (counters) or of sample i itself (gauge)."""
        if self.gauge:
            return [1 - self.good_gauge(i) for i in range(self.last + 1)]
        return [self.bad_events(i) / EVENTS_PER_SAMPLE for i in range(self.last + 1)]

    def bad_events(self, i: int) -> int:
        return 0 if i == 0 else round((self.e0 if i <= self.baseline else self.e1) * EVENTS_PER_SAMPLE)

    def good_gauge(self, i: int) -> float:
        return float(f"{1 - (self.e0 if i <= self.baseline else self.e1):.6f}")

    @cached_property
    def error_sums(self) -> list[float]:
        """Prefix sums of `errors()`: item k is the sum of samples 0..k-1, so a window's sum is one subtraction
        (predict reads thousands of windows of up to 864 samples per scenario; cached on the instance, as a
        dataclass hash per lookup cost more than the sums)."""
        sums = [0.0]
        for e in self.errors():
            sums.append(sums[-1] + e)
        return sums

    @cached_property
    def recorded(self) -> tuple[list[float], list[float]]:
        """Prefix sums over evaluation steps of our recorded 5m failed-event and event rates (in events per sample;
        the common factor cancels in a ratio). Before step 5m/interval a 5m rate extrapolates to its window's start
        (by a whole interval under 1.1 intervals away, else by half), the same for both counters."""
        errors = self.errors()
        per = RECORDED_S // self.interval_s
        cumulative = [0.0]
        for e in errors[1:]:
            cumulative.append(cumulative[-1] + e)
        bad, events = [0.0, 0.0], [0.0, 0.0]  # step 0 has one sample: no rate
        for j in range(1, self.last + 1):
            first = max(0, j - per)
            sampled = j - first
            gap = per - sampled
            scale = (sampled + (gap if gap < 1.1 else 0.5)) / sampled
            bad.append(bad[-1] + (cumulative[j] - cumulative[first]) * scale)
            events.append(events[-1] + sampled * scale)
        return bad, events


def window_ratio(s: Scenario, step: int, window_s: int) -> float | None:
    """Error ratio over [t - window, t] at evaluation `step`, as Prometheus 2.x sees it (both ends inclusive)."""
    lo, hi = max(0, step - window_s // s.interval_s), step  # a 5m window over 10m samples holds one sample
    sums = s.error_sums
    if s.gauge:  # 1 - sum_over_time / count_over_time
        return (sums[hi + 1] - sums[lo]) / (hi - lo + 1)
    if hi - lo < 1:
        return None  # rate() needs two samples
    return (sums[hi + 1] - sums[lo + 1]) / (hi - lo)  # every sample carries EVENTS_PER_SAMPLE events


def our_window_ratio(s: Scenario, step: int, window_s: int) -> float | None:
    """Our error ratio over a window: a raw rate() up to 1h (and for the gauge), else the recorded 5m failed-event
    rates at every evaluation in [t - window, t] summed, over the recorded event rates summed."""
    if s.gauge or window_s <= SUMMED_ABOVE_S:
        return window_ratio(s, step, window_s)
    bad, events = s.recorded
    lo = max(1, step - window_s // s.interval_s)
    if step < lo:
        return None
    return (bad[step + 1] - bad[lo]) / (events[step + 1] - events[lo])


TOOLS = {"sloth": window_ratio, "ours": our_window_ratio}


@dataclass(frozen=True)
class Prediction:
    first: int
    """First evaluation step at which the target severity fires in Sloth's rules."""
    ours: int
    """... in ours (later when a summed long window sees the step late)."""
    firing: dict[int, dict[str, set[str]]]
    """Step -> tool -> severities firing (checked steps only)."""


def predict(s: Scenario, pairs: list[WindowPair], period_s: int, budget: float) -> Prediction | None:
    """When each tool's alerts fire: a pair fires when both its windows' error ratios exceed factor x budget.

    None when the scenario is not a clean test of its target pair in either tool: another pair of the
    severity fires first or at the same step, it fires too soon to resolve a 2.5% factor error, or a ratio
    comes within MARGIN of a threshold before both tools fired."""
    def state(step: int, ratio_of: Any) -> tuple[set[str], set[WindowPair], bool]:
        severities, fired, clean = set(), set(), True
        for w in pairs:
            threshold = w.factor(period_s) * budget
            ratios = [ratio_of(s, step, w.long_s), ratio_of(s, step, w.short_s)]
            clean &= all(r is None or abs(r - threshold) > MARGIN * threshold for r in ratios)
            if all(r is not None and r > threshold for r in ratios):
                severities.add(w.severity)
                fired.add(w)
        return severities, fired, clean

    firing: dict[int, dict[str, set[str]]] = {}
    firsts: dict[str, int] = {}
    for step in range(s.last + 1):
        firing[step] = {}
        for tool, ratio_of in TOOLS.items():
            severities, fired, clean = state(step, ratio_of)
            if not clean:
                return None
            firing[step][tool] = severities
            if tool not in firsts and s.target.severity in severities:
                same = {w for w in fired if w.severity == s.target.severity}
                if same != {s.target} or step < s.baseline + MIN_STEPS:
                    return None
                firsts[tool] = step
        if len(firsts) == len(TOOLS):
            checked = {s.baseline, *(f - 1 for f in firsts.values()), *firsts.values()}
            return Prediction(firsts["sloth"], firsts["ours"], {st: firing[st] for st in sorted(checked)})
    return None


def scenario(r: Rendered, slo: str, target: WindowPair) -> tuple[Scenario, Prediction] | None:
    """The gentlest step incident that fires the target pair first (None when no incident can)."""
    interval = INTERVAL_S[target.severity]
    same = [w for w in r.catalog if w.severity == target.severity]
    baseline = max(w.long_s for w in same) // interval  # every window of the severity starts full and healthy
    budget = r.budget(slo)
    gauge = r.case.series[slo][0][1] == "gauge"
    threshold = target.factor(r.period_s) * budget
    for stretch in (1.1, 1.15, 1.2, 1.3, 1.5, 1.75, 2.0, 2.5, 3.0):
        e1 = threshold * stretch
        if e1 >= 1:
            break
        s = Scenario(slo, target, interval, baseline, baseline + target.long_s // interval + 1, budget / 4, e1, gauge)
        p = predict(s, r.catalog, r.period_s, budget)
        if p is not None:
            full = Scenario(slo, target, interval, baseline, max(p.first, p.ours), s.e0, e1, gauge)
            return shortest_baseline(full, p, r.catalog, r.period_s, budget)
    return None


def shortened(s: Scenario, p: Prediction, baseline: int, pairs: list[WindowPair], period_s: int,
              budget: float) -> tuple[Scenario, Prediction] | None:
    """The scenario after a shorter healthy baseline, when that changes no assertion: each tool's firing step and
    the severities firing at every checked step, counted from the step, are those of the full baseline."""
    shift = s.baseline - baseline
    short = dataclasses.replace(s, baseline=baseline, last=s.last - shift)
    got = predict(short, pairs, period_s, budget)
    if got is None or (got.first + shift, got.ours + shift) != (p.first, p.ours):
        return None
    if {step + shift: firing for step, firing in got.firing.items()} != p.firing:
        return None
    return short, got


def shortest_baseline(s: Scenario, p: Prediction, pairs: list[WindowPair], period_s: int,
                      budget: float) -> tuple[Scenario, Prediction]:
    """The scenario with the shortest baseline `shortened` accepts (bisection; the full one when none is).

    A baseline that fills every window of the severity is more than the assertions need: at the checked steps
    near the firing step the long windows reach back only part of the way (a 3d ticket pair fires about 2.6
    days into the incident). promtool evaluates every rule at every step from the first sample, so the unread
    part of the baseline was most of a run's cost (864 of 1,628 steps of a 3d ticket case at 5m)."""
    best = (s, p)
    lo, hi = 0, s.baseline
    while hi - lo > 1:
        mid = (lo + hi) // 2
        found = shortened(s, p, mid, pairs, period_s, budget)
        if found:
            best, hi = found, mid
        else:
            lo = mid
    return best


def input_series(r: Rendered, s: Scenario) -> list[dict[str, str]]:
    """promtool input series in expanding notation: a baseline segment, then the incident segment."""
    out = []
    for series, role in r.case.series[s.slo]:
        if role == "gauge":
            before, after = s.good_gauge(0), s.good_gauge(s.baseline + 1)
            values = f"{before}+0x{s.baseline} {after}+0x{s.last - s.baseline - 1}"
        else:
            bad0, bad1 = s.bad_events(1), s.bad_events(s.baseline + 1)
            inc0, inc1 = {"good": (EVENTS_PER_SAMPLE - bad0, EVENTS_PER_SAMPLE - bad1), "bad": (bad0, bad1),
                          "total": (EVENTS_PER_SAMPLE, EVENTS_PER_SAMPLE)}[role]
            at_step = COUNTER_START + inc0 * s.baseline
            values = f"{COUNTER_START}+{inc0}x{s.baseline} {at_step + inc1}+{inc1}x{s.last - s.baseline - 1}"
        out.append({"series": series, "values": values})
    return out


_TEMPLATE = re.compile(r"\{\{\s*(?:\$labels\.(\w+)|\"((?:[^\"\\]|\\.)*)\")\s*\}\}")
_PERCENT = "{{ $value | humanizePercentage }}"


def expand(text: str, labels: dict[str, str], value: float | None = None) -> str:
    """Prometheus' annotation templating, for the forms these files use: {{ $labels.x }}, {{ "{{" }} and our
    `{{ $value | humanizePercentage }}` (printf "%.4g%%" of value x 100)."""
    if value is not None:
        text = text.replace(_PERCENT, f"{value * 100:.4g}%")
    out = _TEMPLATE.sub(lambda m: labels.get(m[1], "") if m[1] else m[2], text)
    assert "{{" not in _TEMPLATE.sub("", text), f"unsupported template in {text!r}"
    return out


def expected_alerts(groups: list[dict[str, Any]], slo: str, slo_label: str, severity_of: Any,
                    firing: set[str], value_of: Any = None) -> dict[str, list[dict[str, Any]]]:
    """alertname -> the alerts one tool must have firing for an SLO when `firing` severities fire.

    An alert's labels are its expression's (the recorded error ratio's labels, Sloth drops `sloth_window`) plus
    the rule's; annotations are expanded against the expression's labels, as Prometheus does."""
    record = next(rule for group in groups for rule in group["rules"]
                  if rule.get("record", "").startswith("slo:sli_error:ratio_rate")
                  and rule["labels"].get(slo_label) == slo)
    expr_labels = {k: str(v) for k, v in record["labels"].items() if k != "sloth_window"}
    out: dict[str, list[dict[str, Any]]] = {}
    for rule in rules_of_slo(groups, slo, slo_label):
        if "alert" not in rule or severity_of(rule) is None:
            continue
        alerts = out.setdefault(rule["alert"], [])
        if severity_of(rule) in firing:
            labels = {**expr_labels, **{k: str(v) for k, v in (rule.get("labels") or {}).items()}}
            value = value_of(rule) if value_of else None
            annotations = {k: expand(str(v), expr_labels, value) for k, v in (rule.get("annotations") or {}).items()}
            alerts.append({"exp_labels": labels, "exp_annotations": annotations})
    return out


def alert_value(s: Scenario, rule: dict[str, Any], step: int) -> float | None:
    """Our burn alert's $value at a step: the long-window error ratio of its first window pair that holds
    (`A and B or C and D` keeps the left operand's sample)."""
    clauses = burn_clauses(rule["expr"])
    for a, b in zip(clauses[::2], clauses[1::2], strict=True):
        threshold = float(a["factor"]) * float(a["budget"])
        ratios = [our_window_ratio(s, step, seconds(c["window"])) for c in (a, b)]
        if all(r is not None and r > threshold for r in ratios):
            return ratios[0]
    return None


def timing_scenarios(r: Rendered, severity: str) -> list[tuple[Scenario, Prediction]]:
    """Every step incident of a severity that fires its target pair first, computed once per case (the timing
    test and the mutations of a case share them: they depend on Sloth's spec and window catalog only)."""
    if severity not in r.scenarios:
        r.scenarios[severity] = _timing_scenarios(r, severity)
    return r.scenarios[severity]


def _timing_scenarios(r: Rendered, severity: str) -> list[tuple[Scenario, Prediction]]:
    found = []
    for slo in r.alerting_slos():
        if severity not in r.enabled(slo):
            continue
        for target in (w for w in r.catalog if w.severity == severity):
            hit = scenario(r, slo, target)
            if hit:
                found.append(hit)
    return found


def metric_names(expr: str) -> set[str]:
    """Names of the series an expression reads."""
    return {str(n.name) for n in promql.nodes(promql.parse(expr))
            if isinstance(n, promql_parser.VectorSelector) and n.name}


def alerting_rules_text(text: str, severity_of: Any) -> str:
    """A rule file cut down to its page and ticket alerts and the recording rules they read, in file order.

    The timing test asserts only those alerts. The rules left out are read by none of them (budget and period
    metadata, outage and no-data alerts), so the alerts evaluate exactly as in the whole file; promtool, which
    evaluates every rule at every step, no longer pays for them (a third to a half of each run)."""
    doc = yaml.safe_load(text)
    rules = [rule for group in doc["groups"] for rule in group["rules"]]
    kept = [rule for rule in rules if "alert" in rule and severity_of(rule) is not None]
    read = set().union(*(metric_names(rule["expr"]) for rule in kept))
    while added := [r for r in rules if r.get("record") in read and r not in kept]:
        kept += added
        read |= set().union(*(metric_names(rule["expr"]) for rule in added))
    groups = [{**g, "rules": [r for r in g["rules"] if r in kept]} for g in doc["groups"]]
    return yaml.safe_dump({**doc, "groups": [g for g in groups if g["rules"]]}, sort_keys=False, width=10_000)


def write_promtool_test(r: Rendered, severity: str, workdir: Path, our_text: str | None = None,
                        only_long_s: int | None = None) -> tuple[Path, list[tuple[Scenario, Prediction]]]:
    """ONE test file loading Sloth's expected rules and ours (their page and ticket alerts and what those
    read); one test group per scenario, asserting every page/ticket alert of both tools at the end of the
    baseline, one evaluation before the predicted step and at it."""
    loaded = [alerting_rules_text(r.sloth_text, sloth_severity),
              alerting_rules_text(our_text if our_text is not None else r.our_text, our_severity)]
    (workdir / "sloth.rules.yaml").write_text(loaded[0])
    (workdir / "ours.rules.yaml").write_text(loaded[1])
    found = [(s, p) for s, p in timing_scenarios(r, severity) if only_long_s in (None, s.target.long_s)]
    interval = f"{INTERVAL_S[severity] // 60}m"
    tests = []
    for s, p in found:
        checks = []
        for step, firing in p.firing.items():
            for tool, groups, label, severity_of in (("sloth", r.sloth_groups, "sloth_slo", sloth_severity),
                                                     ("ours", r.our_groups, "slo", our_severity)):
                value_of = None if label == "sloth_slo" else (lambda rule, step=step, s=s: alert_value(s, rule, step))
                for alertname, alerts in expected_alerts(groups, s.slo, label, severity_of, firing[tool],
                                                         value_of).items():
                    checks.append({"eval_time": f"{step * s.interval_s // 60}m", "alertname": alertname,
                                   "exp_alerts": alerts})
        w = s.target
        tests.append({
            "name": f"{s.slo} {w.severity} {w.long_s // 60}m/{w.short_s // 60}m: error ratio {s.e0:.6g} -> "
                    f"{s.e1:.6g} at {s.baseline * s.interval_s // 60}m, fires at {p.first * s.interval_s // 60}m "
                    f"(Sloth), {p.ours * s.interval_s // 60}m (ours)",
            "interval": interval,
            "input_series": input_series(r, s),
            "alert_rule_test": checks,
        })
    order = [g["name"] for text in loaded for g in yaml.safe_load(text)["groups"]]
    doc = {"rule_files": ["sloth.rules.yaml", "ours.rules.yaml"], "evaluation_interval": interval,
           "group_eval_order": order, "tests": tests}
    path = workdir / f"{severity}.test.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1000))
    return path, found


def promtool_test(promtool: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool, "test", "rules", path.name], cwd=path.parent, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.parametrize("severity", ["page", "ticket"])
@pytest.mark.parametrize("name", CASE_IDS)
def test_a_shortened_baseline_moves_no_assertion(rendered: Any, name: str, severity: str) -> None:
    """Each timing scenario asserts, counted from the step, what it would after a baseline that fills every window
    of its severity: the same firing step of each tool and the same alerts firing at every checked step (the
    full-baseline prediction is made here again). The 3d ticket incidents fire about 2.6 days into the incident,
    so they start after well under a day of baseline."""
    r = rendered(name)
    found = timing_scenarios(r, severity)
    interval = INTERVAL_S[severity]
    full = max(w.long_s for w in r.catalog if w.severity == severity) // interval
    for s, p in found:
        shift = full - s.baseline
        long = Scenario(s.slo, s.target, interval, full, s.last + shift, s.e0, s.e1, s.gauge)
        want = predict(long, r.catalog, r.period_s, r.budget(s.slo))
        assert want is not None, s
        assert (p.first + shift, p.ours + shift) == (want.first, want.ours), s
        assert {step + shift: firing for step, firing in p.firing.items()} == want.firing, s
        if s.target.long_s == 3 * 86400:
            assert s.baseline < full // 4, s


@pytest.mark.tools
@pytest.mark.parametrize("severity", ["page", "ticket"])
@pytest.mark.parametrize("name", CASE_IDS)
def test_same_alert_timing(rendered: Any, promtool: str, name: str, severity: str, tmp_path: Path) -> None:
    r = rendered(name)
    path, found = write_promtool_test(r, severity, tmp_path)
    wanted = {(slo, w) for slo in r.alerting_slos() if severity in r.enabled(slo)
              for w in r.catalog if w.severity == severity}
    if not wanted:
        assert not found
        assert not [p for p in burn_pairs(r.our_groups, our_severity) if p.severity == severity]
        return
    # Each pair of the severity gets its own incident, except where the table makes that impossible: with
    # Google's 30d/28d tables the ticket pairs (10% of budget in 1d and in 3d) cross at the same moment from a
    # clean baseline and the 3d pair first from a noisy one. Their factors are still checked by (a).
    tested = {(s.slo, s.target) for s, _ in found}
    assert tested, "no timing scenario"
    for slo in {slo for slo, _ in wanted}:
        first = min((w for s, w in wanted if s == slo), key=lambda w: w.long_s)
        assert any(s == slo for s, _ in tested), f"{slo}: no {severity} scenario"
        if severity == "page":
            assert (slo, first) in tested, f"{slo}: the fast page pair has no scenario"
    result = promtool_test(promtool, path)
    assert result.returncode == 0, result.stdout + result.stderr


H, D = 3600, 86400
MUTATIONS = [  # (case, severity, long window of the scenario that must catch it, text in our rules, replacement)
    ("integration-30d", "page", H, "(14.4 * ", "(14 * "),  # page 1h/5m factor 2.8% low: fires early
    ("integration-30d", "page", H, "(14.4 * ", "(15 * "),  # ... high: fires late
    ("integration-30d", "page", 6 * H, "(6 * ", "(5.8 * "),  # page 6h/30m factor low
    ("integration-30d", "page", 6 * H, "(6 * ", "(6.2 * "),  # ... high
    ("integration-30d", "page", H, 'ratio_rate1h{service="svc01", slo="slo1"} > (14.4',
     'ratio_rate2h{service="svc01", slo="slo1"} > (14.4'),  # page long window 1h -> 2h
    ("integration-30d", "ticket", 3 * D, "(1 * ", "(0.97 * "),  # ticket 3d/6h factor low
    ("integration-30d", "ticket", 3 * D, "(1 * ", "(1.03 * "),  # ... high
    ("integration-28d", "page", H, "(13.44 * ", "(14.4 * "),  # the 30d factor on a 28d SLO
    ("integration-7d-custom-windows", "ticket", D, "(1.4 * ", "(1.35 * "),  # custom ticket 1d/2h factor
    ("integration-7d-custom-windows", "ticket", 3 * D, "(0.98 * ", "(1.01 * "),  # custom ticket 3d/6h factor
]


@pytest.mark.tools
@pytest.mark.parametrize(("name", "severity", "long_s", "old", "new"), MUTATIONS)
def test_timing_catches_a_wrong_factor_or_window(rendered: Any, promtool: str, name: str, severity: str,
                                                 long_s: int, old: str, new: str, tmp_path: Path) -> None:
    """The timing test is a real check: the same promtool run fails when our rules carry a wrong number.

    Not every wrong number can move a step incident's firing time: short windows (they only shorten the reset)
    and, with Google's 30d/28d tables, the 1d/2h ticket pair (it never fires before the 3d/6h pair) are
    checked by test_same_burn_factors_and_windows alone."""
    r = rendered(name)
    mutated = r.our_text.replace(old, new)
    assert mutated != r.our_text, f"{old!r} is not in our rules"
    path, found = write_promtool_test(r, severity, tmp_path, our_text=mutated, only_long_s=long_s)
    assert found
    result = promtool_test(promtool, path)
    assert result.returncode != 0, f"promtool passed with {old!r} -> {new!r}"
    assert "MyServiceAlert" in result.stdout + result.stderr  # our alert (Sloth's is myServiceAlert) moved
