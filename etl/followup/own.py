"""The own measurement's values: shares of test contacts meeting the strategy's service rules.

Per year (and per förvaltning where the file gives one) and per series, the number of contacts
that count (`n`), how many met the rule (`successes`), the share in per cent and its 95 % Wilson
interval (`etl.followup.intervals.wilson`). The series and what they count:

* `<channel>-inom-regel`: answered within the channel's working days from the strategy file
  (`[own_measurement] response_days`), the arrival day excluded. E-mail and letters count
  every contact (never answered = not within); telephone counts only calls where `besvarad`
  is given (a callback).
* `telefon-handlaggare`: calls that reached a handläggare, of the calls where it is recorded.
* `<channel>-gott-bemotande`, `alla-gott-bemotande`: contacts graded at least
  `good_grade_min`, of the contacts with a grade.

Förvaltningar with fewer contacts than the anonymity threshold are left out, with the same rule
as the staff survey (also where the hidden group could be worked out from the others).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import get_args

from sqlalchemy import Engine, select

from etl import schema, survey
from etl.followup.intervals import wilson
from etl.settings import Settings
from etl.strategy import CHANNELS, OwnMeasurement, OwnSeries, load_strategy
from etl.workdays import WorkingCalendar, swedish_calendar

SERIES: tuple[OwnSeries, ...] = get_args(OwnSeries)
CHANNEL_KEY = {"e-post": "epost", "telefon": "telefon", "brev": "brev"}
ALL_CHANNELS = "alla"


@dataclass(frozen=True)
class StoredContact:
    """What a measure needs of one stored test contact."""

    year: int
    channel: str
    sent: datetime
    answered: datetime | None
    reached_handlaggare: bool | None
    grade: int | None
    forvaltning: str = ""
    is_example: bool = False


@dataclass(frozen=True)
class OwnValue:
    """One value of an own-measurement series: a share (%) of `n` contacts with its interval.

    `forvaltning` is "" for the whole municipality. `ci_low`/`ci_high` are the 95 % Wilson
    interval in per cent. `is_example` is true when the contacts are example data.
    """

    series: OwnSeries
    year: int
    forvaltning: str
    n: int
    successes: int
    value: float
    ci_low: float
    ci_high: float
    is_example: bool = False


@dataclass(frozen=True)
class OwnValues:
    """Every value of the own measurement: the municipality's, the förvaltningar's that may be
    shown, and how many förvaltning values were left out as too small."""

    municipality: list[OwnValue]
    by_forvaltning: list[OwnValue]
    hidden_forvaltningar: int = 0

    def series(self, series: OwnSeries) -> list[OwnValue]:
        """The municipality's values of one series, oldest year first."""
        return [v for v in self.municipality if v.series == series]

    def value(self, series: OwnSeries, year: int) -> OwnValue | None:
        return next((v for v in self.municipality if v.series == series and v.year == year),
                    None)

    def forvaltningar(self, series: OwnSeries, year: int) -> list[OwnValue]:
        return [v for v in self.by_forvaltning if v.series == series and v.year == year]


# A series: which contacts count (None = not counted) and whether one met the rule.
Counter = Callable[[StoredContact], bool | None]


def _counters(rules: OwnMeasurement, calendar: WorkingCalendar) -> dict[OwnSeries, Counter]:
    counters: dict[str, Counter] = {}
    for channel in CHANNELS:
        key = CHANNEL_KEY[channel]
        days = rules.response_days[channel]

        def within(c: StoredContact, channel=channel, days=days) -> bool | None:
            if c.channel != channel or (channel == "telefon" and c.answered is None):
                return None
            return calendar.answered_within(c.sent, c.answered, days)

        def good(c: StoredContact, channel=channel) -> bool | None:
            if c.channel != channel or c.grade is None:
                return None
            return c.grade >= rules.good_grade_min

        counters[f"{key}-inom-regel"] = within
        counters[f"{key}-gott-bemotande"] = good
    counters["telefon-handlaggare"] = lambda c: (
        None if c.channel != "telefon" or c.reached_handlaggare is None
        else c.reached_handlaggare)
    counters[f"{ALL_CHANNELS}-gott-bemotande"] = lambda c: (
        None if c.grade is None else c.grade >= rules.good_grade_min)
    return {series: counters[series] for series in SERIES}


