"""Uploads in the browser go through the command line's import pipelines: a preview first
(new, changed, unchanged and rejected rows with reasons), then the same file for real."""

import base64
import io
import zipfile

import pytest
from sqlalchemy import select

from dashboard.web import uploads
from etl import db, imports, schema
from etl.errors import InputError
from tests.cli import run_cli
from tests.conftest import FIXTURES, dump

GOOD = "kpi,municipality,period,gender,value\n" + "\n".join(
    f"N00640,{m},2023,T,{v}" for m, v in [("1277", 83.0), ("0114", 85.5), ("1280", 79.1)]
) + "\n"


def data_url(content: bytes, kind: str = "text/csv") -> str:
    return f"data:{kind};base64," + base64.b64encode(content).decode()


@pytest.fixture
def engine(catalogue_db):
    return db.engine_for(catalogue_db.database_url)


def test_kolada_preview_lists_new_changed_unchanged_and_rejected_rows(engine, catalogue_db,
                                                                     tmp_path):
    (tmp_path / "a.csv").write_text(GOOD, encoding="utf-8")
    imports.import_value_file(engine, tmp_path / "a.csv")
    text = (GOOD.replace("1277,2023,T,83.0", "1277,2023,T,82.5")
            + "N00640,1283,2023,T,77\nN00640,9999,2023,T,70\nN00640,1260,2023,T,x9\n"
              "N00640,1261,2023,T,70\nN00640,1261,2023,T,71\nN00640,1262,2023,Q,70\n")
    before = dump(catalogue_db.database_url)
    shown = uploads.preview(engine, catalogue_db, "kolada", data_url(text.encode()),
                            "C:\\Users\\anna\\kolada 2023.csv")
    assert dump(catalogue_db.database_url) == before
    assert shown.filename == "kolada 2023.csv"
    assert shown.counts == {"nya": 1, "ändrade": 1, "oförändrade": 2, "borttagna": 0,
                            "avvisade": 5}
    assert [(r["row"], r["column"], r["reason"]) for r in shown.rejected] == [
        (6, "municipality", "kommunkoden «9999» finns inte i Kolada."),
        (7, "value", "«x9» är inget tal."),
        (8, "value", "N00640 för 1261 2023 (T) står två gånger med olika värden."),
        (9, "value", "N00640 för 1261 2023 (T) står två gånger med olika värden."),
        (10, "gender", "«Q» är inget kön; Kolada använder T (totalt), K och M."),
    ]
    assert shown.updated == [{"kpi_id": "N00640", "municipality_id": "1277", "year": 2023,
                              "gender": "T", "value_old": 83.0, "value": 82.5,
                              "kpi_title": "Medborgarundersökningen - Bra bemötande vid "
                              "kontakt med tjänsteperson i kommunen, andel (%)",
                              "municipality_name": "Åstorp"}]

    summary = uploads.confirm(engine, catalogue_db, shown.ticket, data_url(text.encode()),
                              "kolada 2023.csv", actor="anna")
    assert summary == ("kolada 2023.csv: 1 nya, 1 ändrade, 0 borttagna, 2 oförändrade "
                       "värden. 5 rader avvisades och lästes inte in.")
    with engine.connect() as connection:
        run = connection.execute(select(schema.ImportRun).order_by(
            schema.ImportRun.id.desc())).first()
        event = connection.execute(select(schema.AuditEvent).order_by(
            schema.AuditEvent.id.desc())).first()
    assert (run.location, run.requested_by) == ("kolada 2023.csv", "anna")
    assert (event.actor, event.action) == ("anna", "import.kolada")
    assert '"avvisade rader": 5' in event.after and '"källa": "kolada 2023.csv"' in event.after


def test_confirming_needs_the_same_file_and_an_unchanged_database(engine, catalogue_db,
                                                                 tmp_path):
    content = GOOD.encode()
    shown = uploads.preview(engine, catalogue_db, "kolada", data_url(content), "k.csv")
    other = data_url(GOOD.replace("79.1", "79.2").encode())
    before = dump(catalogue_db.database_url)
    with pytest.raises(InputError, match="inte den som förhandsgranskades"):
        uploads.confirm(engine, catalogue_db, shown.ticket, other, "k.csv", actor="anna")
    (tmp_path / "annan.csv").write_text(GOOD.replace("85.5", "85.6"), encoding="utf-8")
    imports.import_value_file(engine, tmp_path / "annan.csv")
    before = dump(catalogue_db.database_url)
    with pytest.raises(InputError, match="databasen har ändrats sedan förhandsgranskningen"):
        uploads.confirm(engine, catalogue_db, shown.ticket, data_url(content), "k.csv",
                        actor="anna")
    with pytest.raises(InputError, match="förhandsgranska filen först"):
        uploads.confirm(engine, catalogue_db, None, data_url(content), "k.csv", actor="anna")
    assert dump(catalogue_db.database_url) == before


