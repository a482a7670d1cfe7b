"""Staff survey: validate answers, aggregate per unit and protect small groups.

Respondent rows live only in memory during an import; what is stored is, per year and unit
(enhet → förvaltning → kommun), n, mean (1–5), share answering 4–5 and the distribution 1–5.
Units under the anonymity threshold are not stored, and where one hidden unit could be worked
out by subtracting its siblings from the parent, the smallest sibling is hidden too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.errors import InputError
from etl.extract.survey_files import ANSWER, HeaderMap, SurveyTable

KOMMUN, FORVALTNING, ENHET = "kommun", "förvaltning", "enhet"
LEVELS = (KOMMUN, FORVALTNING, ENHET)
MIN_THRESHOLD = 3


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
        if not self.employees:
            return None
        return 100.0 * self.respondents / self.employees


def find_year(table: SurveyTable, year: int | None) -> int:
    """The survey year: given, or the one year written in the title rows, sheet or file name."""
    if year is not None:
        return year
    years = sorted(set(re.findall(r"(?<!\d)(20\d{2})(?!\d)", table.context_text)))
    if len(years) == 1:
        return int(years[0])
    found = f" (hittade {', '.join(years)})" if years else ""
    raise InputError(
        f"kan inte avgöra vilket år enkäten gäller{found}.",
        table.where(),
        hint="Ange året med --year ÅÅÅÅ (eller välj år i uppladdningen).",
    )


def _unit_names(table: SurveyTable) -> pd.DataFrame:
    rows = table.rows
    has_enhet = "enhet" in rows.columns
    for role in ("forvaltning", "enhet") if has_enhet else ("forvaltning",):
        if role not in rows.columns:
            continue
        empty = rows[role].str.strip().eq("")
        if empty.any():
            first = rows.loc[empty].iloc[0]
            raise InputError(
                f"enheten saknar namn ({'förvaltning' if role == 'forvaltning' else 'enhet'} "
                "är tom).",
                table.where(int(first["row"]), role),
                hint="Fyll i enhetens namn, eller ta bort raden. Ingenting har sparats.",
            )
    if "forvaltning" not in rows.columns:
        # Only an enhet column: every enhet is treated as its own förvaltning.
        rows = rows.assign(forvaltning=rows["enhet"], enhet="")
    elif not has_enhet:
        rows = rows.assign(enhet="")
    return rows.assign(forvaltning=rows["forvaltning"].str.strip(),
                       enhet=rows["enhet"].str.strip())


def respondent_answers(table: SurveyTable, headers: HeaderMap) -> pd.DataFrame:
    """Validated respondent rows: forvaltning, enhet, answer (1–5, NaN = no answer)."""
    rows = _unit_names(table)
    if "respondent" in rows.columns:
        ids = rows["respondent"].str.strip()
        duplicated = ids.ne("") & ids.duplicated(keep="first")
        if duplicated.any():
            first = rows.loc[duplicated].iloc[0]
            earlier = rows.loc[ids.eq(first["respondent"].strip()), "row"].iloc[0]
            raise InputError(
                f"respondent «{first['respondent']}» finns två gånger (även på rad {earlier}).",
                table.where(int(first["row"]), "respondent"),
                hint="Varje respondent ska ha en rad. Exportera på nytt eller ta bort dubbletten.",
            )
    text = rows["answer"].str.strip()
    no_answer = text.str.lower().isin(headers.no_answer)
    parsed = text.str.extract(ANSWER)[0]
    invalid = ~no_answer & parsed.isna()
    if invalid.any():
        first = rows.loc[invalid].iloc[0]
        raise InputError(
            f"svaret «{first['answer']}» ligger utanför skalan 1–5.",
            table.where(int(first["row"]), "answer"),
            hint="Svaren ska vara 1, 2, 3, 4 eller 5; «Vet ej», «Ej svar» och tom cell räknas "
            "som inget svar. Ingenting har sparats.",
        )
    return pd.DataFrame({
        "forvaltning": rows["forvaltning"], "enhet": rows["enhet"],
        "answer": pd.to_numeric(parsed, errors="coerce"),
    })


def _number(table: SurveyTable, rows: pd.DataFrame, role: str, *, whole: bool,
            low: float, high: float | None = None) -> pd.Series:
    text = rows[role].str.strip().str.replace("\u00a0", "").str.replace(" ", "")
    values = pd.to_numeric(text.str.replace(",", "."), errors="coerce")
    bad = text.ne("") & (values.isna() | (values < low) | ((values > high) if high else False)
                         | ((values % 1 != 0) if whole else False))
    if bad.any():
        first = rows.loc[bad].iloc[0]
        rule = f"ett heltal från {low:g}" if whole else f"ett tal {low:g}–{high:g}"
        raise InputError(f"«{first[role]}» är inte {rule}.",
                         table.where(int(first["row"]), role),
                         hint="Rätta cellen och importera igen. Ingenting har sparats.")
    return values


def unit_rows(table: SurveyTable, headers: HeaderMap) -> pd.DataFrame:
    """Validated unit rows: forvaltning, enhet, respondents, employees, mean, answers_1..5."""
    rows = table.rows
    unit_column = "enhet" if "enhet" in rows.columns else "forvaltning"
    totals = rows[unit_column].str.strip().str.lower().isin(headers.total_rows)
    rows = rows.loc[~totals]
    table = SurveyTable(table.source, table.sheet, table.shape, table.question, rows,
                        table.context_text, table.columns)
    rows = _unit_names(table)
    out = pd.DataFrame({"forvaltning": rows["forvaltning"], "enhet": rows["enhet"]})
    counts = None
    if all(c in rows.columns for c in (f"answers_{i}" for i in range(1, 6))):
        counts = pd.concat([_number(table, rows, f"answers_{i}", whole=True, low=0)
                            for i in range(1, 6)], axis=1).fillna(0)
        counts.columns = [f"answers_{i}" for i in range(1, 6)]
        out = out.join(counts.astype(int))
    if "respondents" in rows.columns:
        out["respondents"] = _number(table, rows, "respondents", whole=True, low=0)
    elif counts is not None:
        out["respondents"] = counts.sum(axis=1)
    if "mean" in rows.columns:
        out["mean"] = _number(table, rows, "mean", whole=False, low=1, high=5)
    if "employees" in rows.columns:
        out["employees"] = _number(table, rows, "employees", whole=True, low=0)
    if "respondents" not in out.columns or out["respondents"].isna().any():
        missing = rows.loc[out.get("respondents", pd.Series(np.nan, index=rows.index)).isna()]
        raise InputError("antal svar saknas för enheten.",
                         table.where(int(missing.iloc[0]["row"]), "respondents"),
                         hint="Fyll i antal svar (n) för varje enhet.")
    if counts is not None:
        total = out[[f"answers_{i}" for i in range(1, 6)]].sum(axis=1)
        bad = total != out["respondents"]
        if bad.any():
            first = rows.loc[bad].iloc[0]
            raise InputError(
                f"antal svar ({int(out.loc[bad, 'respondents'].iloc[0])}) är inte summan av "
                f"svaren 1–5 ({int(total[bad].iloc[0])}).",
                table.where(int(first["row"]), "respondents"),
                hint="Rätta antalet eller fördelningen. Ingenting har sparats.")
        out["mean"] = (sum(i * out[f"answers_{i}"] for i in range(1, 6))
                       / out["respondents"].where(out["respondents"] > 0))
    if out["mean"].isna().any() & (out["respondents"] > 0).any():
        bad = out["mean"].isna() & (out["respondents"] > 0)
        if bad.any():
            raise InputError("medelvärde saknas för enheten.",
                             table.where(int(rows.loc[bad].iloc[0]["row"]), "mean"),
                             hint="Fyll i medelvärdet eller fördelningen 1–5.")
    duplicated = out.duplicated(["forvaltning", "enhet"])
    if duplicated.any():
        first = rows.loc[duplicated].iloc[0]
        raise InputError("enheten står två gånger.",
                         table.where(int(first["row"]), unit_column),
                         hint="Slå ihop raderna eller ta bort den ena.")
    return out


def _aggregate_answers(level: str, forvaltning: str, enhet: str, answers: pd.Series
                       ) -> UnitResult:
    given = answers.dropna().astype(int)
    distribution = tuple(int((given == i).sum()) for i in range(1, 6))
    n = len(given)
    return UnitResult(level, forvaltning, enhet, n,
                      float(given.mean()) if n else float("nan"),
                      100.0 * (distribution[3] + distribution[4]) / n if n else None,
                      distribution)


def aggregate_respondents(answers: pd.DataFrame) -> list[UnitResult]:
    """Every unit's aggregate at every level, before any suppression."""
    results = [_aggregate_answers(KOMMUN, "", "", answers["answer"])]
    for forvaltning, group in answers.groupby("forvaltning", sort=True):
        results.append(_aggregate_answers(FORVALTNING, forvaltning, "", group["answer"]))
        for enhet, unit in group.groupby("enhet", sort=True):
            if enhet:
                results.append(_aggregate_answers(ENHET, forvaltning, enhet, unit["answer"]))
    return [r for r in results if r.respondents > 0]


