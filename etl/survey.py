"""Staff survey: validate answers, aggregate per unit and protect small groups.

Respondent rows live only in memory during an import; what is stored is, per year and unit
(enhet → förvaltning → kommun), n, mean (1–5), share answering 4–5, the distribution 1–5 and
the number of employees (for the response rate) when the file gives it.

Both shapes of file are reduced to the same thing first: per smallest unit, the number of
answers, their sum and (when known) the count of each answer. Parents are sums of their units,
so a hidden unit's answers still count in its förvaltning and the kommun.

Units under the anonymity threshold are not stored, and where a hidden unit could be worked out
by subtracting the shown units from their parent, the smallest shown sibling is hidden too
(`suppress`); across the versions of a year (corrected re-imports) every shown cell is audited
as an equation, so that no unit never shown can be worked out (`etl.survey_audit`). The same
function runs again on stored aggregates when they are read, so raising the threshold later
never shows a group that the old threshold let through.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from etl import numbers, survey_audit
from etl.errors import InputError, more_rows
from etl.extract.survey_files import ANSWER, HeaderMap, SurveyTable
from etl.survey_audit import ENHET, FORVALTNING, KOMMUN

LEVELS = (KOMMUN, FORVALTNING, ENHET)
MIN_THRESHOLD = 3
FIRST_YEAR, LAST_YEAR = 1990, 2100
MEAN_TOLERANCE = 0.05  # a mean written with one decimal may be 0,05 off the exact one
MAX_LISTED = 5
NOTHING_SAVED = " Ingenting har sparats; databasen är oförändrad."
COUNT_COLUMNS = tuple(f"answers_{i}" for i in range(1, 6))


@dataclass(frozen=True)
class UnitResult:
    """The aggregate of one unit; `forvaltning`/`enhet` are empty above their level."""

    level: str
    forvaltning: str
    enhet: str
    respondents: int
    mean: float
    share_positive: float | None
    answers: tuple[int, int, int, int, int] | None
    employees: int | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.level, self.forvaltning, self.enhet)

    @property
    def parent_key(self) -> tuple[str, str, str] | None:
        if self.level == ENHET:
            return (FORVALTNING, self.forvaltning, "")
        if self.level == FORVALTNING:
            return (KOMMUN, "", "")
        return None

    @property
    def response_rate(self) -> float | None:
        """Share of the employees who answered the question (%), when employees are known."""
        if not self.employees:
            return None
        return 100.0 * self.respondents / self.employees


# --- Errors -------------------------------------------------------------------------------------


def _fail(table: SurveyTable, rows: pd.DataFrame, bad: pd.Series, role: str | None,
          problem: Callable[[pd.Series], str], hint: str) -> None:
    """Raise an InputError for the first bad row, saying how many more rows have the problem."""
    wrong = rows.loc[bad]
    first = wrong.iloc[0]
    raise InputError(problem(first), table.where(int(first["row"]), role),
                     hint=hint + NOTHING_SAVED, more=more_rows(list(wrong["row"]), MAX_LISTED))


def find_year(table: SurveyTable, year: int | None) -> int:
    """The survey year: given, or the one year written in the title rows, sheet or file name."""
    if year is not None:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise InputError(f"året {year} är inget rimligt enkätår.", table.where(),
                             hint="Ange året med fyra siffror, t.ex. --year 2025.")
        return year
    years = sorted(set(re.findall(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])", table.context_text)))
    if len(years) == 1:
        return int(years[0])
    found = f" (hittade {', '.join(years)})" if years else ""
    raise InputError(
        f"kan inte avgöra vilket år enkäten gäller{found}.",
        table.where(),
        hint="Ange året med --year ÅÅÅÅ (eller välj år i uppladdningen).",
    )


# --- Reading the cells --------------------------------------------------------------------------


def _decimal(value: float) -> str:
    """3.2 → "3,20" (for messages)."""
    return numbers.number(value, 2)


def clean_name(name: str) -> str:
    """A unit name with its spaces tidied ("Plan  och bygg " → "Plan och bygg")."""
    return " ".join(name.split())


def _number(table: SurveyTable, rows: pd.DataFrame, role: str, *, whole: bool,
            low: float, high: float | None = None) -> pd.Series:
    text = rows[role].str.replace("\u00a0", "").str.replace(" ", "")
    values = numbers.parse_column(text, per_cent=True)
    bad = text.ne("") & (values.isna() | (values < low) | ((values > high) if high else False)
                         | ((values % 1 != 0) if whole else False))
    if bad.any():
        rule = f"ett heltal från {low:g} och uppåt" if whole else f"ett tal {low:g}–{high:g}"
        masked = text[bad].str.contains(r"[<*]|^[-–.]+$", regex=True).any()
        hint = ("Enkätverktyget verkar ha dolt små grupper. Exportera utan döljning: Målbild "
                "döljer själv grupper under anonymitetsgränsen." if masked else
                "Rätta cellen och importera igen.")
        _fail(table, rows, bad, role, lambda r: f"«{r[role]}» är inte {rule}.", hint)
    return values


def _unit_columns(rows: pd.DataFrame) -> pd.DataFrame:
    """forvaltning and enhet, tidied; with only an enhet column, those are the förvaltningar."""
    if "forvaltning" not in rows.columns:
        rows = rows.assign(forvaltning=rows["enhet"], enhet="")
    elif "enhet" not in rows.columns:
        rows = rows.assign(enhet="")
    return rows.assign(forvaltning=rows["forvaltning"].map(clean_name),
                       enhet=rows["enhet"].map(clean_name))


def _check_names(table: SurveyTable, rows: pd.DataFrame) -> None:
    roles = [r for r in ("forvaltning", "enhet") if r in table.rows.columns]
    for role in roles:
        label = "förvaltning" if role == "forvaltning" else "enhet"
        bad = rows[role].eq("")
        if bad.any():
            _fail(table, rows, bad, role,
                  lambda r, label=label: f"enheten saknar namn ({label} är tom).",
                  "Fyll i enhetens namn på raden, eller ta bort raden.")


def respondent_answers(table: SurveyTable, headers: HeaderMap) -> pd.DataFrame:
    """Validated respondent rows: forvaltning, enhet, answer (1–5, NaN = no answer)."""
    rows = table.rows
    if "respondent" in rows.columns:
        ids = rows["respondent"]
        duplicated = ids.ne("") & ids.duplicated(keep="first")
        if duplicated.any():
            first_rows = rows.groupby("respondent")["row"].first()
            _fail(table, rows, duplicated, "respondent",
                  lambda r: f"respondent «{r['respondent']}» finns två gånger (även på rad "
                  f"{first_rows[r['respondent']]}).",
                  "Varje respondent ska ha en rad. Exportera på nytt eller ta bort dubbletten.")
    _check_names(table, rows)
    text = rows["answer"]
    no_answer = text.str.lower().isin(headers.no_answer)
    parsed = text.str.extract(ANSWER)[0]
    invalid = ~no_answer & parsed.isna()
    if invalid.any():
        _fail(table, rows, invalid, "answer",
              lambda r: f"svaret «{r['answer']}» ligger utanför skalan 1–5.",
              "Svaren ska vara 1, 2, 3, 4 eller 5; «Vet ej», «Ej svar» och tom cell räknas som "
              "inget svar.")
    units = _unit_columns(rows)
    return pd.DataFrame({
        "forvaltning": units["forvaltning"], "enhet": units["enhet"],
        "answer": pd.to_numeric(parsed.where(~no_answer), errors="coerce"),
    })


def units_from_answers(answers: pd.DataFrame) -> pd.DataFrame:
    """Per smallest unit: n (answers 1–5 given), their sum and the count of each answer."""
    given = answers.dropna(subset=["answer"]).astype({"answer": int})
    counts = (given.groupby(["forvaltning", "enhet", "answer"]).size()
              .unstack("answer", fill_value=0)
              .reindex(columns=range(1, 6), fill_value=0))
    counts.columns = list(COUNT_COLUMNS)
    every_unit = answers[["forvaltning", "enhet"]].drop_duplicates()
    frame = every_unit.merge(counts.reset_index(), on=["forvaltning", "enhet"], how="left")
    frame[list(COUNT_COLUMNS)] = frame[list(COUNT_COLUMNS)].fillna(0).astype(int)
    frame["respondents"] = frame[list(COUNT_COLUMNS)].sum(axis=1)
    frame["total"] = sum(i * frame[f"answers_{i}"] for i in range(1, 6))
    return frame.reset_index(drop=True)


# --- Rows per unit ------------------------------------------------------------------------------


@dataclass
class _UnitFile:
    """Validated unit rows, the file's own total rows, and employees where the file gives them."""

    units: pd.DataFrame  # forvaltning, enhet, row, respondents, total, answers_1..5?, employees?
    totals: pd.DataFrame  # forvaltning ("" = kommun), row, respondents, mean?
    employees: pd.DataFrame | None  # forvaltning, enhet ("" = a total), employees, row


