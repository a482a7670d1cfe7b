"""Swedish number and date formats for the pages: decimal comma, space between thousands,
"83,0 %".

The numbers themselves are `etl.numbers` (one rule for pages, downloads, reports and imports);
this module keeps the names the pages use. A no-break space (U+00A0) separates thousands and
the unit so that a number never wraps.
"""

from __future__ import annotations

from datetime import date, datetime

from etl import numbers

NBSP = numbers.NBSP
WORD_JOINER = "\u2060"  # no line break here, as NBSP but without a space: "15–98"
MISSING = numbers.MISSING
PLOTLY_SEPARATORS = "," + NBSP  # Plotly's layout.separators: decimal, then thousands
PERCENT_UNITS = numbers.PERCENT_UNITS

# The page's names for the one rule in etl.numbers (rounding half up, digits, units).
is_missing = numbers.is_missing
number = numbers.number
percent = numbers.percent
with_unit = numbers.with_unit
count = numbers.count


def iso_date(value: date | datetime | None) -> str:
    """Dates the Swedish way, ISO 8601: 2026-11-27."""
    if value is None:
        return MISSING
    return value.strftime("%Y-%m-%d")


def phrases_unbroken(text: str) -> str:
    """Wrap only after a comma or before a parenthesis: a narrow table cell shows "plats 111
    av 137, / trolig plats 74–129" or "plats 47 av 129 / (felmarginal okänd)" on two lines
    instead of a word or a number on each of six."""
    return ", ".join(" (".join(phrase.replace(" ", NBSP)
                               .replace("–", f"{WORD_JOINER}–{WORD_JOINER}")
                               for phrase in part.split(" ("))
                     for part in text.split(", "))
