"""95 % intervals for values that rest on a sample, and what they allow us to say.

* A share (per cent) of n answers: Wilson's score interval (z = 1.96), which stays inside
  0–100 and behaves for small n and shares near 0 or 100, unlike the plain normal interval.
* A mean of answers on a scale (the staff survey, 1–5): mean ± t(0.975, n − 1) · s / √n with s
  the sample standard deviation from the answer distribution.
* A rank among the measuring municipalities: the places the value could take anywhere in its
  interval ("trolig plats 67–128"), against the others' values as reported.

No interval without a sample size; callers say so in words ("okänd").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

Z95 = 1.959963984540054  # NormalDist().inv_cdf(0.975); the "1.96"


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def above(self, value: float) -> bool:
        """The whole interval lies above `value`."""
        return self.low > value

    def below(self, value: float) -> bool:
        return self.high < value

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def wilson(percent: float, n: int, z: float = Z95) -> Interval | None:
    """Wilson's interval for a share given in per cent of n answers, in per cent.

    >>> wilson(71.0, 410)  # 66.4–75.2
    Interval(low=66.4..., high=75.1...)
    """
    if n is None or n <= 0 or percent is None or math.isnan(percent):
        return None
    p = min(max(percent / 100.0, 0.0), 1.0)
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return Interval(100 * max(0.0, centre - half), 100 * min(1.0, centre + half))


def t_quantile(df: int, probability: float = 0.975) -> float:
    """Student's t quantile (Cornish–Fisher expansion around the normal quantile; within
    0.002 of the exact value for df ≥ 3, which is all we use: groups have at least 3)."""
    z = NormalDist().inv_cdf(probability)
    if df <= 0:
        return math.inf
    v = float(df)
    g1 = (z ** 3 + z) / 4
    g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96
    g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384
    g4 = (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160
    return z + g1 / v + g2 / v ** 2 + g3 / v ** 3 + g4 / v ** 4


def mean_from_counts(counts: Sequence[int], scale: Sequence[float] = (1, 2, 3, 4, 5)
                     ) -> tuple[float, float, int] | None:
    """Mean, sample standard deviation and n of answers given as a count per scale step."""
    n = sum(counts)
    if n <= 0:
        return None
    mean = sum(c * x for c, x in zip(counts, scale, strict=True)) / n
    if n == 1:
        return mean, 0.0, 1
    variance = sum(c * (x - mean) ** 2 for c, x in zip(counts, scale, strict=True)) / (n - 1)
    return mean, math.sqrt(variance), n


def mean_interval(mean: float, sd: float, n: int) -> Interval | None:
    """mean ± t(0.975, n − 1) · sd / √n."""
    if n is None or n < 2 or sd is None or math.isnan(sd):
        return None
    half = t_quantile(n - 1) * sd / math.sqrt(n)
    return Interval(mean - half, mean + half)


def difference_is_real(current: float, current_interval: Interval | None, previous: float,
                       previous_interval: Interval | None) -> bool | None:
    """Whether two independent estimates differ by more than the margin of their difference.

    The margin is √(m₁² + m₂²) from the two half widths (the normal approximation for a
    difference of independent estimates). None when either has no interval.
    """
    if current_interval is None or previous_interval is None:
        return None
    margin = math.hypot(current_interval.half_width, previous_interval.half_width)
    return abs(current - previous) > margin


def rank_range(interval: Interval, others: Sequence[float], direction: str) -> tuple[int, int]:
    """The best and worst place the value could take anywhere in its interval.

    `others` are the other measuring municipalities' values (the home one left out). The
    rank rule is the usual one: 1 + how many did better (for no direction: were higher).
    """
    if direction == "lower":
        best = 1 + sum(1 for v in others if v < interval.low)
        worst = 1 + sum(1 for v in others if v < interval.high)
    else:
        best = 1 + sum(1 for v in others if v > interval.high)
        worst = 1 + sum(1 for v in others if v > interval.low)
    return best, worst
