"""Targets: decided with a reference, never overwritten, seeded by strategy.toml, and round-
tripped through `malbild targets export/import` (CSV for Swedish Excel)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from dashboard.store import queries
from etl import clock, db, imports, schema, targets
from etl.decision import DecisionRef
from etl.errors import InputError
from tests.cli import run_cli
from tests.conftest import dump

DECISION = DecisionRef("KS", date(2025, 12, 9), "214", "KS 2025/431")


@pytest.fixture
def engine(catalogue_db):
    return db.engine_for(catalogue_db.database_url)


def target_rows(engine, measure_id: str, year: int) -> list[tuple]:
    t = schema.Target
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(
            select(t.value, t.decision, t.recorded_by).where(
                t.measure_id == measure_id, t.year == year).order_by(t.id))]


def test_strategy_seeds_targets_with_their_decision_reference(engine):
    history = targets.history(engine, "telefon-bemotande")
    first = next(r for r in history if r["year"] == 2013)
    assert (first["decision_body"], first["decision_date"], first["decision_paragraph"]) == (
        "KS", date(2013, 5, 7), "82")
    assert first["decision"] == "KS 2013-05-07 §82" and first["is_example"]


def test_a_new_decision_is_added_and_the_old_one_kept(engine, catalogue_db):
    assert targets.set_target(engine, "telefon-bemotande", 2025, 88.5, DECISION, actor="anna")
    assert not targets.set_target(engine, "telefon-bemotande", 2025, 88.5, DECISION,
                                  actor="anna")  # the same decision again changes nothing
    assert target_rows(engine, "telefon-bemotande", 2025) == [
        (87.0, "KS 2021-12-14 §201", "strategi"),
        (88.5, "KS 2025-12-09 §214, dnr KS 2025/431", "anna")]
    current = queries.targets(engine, "telefon-bemotande").set_index("year")
    assert current.loc[2025, "target"] == 88.5 and not current.loc[2025, "target_is_example"]
    history = [r for r in targets.history(engine, "telefon-bemotande") if r["year"] == 2025]
    assert [r["current"] for r in history] == [True, False]
    # Taking the target away is a decision too: the year then has no target.
    targets.set_target(engine, "telefon-bemotande", 2025, None, DECISION, actor="anna")
    assert 2025 not in set(queries.targets(engine, "telefon-bemotande")["year"])


def test_reloading_the_strategy_keeps_a_target_set_since(engine, catalogue_db):
    targets.set_target(engine, "telefon-svar", 2024, 75, DECISION, actor="anna")
    assert imports.load_strategy_file(engine, catalogue_db) == 0
    assert queries.targets(engine, "telefon-svar").set_index("year").loc[2024, "target"] == 75


@pytest.mark.parametrize(("measure", "year", "value", "reference", "problem"), [
    ("finns-inte", 2025, 80, DECISION, "måttet «finns-inte»"),
    ("telefon-svar", 1850, 80, DECISION, "året 1850"),
    ("telefon-svar", 2025, 101, DECISION, "utanför måttets skala 0–100"),
    ("intern-kommunikation", 2025, 5.5, DECISION, "skala 1–5"),
    ("telefon-svar", 2025, 80, DecisionRef("", date(2025, 1, 1)), "beslutande organ saknas"),
    ("telefon-svar", 2025, 80, DecisionRef("KS", None), "beslutsdatum saknas"),
    ("telefon-svar", 2025, 80, DecisionRef("KS", clock.today() + timedelta(days=1)),
     "beslutsdatumet .* ligger i framtiden"),
])
def test_impossible_targets_are_refused_and_nothing_stored(engine, catalogue_db, measure, year,
                                                           value, reference, problem):
    before = dump(catalogue_db.database_url)
    with pytest.raises(InputError, match=problem):
        targets.set_target(engine, measure, year, value, reference, actor="anna")
    assert dump(catalogue_db.database_url) == before


def test_every_target_decision_is_in_the_audit_log(engine):
    targets.set_target(engine, "delaktighet", 2026, 45, DECISION, actor="anna")
    with engine.connect() as connection:
        event = connection.execute(select(schema.AuditEvent)).one()
    assert (event.actor, event.action, event.object_id) == ("anna", "target.set",
                                                            "delaktighet/2026")
    assert '"mål": 42.0' in event.before and '"mål": 45.0' in event.after
    assert "KS 2025-12-09 §214" in event.after


def test_export_and_import_round_trip(engine, catalogue_db, tmp_path):
    path = tmp_path / "mal.csv"
    count = targets.export_targets(engine, path)
    with engine.connect() as connection:
        assert count == connection.scalar(select(func.count(func.distinct(
            schema.Target.measure_id + "/" + func.cast(schema.Target.year, schema.Text)))))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfmatt;mattnamn;ar;malvarde;organ;beslutsdatum;")
    text = raw.decode("utf-8-sig")
    assert "intern-kommunikation;Anställdas syn på den interna kommunikationen;2013;3,5;KS;" \
           "2013-05-07;82;;ja" in text
    before = dump(catalogue_db.database_url)
    assert targets.import_targets(engine, path, actor="anna") == []
    assert dump(catalogue_db.database_url) == before

    edited = text.replace("telefon-bemotande;Gott bemötande vid telefonkontakt;2023;86;KS;"
                          "2021-12-14;201;;ja",
                          "telefon-bemotande;Gott bemötande vid telefonkontakt;2023;86,5;KF;"
                          "2023-02-20;§ 12;KS 2023/88;nej")
    assert edited != text
    path.write_text(edited, encoding="utf-8-sig")
    assert len(targets.import_targets(engine, path, actor="anna", dry_run=True)) == 1
    assert dump(catalogue_db.database_url) == before
    [change] = targets.import_targets(engine, path, actor="anna")
    assert (change.measure_id, change.year, change.before["value"], change.after["value"]) == (
        "telefon-bemotande", 2023, 86.0, 86.5)
    assert change.after["decision"] == "KF 2023-02-20 §12, dnr KS 2023/88"
    again = tmp_path / "igen.csv"
    targets.export_targets(engine, again)
    assert "2023;86,5;KF;2023-02-20;12;KS 2023/88;nej" in again.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(("line", "where"), [
    ("telefon-svar;x;2025;åttio;KS;2025-01-01;1;;nej", "rad 2, kolumn «malvarde»: «åttio»"),
    ("telefon-svar;x;20x5;80;KS;2025-01-01;1;;nej", "rad 2, kolumn «ar»"),
    ("telefon-svar;x;2025;80;KS;2025-13-01;1;;nej", "rad 2, kolumn «beslutsdatum»"),
    ("telefon-svar;x;2025;180;KS;2025-01-01;1;;nej", "rad 2, kolumn «malvarde»: målet 180"),
    ("telefon-svarr;x;2025;80;KS;2025-01-01;1;;nej", "rad 2, kolumn «matt»"),
    ("telefon-svar;x;2025;80;KS;2025-01-01;1;;kanske", "rad 2, kolumn «exempel»"),
    ("intern-kommunikation;x;2025;3,5 %;KS;2025-01-01;1;;nej",
     "rad 2, kolumn «malvarde»: «3,5 %» är inget tal"),
    ("telefon-svar;x;2025;80;KS;2031-01-01;1;;nej",
     "rad 2, kolumn «beslutsdatum»: beslutsdatumet 2031-01-01 ligger i framtiden"),
])
def test_bad_rows_in_the_file_are_named_and_nothing_is_stored(engine, catalogue_db, tmp_path,
                                                              line, where):
    path = tmp_path / "mal.csv"
    path.write_text(";".join(targets.COLUMNS) + "\n" + line + "\n", encoding="utf-8")
    before = dump(catalogue_db.database_url)
    with pytest.raises(InputError) as error:
        targets.import_targets(engine, path, actor="anna")
    assert f"mal.csv, {where}" in str(error.value)
    assert "Ingenting har sparats" in str(error.value)
    assert dump(catalogue_db.database_url) == before


def test_targets_from_the_command_line(catalogue_db, tmp_path):
    url = catalogue_db.database_url
    out = tmp_path / "mal.csv"
    exported = run_cli("targets", "export", str(out), url=url)
    assert exported.returncode == 0 and "mål skrivna" in exported.stderr
    same = run_cli("targets", "import", str(out), url=url)
    assert "Inga mål ändrade" in same.stderr
    out.write_text(out.read_text(encoding="utf-8-sig").replace(
        "delaktighet;Medborgarnas möjlighet att delta;2026;42;", "delaktighet;x;2026;44,5;"),
        encoding="utf-8")
    changed = run_cli("targets", "import", str(out), url=url)
    assert changed.returncode == 0
    assert "delaktighet 2026: 42 → 44,5" in " ".join(changed.stderr.split())
    log = run_cli("audit", "export", url=url)
    assert "Mål satt" in log.stdout and "kommandorad" in log.stdout


@pytest.mark.parametrize(("text", "unit", "value"), [
    ("55", "%", 55.0), ("55,0", "%", 55.0), ("55 %", "%", 55.0), ("55,0 %", "%", 55.0),
    ("55,5%", "%", 55.5), ("55\u00a0%", "%", 55.0), ("3,9", "medelvärde 1–5", 3.9),
    ("", "%", None), ("  ", "%", None),
])
def test_a_target_is_read_as_people_write_it(text, unit, value):
    assert targets.parse_value(text, unit) == value


@pytest.mark.parametrize(("text", "unit"), [("3,9 %", "medelvärde 1–5"), ("%", "%"),
                                            ("55 %%", "%"), ("åttio", "%")])
def test_a_per_cent_sign_is_refused_where_no_per_cent_is_meant(text, unit):
    with pytest.raises(ValueError):
        targets.parse_value(text, unit)


def test_a_file_may_write_its_targets_in_per_cent(engine, tmp_path):
    path = tmp_path / "mal.csv"
    path.write_text(";".join(targets.COLUMNS) + "\n"
                    "telefon-svar;x;2027;55,0 %;KS;2025-01-01;1;;nej\n", encoding="utf-8")
    [change] = targets.import_targets(engine, path, actor="anna")
    assert (change.measure_id, change.year, change.after["value"]) == ("telefon-svar", 2027, 55.0)


def test_a_file_with_its_header_far_down_and_headers_as_people_write_them(engine, catalogue_db,
                                                                          tmp_path):
    """The one tabular reader: title rows down to the common limit (40; targets once looked
    10 rows down), headers in any case with å, ä and ö, and messages naming the file's own
    header; a bad row leaves the database as it was."""
    from etl.extract.tables import HEADER_SEARCH_ROWS

    titles = [f"Mål beslutade {n}" if n % 2 else "" for n in range(HEADER_SEARCH_ROWS - 1)]
    header = "Mått;Måttnamn;År;Målvärde;Beslutande organ;Beslutsdatum;Paragraf;Dnr;Exempel"
    path = tmp_path / "mal.csv"
    path.write_text("\n".join([*titles, header, "telefon-svar;x;2027;55;KS;2025-01-01;1;;nej"])
                    + "\n", encoding="utf-8")
    [change] = targets.import_targets(engine, path, actor="anna", dry_run=True)
    assert (change.measure_id, change.year, change.after["value"]) == ("telefon-svar", 2027, 55.0)
    path.write_text("\n".join([*titles, header, "telefon-svar;x;2027;55;KS;2025-01-01;1;;nej",
                               "telefon-svar;x;2028;åttio;KS;2025-01-01;1;;nej"]) + "\n",
                    encoding="utf-8")
    before = dump(catalogue_db.database_url)
    with pytest.raises(InputError) as error:
        targets.import_targets(engine, path, actor="anna")
    row = HEADER_SEARCH_ROWS + 2
    assert f"mal.csv, rad {row}, kolumn «Målvärde»: «åttio» är inget tal" in str(error.value)
    assert dump(catalogue_db.database_url) == before
    path.write_text("\n".join([*titles, "", header]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="rubrikraden saknas eller saknar kolumner"):
        targets.import_targets(engine, path, actor="anna")
