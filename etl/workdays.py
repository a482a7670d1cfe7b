"""Working days as the strategy means them, for the own measurement with test contacts.

Monday to Friday, except public holidays (from the maintained `holidays` calendar, so Easter
and the other movable feasts are never computed here) and the eves most municipalities close,
listed in `data/closed_days.toml`.

"Answered within N working days excluding the arrival day": the day a contact arrives is day 0
whatever day it is; day 1 is the next working day after it. An answer on or before day N is
within the rule, an answer on the arrival day itself included.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import holidays

from etl.errors import InputError, Location

CLOSED_DAYS_FILE = "closed_days.toml"
SATURDAY = 5  # date.weekday(): Monday is 0


@dataclass(frozen=True)
class ClosedDay:
    """A day closed every year: a fixed month-day, or a weekday within a window of month-days."""

    name: str
    month_day: tuple[int, int] | None = None
    weekday: int | None = None  # ISO: 1 = Monday
    window: tuple[tuple[int, int], tuple[int, int]] | None = None

    def falls_on(self, day: date) -> bool:
        if self.month_day is not None:
            return (day.month, day.day) == self.month_day
        first, last = self.window
        return day.isoweekday() == self.weekday and first <= (day.month, day.day) <= last


class WorkingCalendar:
    """Which days are working days: weekdays that are neither holidays nor closed days."""

    def __init__(self, country: str, closed_days: tuple[ClosedDay, ...] = ()) -> None:
        self.country = country
        self.closed_days = closed_days
        self._holidays = holidays.country_holidays(country)  # fills in years as asked
        self._deadlines: dict[tuple[date, int], date] = {}  # many contacts share a day

    def is_working_day(self, day: date) -> bool:
        return (day.weekday() < SATURDAY and day not in self._holidays
                and not any(rule.falls_on(day) for rule in self.closed_days))

    def deadline(self, arrival: date, days: int) -> date:
        """The last day an answer is within `days` working days excluding the arrival day."""
        if (arrival, days) not in self._deadlines:
            self._deadlines[(arrival, days)] = self._count_working_days(arrival, days)
        return self._deadlines[(arrival, days)]

    def _count_working_days(self, arrival: date, days: int) -> date:
        day = arrival
        left = days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def answered_within(self, sent: date | datetime, answered: date | datetime | None,
                        days: int) -> bool:
        """Whether an answer came within the rule; never answered is not within."""
        if answered is None:
            return False
        return _day(answered) <= self.deadline(_day(sent), days)

    def working_days_taken(self, sent: date | datetime, answered: date | datetime) -> int:
        """The working day after arrival on which the answer came (0 = by the arrival day)."""
        day, end, taken = _day(sent), _day(answered), 0
        while day < end:
            day += timedelta(days=1)
            taken += self.is_working_day(day)
        return taken


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _month_day(text: object, path: Path, name: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in str(text).split("-"))
        date(2024, month, day)  # a leap year, so 02-29 is allowed
    except ValueError:
        raise InputError(f"den stängda dagen «{name}» har datumet «{text}», som inte är "
                         "ett giltigt MM-DD.", Location(str(path)),
                         hint="Skriv datumet som månad-dag, t.ex. \"12-24\".") from None
    return month, day


@lru_cache
def load_calendar(path: Path) -> WorkingCalendar:
    """The working-day calendar from `data/closed_days.toml` (cached per path)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"filen med stängda dagar kan inte läsas ({exc}).", Location(str(path)),
                         hint="Kontrollera filen mot kommentaren överst i den.") from None
    rules = []
    for entry in raw.get("closed_days", []):
        name = str(entry.get("name", "?"))
        if "date" in entry:
            rules.append(ClosedDay(name, month_day=_month_day(entry["date"], path, name)))
            continue
        weekday, between = entry.get("weekday"), entry.get("between")
        if not (isinstance(weekday, int) and 1 <= weekday <= 7 and isinstance(between, list)
                and len(between) == 2):
            raise InputError(f"den stängda dagen «{name}» saknar date eller weekday och "
                             "between.", Location(str(path)),
                             hint="Ange date = \"MM-DD\", eller weekday = 1–7 och between = "
                             "[\"MM-DD\", \"MM-DD\"].")
        rules.append(ClosedDay(name, weekday=weekday, window=(
            _month_day(between[0], path, name), _month_day(between[1], path, name))))
    country = str(raw.get("country", ""))
    try:
        return WorkingCalendar(country, tuple(rules))
    except NotImplementedError:
        raise InputError(f"landet «{country}» finns inte i helgdagskalendern.",
                         Location(str(path)),
                         hint="Ange landets ISO-kod, t.ex. country = \"SE\".") from None
