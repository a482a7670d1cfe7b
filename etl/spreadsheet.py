"""Cells for spreadsheets people open in Excel: text that can never run as a formula.

Text that begins with `=`, `+`, `-`, `@`, tab or a line break (carriage return or line feed)
gets a leading apostrophe (CSV/formula injection): names and references in the files come
from uploads and forms.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(text: str) -> str:
    """'=SUMMA(A1)' → "'=SUMMA(A1)": shown as text, never run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