def _unit_counts(table: SurveyTable, rows: pd.DataFrame, values: pd.DataFrame,
                 countable: pd.Series) -> None:
    """Fill respondents and total (sum of answers) from the counts 1–5, checking n and mean."""
    for column in COUNT_COLUMNS:
        values[column] = _number(table, rows, column, whole=True, low=0).fillna(0)
    answered = values[list(COUNT_COLUMNS)].sum(axis=1)
    no_answer = (_number(table, rows, "no_answer_count", whole=True, low=0).fillna(0)
                 if "no_answer_count" in rows.columns else 0)
    if "respondents" in values.columns:
        given = values["respondents"]
        bad = given.notna() & given.ne(answered) & given.ne(answered + no_answer)
        if bad.any():
            _fail(table, rows.assign(_n=given, _sum=answered), bad, "respondents",
                  lambda r: f"antal svar ({int(r['_n'])}) är inte summan av svaren 1–5 "
                  f"({int(r['_sum'])}).",
                  "Rätta antalet eller fördelningen. Räknas «Vet ej» in i antalet, lägg till en "
                  "kolumn «Vet ej» med de svaren.")
    values["respondents"] = answered
    values["total"] = sum(i * values[f"answers_{i}"] for i in range(1, 6))
    if "mean" in values.columns:
        exact = values["total"] / answered.where(answered > 0)
        bad = countable & values["mean"].notna() & exact.notna() & (
            (values["mean"] - exact).abs() > MEAN_TOLERANCE + 1e-9)
        if bad.any():
            _fail(table, rows.assign(_exact=exact, _mean=values["mean"]), bad, "mean",
                  lambda r: f"medelvärdet {_decimal(r['_mean'])} stämmer inte med fördelningen "
                  f"1–5, som ger {_decimal(r['_exact'])}.",
                  "Rätta medelvärdet eller fördelningen.")