def _combine(level: str, forvaltning: str, enhet: str, rows: pd.DataFrame) -> UnitResult:
    n = int(rows["respondents"].sum())
    has_counts = "answers_1" in rows.columns
    answers = (tuple(int(rows[f"answers_{i}"].sum()) for i in range(1, 6))
               if has_counts else None)
    mean = float((rows["mean"] * rows["respondents"]).sum() / n) if n else float("nan")
    share = 100.0 * (answers[3] + answers[4]) / n if answers and n else None
    employees = (int(rows["employees"].sum()) if "employees" in rows.columns
                 and rows["employees"].notna().all() else None)
    return UnitResult(level, forvaltning, enhet, n, mean, share, answers, employees)


def aggregate_units(units: pd.DataFrame) -> list[UnitResult]:
    """Aggregates from rows per unit: parents are weighted by their units' respondents."""
    results = [_combine(KOMMUN, "", "", units)]
    for forvaltning, group in units.groupby("forvaltning", sort=True):
        results.append(_combine(FORVALTNING, forvaltning, "", group))
        for _, unit in group.iterrows():
            if unit["enhet"]:
                results.append(_combine(ENHET, forvaltning, unit["enhet"], unit.to_frame().T))
    return [r for r in results if r.respondents > 0]


def suppress(results: list[UnitResult], threshold: int) -> tuple[list[UnitResult], set]:
    """The units that may be shown, and the keys of those hidden.

    1. A unit with fewer respondents than `threshold` is hidden.
    2. Where a shown parent has exactly one hidden child, or hidden children with fewer than
       `threshold` respondents together, they could be worked out by subtracting the shown
       siblings from the parent, so the smallest shown sibling is hidden too (or the parent,
       when no sibling is shown).
    3. The enheter of a hidden förvaltning are hidden, so their sum cannot reveal it.
    Repeated until nothing changes.
    """
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"anonymitetsgränsen får inte vara lägre än {MIN_THRESHOLD}")
    by_key = {r.key: r for r in results}
    children: dict[tuple, list[UnitResult]] = {}
    for result in results:
        if result.parent_key:
            children.setdefault(result.parent_key, []).append(result)
    hidden = {r.key for r in results if r.respondents < threshold}
    changed = True
    while changed:
        changed = False
        for parent_key, kids in children.items():
            if parent_key in hidden:
                for kid in kids:
                    if kid.key not in hidden and kid.level == ENHET:
                        hidden.add(kid.key)
                        changed = True
                continue
            hidden_kids = [k for k in kids if k.key in hidden]
            shown_kids = [k for k in kids if k.key not in hidden]
            hidden_sum = sum(k.respondents for k in hidden_kids)
            revealing = len(hidden_kids) == 1 or 0 < hidden_sum < threshold
            if revealing and shown_kids:
                smallest = min(shown_kids, key=lambda k: (k.respondents, k.key))
                hidden.add(smallest.key)
                changed = True
            elif revealing and parent_key in by_key:
                # Parent minus nothing: the parent would show its hidden children's answers.
                hidden.add(parent_key)
                changed = True
    return [r for r in results if r.key not in hidden], hidden
