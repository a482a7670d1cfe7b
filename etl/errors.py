"""Errors that reach a person: what went wrong, where, and what to do about it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Location:
    """Where in a source a problem is: file (or URL), sheet, row and column, as far as known."""

    source: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        parts = [Path(self.source).name if "://" not in self.source else self.source]
        if self.sheet:
            parts.append(f"blad «{self.sheet}»")
        if self.line is not None:
            parts.append(f"rad {self.line}")
        if self.row is not None:
            parts.append(f"rad {self.row}")
        if self.column:
            parts.append(f"kolumn «{self.column}»")
        return ", ".join(parts)


def more_rows(rows: Sequence[int], listed: int = 5) -> list[str]:
    """"Samma fel på 3 rader till (12, 14, 20)." for the rows after the first one named."""
    extra = len(rows) - 1
    if extra <= 0:
        return []
    shown = ", ".join(str(r) for r in rows[1 : listed + 1])
    return [f"Samma fel på {extra} rad{'er' if extra > 1 else ''} till ({shown}"
            f"{' …' if extra > listed else ''})."]


class MalbildError(Exception):
    """Base of every error Målbild explains to its user."""

    hint: str = ""

    def explain(self) -> str:
        return str(self)


@dataclass
class InputError(MalbildError):
    """A source (file, API answer, setting) that cannot be used as it is."""

    problem: str
    where: Location | None = None
    hint: str = ""
    more: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.explain())

    def explain(self) -> str:
        text = f"{self.where}: {self.problem}" if self.where else self.problem
        if self.more:
            text += " " + " ".join(self.more)
        if self.hint:
            text += f" {self.hint}"
        return text

    def __str__(self) -> str:
        return self.explain()


@dataclass
class StrategyError(InputError):
    """The strategy file is not valid; `problems` are all its errors when there are several."""

    problems: list[StrategyError] = field(default_factory=list)


@dataclass
class MissingData(InputError, LookupError):
    """The database lacks what is asked for (no strategy loaded yet): explained like bad input,
    and a LookupError to code that looks something up."""


class SourceUnavailable(MalbildError):
    """A remote source (the Kolada API) did not answer usefully after retries."""
