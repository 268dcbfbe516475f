"""Synthetic, deterministic metric history as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`.

Series are functions of time: counters integrate a rate, histograms split a rate of observations
into cumulative buckets, gauges are sampled. Samples are spaced `step` apart, and `fine_step` apart
over the last `fine_span` seconds (so short windows such as rate(x[1m]) see several samples at
the end without writing a whole week at 15s).

OpenMetrics rules the output follows: one `# TYPE` line per family, the family's samples together,
counters named `<family>_total`, histograms as `_bucket{le}` (ending with `+Inf`), `_count`,
`_sum`, timestamps in seconds, per-series timestamps ascending, and a final `# EOF`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

Rate = float | Callable[[float], float]
DAY = 86400


def daily(base: float, swing: float = 0.3, phase: float = 0.0) -> Callable[[float], float]:
    """A value that follows a day/night cycle around `base` (+/- swing x base), never flat."""
    return lambda t: base * (1 + swing * math.sin(2 * math.pi * (t / DAY + phase)))


def _at(rate: Rate, t: float) -> float:
    return rate(t) if callable(rate) else rate


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
    step: int = 300
    fine_step: int = 15
    fine_span: int = 3 * 3600
    _families: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    def times(self) -> Iterator[int]:
        """Sample timestamps: coarse, then fine over the last `fine_span`."""
        fine_from = self.end - self.fine_span
        t = self.start
        while t < fine_from:
            yield t
            t += self.step
        t = max(t, fine_from)
        while t <= self.end:
            yield t
            t += self.fine_step

    def _family(self, name: str, kind: str) -> list[str]:
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
            lines.append(f"{family}_total{_labels(labels)} {_num(value)} {t}")
        return self

    def gauge(self, name: str, labels: dict[str, str], value: Rate) -> OpenMetrics:
        """A gauge sampled from `value` (a number or a function of time)."""
        lines = self._family(name, "gauge")
        lines.extend(f"{name}{_labels(labels)} {_num(_at(value, t))} {t}" for t in self.times())
        return self

    def histogram(self, name: str, labels: dict[str, str], rate: Rate, shares: dict[float, float],
                  mean: float) -> OpenMetrics:
        """Observations at `rate`/s; `shares` maps each bucket bound to the share of observations <= it."""
        lines = self._family(name, "histogram")
        bounds = sorted(shares)
        count, last = 0.0, self.start
        for t in self.times():
            count += _at(rate, t) * (t - last)
            last = t
            for bound in bounds:
                lines.append(f"{name}_bucket{_labels(labels, {'le': le_text(bound)})} {_num(count * shares[bound])} {t}")
            lines.append(f"{name}_bucket{_labels(labels, {'le': '+Inf'})} {_num(count)} {t}")
            lines.append(f"{name}_count{_labels(labels)} {_num(count)} {t}")
            lines.append(f"{name}_sum{_labels(labels)} {_num(count * mean)} {t}")
        return self

    def text(self) -> str:
        """The OpenMetrics exposition, families in the order they were added."""
        out: list[str] = []
        for name, (kind, lines) in self._families.items():
            out.append(f"# TYPE {name} {kind}")
            out.extend(lines)
        out.append("# EOF")
        return "\n".join(out) + "\n"
