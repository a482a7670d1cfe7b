"""Whole numbers written by people and clients: the digits 0–9 and nothing else.

Python takes more than that: "²".isdigit() is true (and int("²") then fails), and int() reads
"١" (Arabic-Indic one), " 1", "+1" and "1_000". Years, versions and codes from addresses,
headers and files are read here; regular expressions on such text say [0-9], never \\d, which
matches the digits of every script.
"""

from __future__ import annotations

import re

DIGITS = re.compile(r"[0-9]+")


def is_digits(text: object) -> bool:
    """Only the digits 0–9, at least one."""
    return isinstance(text, str) and DIGITS.fullmatch(text) is not None


def whole_number(text: object, max_digits: int = 9) -> int | None:
    """"2022" → 2022; None for anything but 1 to `max_digits` of the digits 0–9."""
    if not is_digits(text) or len(text) > max_digits:
        return None
    return int(text)