def _read_unit_file(table: SurveyTable, headers: HeaderMap) -> _UnitFile:
    rows = table.rows
    numbers = [c for c in (*COUNT_COLUMNS, "respondents", "mean", "employees", "no_answer_count")
               if c in rows.columns]
    # A row with a name but no numbers at all is a note or a heading, not a unit.
    rows = rows.loc[rows[numbers].ne("").any(axis=1)]
    named = _unit_columns(rows)
    forvaltning_total = named["forvaltning"].map(headers.is_total)
    enhet_total = named["enhet"].map(headers.is_total)
    kommun_total = forvaltning_total | (enhet_total & named["forvaltning"].eq(""))
    named_total = enhet_total & ~kommun_total  # "Förvaltning X | Totalt"
    with_enheter = set(named.loc[named["enhet"].ne("") & ~enhet_total, "forvaltning"])
    # "Förvaltning X" with no enhet, in a file where X has enheter, is X's own total row.
    subtotal = (~kommun_total & named["enhet"].eq("")
                & named["forvaltning"].isin(with_enheter))
    is_total = kommun_total | named_total | subtotal
    if "forvaltning" in rows.columns and "enhet" in rows.columns:
        bad = ~is_total & named["forvaltning"].eq("") & named["enhet"].ne("")
        if bad.any():
            _fail(table, rows.assign(_enhet=named["enhet"]), bad, "forvaltning",
                  lambda r: f"enheten «{r['_enhet']}» saknar förvaltning.",
                  "Fyll i förvaltningen på varje rad (i sammanställningar står den ibland bara "
                  "på gruppens första rad).")
    bad = ~is_total & named["forvaltning"].eq("")
    if bad.any():
        _fail(table, rows, bad, "enhet" if "enhet" in rows.columns else "forvaltning",
              lambda r: "enheten saknar namn (enhetskolumnen är tom).",
              "Fyll i enhetens namn på raden, eller ta bort raden.")

    values = pd.DataFrame({"forvaltning": named["forvaltning"].where(~kommun_total, ""),
                           "enhet": named["enhet"].where(~is_total, ""), "row": rows["row"]},
                          index=rows.index)
    for role, whole, low, high in (("respondents", True, 0, None), ("mean", False, 1, 5),
                                   ("employees", True, 0, None)):
        if role in rows.columns:
            values[role] = _number(table, rows, role, whole=whole, low=low, high=high)
    if all(c in rows.columns for c in COUNT_COLUMNS):
        _unit_counts(table, rows, values, ~is_total)
    else:
        if "respondents" not in values.columns:
            values["respondents"] = float("nan")
        missing = values["respondents"].isna() & ~is_total
        if missing.any():
            _fail(table, rows, missing, "respondents", lambda r: "antal svar saknas för enheten.",
                  "Fyll i antal svar (n) för varje enhet.")
        bad = values["mean"].isna() & values["respondents"].gt(0) & ~is_total
        if bad.any():
            _fail(table, rows, bad, "mean", lambda r: "medelvärde saknas för enheten.",
                  "Fyll i medelvärdet eller fördelningen 1–5.")
        values["total"] = values["mean"].fillna(0) * values["respondents"].fillna(0)
    if "employees" in values.columns:
        bad = values["employees"].notna() & (values["respondents"] > values["employees"])
        if bad.any():
            _fail(table, rows.assign(_n=values["respondents"], _e=values["employees"]), bad,
                  "employees",
                  lambda r: f"enheten har fler svarande ({int(r['_n'])}) än anställda "
                  f"({int(r['_e'])}).",
                  "Rätta antalet anställda eller antalet svar.")

    units = values.loc[~is_total]
    duplicated = units.duplicated(["forvaltning", "enhet"])
    if duplicated.any():
        role = "enhet" if units.loc[duplicated, "enhet"].iloc[0] else "forvaltning"
        _fail(table, units, duplicated, role,
              lambda r: f"enheten «{r['enhet'] or r['forvaltning']}» står två gånger.",
              "Slå ihop raderna eller ta bort den ena.")
    units = units.astype({"respondents": int}).reset_index(drop=True)
    totals = values.loc[is_total].reset_index(drop=True)
    _check_totals(table, units, totals)
    employees = None
    if "employees" in values.columns:
        employees = (values.dropna(subset=["employees"])
                     [["forvaltning", "enhet", "employees", "row"]]
                     .astype({"employees": int}).reset_index(drop=True))
    return _UnitFile(units, totals, employees)


