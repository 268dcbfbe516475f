"""Synthetic, deterministic metric history as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`.

Series are functions of time: counters integrate a rate, histograms split a rate of observations
into cumulative buckets, gauges are sampled. Samples are `step` apart, closer towards the end as
`tiers` say ((span, step): within `span` seconds of the end, samples are `step` apart), so recent
history has the resolution rate(x[1m]) and recorded rules need without writing a week at 15s
(promtool re-reads the whole file for every 2h block it writes, so size is time).

OpenMetrics rules the output follows: one `# TYPE` line per family, the family's samples together,
counters named `<family>_total`, histograms as `_bucket{le}` (ending with `+Inf`), `_count`,
`_sum`, timestamps in seconds, per-series timestamps ascending, and a final `# EOF`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

Rate = float | Callable[[float], float]
Shares = dict[float, float] | Callable[[float], dict[float, float]]
DAY = 86400


def daily(base: float, swing: float = 0.3, phase: float = 0.0) -> Callable[[float], float]:
    """A value that follows a day/night cycle around `base` (+/- swing x base), never flat."""
    return lambda t: base * (1 + swing * math.sin(2 * math.pi * (t / DAY + phase)))


def _at(rate: Rate, t: float) -> float:
    return rate(t) if callable(rate) else rate


def _shares_at(shares: Shares, t: float) -> dict[float, float]:
    return shares(t) if callable(shares) else shares


def _labels(labels: dict[str, str], extra: dict[str, str] | None = None) -> str:
    merged = {**labels, **(extra or {})}
    if not merged:
        return ""
    body = ",".join(f'{k}="{_escape(v)}"' for k, v in merged.items())
    return "{" + body + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _num(value: float) -> str:
    return repr(round(value, 6))


def le_text(bound: float) -> str:
    """`le` as the Python client writes it (`1.0`, `0.25`, `+Inf`): SLI matchers must accept this spelling."""
    return "+Inf" if math.isinf(bound) else repr(float(bound))


@dataclass
class OpenMetrics:
    """A builder of metric families over [start, end] (Unix seconds)."""

    start: int
    end: int
    step: int = 900
    tiers: tuple[tuple[int, int], ...] = ((7 * 3600, 60), (90 * 60, 15))
    _families: dict[str, tuple[str, list[tuple[int, str]]]] = field(default_factory=dict)

    def times(self) -> Iterator[int]:
        """Sample timestamps from start to end, spaced by the finest tier that covers each one."""
        t = self.start
        while t <= self.end:
            yield t
            step = min([s for span, s in self.tiers if self.end - t <= span], default=self.step)
            # Never step past the start of a finer tier, so every tier starts on time.
            starts = [self.end - span for span, s in self.tiers if s < step and self.end - span > t]
            t = min([t + step, *starts])

    def _family(self, name: str, kind: str) -> list[tuple[int, str]]:
        if name in self._families and self._families[name][0] != kind:
            raise ValueError(f"{name} is already a {self._families[name][0]}")
        return self._families.setdefault(name, (kind, []))[1]

    def counter(self, name: str, labels: dict[str, str], rate: Rate) -> OpenMetrics:
        """A counter growing at `rate` per second; `name` is the family name, samples get `_total`."""
        family = name.removesuffix("_total")
        lines = self._family(family, "counter")
        value, last = 0.0, self.start
        for t in self.times():
            value += _at(rate, t) * (t - last)
            last = t
            lines.append((t, f"{family}_total{_labels(labels)} {_num(value)} {t}"))
        return self

    def gauge(self, name: str, labels: dict[str, str], value: Rate) -> OpenMetrics:
        """A gauge sampled from `value` (a number or a function of time)."""
        lines = self._family(name, "gauge")
        lines.extend((t, f"{name}{_labels(labels)} {_num(_at(value, t))} {t}") for t in self.times())
        return self

    def histogram(self, name: str, labels: dict[str, str], rate: Rate, shares: Shares, mean: Rate) -> OpenMetrics:
        """Observations at `rate`/s; `shares` maps each bucket bound to the share of observations <= it.

        `shares` and `mean` may be functions of time (a latency that drifts over the day): buckets
        accumulate their own increments, so they stay monotonic whatever the shape does.
        """
        lines = self._family(name, "histogram")
        bounds = sorted(_shares_at(shares, self.start))
        buckets = dict.fromkeys(bounds, 0.0)
        count = total = 0.0
        last = self.start
        for t in self.times():
            new = _at(rate, t) * (t - last)
            last = t
            now = _shares_at(shares, t)
            for bound in bounds:
                buckets[bound] += new * now[bound]
                lines.append((t, f"{name}_bucket{_labels(labels, {'le': le_text(bound)})} {_num(buckets[bound])} {t}"))
            count += new
            total += new * _at(mean, t)
            lines.append((t, f"{name}_bucket{_labels(labels, {'le': '+Inf'})} {_num(count)} {t}"))
            lines.append((t, f"{name}_count{_labels(labels)} {_num(count)} {t}"))
            lines.append((t, f"{name}_sum{_labels(labels)} {_num(total)} {t}"))
        return self

    def text(self, start: float | None = None, end: float | None = None) -> str:
        """The OpenMetrics exposition of samples in [start, end), families in the order they were added."""
        out: list[str] = []
        for name, (kind, lines) in self._families.items():
            out.append(f"# TYPE {name} {kind}")
            out.extend(line for t, line in lines if (start is None or t >= start) and (end is None or t < end))
        out.append("# EOF")
        return "\n".join(out) + "\n"

    def chunks(self, span: int = DAY) -> list[str]:
        """The exposition cut into time slices aligned to `span` (a multiple of promtool's 2h blocks).

        promtool re-reads its whole input for every 2h block it writes; one file per day keeps a
        week's backfill linear instead of quadratic in the data size.
        """
        first = self.start // span * span
        return [self.text(a, a + span) for a in range(first, self.end + 1, span)]