def test_too_big_files_are_refused_before_they_are_decoded(engine, catalogue_db):
    small = catalogue_db.model_copy(update={"upload_max_bytes": 100})
    with pytest.raises(InputError, match=r"största tillåtna storlek är 1 kB\. Kontrollera"):
        uploads.preview(engine, small, "kolada", data_url(GOOD.encode() * 3), "k.csv")


def zip_bomb() -> bytes:
    """An .xlsx that is a small zip of 40 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (40 * 1024 * 1024))
    return buffer.getvalue()


def test_an_xlsx_that_unpacks_to_an_absurd_size_is_refused(engine, catalogue_db):
    bomb = zip_bomb()
    assert len(bomb) < 200_000
    before = dump(catalogue_db.database_url)
    with pytest.raises(InputError, match=r"packas upp till 40 MB.*vilket är orimligt"):
        uploads.preview(engine, catalogue_db, "enkat", data_url(bomb), "enkat 2027.xlsx")
    assert dump(catalogue_db.database_url) == before


def test_a_gzip_that_unpacks_to_an_absurd_size_is_refused(engine, catalogue_db):
    import gzip

    bomb = gzip.compress(b"kpi,municipality,period,gender,value\n" + b"0" * (30 * 1024 * 1024))
    with pytest.raises(InputError, match="orimligt"):
        uploads.preview(engine, catalogue_db, "kolada", data_url(bomb), "values.csv.gz")


@pytest.mark.parametrize(("kind", "name", "problem"), [
    ("kolada", "bild.png", "filtypen går inte att läsa som Kolada-värden"),
    ("enkat", "enkat.pdf", "filtypen går inte att läsa som medarbetarenkät"),
    ("annat", "k.csv", "välj vad filen innehåller"),
])
def test_wrong_kinds_of_file_are_refused(engine, catalogue_db, kind, name, problem):
    with pytest.raises(InputError, match=problem):
        uploads.preview(engine, catalogue_db, kind, data_url(GOOD.encode()), name)


def test_file_names_lose_folders_and_control_characters_only():
    assert uploads.safe_filename("C:\\temp\\enkät 2027.xlsx") == "enkät 2027.xlsx"
    assert uploads.safe_filename("../../etc/passwd") == "passwd"
    assert uploads.safe_filename("a\x00b\nc.csv") == "a_b_c.csv"
    assert uploads.safe_filename("...") == "uppladdad-fil"
    assert uploads.safe_filename("<img src=x onerror=alert(1)>.csv") == \
        "<img src=x onerror=alert(1)>.csv"
    long = uploads.safe_filename("x" * 300 + ".xlsx")
    assert len(long) == uploads.MAX_NAME and long.endswith(".xlsx")


def survey_csv(units: dict[str, int], year: int = 2027) -> bytes:
    lines = [f"Medarbetarenkät {year}", "",
             "Förvaltning;Enhet;Den interna kommunikationen i kommunen fungerar bra"]
    for unit, answer in units.items():
        lines += [f"{unit};Enhet A;{answer}"] * 6
    return ("\n".join(lines) + "\n").encode()


def test_survey_preview_compares_units_with_the_stored_year(engine, catalogue_db):
    first = survey_csv({"Omsorg": 4, "Skola": 3})
    shown = uploads.preview(engine, catalogue_db, "enkat", data_url(first), "enkät.csv")
    assert shown.year == 2027 and shown.counts["nya"] == 5 and shown.replaces is None
    uploads.confirm(engine, catalogue_db, shown.ticket, data_url(first), "enkät.csv",
                    actor="anna")
    second = survey_csv({"Omsorg": 4, "Skola": 5})
    shown = uploads.preview(engine, catalogue_db, "enkat", data_url(second), "enkät ny.csv")
    assert shown.replaces == "enkät.csv"
    status = {(u["level"], u["forvaltning"], u["enhet"]): u["status"] for u in shown.units}
    assert status == {("kommun", "", ""): "ändrad", ("förvaltning", "Omsorg", ""): "oförändrad",
                      ("enhet", "Omsorg", "Enhet A"): "oförändrad",
                      ("förvaltning", "Skola", ""): "ändrad",
                      ("enhet", "Skola", "Enhet A"): "ändrad"}
    assert shown.counts == {"nya": 0, "ändrade": 3, "flyttade": 0, "oförändrade": 2,
                            "borttagna": 0}


def test_a_survey_error_names_the_row_and_stores_nothing(engine, catalogue_db):
    bad = survey_csv({"Omsorg": 4}).replace(b"Enhet A;4\n", b"Enhet A;7\n", 1)
    before = dump(catalogue_db.database_url)
    with pytest.raises(InputError, match=r"enkät\.csv, rad 4, kolumn «Den interna .*«7» ligger "
                                         "utanför skalan"):
        uploads.preview(engine, catalogue_db, "enkat", data_url(bad), "enkät.csv")
    assert dump(catalogue_db.database_url) == before


def test_the_command_line_previews_and_skips_the_same_way(catalogue_db, tmp_path):
    path = tmp_path / "kolada.csv"
    path.write_text(GOOD.replace("85.5", "åttio"), encoding="utf-8")
    before = dump(catalogue_db.database_url)
    preview = run_cli("etl", "file", str(path), "--dry-run", "--skip-invalid",
                      url=catalogue_db.database_url)
    message = " ".join(preview.stderr.split())
    assert preview.returncode == 0, preview.stderr
    assert "avvisad: rad 3, kolumn «value»: «åttio» är inget tal." in message
    assert "Förhandsgranskning (inget sparat): kolada.csv: 2 nya" in message
    assert dump(catalogue_db.database_url) == before
    stored = run_cli("etl", "file", str(path), "--skip-invalid", url=catalogue_db.database_url)
    assert "2 nya, 0 ändrade, 0 borttagna, 0 oförändrade värden. 1 rad avvisades" in " ".join(
        stored.stderr.split())


def test_a_kolada_web_export_in_excel_can_be_previewed(engine, catalogue_db):
    """What people download from kolada.se (Excel, years as columns) goes the same way."""
    content = (FIXTURES / "kolada_web" / "kolada_jamforaren_bemotande.xlsx").read_bytes()
    before = dump(catalogue_db.database_url)
    shown = uploads.preview(engine, catalogue_db, "kolada", data_url(
        content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "kolada_jamforaren_bemotande.xlsx")
    assert shown.counts["nya"] > 0
    assert dump(catalogue_db.database_url) == before


def test_a_web_export_with_bad_cells_imports_its_good_rows_after_confirmation(engine,
                                                                            catalogue_db):
    """One bad cell no longer refuses the file: the preview lists every rejected row with
    file, sheet, row, column and reason, names beside codes, and nothing is saved until the
    administrator confirms."""
    import json

    from openpyxl import load_workbook

    from dashboard.store import runtime
    from dashboard.web.app import app_for

    previous = runtime._settings
    app_for(catalogue_db)  # pages register with an app
    runtime.configure(previous)
    from dashboard.web.pages import admin_import

    workbook = load_workbook(FIXTURES / "kolada_web" / "kolada_jamforaren_bemotande.xlsx")
    sheet = workbook.active
    sheet["E9"] = "abc"  # Klippan 2021
    sheet["A10"], sheet["B10"] = "Ingenstans", "9999"  # Helsingborg's row, unknown
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = data_url(buffer.getvalue(), "application/vnd.openxmlformats-officedocument."
                                         "spreadsheetml.sheet")
    before = dump(catalogue_db.database_url)
    shown = uploads.preview(engine, catalogue_db, "kolada", upload, "bemötande.xlsx")
    assert dump(catalogue_db.database_url) == before
    assert [(r["file"], r["sheet"], r["row"], r["column"], r["value"], r["reason"])
            for r in shown.rejected] == [
        ("bemötande.xlsx", "Jämföraren", 9, "2021", "abc", "«abc» är inget tal."),
        ("bemötande.xlsx", "Jämföraren", 10, "Kommun-id", "9999",
         "«9999» är ingen kommun eller region som Kolada känner till."),
    ]
    assert shown.rejected_total == 2 and shown.changes_anything
    astorp = next(r for r in shown.added if r["municipality_id"] == "1277")
    assert astorp["municipality_name"] == "Åstorp" and astorp["kpi_title"]

    page = json.dumps(admin_import.preview_view(shown), default=lambda c: c.to_plotly_json(),
                      ensure_ascii=False)
    for text in ("Avvisade rader: 2", "Jämföraren", "«abc» är inget tal.", "1277 Åstorp",
                 f"{astorp['kpi_id']} {astorp['kpi_title']}", "Importera de giltiga raderna"):
        assert text in page, text

    summary = uploads.confirm(engine, catalogue_db, shown.ticket, upload, "bemötande.xlsx",
                              actor="anna")
    assert "2 rader avvisades och lästes inte in." in summary
    with engine.connect() as connection:
        stored = {(v.municipality_id, v.year) for v in connection.execute(
            select(schema.KpiValue.municipality_id, schema.KpiValue.year))}
    assert ("1277", 2021) in stored and ("1276", 2022) in stored
    assert ("1276", 2021) not in stored and not any(m == "1283" for m, _ in stored)
