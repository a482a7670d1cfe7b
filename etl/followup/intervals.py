"""95 % intervals for values that rest on a sample, and what they allow us to say.

* A share (per cent) of n answers: Wilson's score interval (z = 1.96), which stays inside
  0–100 and behaves for small n and shares near 0 or 100, unlike the plain normal interval.
* A mean of answers on a scale (the staff survey, 1–5): mean ± t(0.975, n − 1) · s / √n with s
  the sample standard deviation from the answer distribution.
* A change between two years: Newcombe's hybrid score interval for the difference of two
  shares (from the two Wilson intervals); for two survey means the t interval of the
  difference (Welch). Independent samples: the two years asked different people.
* A rank among the measuring municipalities: the middle 95 % of the places in a seeded
  bootstrap where every municipality's value is drawn again from its own n
  ("trolig plats 67–128"); the same data always give the same range.
* The probability that a share reaches its target: Jeffreys' posterior Beta(x + ½, n − x + ½).

No interval without a sample size; callers say so in words ("okänd").
"""

from __future__ import annotations

import hashlib
import math
import threading
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

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


def newcombe(current: float, current_n: int, previous: float, previous_n: int
             ) -> Interval | None:
    """Newcombe's hybrid score interval (method 10) for current − previous, two shares in per
    cent of independent samples, in percentage points.

    >>> newcombe(46.2, 390, 39.2, 410)  # +7,0: 0,15–13,77
    Interval(low=0.14..., high=13.76...)
    """
    now, before = wilson(current, current_n), wilson(previous, previous_n)
    if now is None or before is None:
        return None
    change = current - previous
    return Interval(change - math.hypot(current - now.low, before.high - previous),
                    change + math.hypot(now.high - current, previous - before.low))


def mean_difference(current: float, current_interval: Interval, current_n: int,
                    previous: float, previous_interval: Interval, previous_n: int
                    ) -> Interval | None:
    """The t interval of the difference of two survey means (Welch): the standard errors are
    read back from the two t intervals (half width / t(n − 1))."""
    if min(current_n or 0, previous_n or 0) < 2:
        return None
    se_now = current_interval.half_width / t_quantile(current_n - 1)
    se_before = previous_interval.half_width / t_quantile(previous_n - 1)
    variance = se_now ** 2 + se_before ** 2
    if variance == 0:
        return None
    df = variance ** 2 / (se_now ** 4 / (current_n - 1) + se_before ** 4 / (previous_n - 1))
    half = t_quantile(max(1, math.floor(df))) * math.sqrt(variance)
    change = current - previous
    return Interval(change - half, change + half)


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (Lentz's method)."""
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1) < 1e-12:
            break
    return result


def beta_cdf(x: float, a: float, b: float) -> float:
    """P(X ≤ x) for X ~ Beta(a, b): the regularised incomplete beta function."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1 - math.exp(log_front) * _beta_fraction(b, a, 1 - x) / b


def probability_reached(percent: float, n: int, target: float, direction: str
                        ) -> float | None:
    """The probability that the true share reaches the target (per cent), from Jeffreys'
    posterior Beta(x + ½, n − x + ½) with x = share × n.

    >>> round(probability_reached(41.6, 390, 40.0, "higher"), 2)
    0.74
    """
    if not n or n <= 0 or percent is None or math.isnan(percent) or direction == "none":
        return None
    successes = min(max(percent / 100.0, 0.0), 1.0) * n
    below = beta_cdf(min(max(target / 100.0, 0.0), 1.0), successes + 0.5,
                     n - successes + 0.5)
    return below if direction == "lower" else 1 - below


def probability_mean_reached(mean: float, interval: Interval, n: int, target: float,
                             direction: str) -> float | None:
    """The probability that a survey's true mean reaches the target: the flat-prior
    posterior of a mean, normal with the standard error read back from its t interval."""
    if not n or n < 2 or direction == "none":
        return None
    error = interval.half_width / t_quantile(n - 1)
    if error <= 0:
        return None
    above = 1 - NormalDist(mean, error).cdf(target)
    return 1 - above if direction == "lower" else above


BOOTSTRAP_DRAWS = 2000


class _Kept:
    """The latest results of a pure function, by a digest of its inputs (thread-safe). A model
    build draws the bootstrap of every KPI and year again, most of them from unchanged values;
    2 000 draws for 290 municipalities take about 30 ms."""

    def __init__(self, size: int) -> None:
        self.size, self.results, self.lock = size, OrderedDict(), threading.Lock()

    def get_or_make(self, digest: bytes, make):
        with self.lock:
            if digest in self.results:
                self.results.move_to_end(digest)
                return self.results[digest]
        result = make()
        with self.lock:
            self.results[digest] = result
            while len(self.results) > self.size:
                self.results.popitem(last=False)
        return result


_RANK_RANGES = _Kept(4096)


def _seed(key: str) -> int:
    return zlib.crc32(key.encode("utf-8"))


def bootstrap_rank_range(home: str, values: dict[str, float], sizes: dict[str, int],
                         direction: str, *, key: str, draws: int = BOOTSTRAP_DRAWS
                         ) -> tuple[int, int] | None:
    """The middle 95 % of the home municipality's places when every municipality's share is
    drawn again from a binomial with its own n (a parametric bootstrap). A municipality
    whose n is unknown keeps its value as reported. Seeded by `key` (KPI and year) and the
    municipalities in code order, so the same data always give the same range.

    `values` are every measuring municipality's shares in per cent, the home one included;
    `sizes` their sample sizes (the claims' n).
    """
    if home not in values or not sizes.get(home):
        return None
    codes = sorted(values)
    shares = np.array([min(max(values[c] / 100.0, 0.0), 1.0) for c in codes])
    n = np.array([max(int(sizes.get(c) or 0), 0) for c in codes], dtype=np.int64)
    inputs = hashlib.blake2b(digest_size=16)
    for part in ("\0".join(codes), home, direction, key, str(draws)):
        inputs.update(part.encode("utf-8") + b"\1")
    inputs.update(shares.tobytes() + n.tobytes())
    return _RANK_RANGES.get_or_make(
        inputs.digest(), lambda: _drawn_rank_range(codes.index(home), shares, n, direction,
                                                   key, draws))


def _drawn_rank_range(home: int, shares: np.ndarray, n: np.ndarray, direction: str, key: str,
                      draws: int) -> tuple[int, int]:
    rng = np.random.default_rng(_seed(key))
    drawn = np.where(n > 0, rng.binomial(np.maximum(n, 1), shares, size=(draws, len(shares)))
                     / np.maximum(n, 1), shares)
    mine = drawn[:, home][:, None]
    better = drawn < mine if direction == "lower" else drawn > mine
    places = 1 + better.sum(axis=1)
    low, high = np.quantile(places, [0.025, 0.975], method="inverted_cdf")
    return int(low), int(high)
