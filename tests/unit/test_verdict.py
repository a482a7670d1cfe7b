"""The verdict per goal and which values are current for a follow-up year."""

from dataclasses import replace

import pytest

from dashboard.present import words
from etl.followup.records import LineageLink, MeasureFollowUp, MeasureInfo, Source, YearRow
from etl.followup.rules import TargetCertainty, TargetStatus
from etl.followup.verdict import (
    Currency,
    MeasureCertainty,
    Verdict,
    VerdictCertainty,
    default_year,
    goal_verdict,
    standing,
)

OLD = LineageLink("U00412", 2012, 2020, "KKiK 2013", "E-post", True)
NEW = LineageLink("N00647", 2021, None, "Medborgarundersökningen", "Svar på frågor", False)


def info(measure_id: str, *, survey: bool = False, cadence: int = 1) -> MeasureInfo:
    return MeasureInfo(measure_id, 1, measure_id, "", "", "survey" if survey else "kkik", "%",
                       0, 100, "higher", 1, None, () if survey else (OLD, NEW), cadence)


def row(year: int, status: TargetStatus, *, value: float | None = 50.0,
        example: bool = False) -> YearRow:
    return YearRow(year, None, 0, "", value, "%", example,
                   Source.EXAMPLE if example else Source.KOLADA, None, None, None, None,
                   60.0, None, False, status)


def item(measure_id: str, rows: list[YearRow], **kwargs) -> MeasureFollowUp:
    return MeasureFollowUp(info(measure_id, **kwargs), "1277", "Åstorp", tuple(rows))


REACHED, ON_WAY, NOT = TargetStatus.UPPNATT, TargetStatus.PA_VAG, TargetStatus.EJ_UPPNATT


@pytest.mark.parametrize(("statuses", "verdict", "assessed", "reached"), [
    ([REACHED, REACHED], Verdict.UPPNATT, 2, 2),
    ([REACHED, NOT], Verdict.DELVIS, 2, 1),
    ([REACHED, ON_WAY], Verdict.DELVIS, 2, 1),  # på väg is not reached
    ([NOT, ON_WAY], Verdict.EJ_UPPNATT, 2, 0),
    ([REACHED, TargetStatus.INGET_MAL], Verdict.UPPNATT, 1, 1),  # no target: not assessed
])
def test_verdict_rules(statuses, verdict, assessed, reached):
    items = [item(f"m{i}", [row(2022, s)]) for i, s in enumerate(statuses)]
    found = goal_verdict(1, items, 2022)
    assert (found.verdict, found.measures_assessed, found.measures_reached) == (
        verdict, assessed, reached)
    assert found.measures_without_current_value == 0


def test_no_current_value_cannot_be_judged():
    found = goal_verdict(1, [item("a", [row(2020, REACHED)]), item("b", [])], 2022)
    assert found.verdict is Verdict.KAN_INTE_BEDOMAS
    assert (found.measures_assessed, found.measures_without_current_value) == (0, 2)


def test_a_discontinued_method_never_gets_a_live_status():
    # The newest value is from 2020, measured by U00412, which ended in 2020.
    found = standing(item("epost", [row(2019, NOT), row(2020, REACHED)]), 2022)
    assert found.currency is Currency.DISCONTINUED and found.current is None
    assert not found.assessed and found.latest.year == 2020
    # In 2020 itself the method was in use: current.
    assert standing(item("epost", [row(2020, REACHED)]), 2020).currency is Currency.CURRENT


def test_an_older_value_by_a_method_in_use_is_not_current():
    found = standing(item("telefon", [row(2021, REACHED)]), 2023)
    assert found.currency is Currency.OLDER and not found.assessed


def test_the_survey_every_second_year_is_current_the_year_after():
    survey = item("enkat", [row(2021, NOT)], survey=True, cadence=2)
    this_year, next_year, later = (standing(survey, y) for y in (2021, 2022, 2023))
    assert this_year.currency is Currency.CURRENT and next_year.currency is Currency.CURRENT
    assert next_year.next_year == 2023
    assert later.currency is Currency.OLDER


def test_the_default_year_is_the_newest_with_a_real_value():
    items = [item("a", [row(2022, NOT), row(2024, NOT, example=True)]),
             item("b", [row(2021, NOT, value=None)])]
    assert default_year(items) == 2022
    assert default_year([item("c", [row(2019, NOT, example=True)])]) == 2019


def within(year: int, status: TargetStatus, value: float, low: float, high: float,
           target: float) -> YearRow:
    certainty = (TargetCertainty.INOM_FELMARGINAL if low <= target <= high
                 else TargetCertainty.SAKERT)
    return replace(row(year, status, value=value), target=target, ci_low=low, ci_high=high,
                   target_certainty=certainty)


def test_goal_2_in_2022_is_uncertain_with_both_measures_within_the_margin():
    # Webbinformation 46,2 [41,3–51,2] against 50; delaktighet 41,6 [36,8–46,6] against 40.
    web = item("webbinformation", [within(2022, NOT, 46.2, 41.3, 51.2, 50.0)])
    part = item("delaktighet", [within(2022, REACHED, 41.6, 36.8, 46.6, 40.0)])
    found = goal_verdict(2, [web, part], 2022)
    assert found.verdict is Verdict.DELVIS  # by the values as shown
    assert (found.measures_within_margin, found.certainty) == (2, VerdictCertainty.OSAKERT)
    assert found.possible == (Verdict.EJ_UPPNATT, Verdict.DELVIS, Verdict.UPPNATT)
    assert [s.certainty for s in found.standings] == [MeasureCertainty.INOM_FELMARGINALEN] * 2
    assert words.verdict_phrase(found) == ("Ej uppnått, delvis uppnått eller uppnått – "
                                           "2 av 2 mått inom felmarginalen")
    assert words.verdict(found).css == "status-neutral"


def test_a_sure_miss_and_two_within_the_margin():
    sure = item("a", [within(2022, NOT, 60.0, 55.0, 65.0, 85.0)])
    close = [item(m, [within(2022, NOT, 80.0, 76.0, 84.0, 82.0)]) for m in ("b", "c")]
    found = goal_verdict(1, [sure, *close], 2022)
    assert found.possible == (Verdict.EJ_UPPNATT, Verdict.DELVIS)
    assert words.verdict_phrase(found) == ("Ej uppnått eller delvis uppnått – 2 av 3 mått "
                                           "inom felmarginalen")
    assert found.standings[0].certainty is MeasureCertainty.SAKERT_EJ_NATT
    certain = goal_verdict(1, [sure], 2022)
    assert (certain.certainty, certain.possible) == (VerdictCertainty.SAKERT,
                                                     (Verdict.EJ_UPPNATT,))
    assert words.verdict_phrase(certain) == "Ej uppnått"
