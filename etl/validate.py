"""Checks of extracted data before anything is written. Every problem names where it is."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from etl.errors import InputError, Location, more_rows
from etl.numbers import parse_column

VALUE_COLUMNS = ["kpi_id", "municipality_id", "year", "gender", "value", "count"]
GENDERS = {"T", "K", "M"}
MAX_LISTED = 5
# How Kolada's files (tidy CSV and web exports alike) write a value that is missing.
MISSING_MARKERS = {"", "-", ".", "..", "…"}


@dataclass(frozen=True)
class RejectedRow:
    """A row left out of an import, and why: shown in the browser's preview."""

    row: int
    column: str
    value: str
    reason: str
    file: str = ""
    sheet: str | None = None


@dataclass
class Rejections:
    """Rows set aside instead of stopping the import (the first `limit` kept with reasons)."""

    rows: list[RejectedRow] = field(default_factory=list)
    total: int = 0
    limit: int = 1000

    def add(self, frame: pd.DataFrame, field_name: str, column: str,
            problem: Callable[[pd.Series], str], row_column: str | None = None, *,
            source: str = "", sheet: str | None = None) -> None:
        for _, row in frame.iterrows():
            own_column = (str(row[row_column]) if row_column and row_column in frame.columns
                          else column)
            self.note(RejectedRow(int(row["row"]), own_column, str(row[field_name]),
                                  problem(row), Path(source).name, sheet))

    def note(self, rejected: RejectedRow) -> None:
        """Count one rejected row; keep it with its reason while under the limit."""
        self.total += 1
        if len(self.rows) < self.limit:
            self.rows.append(rejected)


def _fail(source: str, frame: pd.DataFrame, bad: pd.Series, column: str, problem, hint: str,
          sheet: str | None = None, row_column: str | None = None) -> None:
    """Raise an InputError for the first bad row, mentioning how many more there are.

    `row_column` names a column of `frame` holding each row's own file column (years as
    columns: the value of 2021 stands in the column «2021»).
    """
    rows = frame.loc[bad]
    first = rows.iloc[0]
    if row_column and row_column in frame.columns:
        column = str(first[row_column])
    raise InputError(
        problem(first),
        Location(source, sheet=sheet, row=int(first["row"]), column=column),
        hint=hint + " Ingenting har sparats; databasen är oförändrad.",
        more=more_rows(list(rows["row"]), MAX_LISTED),
    )


def _check(work: pd.DataFrame, bad: pd.Series, field_name: str, column: str, problem,
           hint: str, source: str, sheet: str | None, rejections: Rejections | None,
           row_column: str | None = None) -> pd.DataFrame:
    """Without `rejections` the first bad row stops the import; with it, bad rows are set
    aside with their reason and the rest go on."""
    if not bad.any():
        return work
    if rejections is None:
        _fail(source, work, bad, column, problem, hint, sheet, row_column)
    rejections.add(work.loc[bad], field_name, column, problem, row_column, source=source,
                   sheet=sheet)
    return work.loc[~bad].copy()


