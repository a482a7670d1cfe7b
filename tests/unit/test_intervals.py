"""95 % intervals against worked examples, and what they allow a status to say."""

import math

import pytest

from etl.followup import intervals
from etl.followup.intervals import Interval
from etl.followup.rules import (
    TargetCertainty,
    TargetStatus,
    VersusMean,
    round_half_up,
    target_certainty,
    target_status,
    versus_mean,
)


@pytest.mark.parametrize(("percent", "n", "low", "high"), [
    (71.0, 410, 66.4, 75.2),  # the example: 71,0 % of 410
    (41.6, 390, 36.8, 46.6),  # N00651 2022, Åstorp
    (80.0, 390, 75.7, 83.7),  # N00640 2022, Åstorp
    (50.0, 100, 40.4, 59.6),
    (0.0, 20, 0.0, 16.1),  # stays inside 0–100 where the normal interval would not
    (100.0, 20, 83.9, 100.0),
])
def test_wilson_interval_against_worked_examples(percent, n, low, high):
    found = intervals.wilson(percent, n)
    assert (round(found.low, 1), round(found.high, 1)) == (low, high)


def test_no_interval_without_a_sample():
    assert intervals.wilson(71.0, 0) is None
    assert intervals.wilson(71.0, None) is None
    assert intervals.mean_interval(3.5, 0.9, 1) is None


@pytest.mark.parametrize(("df", "exact"), [(3, 3.182), (4, 2.776), (9, 2.262), (29, 2.045),
                                           (100, 1.984), (1000, 1.962)])
def test_t_quantile_is_close_to_the_table(df, exact):
    assert abs(intervals.t_quantile(df) - exact) < 0.005


def test_mean_interval_from_an_answer_distribution():
    # 10 answers: 1×1, 2×2, 3×3, 3×4, 1×5 → mean 3.1, s = √(12.9/9) ≈ 1.1972, t(9) = 2.2622
    mean, sd, n = intervals.mean_from_counts([1, 2, 3, 3, 1])
    assert (round(mean, 4), round(sd, 4), n) == (3.1, 1.1972, 10)
    found = intervals.mean_interval(mean, sd, n)
    half = 2.2622 * 1.1972 / math.sqrt(10)
    assert found.low == pytest.approx(3.1 - half, abs=1e-3)
    assert found.high == pytest.approx(3.1 + half, abs=1e-3)  # 2,24–3,96


def test_rank_range_counts_the_others_beyond_the_interval():
    others = [90.0, 85.0, 80.0, 78.0, 70.0, 60.0]
    assert intervals.rank_range(Interval(75.0, 82.0), others, "higher") == (3, 5)
    assert intervals.rank_range(Interval(75.0, 82.0), others, "lower") == (3, 5)
    assert intervals.rank_range(Interval(91.0, 95.0), others, "higher") == (1, 1)


def test_a_difference_counts_only_beyond_the_margin_of_the_difference():
    a, b = Interval(41.3, 51.2), Interval(34.6, 44.0)  # ±4.95 and ±4.7: margin ≈ 6.8
    assert intervals.difference_is_real(46.2, a, 39.2, b) is True  # +7.0
    assert intervals.difference_is_real(45.0, a, 39.2, b) is False  # +5.8
    assert intervals.difference_is_real(45.0, None, 39.2, b) is None


@pytest.mark.parametrize(("interval", "target", "expected"), [
    (Interval(36.8, 46.6), 40.0, TargetCertainty.INOM_FELMARGINAL),
    (Interval(75.7, 83.7), 85.0, TargetCertainty.SAKERT),
    (Interval(86.0, 90.0), 85.0, TargetCertainty.SAKERT),
    (None, 85.0, TargetCertainty.OKAND),
    (Interval(75.7, 83.7), None, TargetCertainty.OKAND),
])
def test_target_certainty(interval, target, expected):
    assert target_certainty(interval, target) is expected


@pytest.mark.parametrize(("interval", "mean", "expected"), [
    (Interval(75.7, 83.7), 83.73, VersusMean.LAGRE),
    (Interval(84.0, 88.0), 83.73, VersusMean.HOGRE),
    (Interval(65.4, 74.4), 68.4, VersusMean.I_NIVA),
    (None, 68.4, VersusMean.OKAND),
])
def test_versus_the_mean(interval, mean, expected):
    assert versus_mean(interval, mean) is expected


@pytest.mark.parametrize(("value", "previous", "real", "expected"), [
    (46.2, 39.2, True, TargetStatus.PA_VAG),  # better, and beyond the margin
    (45.0, 39.2, False, TargetStatus.EJ_UPPNATT),  # better, but within the margin
    (45.0, 39.2, None, TargetStatus.PA_VAG),  # no intervals: the shown values decide
    (38.0, 39.2, True, TargetStatus.EJ_UPPNATT),  # worse
    (50.0, 39.2, True, TargetStatus.UPPNATT),
])
def test_on_the_way_needs_an_improvement_beyond_the_margin(value, previous, real, expected):
    assert target_status(value, 50.0, "higher", previous=previous,
                         improvement_is_real=real) is expected


@pytest.mark.parametrize(("value", "decimals", "shown"), [
    (82.85, 1, 82.9), (82.849, 1, 82.8), (0.125, 2, 0.13), (3.785, 2, 3.79), (-1.25, 1, -1.3),
])
def test_half_up_rounding(value, decimals, shown):
    assert round_half_up(value, decimals) == shown


def test_a_value_rounded_half_up_to_the_target_reaches_it():
    assert target_status(84.95, 85.0, "higher") is TargetStatus.UPPNATT
