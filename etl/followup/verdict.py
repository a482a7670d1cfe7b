"""The follow-up of one year: each measure's current value, and a verdict per goal.

A measure is *assessed* for year Y when it has a current value by a method still in use and a
target to judge it against: current means measured in Y, or within the measure's cadence from
the strategy file (the staff survey every second year: Y or Y − 1). An older value, or one by a
discontinued KPI, is shown as the latest measurement but gets no live status.

The goal's verdict: *uppnått* when every assessed measure reached its target, *ej uppnått*
when none did, *delvis* in between, and *kan inte bedömas* when no measure is assessed. Each
assessed measure is säkert nått, säkert ej nått or inom felmarginalen (or its margin is
unknown); a measure within its margin could fall either way, so the verdict is then uncertain
and `possible` lists every verdict the data allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from etl.followup.records import MeasureFollowUp, YearRow
from etl.followup.rules import TargetCertainty, TargetStatus

JUDGED = (TargetStatus.UPPNATT, TargetStatus.PA_VAG, TargetStatus.EJ_UPPNATT)


class Verdict(StrEnum):
    """The export's `verdict` column."""

    UPPNATT = "uppnatt"
    DELVIS = "delvis"
    EJ_UPPNATT = "ej-uppnatt"
    KAN_INTE_BEDOMAS = "kan-inte-bedomas"


class VerdictCertainty(StrEnum):
    """The export's `verdict_certainty`: osäkert when a measure is within its margin."""

    SAKERT = "sakert"
    OSAKERT = "osakert"


class MeasureCertainty(StrEnum):
    """An assessed measure against its target, with the margin."""

    SAKERT_NATT = "sakert-natt"
    SAKERT_EJ_NATT = "sakert-ej-natt"
    INOM_FELMARGINALEN = "inom-felmarginalen"
    FELMARGINAL_OKAND = "felmarginal-okand"  # n unknown: the point status stands


class Currency(StrEnum):
    """Why a measure's value is, or is not, the current one for the year."""

    CURRENT = "current"  # measured in the year, or within the cadence
    OLDER = "older"  # the newest value is older than the cadence allows
    DISCONTINUED = "discontinued"  # the newest value is by a method no longer in use
    NONE = "none"  # never measured up to the year


@dataclass(frozen=True)
class MeasureStanding:
    """A measure in the follow-up of `year`."""

    item: MeasureFollowUp
    year: int
    latest: YearRow | None  # the newest value up to the year
    currency: Currency
    own: bool = False  # the value is the municipality's own measurement

    @property
    def current(self) -> YearRow | None:
        return self.latest if self.currency is Currency.CURRENT else None

    @property
    def assessed(self) -> bool:
        return self.current is not None and self.current.target_status in JUDGED

    @property
    def reached(self) -> bool:
        return self.assessed and self.current.target_status is TargetStatus.UPPNATT

    @property
    def certainty(self) -> MeasureCertainty | None:
        """Säkert nått, säkert ej nått or inom felmarginalen; None when not assessed."""
        if not self.assessed:
            return None
        certainty = self.current.target_certainty
        if certainty is TargetCertainty.INOM_FELMARGINAL:
            return MeasureCertainty.INOM_FELMARGINALEN
        if certainty is not TargetCertainty.SAKERT:
            return MeasureCertainty.FELMARGINAL_OKAND
        return MeasureCertainty.SAKERT_NATT if self.reached else MeasureCertainty.SAKERT_EJ_NATT

    @property
    def within_margin(self) -> bool:
        return self.certainty is MeasureCertainty.INOM_FELMARGINALEN

    @property
    def next_year(self) -> int | None:
        """When the next measurement is due, for measures not measured every year."""
        if self.latest is None or self.item.info.cadence <= 1:
            return None
        return self.latest.year + self.item.info.cadence


def standing(item: MeasureFollowUp, year: int) -> MeasureStanding:
    """The measure's value for the follow-up of `year`. A current own measurement comes
    first: it measures what the strategy asks, where a KPI may ask something near it."""
    own = [r for r in item.own_rows if r.year <= year and r.has_value]
    if own and own[-1].year > year - item.info.cadence:
        return MeasureStanding(item, year, own[-1], Currency.CURRENT, own=True)
    rows = [r for r in item.rows if r.year <= year and r.has_value]
    if not rows:
        return MeasureStanding(item, year, None, Currency.NONE)
    latest = rows[-1]
    info = item.info
    link = info.link_for(latest.year)
    if not info.is_survey and (link is None or not link.in_use(year)):
        return MeasureStanding(item, year, latest, Currency.DISCONTINUED)
    if latest.year <= year - info.cadence:
        return MeasureStanding(item, year, latest, Currency.OLDER)
    return MeasureStanding(item, year, latest, Currency.CURRENT)


@dataclass(frozen=True)
class GoalVerdict:
    goal: int
    year: int
    verdict: Verdict  # by the point values, as the measures' statuses say
    standings: tuple[MeasureStanding, ...]
    # Every verdict the data allow, worst first: one when no measure is within its margin.
    possible: tuple[Verdict, ...] = ()

    @property
    def measures_within_margin(self) -> int:
        return sum(s.within_margin for s in self.standings)

    @property
    def certainty(self) -> VerdictCertainty:
        return (VerdictCertainty.OSAKERT if self.measures_within_margin
                else VerdictCertainty.SAKERT)

    @property
    def measures_assessed(self) -> int:
        return sum(s.assessed for s in self.standings)

    @property
    def measures_reached(self) -> int:
        return sum(s.reached for s in self.standings)

    @property
    def measures_without_current_value(self) -> int:
        return sum(s.current is None for s in self.standings)


def _verdict_of(reached: int, assessed: int) -> Verdict:
    if not assessed:
        return Verdict.KAN_INTE_BEDOMAS
    if reached == assessed:
        return Verdict.UPPNATT
    if reached == 0:
        return Verdict.EJ_UPPNATT
    return Verdict.DELVIS


# Worst first, as the allowed verdicts are said: "Ej uppnått eller delvis uppnått".
VERDICT_ORDER = (Verdict.EJ_UPPNATT, Verdict.DELVIS, Verdict.UPPNATT, Verdict.KAN_INTE_BEDOMAS)


def goal_verdict(goal: int, items: list[MeasureFollowUp], year: int) -> GoalVerdict:
    standings = tuple(standing(item, year) for item in items)
    assessed = [s for s in standings if s.assessed]
    reached = sum(s.reached for s in assessed)
    # A measure within its margin may have reached its target or not: the verdicts allowed
    # run from every such measure missing to every one reaching.
    sure = sum(s.reached for s in assessed if not s.within_margin)
    open_ = sum(s.within_margin for s in assessed)
    allowed = {_verdict_of(k, len(assessed)) for k in range(sure, sure + open_ + 1)}
    return GoalVerdict(goal, year, _verdict_of(reached, len(assessed)), standings,
                       tuple(v for v in VERDICT_ORDER if v in allowed))


def _values(items: list[MeasureFollowUp]) -> list[YearRow]:
    return [r for item in items for r in (*item.rows, *item.own_rows) if r.has_value]


def follow_up_years(items: list[MeasureFollowUp]) -> list[int]:
    """Every year with a value of any measure, oldest first."""
    return sorted({r.year for r in _values(items)})


def default_year(items: list[MeasureFollowUp]) -> int | None:
    """The newest year with any real (not example) value; else the newest with any value."""
    real = [r.year for r in _values(items) if not r.is_example]
    if real:
        return max(real)
    years = follow_up_years(items)
    return years[-1] if years else None
