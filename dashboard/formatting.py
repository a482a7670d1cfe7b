"""Swedish number and date formats: decimal comma, space between thousands, "83,0 %".

A no-break space (U+00A0) separates thousands and the unit so that a number never wraps.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from etl.followup.rules import round_half_up

NBSP = "\u00a0"
WORD_JOINER = "\u2060"  # no line break here, as NBSP but without a space: "15–98"
MISSING = "–"
PLOTLY_SEPARATORS = "," + NBSP  # Plotly's layout.separators: decimal, then thousands
PERCENT_UNITS = {"%", "procent"}


def is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, decimals: int = 1) -> str:
    """1234.5 → "1 234,5" (with a no-break space), rounded half up (82,85 → 82,9);
    None/NaN → "–"."""
    if is_missing(value):
        return MISSING
    text = f"{round_half_up(value, decimals):,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",").replace("-", "−")


def percent(value: float | None, decimals: int = 1) -> str:
    """83 → "83,0 %"."""
    return MISSING if is_missing(value) else f"{number(value, decimals)}{NBSP}%"


def with_unit(value: float | None, unit: str, decimals: int = 1) -> str:
    """A value as the measure's unit wants it: "83,0 %", "12 345 kr", "3,59"."""
    if is_missing(value):
        return MISSING
    if unit in PERCENT_UNITS:
        return percent(value, decimals)
    if unit in {"kr", "dagar", "kg"}:
        return f"{number(value, decimals)}{NBSP}{unit}"
    return number(value, decimals)


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


def count(value: int | None) -> str:
    return MISSING if value is None else number(float(value), 0)