def _check_totals(table: SurveyTable, units: pd.DataFrame, totals: pd.DataFrame) -> None:
    """A total row in the file must agree with its units (else units are missing or wrong)."""
    for total in totals.itertuples():
        part = units if total.forvaltning == "" else units.loc[
            units["forvaltning"] == total.forvaltning]
        who = "kommunen" if total.forvaltning == "" else f"«{total.forvaltning}»"
        if part.empty:
            raise InputError(f"summaraden för {who} har inga enheter under sig.",
                             table.where(int(total.row)),
                             hint="Ta bort summaraden eller lägg till enheterna." + NOTHING_SAVED)
        n = int(part["respondents"].sum())
        if not pd.isna(total.respondents) and int(total.respondents) != n:
            raise InputError(
                f"summaraden för {who} har {int(total.respondents)} svarande, men enheterna "
                f"under den har tillsammans {n}.",
                table.where(int(total.row), "respondents"),
                hint="Filen verkar sakna enheter, t.ex. små grupper som enkätverktyget dolt. "
                "Exportera utan döljning (Målbild döljer själv små grupper) eller ta bort "
                "summaraden." + NOTHING_SAVED)
        mean = getattr(total, "mean", float("nan"))
        if n and not pd.isna(mean) and abs(mean - part["total"].sum() / n) > MEAN_TOLERANCE:
            exact = part["total"].sum() / n
            raise InputError(
                f"summaradens medelvärde för {who} ({_decimal(mean)}) stämmer inte med "
                f"enheternas ({_decimal(exact)}).",
                table.where(int(total.row), "mean"),
                hint="Kontrollera summaraden och enheterna." + NOTHING_SAVED)


