"""Random organisations, random corrected exports: nothing anyone can read gives a unit away.

Hypothesis draws an organisation (förvaltningar with enheter, and one förvaltning that is a
unit itself) and a sequence of corrected exports of the same year, each adding, dropping or
moving units or changing their number of respondents. Every export is previewed and imported
with `--replace` as an administrator would (a refused one changes nothing). After each, all a
viewer or an administrator could have read of the year so far — the unit figures of every
version as the pages show them, the preview's old and new figures, the audit log of what was
replaced — is checked as equations (`tests.survey_disclosure`, numpy ranks): no unit that none
of them showed can be worked out. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dashboard.store import queries
from etl import db, imports, schema
from etl.errors import InputError
from tests.survey_data import QUESTION, write_csv
from tests.survey_disclosure import revealed

MEASURE = "intern-kommunikation"
THRESHOLD = 5
YEARS = itertools.count(2031)  # a year of its own for every example, in one database
LEAF = "Kansliet"  # a förvaltning without enheter: the förvaltning is the unit

Units = dict[str, tuple[str, int]]  # enhet (or LEAF) → (förvaltning, respondents)

sizes = st.integers(min_value=1, max_value=24)
organisations = st.lists(st.lists(sizes, min_size=1, max_size=3), min_size=2, max_size=3) \
    .flatmap(lambda groups: st.tuples(st.just(groups), st.one_of(st.none(), sizes)))
changes = st.tuples(st.sampled_from(["lägg till", "ta bort", "flytta", "ändra n"]),
                    st.integers(0, 20), st.integers(0, 20), sizes)
versions = st.lists(st.lists(changes, min_size=1, max_size=3), min_size=1, max_size=2)


def first_version(organisation) -> Units:
    groups, leaf = organisation
    units = {f"E{f}{e}": (f"F{f}", n) for f, sizes in enumerate(groups)
             for e, n in enumerate(sizes)}
    if leaf is not None:
        units[LEAF] = (LEAF, leaf)
    return units


def changed(units: Units, change, number: int) -> Units:
    kind, which, where, n = change
    units = dict(units)
    enheter = sorted(u for u in units if u != LEAF)
    forvaltningar = sorted({f for u, (f, _) in units.items() if u != LEAF})
    if kind == "lägg till" and forvaltningar:
        units[f"N{number}"] = (forvaltningar[where % len(forvaltningar)], n)
    elif kind == "ta bort" and len(units) > 1:
        del units[sorted(units)[which % len(units)]]
    elif kind == "flytta" and enheter and forvaltningar:
        name = enheter[which % len(enheter)]
        units[name] = (forvaltningar[where % len(forvaltningar)], units[name][1])
    elif kind == "ändra n":
        name = sorted(units)[which % len(units)]
        units[name] = (units[name][0], n)
    return units


def export(path, year: int, units: Units):
    """The survey tool's export per unit; every unit's mean differs (3,0 … 3,9)."""
    rows = [[f"Medarbetarenkät {year}: {QUESTION}"],
            ["Förvaltning", "Enhet", "Antal svar", "Medelvärde"]]
    for i, (name, (forvaltning, n)) in enumerate(sorted(units.items())):
        rows.append([forvaltning, "" if name == LEAF else name, n, f"3,{i % 10}"])
    return write_csv(path, rows)


def leaves(units: Units) -> list[tuple[str, str]]:
    return [(f, "" if name == LEAF else name) for name, (f, _) in units.items()]


def key(row) -> tuple[str, str, str]:
    return (row["level"], row["forvaltning"], row["enhet"])


@settings(max_examples=10, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(organisation=organisations, corrections=versions)
def test_no_sequence_of_versions_gives_away_a_unit_never_shown(catalogue_db, tmp_path_factory,
                                                               organisation, corrections):
    engine = db.engine_for(catalogue_db.database_url)
    year = next(YEARS)
    directory = tmp_path_factory.mktemp(f"enkat{year}")
    units = first_version(organisation)
    current: Units | None = None  # the version stored now
    replaced: list[Units] = []  # the versions a later import replaced
    views: list[tuple[set, list]] = []
    drafts = [units]
    for number, version in enumerate(corrections):
        for change in version:
            units = changed(units, change, number)
        drafts.append(units)
    for number, draft in enumerate(drafts):
        path = export(directory / f"version{number}.csv", year, draft)
        try:
            preview = imports.import_survey_file(engine, path, catalogue_db, year=year,
                                                 replace=True, dry_run=True)
            result = imports.import_survey_file(engine, path, catalogue_db, year=year,
                                                replace=True)
        except InputError:
            continue  # refused: nothing stored, nothing shown
        if current is not None:
            if result.counts.changed:
                replaced.append(current)
            views.append(({(c.level, c.forvaltning, c.enhet) for c in preview.changes
                           if c.old_respondents is not None}, leaves(current)))
        views.append(({(c.level, c.forvaltning, c.enhet) for c in preview.changes
                       if c.respondents is not None}, leaves(draft)))
        current = draft
        shown = queries.survey_results(engine, MEASURE, THRESHOLD, year=year)
        views.append(({key(r) for r in shown.to_dict("records")}, leaves(current)))
        assert revealed(views) == set(), (organisation, drafts[:number + 1])
    with engine.connect() as connection:
        logged = connection.scalars(select(schema.AuditEvent.before).where(
            schema.AuditEvent.action == "import.survey.replaced",
            schema.AuditEvent.object_id == f"{MEASURE}/{year}").order_by(
            schema.AuditEvent.id)).all()
    # Each replacing import logged the version it replaced, as it could be shown.
    assert len(logged) == len(replaced)
    views += [({key(r) for r in json.loads(before)}, leaves(version))
              for before, version in zip(logged, replaced, strict=True)]
    assert revealed(views) == set(), (organisation, drafts)
