"""The working-day rule of the own measurement, around the holidays and eves that move it."""

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
import pytest

from etl import clock
from etl.workdays import swedish_calendar

CALENDAR = swedish_calendar()


@pytest.mark.parametrize(("day", "working"), [
    (date(2024, 5, 8), True),     # an ordinary Wednesday
    (date(2024, 5, 11), False),   # Saturday
    (date(2024, 5, 12), False),   # Sunday
    (date(2024, 1, 1), False),    # nyårsdagen
    (date(2024, 1, 5), True),     # trettondagsafton is an ordinary day
    (date(2025, 1, 6), False),    # trettondedag jul (a Monday)
    (date(2024, 3, 28), True),    # skärtorsdagen is an ordinary day
    (date(2024, 3, 29), False),   # långfredagen
    (date(2024, 4, 1), False),    # annandag påsk
    (date(2025, 5, 1), False),    # första maj
    (date(2024, 5, 9), False),    # Kristi himmelsfärds dag
    (date(2024, 5, 10), True),    # the "klämdag" after it is a working day
    (date(2024, 6, 6), False),    # nationaldagen
    (date(2024, 6, 21), False),   # midsommarafton (a de facto holiday)
    (date(2025, 6, 20), False),   # midsommarafton another year
    (date(2025, 6, 19), True),    # the Thursday before it
    (date(2024, 12, 24), False),  # julafton (a de facto holiday)
    (date(2024, 12, 25), False),  # juldagen
    (date(2024, 12, 26), False),  # annandag jul
    (date(2024, 12, 27), True),
    (date(2024, 12, 31), False),  # nyårsafton (a de facto holiday)
])
def test_working_days(day, working):
    assert CALENDAR.is_working_day(day) is working


@pytest.mark.parametrize(("sent", "days", "deadline"), [
    (date(2024, 5, 6), 2, date(2024, 5, 8)),     # Monday → Wednesday
    (date(2024, 5, 8), 2, date(2024, 5, 13)),    # Wednesday, Ascension Thursday → Monday
    (date(2024, 5, 8), 1, date(2024, 5, 10)),
    (date(2024, 3, 28), 2, date(2024, 4, 3)),    # over Easter
    (date(2024, 3, 28), 1, date(2024, 4, 2)),
    (date(2024, 6, 5), 2, date(2024, 6, 10)),    # over National Day (Thursday)
    (date(2024, 6, 20), 2, date(2024, 6, 25)),   # over midsummer
    (date(2024, 12, 20), 2, date(2024, 12, 27)),  # over Christmas
    (date(2024, 12, 30), 2, date(2025, 1, 3)),   # over New Year
    (date(2024, 5, 10), 2, date(2024, 5, 14)),   # Friday → Tuesday
    (date(2024, 5, 11), 2, date(2024, 5, 14)),   # Saturday arrival: day 1 is Monday
    (date(2024, 5, 12), 1, date(2024, 5, 13)),   # Sunday arrival
    (date(2024, 5, 9), 1, date(2024, 5, 10)),    # arrival on a holiday: day 1 is the next day
    (date(2024, 12, 24), 2, date(2024, 12, 30)),  # arrival on a closed eve
])
def test_deadline_excludes_the_arrival_day(sent, days, deadline):
    assert CALENDAR.deadline(sent, days) == deadline
    assert CALENDAR.answered_within(sent, deadline, days)
    assert not CALENDAR.answered_within(sent, date.fromordinal(deadline.toordinal() + 1), days)


def test_same_day_answer_is_within_even_on_a_weekend():
    assert CALENDAR.answered_within(datetime(2024, 5, 8, 9, 0), datetime(2024, 5, 8, 16, 0), 0)
    assert CALENDAR.answered_within(date(2024, 5, 11), date(2024, 5, 11), 1)
    assert CALENDAR.working_days_taken(date(2024, 5, 11), date(2024, 5, 12)) == 0


def test_time_of_day_does_not_matter_only_the_date():
    late = datetime(2024, 5, 6, 23, 59)
    assert CALENDAR.answered_within(late, datetime(2024, 5, 8, 23, 0), 2)
    assert not CALENDAR.answered_within(late, datetime(2024, 5, 9, 0, 1), 2)


def test_never_answered_is_not_within():
    assert not CALENDAR.answered_within(date(2024, 5, 8), None, 2)


def test_working_days_taken_counts_from_the_day_after_arrival():
    assert CALENDAR.working_days_taken(date(2024, 3, 28), date(2024, 4, 3)) == 2
    assert CALENDAR.working_days_taken(date(2024, 12, 23), date(2024, 12, 27)) == 1


def _midsummer_eve(year: int) -> date:
    """The Friday between 19 and 25 June."""
    return next(date(year, 6, d) for d in range(19, 26) if date(year, 6, d).isoweekday() == 5)


def test_the_closed_eves_are_exactly_midsummer_christmas_and_new_years_eve():
    """What the calendar closes beyond the public holidays, every year 2000–2040: the three
    eves most municipalities close, and no other day (the rule the data file once listed)."""
    public = holidays.country_holidays("SE", years=range(2000, 2041))
    for year in range(2000, 2041):
        eves = {day for day in _days(year)
                if day.weekday() < 5 and day not in public and not CALENDAR.is_working_day(day)}
        assert eves == {d for d in (_midsummer_eve(year), date(year, 12, 24), date(year, 12, 31))
                        if d.weekday() < 5}, year


def _days(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def test_a_closed_day_has_its_swedish_name():
    assert CALENDAR.closed_day_name(date(2024, 12, 24)) == "Julafton"
    assert CALENDAR.closed_day_name(date(2024, 5, 8)) is None


def test_the_day_a_person_names_is_the_swedish_day_whatever_the_server_zone(monkeypatch):
    """Shortly after midnight in Sweden the UTC date is still yesterday's, and a server in
    another zone is a day off either way: Målbild's "today" (decisions "in the future", a
    report's date, the years a form offers) is Sweden's, taken in one place (`etl.clock`)."""
    before = datetime.now(clock.SWEDEN).date()
    assert clock.today() in {before, datetime.now(clock.SWEDEN).date()}
    root = Path(__file__).resolve().parents[2]
    local_day = re.compile(r"\bdate\.today\(\)|\bdatetime\.now\(\)|\bdatetime\.today\(\)")
    takers = [f"{path.relative_to(root)}:{number}"
              for folder in ("etl", "dashboard") for path in sorted((root / folder).rglob("*.py"))
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if local_day.search(line)]
    assert not takers, f"the server's local day, not Sweden's (use etl.clock.today()): {takers}"