def kolada_values(
    frame: pd.DataFrame,
    source: str,
    *,
    known_kpis: Collection[str],
    known_municipalities: Collection[str],
    sheet: str | None = None,
    columns: dict[str, str] | None = None,
    rejections: Rejections | None = None,
) -> pd.DataFrame:
    """Check text columns kpi, municipality, period, gender, value (+ row) and convert them.

    Rows whose value is one of Kolada's missing markers are dropped: missing is not zero.
    `columns` maps the internal names to the column names the user sees in the file. With
    `rejections`, bad rows are collected there (with their reasons) instead of raising.
    """
    names = {"kpi": "kpi", "municipality": "municipality", "period": "period",
             "gender": "gender", "value": "value", **(columns or {})}
    if frame.empty:
        raise InputError("filen innehåller inga värden.", Location(source, sheet=sheet),
                         hint="Kontrollera att du valt rätt fil.")
    work = frame.copy()
    for column in ["kpi", "municipality", "period", "gender", "value"]:
        work[column] = work[column].astype(str).str.strip()
    hint_format = "Rätta cellen i filen och kör importen igen."

    def check(bad: pd.Series, field_name: str, problem, hint: str,
              row_column: str | None = None) -> pd.DataFrame:
        return _check(work, bad, field_name, names[field_name], problem, hint, source, sheet,
                      rejections, row_column)

    work = check(work["kpi"].str.fullmatch(r"[A-Z][0-9]{5}").eq(False), "kpi",
                 lambda r: f"«{r['kpi']}» är inget Kolada-id för ett nyckeltal (t.ex. N00640).",
                 hint_format)
    # Excel drops leading zeros of municipality codes; a three-digit code is one of those.
    work["municipality"] = work["municipality"].where(
        ~work["municipality"].str.fullmatch(r"[0-9]{3}"), "0" + work["municipality"]
    )
    work = check(~work["municipality"].isin(set(known_municipalities)), "municipality",
                 lambda r: f"kommunkoden «{r['municipality']}» finns inte i Kolada.",
                 "Kommunkoder har fyra siffror, t.ex. 1277 för Åstorp.")
    unknown_kpi = ~work["kpi"].isin(set(known_kpis))
    first_unknown = work.loc[unknown_kpi, "kpi"].iloc[0] if unknown_kpi.any() else ""
    work = check(unknown_kpi, "kpi",
                 lambda r: f"nyckeltalet «{r['kpi']}» finns inte i Målbilds katalog.",
                 "Hämta katalogen från Kolada med «malbild etl kolada --kpi "
                 f"{first_unknown}» och importera filen igen.")
    work = check(work["period"].str.fullmatch(r"(19|20)[0-9]{2}").eq(False), "period",
                 lambda r: f"«{r['period']}» är inget årtal.", hint_format)
    # The message shows the gender as written; the check uses it in capitals.
    gender = work["gender"].str.upper().replace("", "T")
    work = check(~gender.isin(GENDERS), "gender",
                 lambda r: f"«{r['gender']}» är inget kön; Kolada använder T (totalt), K och M.",
                 hint_format)
    work["gender"] = gender.loc[work.index]
    present = ~work["value"].isin(MISSING_MARKERS)
    work = work.loc[present].copy()
    numbers = parse_column(work["value"])
    work = check(numbers.isna(), "value", lambda r: f"«{r['value']}» är inget tal.",
                 "Tal skrivs med decimalkomma eller decimalpunkt; saknade värden som -, . eller ..",
                 row_column="value_column")
    work = work.assign(value=numbers.loc[work.index].astype(float))
    keys = ["kpi", "municipality", "period", "gender"]
    duplicated = work.duplicated(keys, keep="first")
    if duplicated.any():
        conflicting = work.loc[work.duplicated(keys, keep=False)]
        values_differ = conflicting.groupby(keys)["value"].nunique() > 1
        if values_differ.any():
            differing_keys = work.set_index(keys).index.isin(values_differ[values_differ].index)
            # Without a choice between two values, the preview sets both aside.
            bad = (pd.Series(differing_keys, index=work.index) if rejections is not None
                   else duplicated & differing_keys)
            work = check(bad, "value",
                         lambda r: f"{r['kpi']} för {r['municipality']} {r['period']} "
                         f"({r['gender']}) står två gånger med olika värden.",
                         "Ta bort den rad som är fel.", row_column="value_column")
        work = work.loc[~work.duplicated(keys, keep="first")]
    return pd.DataFrame({
        "kpi_id": work["kpi"].to_numpy(dtype=object),
        "municipality_id": work["municipality"].to_numpy(dtype=object),
        "year": work["period"].astype(int).to_numpy(),
        "gender": work["gender"].to_numpy(dtype=object),
        "value": work["value"].to_numpy(),
        "count": pd.array([None] * len(work), dtype="Int64"),
    })
