"""Working days as the strategy means them, for the own measurement with test contacts.

Monday to Friday, except Sweden's public holidays and the eves most municipalities close
(midsommarafton, julafton, nyårsafton), both from the maintained `holidays` calendar: its
"de_facto" category is exactly those three eves (checked day by day for 2000–2040 in
tests/unit/test_workdays.py), so Easter and the other movable days are never computed here.

"Answered within N working days excluding the arrival day": the day a contact arrives is day 0
whatever day it is; day 1 is the next working day after it. An answer on or before day N is
within the rule, an answer on the arrival day itself included.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache

import holidays

COUNTRY = "SE"
# Public holidays and the days treated as holidays in practice ("de facto": the three eves).
CLOSED_CATEGORIES = ("public", "de_facto")
SATURDAY = 5  # date.weekday(): Monday is 0


class WorkingCalendar:
    """Which days are working days: weekdays that are neither holidays nor closed eves."""

    def __init__(self, country: str = COUNTRY) -> None:
        self.country = country
        # Fills in years as they are asked for; names in Swedish for any message that shows one.
        self._closed = holidays.country_holidays(country, categories=CLOSED_CATEGORIES,
                                                 language="sv")
        self._deadlines: dict[tuple[date, int], date] = {}  # many contacts share a day

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in self._closed

    def closed_day_name(self, day: date) -> str | None:
        """The holiday or eve that closes `day`, e.g. "Julafton"; None on other days."""
        return self._closed.get(day)

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


@cache
def swedish_calendar() -> WorkingCalendar:
    """The one working-day calendar of the own measurement (kept: it caches its deadlines)."""
    return WorkingCalendar(COUNTRY)