# --- Employees (for the response rate) ----------------------------------------------------------


def employee_rows(table: SurveyTable, headers: HeaderMap) -> pd.DataFrame:
    """Validated employees per unit: forvaltning ("" = kommun), enhet ("" = whole förvaltning),
    employees, row."""
    rows = table.rows.loc[table.rows["employees"].ne("")]
    named = _unit_columns(rows)
    employees = _number(table, rows, "employees", whole=True, low=0)
    frame = pd.DataFrame({"forvaltning": named["forvaltning"], "enhet": named["enhet"],
                          "employees": employees, "row": rows["row"]})
    kommun = frame["forvaltning"].map(headers.is_total)
    frame.loc[kommun, ["forvaltning", "enhet"]] = ""
    frame.loc[frame["enhet"].map(headers.is_total), "enhet"] = ""
    bad = frame["forvaltning"].eq("") & ~kommun
    if bad.any():
        _fail(table, frame, bad, "forvaltning" if "forvaltning" in table.rows.columns
              else "enhet", lambda r: "enheten saknar namn.",
              "Fyll i enhetens namn på raden, eller ta bort raden.")
    duplicated = frame.duplicated(["forvaltning", "enhet"])
    if duplicated.any():
        _fail(table, frame, duplicated, "enhet" if "enhet" in table.rows.columns
              else "forvaltning",
              lambda r: f"«{r['enhet'] or r['forvaltning'] or 'kommunen'}» står två gånger.",
              "Ta bort den ena raden.")
    return frame.astype({"employees": int}).reset_index(drop=True)


def _employees_by_key(units: pd.DataFrame, employees: pd.DataFrame | None
                      ) -> dict[tuple[str, str, str], int]:
    """Employees per unit key at every level, summed upwards where the file gives no total.

    A parent gets a number only if every unit under it with answers has one; otherwise the
    response rate would look higher than it is.
    """
    if employees is None or employees.empty:
        return {}
    given = {(r.forvaltning, r.enhet): int(r.employees) for r in employees.itertuples()}
    result: dict[tuple[str, str, str], int] = {}
    answered = units.loc[units["respondents"] > 0]
    for (forvaltning, enhet), number in given.items():
        if forvaltning and enhet:
            result[(ENHET, forvaltning, enhet)] = number
    forvaltningar = sorted(set(answered["forvaltning"]) | {f for f, _ in given if f})
    complete = True
    for forvaltning in forvaltningar:
        if (forvaltning, "") in given:
            result[(FORVALTNING, forvaltning, "")] = given[(forvaltning, "")]
            continue
        enheter = answered.loc[answered["forvaltning"] == forvaltning, "enhet"]
        listed = [n for (f, e), n in given.items() if f == forvaltning and e]
        if listed and all((ENHET, forvaltning, e) in result for e in enheter if e):
            result[(FORVALTNING, forvaltning, "")] = sum(listed)
        elif forvaltning in set(answered["forvaltning"]):
            complete = False
    if ("", "") in given:
        result[(KOMMUN, "", "")] = given[("", "")]
    elif complete and forvaltningar:
        result[(KOMMUN, "", "")] = sum(result.get((FORVALTNING, f, ""), 0)
                                       for f in forvaltningar)
    return result


def _check_response_rates(table: SurveyTable, results: Iterable[UnitResult],
                          employees: pd.DataFrame) -> None:
    for result in results:
        if result.employees is not None and result.respondents > result.employees:
            name = result.enhet or result.forvaltning or "kommunen"
            match = employees.loc[(employees["forvaltning"] == result.forvaltning)
                                  & (employees["enhet"] == result.enhet)]
            row = int(match["row"].iloc[0]) if len(match) else None
            raise InputError(
                f"«{name}» har fler svarande ({result.respondents}) än anställda "
                f"({result.employees}).",
                table.where(row, "employees"),
                hint="Kontrollera antalet anställda per enhet." + NOTHING_SAVED)


