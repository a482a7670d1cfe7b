"""The rules that judge a measure's value, as enums: no words here (see dashboard/present/words.py).

1. Against the municipality's own target for the year: uppnått / på väg / ej uppnått.
   "På väg" means not reached but surely better than the previous measurement with the same
   method: the change's interval excludes 0 on the better side. Without an interval, never.
2. Against the others: the rank among the measuring municipalities; its quarter or half only
   where the whole plausible range lies in it, and no such word where the margin is unknown.
3. Against last time: ökat or minskat only where the change's interval excludes 0.

Where n is an upper bound (a survey's total answers for one question), every claim is
checked at the lower n the sample rule allows (`samples.SampleRule.claim_n`).

"Mätkommunernas medelvärde" is the unweighted mean over the municipalities (type K) that
reported a value, with its count n, never Riket nor the regions; the database computes it
(`store.kpi_year_stats`). The rank counts the municipalities that did better, so equal values
share a place ("plats 54 av 148").
"""

from __future__ import annotations

import math
from enum import StrEnum

import pandas as pd

from etl.followup.intervals import Interval
from etl.numbers import round_half_up  # the one rounding rule; re-exported for the model


class TargetStatus(StrEnum):
    """Against the year's target; the values are the export's `target_status` column."""

    UPPNATT = "uppnatt"
    PA_VAG = "pa-vag"
    EJ_UPPNATT = "ej-uppnatt"
    INGET_MAL = "inget-mal"
    INGEN_MATNING = "ingen-matning"
    INGEN_BEDOMNING = "ingen-bedomning"


class TargetCertainty(StrEnum):
    """Whether the interval lies wholly on one side of the target (`target_certainty`)."""

    SAKERT = "sakert"
    INOM_FELMARGINAL = "inom-felmarginal"
    OKAND = "okand"


class VersusMean(StrEnum):
    """The value against the measuring municipalities' mean, by its interval (`versus_mean`)."""

    HOGRE = "hogre"
    LAGRE = "lagre"
    I_NIVA = "i-niva"
    OKAND = "okand"


class ChangeWord(StrEnum):
    """Since the previous measurement with the same method (`change_word`)."""

    OKAT = "okat"
    MINSKAT = "minskat"
    INGEN_SAKERSTALLD = "ingen-sakerstalld-forandring"
    KAN_INTE_BEDOMAS = "kan-inte-bedomas"  # no interval: the margin of the change is unknown
    INGEN_TIDIGARE = "ingen-tidigare"  # no earlier value by the same method


def change_word(change: float | None, interval: Interval | None, *,
                has_previous: bool) -> ChangeWord:
    """Ökat or minskat only where the whole interval of the change lies on one side of 0."""
    if not has_previous or is_missing(change):
        return ChangeWord.INGEN_TIDIGARE
    if interval is None:
        return ChangeWord.KAN_INTE_BEDOMAS
    if interval.above(0):
        return ChangeWord.OKAT
    if interval.below(0):
        return ChangeWord.MINSKAT
    return ChangeWord.INGEN_SAKERSTALLD


def is_sure_improvement(word: ChangeWord | None, direction: str) -> bool:
    better = {"higher": ChangeWord.OKAT, "lower": ChangeWord.MINSKAT}.get(direction)
    return better is not None and word is better


def is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _reached(value: float, target: float, direction: str) -> bool:
    return value <= target if direction == "lower" else value >= target


def _better(value: float, previous: float, direction: str) -> bool:
    return value < previous if direction == "lower" else value > previous


def target_status(value: float | None, target: float | None, direction: str, *,
                  previous: float | None = None, decimals: int = 1,
                  improvement_is_real: bool = False) -> TargetStatus:
    """Status against the year's target. Values are compared as shown (rounded half up).

    "På väg" needs a sure improvement on the previous value (same method):
    `improvement_is_real` says that the change's interval excludes 0 on the better side
    (`is_sure_improvement`); without an interval there is no "på väg".
    """
    if is_missing(value):
        return TargetStatus.INGEN_MATNING
    if direction == "none":
        return TargetStatus.INGEN_BEDOMNING
    if is_missing(target):
        return TargetStatus.INGET_MAL
    shown = round_half_up(value, decimals)
    if _reached(shown, target, direction):
        return TargetStatus.UPPNATT
    if (not is_missing(previous) and improvement_is_real
            and _better(shown, round_half_up(previous, decimals), direction)):
        return TargetStatus.PA_VAG
    return TargetStatus.EJ_UPPNATT


def target_certainty(interval: Interval | None, target: float | None) -> TargetCertainty:
    """Säkert when the interval lies wholly on one side of the target."""
    if interval is None or is_missing(target):
        return TargetCertainty.OKAND
    if interval.contains(target):
        return TargetCertainty.INOM_FELMARGINAL
    return TargetCertainty.SAKERT


def versus_mean(interval: Interval | None, mean: float | None) -> VersusMean:
    """Higher or lower than the mean only where the whole interval is above or below it."""
    if interval is None or is_missing(mean):
        return VersusMean.OKAND
    if interval.above(mean):
        return VersusMean.HOGRE
    if interval.below(mean):
        return VersusMean.LAGRE
    return VersusMean.I_NIVA


def rank_of(value: float, others: pd.Series, direction: str) -> int:
    """1 + how many did better; for KPIs without a direction, 1 + how many are higher."""
    if direction == "lower":
        return int((others < value).sum()) + 1
    return int((others > value).sum()) + 1


def ranks(values: pd.Series, direction: str) -> pd.Series:
    """Every value's rank among `values` by the same rule as `rank_of` (ties share a place)."""
    return values.rank(method="min", ascending=direction == "lower").astype(int)


def quartile_of(rank: int, n: int) -> int:
    """Which quarter of the n measuring municipalities a rank falls in (1 = the best)."""
    return min(4, 1 + (4 * (rank - 1)) // n)