def _value(series: OwnSeries, year: int, forvaltning: str, outcomes: list[bool],
           is_example: bool) -> OwnValue:
    n, successes = len(outcomes), sum(outcomes)
    share = 100.0 * successes / n
    interval = wilson(share, n)
    return OwnValue(series, year, forvaltning, n, successes, share, interval.low,
                    interval.high, is_example)


def compute_own_values(contacts: Iterable[StoredContact], rules: OwnMeasurement,
                       calendar: WorkingCalendar, threshold: int) -> OwnValues:
    """Every series for every year with contacts that count, and per förvaltning."""
    by_year: dict[int, list[StoredContact]] = {}
    for contact in contacts:
        by_year.setdefault(contact.year, []).append(contact)
    municipality: list[OwnValue] = []
    by_forvaltning: list[OwnValue] = []
    hidden_count = 0
    for series, counter in _counters(rules, calendar).items():
        for year, of_year in sorted(by_year.items()):
            counted = [(c, outcome) for c in of_year
                       for outcome in [counter(c)] if outcome is not None]
            if not counted:
                continue
            is_example = any(c.is_example for c, _ in counted)
            municipality.append(_value(series, year, "", [o for _, o in counted], is_example))
            groups: dict[str, list[bool]] = {}
            for contact, outcome in counted:
                if contact.forvaltning:
                    groups.setdefault(contact.forvaltning, []).append(outcome)
            if not groups:
                continue
            units = [_unit(survey.KOMMUN, "", len(counted))] + [
                _unit(survey.FORVALTNING, name, len(outcomes))
                for name, outcomes in sorted(groups.items())]
            _, hidden = survey.suppress(units, threshold)
            for name, outcomes in sorted(groups.items()):
                if (survey.FORVALTNING, name, "") in hidden:
                    hidden_count += 1
                else:
                    by_forvaltning.append(_value(series, year, name, outcomes, is_example))
    return OwnValues(municipality, by_forvaltning, hidden_count)


def _unit(level: str, forvaltning: str, n: int) -> survey.UnitResult:
    """A group as the survey's small-group rule sees it: only its size matters."""
    return survey.UnitResult(level, forvaltning, "", n, float("nan"), None, None)


def stored_contacts(engine: Engine, years: Iterable[int] | None = None) -> list[StoredContact]:
    c = schema.Contact
    statement = select(c.year, c.channel, c.sent, c.answered, c.reached_handlaggare, c.grade,
                       c.forvaltning, c.is_example).order_by(c.year, c.sent, c.id)
    if years is not None:
        statement = statement.where(c.year.in_(list(years)))
    with engine.connect() as connection:
        return [StoredContact(**row) for row in connection.execute(statement).mappings()]


def _strategy(path: Path):
    """The strategy file as read for the follow-up: parsed once per version of the file (every
    page asks for the own measurement's rules)."""
    stat = path.stat()
    return _parsed_strategy(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _parsed_strategy(path: Path, _mtime_ns: int, _size: int):
    return load_strategy(path)


def own_values(engine: Engine, settings: Settings, *, years: Iterable[int] | None = None,
               strategy_path: Path | None = None) -> OwnValues:
    """The own measurement's values from the store, with the strategy file's rules, the
    working-day calendar in `data/` and the anonymity threshold from the settings.

    Empty when the strategy file has no `[own_measurement]` section.
    """
    rules = _strategy(strategy_path or settings.strategy_path).own_measurement
    if rules is None:
        return OwnValues([], [])
    calendar = swedish_calendar()
    return compute_own_values(stored_contacts(engine, years), rules, calendar,
                              settings.anonymity_threshold)


def own_series_by_measure(settings: Settings, strategy_path: Path | None = None
                          ) -> dict[str, OwnSeries]:
    """Which own series feeds which measure, as the strategy file says (`own_series`)."""
    strategy = _strategy(strategy_path or settings.strategy_path)
    return {m.id: m.own_series for m in strategy.measures if m.own_series}