# --- Aggregation --------------------------------------------------------------------------------


def _result(level: str, forvaltning: str, enhet: str, part: pd.DataFrame,
            employees: dict) -> UnitResult:
    n = int(part["respondents"].sum())
    has_counts = all(c in part.columns for c in COUNT_COLUMNS)
    answers = tuple(int(part[c].sum()) for c in COUNT_COLUMNS) if has_counts else None
    mean = float(part["total"].sum()) / n if n else float("nan")
    share = 100.0 * (answers[3] + answers[4]) / n if answers and n else None
    return UnitResult(level, forvaltning, enhet, n, mean, share, answers,
                      employees.get((level, forvaltning, enhet)))


def aggregate(units: pd.DataFrame, employees: pd.DataFrame | None = None) -> list[UnitResult]:
    """Every unit's aggregate at every level, before any suppression.

    `units`: per smallest unit forvaltning, enhet ("" when the förvaltning is the unit),
    respondents, total (the sum of the answers) and, when known, answers_1..5.
    """
    by_key = _employees_by_key(units, employees)
    results = [_result(KOMMUN, "", "", units, by_key)]
    for forvaltning, group in units.groupby("forvaltning", sort=True):
        results.append(_result(FORVALTNING, forvaltning, "", group, by_key))
        for enhet, unit in group.groupby("enhet", sort=True):
            if enhet:
                results.append(_result(ENHET, forvaltning, enhet, unit, by_key))
    return [r for r in results if r.respondents > 0]


def aggregate_respondents(answers: pd.DataFrame,
                          employees: pd.DataFrame | None = None) -> list[UnitResult]:
    """Aggregates from respondent rows (forvaltning, enhet, answer 1–5 or NaN)."""
    return aggregate(units_from_answers(answers), employees)


def aggregate_table(table: SurveyTable, headers: HeaderMap,
                    employees: SurveyTable | None = None) -> list[UnitResult]:
    """Validate and aggregate a survey table of either shape, with employees if given."""
    staff = employee_rows(employees, headers) if employees is not None else None
    if table.shape == "respondent":
        units = units_from_answers(respondent_answers(table, headers))
    else:
        unit_file = _read_unit_file(table, headers)
        units = unit_file.units
        staff = staff if staff is not None else unit_file.employees
    results = aggregate(units, staff)
    if not any(r.level == KOMMUN for r in results):
        raise InputError(
            "filen har inga svar 1–5 på frågan"
            + (f" «{table.question}»" if table.question else "") + ".",
            table.where(table.header_row + 1, "answer" if table.shape == "respondent"
                        else "respondents"),
            hint="Kontrollera att det är rätt fil och rätt fråga (formler utan sparade värden "
            "läses som tomma celler)." + NOTHING_SAVED)
    if staff is not None:
        _check_response_rates(employees if employees is not None else table, results, staff)
    return results


# --- Anonymity ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownVersion:
    """What one stored version of a survey year showed: the respondents (n) of every unit that
    was shown, and the names of those that were hidden (never their figures). `run_id` is the
    import run that stored it."""

    shown: dict[tuple[str, str, str], int]
    hidden: frozenset[tuple[str, str, str]] = frozenset()
    run_id: int | None = None

    @property
    def keys(self) -> set[tuple[str, str, str]]:
        return set(self.shown) | set(self.hidden)


def _small_change(difference: int, threshold: int) -> bool:
    return 0 < abs(difference) < threshold


