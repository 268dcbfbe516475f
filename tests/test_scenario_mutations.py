"""Mutations the cheaper generated cases must still catch.

The quiet-traffic case was shortened (failure at 70m of 100 -> at 20m of 40), and the busy day (2h -> 1h
of busy traffic before the night, 5m evaluations): in the timing model, the short
case must still tell every mutated page, ticket and outage rule of the examples from the real one wherever the
long case did (the promtool side: test_min_traffic.py's minimum-count mutations fail the shortened case).
A ticket's `for:` 3 minutes short fails a 1m case, for counter SLIs (the low-traffic case) and raw ones."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import case_segments, promtool_test_subset, write_rules

from agentops_gen.pipeline import plan_paths
from agentops_gen.plan import timing
from agentops_gen.targets import prom_tests
from agentops_gen.targets.prom_tests import _minutes, _quiet, _summed, traffic_scenarios

SPECS = Path(__file__).resolve().parents[1] / "slo_specs"
Rule = tuple[str, Any, frozenset[int], int]


def _burn_mutations(pairs: list[tuple[int, int, float, int]], summed: frozenset[int], for_min: int) -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for i, (long_min, short_min, threshold, minimum) in enumerate(pairs):
        def one(pair: tuple[int, int, float, int], sums: frozenset[int] = summed, i: int = i) -> Rule:
            return ("burn", [*pairs[:i], pair, *pairs[i + 1:]], sums, for_min)
        out[f"pair {i} factor x0.9"] = one((long_min, short_min, threshold * 0.9, minimum))
        out[f"pair {i} factor x1.1"] = one((long_min, short_min, threshold * 1.1, minimum))
        for scale in (0.5, 2):
            long2, short2 = int(long_min * scale), max(1, int(short_min * scale))
            out[f"pair {i} long x{scale}"] = one((long2, short_min, threshold, minimum),
                                                 (summed - {long_min}) | ({long2} if long_min in summed else set()))
            out[f"pair {i} short x{scale}"] = one((long_min, short2, threshold, minimum),
                                                  (summed - {short_min}) | ({short2} if short_min in summed else set()))
    for name, delta in (("minimum removed", None), ("minimum +1", 1), ("minimum -1", -1)):
        out[name] = ("burn", [(lo, sh, th, 0 if delta is None else max(0, m + delta)) for lo, sh, th, m in pairs],
                     summed, for_min)
    if summed:
        out["raw rate() instead of summed windows"] = ("burn", pairs, frozenset(), for_min)
    return out


def _rules(slo: Any, alert: Any) -> tuple[Rule, dict[str, Rule]] | None:
    """The alert's rule as the timing model reads it, and its mutations."""
    summed, for_min = _summed(slo), _minutes(alert.for_)
    if alert.kind.startswith("burn-"):
        kind = alert.kind.removeprefix("burn-")
        pairs = [(w.long_s // 60, w.short_s // 60, w.factor * slo.error_budget, slo.min_bad_events.get(kind, 0))
                 for w in slo.windows if w.severity == kind]
        return ("burn", pairs, summed, for_min), _burn_mutations(pairs, summed, for_min)
    if alert.kind == "outage":
        window, threshold = _minutes(slo.outage_window), slo.outage_error_ratio
        minimum = slo.min_bad_events.get("outage", 0)
        variants = {"threshold x0.9": (window, threshold * 0.9, minimum),
                    "threshold x1.1": (window, threshold * 1.1, minimum),
                    "window x0.5": (max(1, window // 2), threshold, minimum),
                    "window x2": (window * 2, threshold, minimum),
                    "minimum removed": (window, threshold, 0), "minimum +1": (window, threshold, minimum + 1),
                    "minimum -1": (window, threshold, max(0, minimum - 1))}
        return (("outage", (window, threshold, minimum), summed, for_min),
                {name: ("outage", v, summed, for_min) for name, v in variants.items()})
    return None


def _observe(traffic: timing.Traffic, rule: Rule, times: list[int], every: int = 1
             ) -> tuple[tuple[bool, float | None], ...]:
    """(firing, rounded $value) at each checked minute, evaluations every `every` minutes."""
    kind, spec, summed, for_min = rule
    if kind == "burn":
        condition = timing.traffic_burn_condition(traffic, spec, summed, every)
    else:
        condition = timing.traffic_ratio_condition(traffic, spec[0], spec[1], spec[2], spec[0] in summed, every)
    out = []
    for t in times:
        held = range(-(-(t - for_min) // every) * every, t + 1, every)  # the evaluations of the last `for:`
        firing = t >= for_min and all(condition(s) for s in held)
        value = traffic.window(t, spec[0][0] if kind == "burn" else spec[0])[0] if firing else None
        out.append((firing, None if value is None else round(value, 4)))
    return tuple(out)


def _caught(traffic: Any, times: list[int], every: int = 1) -> set[tuple[str, str, str]]:
    """(service, alert, mutation) whose checked minutes differ from the real rule's: the case would fail
    (`traffic`: a Traffic, or a function of the SLO making it)."""
    _, plan = plan_paths([SPECS])
    caught = set()
    for service in plan.services:
        for slo in (s for s in service.slos if s.sli_kind != "raw"):
            fed = traffic(slo) if callable(traffic) else traffic
            for alert in slo.alerts:
                rules = _rules(slo, alert)
                if rules is None:
                    continue
                real, mutations = rules
                expected = _observe(fed, real, times, every)
                caught |= {(service.service, alert.name, name) for name, rule in mutations.items()
                           if _observe(fed, rule, times, every) != expected}
    return caught


def test_the_short_quiet_case_catches_every_mutation_the_long_one_caught() -> None:
    slo = next(s for svc in plan_paths([SPECS])[1].services for s in svc.slos if s.sli_kind != "raw")
    (_, quiet, times), *_ = traffic_scenarios(slo)
    assert quiet.horizon == prom_tests.QUIET_MINUTES < 40
    after = _caught(quiet, times)
    for minutes, failure in ((100, 70), (40, 20)):  # the third round's case, then the fifth's
        before = _caught(timing.Traffic.of([(minutes, _quiet(minutes, (failure,)))]),
                         [*range(failure, failure + 21), minutes])
        assert len(before) >= 30  # the check sees mutations at all
        assert before <= after, (minutes, sorted(before - after))


def _step_cases_catch() -> set[tuple[str, str, str]]:
    """(service, alert, mutation) of a burn pair's factor or window that the alert's generated step case
    for that pair catches (prom_tests.burn_step: the case the test file holds, at its own step)."""
    names = ("factor x0.9", "factor x1.1", "long x0.5", "long x2", "short x0.5", "short x2")
    assert len(names) == prom_tests.RAW_WINDOWS
    out = set()
    for service in plan_paths([SPECS])[1].services:
        for slo in service.slos:
            for alert in (a for a in slo.alerts if a.kind.startswith("burn-")):
                kind = alert.kind.removeprefix("burn-")
                minimum, fed = slo.min_bad_events.get(kind, 0), slo.sli.raw is not None
                pairs = tuple((w.long_s // 60, w.short_s // 60, w.factor * slo.error_budget)
                              for w in slo.windows if w.severity == kind)
                summed, for_min = _summed(slo), _minutes(alert.for_)
                for index in range(len(pairs)):
                    found = prom_tests.burn_step(pairs, index, minimum, for_min, None, summed, False, fed)
                    if found is None:
                        continue
                    step, when, value, every, _ = found
                    caught = prom_tests._caught(pairs, index, minimum, for_min, summed, (step, when, value), every, fed)
                    out |= {(service.service, alert.name, f"pair {index} {names[p]}") for p in caught
                            if p < len(names)}
    return out


def test_the_short_low_traffic_case_catches_every_mutation_the_long_one_caught_or_a_step_case_does() -> None:
    def low(start: int, after: int) -> timing.Traffic:
        return timing.Traffic.of([(start, lambda i: (1.0, 0.0)), (after, lambda i: (1.0, 1.0))])
    before = _caught(low(60, 30), list(range(60, 91)))  # the fifth round's: a healthy hour, 30 outage minutes
    slo = next(s for svc in plan_paths([SPECS])[1].services for s in svc.slos if s.sli_kind != "raw")
    _, (_, traffic, times), _ = traffic_scenarios(slo)
    assert traffic.horizon == prom_tests.LOW_TRAFFIC_START + prom_tests.LOW_TRAFFIC_AFTER < 90
    after = _caught(traffic, list(range(prom_tests.LOW_TRAFFIC_START, traffic.horizon + 1)))
    assert len(before) >= 100  # the check sees mutations at all
    step_cases = _step_cases_catch()
    assert before - after, "the shorter case loses something on its own (else this test proves too little)"
    assert before - after <= step_cases, sorted(before - after - step_cases)
    # what it loses are window and factor mutations, never the minimum count its traffic is there to test
    assert not {m for m in before - after if "minimum" in m[2]}


def test_the_short_busy_day_catches_every_mutation_the_long_one_caught() -> None:
    def long_day(slo: Any) -> timing.Traffic:
        healthy_bad = prom_tests.RATE * slo.error_budget / 4
        return timing.Traffic.of([(120, lambda i: (prom_tests.RATE, healthy_bad)),
                                  (120, _quiet(120, (20, 60, 100)))])
    before = _caught(long_day, list(range(120, 241, 5)), prom_tests.COARSE_STEP)
    _, _, (_, _, times) = traffic_scenarios(next(s for svc in plan_paths([SPECS])[1].services for s in svc.slos))
    assert prom_tests.SCENARIO_STEPS[2] == prom_tests.COARSE_STEP
    assert max(times) == prom_tests.DAY_MINUTES + prom_tests.NIGHT_MINUTES < 180
    after = _caught(lambda slo: traffic_scenarios(slo)[2][1], times, prom_tests.COARSE_STEP)
    assert len(before) >= 20  # the check sees mutations at all
    assert before <= after, sorted(before - after)


@pytest.mark.tools
@pytest.mark.parametrize("service, alert, prefix, changed", [
    ("aegis-rag", "AegisRagQuerySuccessBurnRateTicket", "AegisRagQuerySuccessBurnRateTicket fires", ("15m", "12m")),
    ("amas", "AmasAgentAvailabilityBurnRateTicket", "low traffic", ("15m", "12m")),  # counter SLI
    # a raw SLI's page: its 1m case that a `for:` a minute off moves (its other cases may all be at 5m)
    ("aegis-rag", "AegisRagQuerySuccessBurnRatePage", "AegisRagQuerySuccessBurnRatePage fires", ("2m", "1m")),
    ("aegis-rag", "AegisRagQuerySuccessBurnRatePage", "AegisRagQuerySuccessBurnRatePage fires", ("2m", "3m")),
    ("support-agent", "SupportAgentToolSuccessBurnRatePage", "SupportAgentToolSuccessBurnRatePage fires",
     ("2m", "1m")),
])
def test_a_burn_alerts_for_a_few_minutes_off_fails_a_1m_case(rendered_examples: Path, promtool: str, tmp_path: Path,
                                                             service: str, alert: str, prefix: str,
                                                             changed: tuple[str, str]) -> None:
    prom = tmp_path / "prometheus"
    shutil.copytree(rendered_examples / "prometheus", prom)
    subset = promtool_test_subset(prom / "tests" / f"{service}.test.yaml", lambda case: any(
        part.startswith(prefix) and (prefix == "low traffic" or prom_tests.FOR_CHECK in part)  # (a raw SLI's 1m case)
        for part in case_segments(case)), "for-mutated.test.yaml")
    assert yaml.safe_load(subset.read_text())["evaluation_interval"] == "1m"
    assert f"alertname: {alert}" in subset.read_text()

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([promtool, "test", "rules", str(subset)], capture_output=True, text=True, timeout=900)
    assert run().returncode == 0
    rules = prom / f"{service}.rules.yaml"
    text = rules.read_text()
    old, wait = f'- alert: "{alert}"\n', f' for: "{changed[0]}"'
    start = text.index(old)
    end = text.index(wait, start)
    assert "- alert:" not in text[start + len(old):end]  # the alert's own `for:`
    write_rules(rules, text[:end] + f' for: "{changed[1]}"' + text[end + len(wait):])
    result = run()
    assert result.returncode != 0
    assert alert in result.stdout + result.stderr
