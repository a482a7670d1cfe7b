"""Checks of extracted data before anything is written. Every problem names where it is."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from etl.errors import InputError, Location
from etl.extract.kolada_files import MISSING_MARKERS

VALUE_COLUMNS = ["kpi_id", "municipality_id", "year", "gender", "value", "count"]
GENDERS = {"T", "K", "M"}
MAX_LISTED = 5


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
    more = []
    if len(rows) > 1:
        listed = ", ".join(str(r) for r in rows["row"].iloc[1 : MAX_LISTED + 1])
        extra = len(rows) - 1
        more.append(f"Samma fel på {extra} rad{'er' if extra > 1 else ''} till ({listed}"
                    f"{' …' if extra > MAX_LISTED else ''}).")
    raise InputError(
        problem(first),
        Location(source, sheet=sheet, row=int(first["row"]), column=column),
        hint=hint + " Ingenting har sparats; databasen är oförändrad.",
        more=more,
    )


def kolada_values(
    frame: pd.DataFrame,
    source: str,
    *,
    known_kpis: Collection[str],
    known_municipalities: Collection[str],
    sheet: str | None = None,
    columns: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Check text columns kpi, municipality, period, gender, value (+ row) and convert them.

    Rows whose value is one of Kolada's missing markers are dropped: missing is not zero.
    `columns` maps the internal names to the column names the user sees in the file.
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

    bad = work["kpi"].str.fullmatch(r"[A-Z]\d{5}").eq(False)
    if bad.any():
        _fail(source, work, bad, names["kpi"],
              lambda r: f"«{r['kpi']}» är inget Kolada-id för ett nyckeltal (t.ex. N00640).",
              hint_format, sheet)
    # Excel drops leading zeros of municipality codes; a three-digit code is one of those.
    municipality = work["municipality"].where(
        ~work["municipality"].str.fullmatch(r"\d{3}"), "0" + work["municipality"]
    )
    work["municipality"] = municipality
    bad = ~work["municipality"].isin(set(known_municipalities))
    if bad.any():
        _fail(source, work, bad, names["municipality"],
              lambda r: f"kommunkoden «{r['municipality']}» finns inte i Kolada.",
              "Kommunkoder har fyra siffror, t.ex. 1277 för Åstorp.", sheet)
    bad = ~work["kpi"].isin(set(known_kpis))
    if bad.any():
        _fail(source, work, bad, names["kpi"],
              lambda r: f"nyckeltalet «{r['kpi']}» finns inte i Målbilds katalog.",
              "Hämta katalogen från Kolada med «malbild etl kolada --kpi "
              f"{work.loc[bad, 'kpi'].iloc[0]}» och importera filen igen.", sheet)
    bad = work["period"].str.fullmatch(r"(19|20)\d{2}").eq(False)
    if bad.any():
        _fail(source, work, bad, names["period"],
              lambda r: f"«{r['period']}» är inget årtal.", hint_format, sheet)
    gender = work["gender"].str.upper().replace("", "T")
    bad = ~gender.isin(GENDERS)
    if bad.any():
        _fail(source, work, bad, names["gender"],
              lambda r: f"«{r['gender']}» är inget kön; Kolada använder T (totalt), K och M.",
              hint_format, sheet)
    work["gender"] = gender
    present = ~work["value"].isin(MISSING_MARKERS)
    work = work.loc[present].copy()
    numbers = pd.to_numeric(
        work["value"].str.replace("\u00a0", "").str.replace(" ", "").str.replace(",", "."),
        errors="coerce",
    )
    bad = numbers.isna()
    if bad.any():
        _fail(source, work, bad, names["value"],
              lambda r: f"«{r['value']}» är inget tal.",
              "Tal skrivs med decimalkomma eller decimalpunkt; saknade värden som -, . eller ..",
              sheet, row_column="value_column")
    work["value"] = numbers.astype(float)
    keys = ["kpi", "municipality", "period", "gender"]
    duplicated = work.duplicated(keys, keep="first")
    if duplicated.any():
        conflicting = work.loc[work.duplicated(keys, keep=False)]
        values_differ = conflicting.groupby(keys)["value"].nunique() > 1
        if values_differ.any():
            duplicated = work.duplicated(keys, keep="first") & work.set_index(keys).index.isin(
                values_differ[values_differ].index
            )
            _fail(source, work, duplicated, names["value"],
                  lambda r: f"{r['kpi']} för {r['municipality']} {r['period']} ({r['gender']}) "
                  "står två gånger med olika värden.",
                  "Ta bort den rad som är fel.", sheet, row_column="value_column")
        work = work.loc[~duplicated]
    return pd.DataFrame({
        "kpi_id": work["kpi"].to_numpy(dtype=object),
        "municipality_id": work["municipality"].to_numpy(dtype=object),
        "year": work["period"].astype(int).to_numpy(),
        "gender": work["gender"].to_numpy(dtype=object),
        "value": work["value"].to_numpy(),
        "count": pd.array([None] * len(work), dtype="Int64"),
    })