def suppress(results: list[UnitResult], threshold: int, history: Iterable[ShownVersion] = (),
             *, rereading: ShownVersion | None = None) -> tuple[list[UnitResult], set]:
    """The units that may be shown, and the keys of those hidden.

    1. A unit with fewer respondents than `threshold` is hidden.
    2. Where a shown parent's hidden part could be worked out by subtracting the shown children
       from it — exactly one hidden child, or hidden children with fewer than `threshold`
       respondents together — the smallest shown sibling is hidden too (or the parent, when
       no sibling is shown).
    3. The children of a hidden (or missing) parent are hidden, so they cannot add up to it.

    `history` holds the versions of the same year that have been shown before (a corrected
    re-import replaces a year, but what was shown may have been kept by anyone), so:

    4. A unit hidden in any shown version stays hidden, also when it has moved to another
       förvaltning (a smallest unit is known by its name within the year).
    5. A unit shown now and before may not differ in respondents by fewer than `threshold`
       (the difference would be a small group); it is hidden instead.
    6. A parent's hidden part (the parent minus its shown children) may not differ from the
       same parent's hidden part in a shown version by fewer than `threshold` respondents
       either, counting a child shown then and hidden now as known: more shown children that
       change the difference are hidden, else the parent.
    7. Every cell shown in any version and every cell to be shown now, taken together as
       equations, may not determine a smallest unit that has never been shown
       (`survey_audit`); while they do, one more cell is hidden (the smallest that helps).
    Repeated until nothing changes. When the kommun itself ends up hidden, nothing of the
    year can be shown (an import refuses such a file).

    `rereading` is the stored version that `results` come from, when stored aggregates are
    read again: its hidden names complete the units, and rule 7 weighs what it would show now
    (not what it showed) against the other versions.

    Respondents of a parent that none of its listed children hold (units left out when the
    aggregates were stored) count as a hidden group of at least two units: this is what lets
    the same rules run again on stored aggregates with a higher threshold.
    """
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"anonymitetsgränsen får inte vara lägre än {MIN_THRESHOLD}")
    history = list(history)
    by_key = {r.key: r for r in results}
    audit = _Audit(by_key, [v for v in history if v is not rereading],
                   rereading.hidden if rereading else frozenset(), history)
    hidden = {r.key for r in results if r.respondents < threshold}
    hidden |= {key for version in history for key in version.hidden if key in by_key}
    hidden |= {key for key in audit.current_leaves if audit.identity(key) in audit.hidden_before}
    for version in history:
        for key, before in version.shown.items():
            if key in by_key and _small_change(by_key[key].respondents - before, threshold):
                hidden.add(key)
    for key in audit.current_leaves & set(by_key):
        if any(_small_change(by_key[key].respondents - before, threshold)
               for before in audit.shown_before.get(audit.identity(key), ())):
            hidden.add(key)
    while True:
        _complementary(by_key, hidden, history, threshold)
        more = audit.next_to_hide(hidden)
        if more is None:
            break
        hidden.add(more)
    return [r for r in results if r.key not in hidden], hidden


def _complementary(by_key: dict, hidden: set, history: list[ShownVersion],
                   threshold: int) -> None:
    """Rules 2, 3 and 6, until nothing changes."""
    children: dict[tuple, list[UnitResult]] = {}
    for result in by_key.values():
        if result.parent_key:
            children.setdefault(result.parent_key, []).append(result)
    left_out = {key: by_key[key].respondents - sum(k.respondents for k in kids)
                for key, kids in children.items() if key in by_key}
    changed = True
    while changed:
        changed = False
        for parent_key, kids in children.items():
            shown = [k for k in kids if k.key not in hidden]
            if parent_key in hidden or parent_key not in by_key:
                hidden.update(k.key for k in shown)
                changed = changed or bool(shown)
                continue
            rest = max(left_out.get(parent_key, 0), 0)
            hidden_kids = [k for k in kids if k.key in hidden]
            hidden_n = sum(k.respondents for k in hidden_kids) + rest
            hidden_units = len(hidden_kids) + (2 if rest else 0)
            if hidden_units == 1 or 0 < hidden_n < threshold:
                _hide_one_more(parent_key, shown, hidden)
                changed = True
                continue
            for version in history:
                helpful = _fix_version_difference(by_key[parent_key], kids, hidden, version,
                                                  threshold)
                if helpful is not None:
                    _hide_one_more(parent_key, helpful, hidden)
                    changed = True
                    break


