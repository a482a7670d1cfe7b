"""Which versions of a survey year have been shown, and what may be shown now.

Every stored import of a survey year is a version that someone may have seen and kept. Its
shown units and their n are recorded (`survey_shown_unit`), and the names of the units it hid
(never their figures): from the names, which cells add up which smallest units follows, so the
cells of all versions can be audited together as equations (`etl.survey_audit`). Suppression
at import and when reading then runs over all of them (`etl.survey.suppress`), so that a
corrected re-import that adds, drops or moves units never lets a subtraction between versions
reveal a unit that has never been shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import Connection, insert, select

from etl import schema, survey

Key = tuple[str, str, str]


def versions(connection: Connection, measure_id: str, years: Iterable[int] | None = None
             ) -> dict[int, list[survey.ShownVersion]]:
    """The shown versions of each survey year, oldest first."""
    t = schema.SurveyShownUnit
    query = select(t.year, t.import_run_id, t.level, t.forvaltning, t.enhet, t.respondents) \
        .where(t.measure_id == measure_id).order_by(t.year, t.import_run_id)
    if years is not None:
        query = query.where(t.year.in_(sorted(set(years))))
    runs: dict[tuple[int, int], tuple[dict, set]] = {}
    for row in connection.execute(query):
        shown, hidden = runs.setdefault((row.year, row.import_run_id), ({}, set()))
        key = (row.level, row.forvaltning, row.enhet)
        if row.respondents is None:
            hidden.add(key)
        else:
            shown[key] = int(row.respondents)
    result: dict[int, list[survey.ShownVersion]] = {}
    for (year, run), (shown, hidden) in sorted(runs.items()):
        result.setdefault(year, []).append(survey.ShownVersion(shown, frozenset(hidden), run))
    return result


def record(connection: Connection, measure_id: str, year: int, run_id: int,
           visible: Iterable[survey.UnitResult], hidden: Iterable[Key]) -> None:
    """Record what an import shows: n of each shown unit, only the names of hidden ones."""
    rows = [{"level": r.level, "forvaltning": r.forvaltning, "enhet": r.enhet,
             "respondents": r.respondents} for r in visible]
    rows += [{"level": level, "forvaltning": forvaltning, "enhet": enhet, "respondents": None}
             for level, forvaltning, enhet in sorted(hidden)]
    if rows:
        connection.execute(insert(schema.SurveyShownUnit), [
            {**row, "measure_id": measure_id, "year": year, "import_run_id": run_id}
            for row in rows])


def stored_units(rows: Iterable[Mapping]) -> list[survey.UnitResult]:
    """Stored survey rows (mappings with level, forvaltning, enhet, respondents, mean) as units."""
    return [survey.UnitResult(r["level"], r["forvaltning"], r["enhet"], int(r["respondents"]),
                              float(r["mean"]), None, None) for r in rows]


def showable_keys(rows: Iterable[Mapping], threshold: int,
                  history: Iterable[survey.ShownVersion]) -> set[Key]:
    """The keys among one year's stored rows (of one import run) that may be shown now."""
    rows = list(rows)
    history = list(history)
    runs = {r.get("import_run_id") for r in rows}
    rereading = next((v for v in history if v.run_id is not None and v.run_id in runs), None)
    visible, _ = survey.suppress(stored_units(rows), threshold, history, rereading=rereading)
    return {u.key for u in visible}
