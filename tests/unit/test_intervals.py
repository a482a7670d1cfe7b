"""95 % intervals against worked examples, and what they allow a status to say."""

import math

import pytest

from etl.followup import intervals
from etl.followup.intervals import Interval
from etl.followup.rules import (
    ChangeWord,
    TargetCertainty,
    TargetStatus,
    VersusMean,
    change_word,
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


def test_newcombe_interval_of_a_change_by_hand():
    # N00640 telefonbemötande 2021 83,0 % (n = 410) → 2022 80,0 % (n = 390): −3,0.
    # Wilson 2022: 75,74–83,68; 2021: 79,08–86,31. Newcombe (hybrid score):
    # low = −3 − √((80 − 75,74)² + (86,31 − 83)²) = −8,40; high = −3 + √(3,68² + 3,92²) = 2,38.
    found = intervals.newcombe(80.0, 390, 83.0, 410)
    assert (round(found.low, 2), round(found.high, 2)) == (-8.40, 2.38)
    assert change_word(-3.0, found, has_previous=True) is ChangeWord.INGEN_SAKERSTALLD
    # N00652 webbinformation 39,2 % (n = 410) → 46,2 % (n = 390): +7,0, 0,15–13,77 ...
    sure = intervals.newcombe(46.2, 390, 39.2, 410)
    assert (round(sure.low, 2), round(sure.high, 2)) == (0.15, 13.77)
    assert change_word(7.0, sure, has_previous=True) is ChangeWord.OKAT
    # ... but N00528 is an upper bound of the question's n: at 0,9 × n it is not sure.
    bound = intervals.newcombe(46.2, int(0.9 * 390), 39.2, int(0.9 * 410))
    assert bound.low < 0 < bound.high
    assert change_word(7.0, bound, has_previous=True) is ChangeWord.INGEN_SAKERSTALLD


def test_a_change_without_an_interval_is_not_judged():
    assert change_word(2.0, None, has_previous=True) is ChangeWord.KAN_INTE_BEDOMAS
    assert change_word(None, None, has_previous=False) is ChangeWord.INGEN_TIDIGARE
    assert change_word(-1.0, Interval(-2.0, -0.5), has_previous=True) is ChangeWord.MINSKAT


def test_difference_of_two_survey_means_by_hand():
    # 3,59 (3,50–3,69, n = 423) against 3,39 (3,30–3,49, n = 428): se from the half widths
    # 0,095/1,9656 and 0,095/1,9656 → √(2 · 0,04833²) = 0,0683; ± 1,963 · 0,0683 = 0,134.
    found = intervals.mean_difference(3.59, Interval(3.495, 3.685), 423,
                                      3.39, Interval(3.295, 3.485), 428)
    assert found.low == pytest.approx(0.20 - 0.134, abs=0.002)
    assert found.high == pytest.approx(0.20 + 0.134, abs=0.002)


def test_probability_that_the_target_is_reached_by_hand():
    # N00651 delaktighet 2022: 41,6 % of 390 against the target 40 %. Jeffreys' posterior
    # Beta(162,74; 228,26) has mean 0,416 and sd 0,0249: P(p ≥ 0,40) ≈ Φ(0,64) ≈ 0,74.
    assert intervals.probability_reached(41.6, 390, 40.0, "higher") == pytest.approx(
        0.74, abs=0.005)
    assert intervals.probability_reached(41.6, 390, 40.0, "lower") == pytest.approx(
        0.26, abs=0.005)
    assert intervals.beta_cdf(0.3, 2, 3) == pytest.approx(0.3483, abs=1e-4)  # a table value


def test_bootstrap_rank_range_is_seeded_and_uses_every_sample():
    values = {f"{i:04d}": 30.0 + i * 0.5 for i in range(40)}
    sizes = dict.fromkeys(values, 350)
    first = intervals.bootstrap_rank_range("0020", values, sizes, "higher", key="N00651:2022")
    again = intervals.bootstrap_rank_range("0020", values, sizes, "higher", key="N00651:2022")
    assert first == again  # same data, same range
    low, high = first
    assert low < 20 < high  # place 20 by the point values, in the middle of the range
    # Known n for nobody but the home one: the others keep their values, the range is wider
    # than none at all but narrower than when everyone moves.
    alone = intervals.bootstrap_rank_range("0020", values, {"0020": 350}, "higher",
                                           key="N00651:2022")
    assert alone[1] - alone[0] <= high - low
    assert intervals.bootstrap_rank_range("0020", values, {}, "higher", key="x") is None


def test_a_kept_rank_range_is_the_one_drawn_and_any_changed_input_is_drawn_anew(monkeypatch):
    values = {f"{i:04d}": 30.0 + i * 0.5 for i in range(40)}
    sizes = dict.fromkeys(values, 350)
    cases = [("0020", values, sizes, "higher", "N00651:2022"),
             ("0021", values, sizes, "higher", "N00651:2022"),
             ("0020", {**values, "0039": 49.0}, sizes, "higher", "N00651:2022"),
             ("0020", values, {**sizes, "0039": 349}, "higher", "N00651:2022"),
             ("0020", values, sizes, "lower", "N00651:2022"),
             ("0020", values, sizes, "higher", "N00651:2021")]
    drawn_anew = []
    for home, shares, n, direction, key in cases:
        monkeypatch.setattr(intervals, "_RANK_RANGES", intervals._Kept(16))
        drawn_anew.append(intervals.bootstrap_rank_range(home, shares, n, direction, key=key))
    assert len(set(drawn_anew)) > 3  # the cases differ in their ranges, mostly
    monkeypatch.setattr(intervals, "_RANK_RANGES", intervals._Kept(16))
    for _ in range(2):  # drawn, then kept: the same answers in any order
        assert [intervals.bootstrap_rank_range(home, shares, n, direction, key=key)
                for home, shares, n, direction, key in cases] == drawn_anew
    assert len(intervals._RANK_RANGES.results) == len(cases)


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
    (45.0, 39.2, False, TargetStatus.EJ_UPPNATT),  # better, but within the margin or unknown
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