class _Audit:
    """Rule 7: the cells of the earlier versions as equations, and what the new cells add."""

    def __init__(self, by_key: dict, earlier: list[ShownVersion], also_hidden: frozenset,
                 history: list[ShownVersion]) -> None:
        self.by_key = by_key
        self.also_hidden = set(also_hidden) - set(by_key)  # names of units not in `by_key`
        current_keys = set(by_key) | self.also_hidden
        self.ambiguous = survey_audit.ambiguous_names([*(v.keys for v in history),
                                                       current_keys])
        self.current_leaves = survey_audit.leaves(current_keys)
        self.earlier_cells = [cell for number, version in enumerate(earlier)
                              for cell in survey_audit.coverage(
                                  version.shown, version.hidden, self.ambiguous,
                                  version.run_id or number).values()]
        self.shown_before: dict[str, list[int]] = {}
        self.hidden_before: set[str] = set()
        units: set[str] = {self.identity(k) for k in self.current_leaves}
        for version in history:
            for key in survey_audit.leaves(version.keys):
                units.add(self.identity(key))
                if key in version.shown:
                    self.shown_before.setdefault(self.identity(key), []).append(
                        version.shown[key])
                else:
                    self.hidden_before.add(self.identity(key))
        shown_earlier = {self.identity(k) for v in earlier
                         for k in survey_audit.leaves(v.keys) if k in v.shown}
        # What earlier versions gave away alone (only possible in data stored before this
        # rule) cannot be taken back by hiding anything now.
        given_away = survey_audit.determined(self.earlier_cells)
        self.never_shown = units - shown_earlier - given_away

    def identity(self, key: tuple[str, str, str]) -> str:
        return survey_audit.identity(key, self.ambiguous)

    def next_to_hide(self, hidden: set) -> tuple[str, str, str] | None:
        """None when the cells shown now give away no never-shown unit; else the cell to hide
        next: the smallest one whose hiding helps, or the kommun when nothing can help."""
        shown = {k: r.respondents for k, r in self.by_key.items() if k not in hidden}
        cells = survey_audit.coverage(shown, (set(self.by_key) - set(shown)) | self.also_hidden,
                                      self.ambiguous, "ny")
        targets = self.never_shown - {self.identity(k) for k in self.current_leaves
                                      if k in shown}
        revealed = self._revealed(cells.values(), targets)
        if not revealed:
            return None
        kommun = (KOMMUN, "", "")
        if kommun not in cells or self._revealed([cells[kommun]], targets):
            return kommun
        candidates = sorted((k for k in cells if k != kommun), key=lambda k: (shown[k], k))
        for key in candidates:
            if len(self._revealed([c for k, c in cells.items() if k != key], targets)) \
                    < len(revealed):
                return key
        return candidates[0]

    def _revealed(self, cells: Iterable[frozenset], targets: set[str]) -> set[str]:
        return survey_audit.determined([*self.earlier_cells, *cells]) & targets


def _hide_one_more(parent_key: tuple, candidates: list[UnitResult], hidden: set) -> None:
    """Hide the smallest candidate sibling, or the parent when there is none."""
    if candidates:
        hidden.add(min(candidates, key=lambda k: (k.respondents, k.key)).key)
    else:
        # Parent minus nothing: the parent would show its hidden children's answers.
        hidden.add(parent_key)


def _fix_version_difference(parent: UnitResult, kids: list[UnitResult], hidden: set,
                            version: ShownVersion, threshold: int) -> list[UnitResult] | None:
    """None when the parent's hidden part changes safely against `version`; else the shown
    children whose hiding would change the difference (empty: only hiding the parent helps)."""
    if parent.key not in version.shown:
        return None
    kids_then = [(key, n) for key, n in version.shown.items() if key != parent.key
                 and _parent_of(key) == parent.key]
    hidden_then = version.shown[parent.key] - sum(n for _, n in kids_then)
    shown_now = [k for k in kids if k.key not in hidden]
    hidden_now = parent.respondents - sum(k.respondents for k in shown_now)
    # A child shown then and hidden now is known from then: assume it did not change.
    known = sum(n for key, n in kids_then if key in hidden)
    difference = hidden_now - hidden_then - known
    if not _small_change(difference, threshold):
        return None
    return [k for k in shown_now if k.respondents != version.shown.get(k.key, 0)]


def _parent_of(key: tuple[str, str, str]) -> tuple[str, str, str] | None:
    level, forvaltning, _ = key
    if level == ENHET:
        return (FORVALTNING, forvaltning, "")
    if level == FORVALTNING:
        return (KOMMUN, "", "")
    return None
