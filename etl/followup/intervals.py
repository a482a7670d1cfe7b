"""Margins of error: the 95 % Wilson score interval for a share."""

from __future__ import annotations

import math

Z_95 = 1.96


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of `successes` out of `n`, as proportions 0–1.

    Unlike the normal approximation it stays within 0–1 and is sensible for small n and for
    shares near 0 or 100 %. Example: 291 of 410 (71.0 %) → 0.664–0.752.
    """
    if n <= 0:
        raise ValueError("n must be positive")
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    share = successes / n
    denominator = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / denominator
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)
