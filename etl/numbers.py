"""Numbers as people read them, in one place: half-up rounding, Swedish text, Excel formats.

Every page, download, report, import preview and log rounds and writes numbers here, so the
same value has the same digits everywhere: 82,85 is "82,9" on the page, in the CSV, in Excel,
in the report and in the audit log.

Rounding is half up (away from zero at an exact half: −1,25 → −1,3) on the number *as written*,
i.e. on the shortest decimal text that reads back as the same float (`repr`), not on its binary
neighbour: the float 82.85 is 82.8499999999999943… in binary, but it was written (in Kolada, in
a file, in a form) as 82,85, and Excel and people round that to 82,9. `Decimal(repr(x))` gives
that text exactly. The cost: a value that was computed (a mean, 29/8 = 3.625) rounds by its
shortest text too, which is what a reader checking the sum by hand would do.

Text: decimal comma, a no-break space (U+00A0) between thousands and before the unit so a
number never wraps ("1 234,5", "83,0 %"), and a real minus sign (U+2212). Files for Swedish
Excel (CSV) get the decimal comma without thousands separators, so Excel reads them as
numbers; files for machines get a decimal point.

Excel cells keep the exact value (sums stay exact) with a number format that shows the
measure's decimals; Excel rounds the shown digits half up on the decimal value, as here.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
MINUS = "\u2212"
MISSING = "–"
PERCENT_UNITS = {"%", "procent"}
UNITS_AFTER = {"kr", "dagar", "kg"}
"""Units written after the number ("12 345 kr"); other units (a 1–5 mean, an index) are not."""

# Excel's number formats (openpyxl `number_format`): Swedish Excel shows 83.0 with `0.0" %"`
# as "83,0 %", and `#,##0` with a space between thousands.
TEXT_FORMAT = "@"
INTEGER_FORMAT = "#,##0"
YEAR_FORMAT = "0"


def is_missing(value: object) -> bool:
    """None, NaN and pandas' NA: no value (shown "–", written as an empty cell)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and pd.NA are not equal to themselves
    except TypeError:  # pd.NA != pd.NA is NA, whose truth is undefined
        return True


def shown(value: float, decimals: int) -> Decimal:
    """82.85 → Decimal("82.9"): the value rounded half up to `decimals` as written (see above)."""
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def round_half_up(value: float, decimals: int) -> float:
    """82.85 → 82.9 (half up, on the decimal number as written, not its binary neighbour)."""
    return float(shown(value, decimals))


def fixed(value: float | None, decimals: int, *, point: str = ",") -> str:
    """82.85 → "82,9": the digits alone, for files (no thousands separator, "-" as minus).
    `point="."` for files read by machines. Missing → ""."""
    if is_missing(value):
        return ""
    return f"{shown(value, decimals):.{max(decimals, 0)}f}".replace(".", point)


def number(value: float | None, decimals: int = 1, *, space: str = NBSP) -> str:
    """1234.5 → "1 234,5" (with a no-break space, or `space` where text is plain, as in a
    terminal), rounded half up (82,85 → 82,9); None/NaN → "–"."""
    if is_missing(value):
        return MISSING
    text = f"{shown(value, decimals):,.{max(decimals, 0)}f}"
    return text.replace(",", space).replace(".", ",").replace("-", MINUS)


def percent(value: float | None, decimals: int = 1) -> str:
    """83 → "83,0 %"."""
    return MISSING if is_missing(value) else f"{number(value, decimals)}{NBSP}%"


def with_unit(value: float | None, unit: str, decimals: int = 1) -> str:
    """A value as the measure's unit wants it: "83,0 %", "12 345 kr", "3,59"."""
    if is_missing(value):
        return MISSING
    if unit in PERCENT_UNITS:
        return percent(value, decimals)
    if unit in UNITS_AFTER:
        return f"{number(value, decimals)}{NBSP}{unit}"
    return number(value, decimals)


def count(value: int | None) -> str:
    """12345 → "12 345"."""
    return MISSING if value is None else number(float(value), 0)


def written_decimals(value: float) -> int:
    """The decimals of the value as written: 82.85 → 2, 83.0 → 0, 1e-05 → 5."""
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def exact(value: float | None) -> str:
    """85 → "85", 3.5 → "3,5": every digit kept (a target read back must be the same number),
    with a decimal comma for Swedish Excel; None → ""."""
    if is_missing(value):
        return ""
    number_ = float(value)
    return str(int(number_)) if number_.is_integer() else repr(number_).replace(".", ",")


def parse(text: str | None, *, per_cent: bool = False) -> float | None:
    """Swedish number text from a file or a form: "1 234,5", "−2,5", "55,0 %" (with
    `per_cent`) → a float; empty → None; ValueError for anything else.

    Only for text people and other programs wrote. Our own display text is never read back:
    whoever needs the number takes it from the model.
    """
    clean = (text or "").replace(NBSP, "").replace(" ", "").replace(",", ".").replace(MINUS, "-")
    if per_cent and clean.endswith("%"):
        clean = clean.removesuffix("%")
        if not clean:
            raise ValueError(text)
    if not clean:
        return None
    value = float(clean)
    if math.isinf(value):
        raise ValueError(text)
    return value


def parse_column(texts, *, per_cent: bool = False):
    """`parse` for a pandas column of file cells: a float per cell, NaN where the text is no
    number (the caller says which cell and why)."""
    import pandas as pd

    clean = (texts.str.replace(NBSP, "").str.replace(" ", "").str.replace(",", ".")
             .str.replace(MINUS, "-"))
    if per_cent:
        clean = clean.str.rstrip("%")
    return pd.to_numeric(clean, errors="coerce")


def excel_format(decimals: int, unit: str = "") -> str:
    """An Excel number format: Swedish Excel shows 83.0 with `0.0" %"` as "83,0 %"."""
    code = "0" if decimals <= 0 else "0." + "0" * decimals
    return code + ('" %"' if unit in PERCENT_UNITS else "")


def is_number_format(number_format: str) -> bool:
    """Whether a cell with this format holds a number (an empty format or `@` is text)."""
    return bool(number_format) and number_format != TEXT_FORMAT


def format_decimals(number_format: str) -> int:
    """The decimals an Excel number format shows: `0.0" %"` → 1, `#,##0` → 0."""
    code = number_format.split('"', 1)[0]
    return len(code.split(".", 1)[1].strip()) if "." in code else 0


def excel_value(value: object, number_format: str) -> float | int | None:
    """A number for an Excel cell with `number_format`: the exact value (Excel shows the
    format's digits), an int where the format has no decimals and the value is whole;
    None when missing. ValueError/TypeError when `value` is no number."""
    if is_missing(value):
        return None
    number_ = float(value)
    return int(number_) if number_.is_integer() and format_decimals(number_format) == 0 \
        else number_
