"""Fastställda reports: frozen byte for byte, never rebuilt, and every later revision of a value
they showed listed, on both engines; through the command line, the archive and the web."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
from datetime import datetime
from pathlib import Path
from unittest import mock

import pytest
from docx import Document
from sqlalchemy import func, insert, select

from etl import archive, schema
from etl.db import engine_for
from etl.errors import InputError

PDF, DOCX = b"%PDF-1.7 rapport 2022\n\x00\xff\x10binary", b"PK\x03\x04 word\x00\x01\x02"
REVISED = "kpi,municipality,period,gender,value\nN00640,1277,2022,T,81.5\n"


def run_cli(settings, *args: str) -> str:
    """`malbild …` in this process, settings from the environment as in a shell."""
    from typer.testing import CliRunner

    from dashboard.cli import app
    from etl.settings import get_settings

    get_settings.cache_clear()
    try:
        with mock.patch.dict(os.environ, {"DATABASE_URL": settings.database_url,
                                          "COLUMNS": "200"}):
            result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return result.output


def revise_through_a_file(settings, directory: Path) -> None:
    path = directory / "kolada-reviderat.csv"
    path.write_text(REVISED, encoding="utf-8")
    run_cli(settings, "etl", "file", str(path))


def freeze_known_bytes(engine, year: int = 2022) -> archive.ArchivedReport:
    return archive.freeze(engine, year, {"pdf": PDF, "docx": DOCX},
                          kpi_ids=["N00640", "N00647"], municipality_id="1277",
                          actor="anna")


def test_frozen_bytes_come_back_exactly_and_revisions_are_listed(demo_copy, tmp_path):
    engine = engine_for(demo_copy.database_url)
    frozen = freeze_known_bytes(engine)
    assert (frozen.year, frozen.version, frozen.sizes) == (2022, 1, {"pdf": len(PDF),
                                                                     "docx": len(DOCX)})
    assert archive.get(engine, 2022, "pdf") == PDF and archive.get(engine, 2022, "docx") == DOCX
    assert archive.revisions_since(engine, 2022).empty

    revise_through_a_file(demo_copy, tmp_path)

    revised = archive.revisions_since(engine, 2022)
    assert revised[["kpi_id", "year", "municipality_id", "frozen_value", "old_value",
                    "new_value"]].values.tolist() == [["N00640", 2022, "1277", 80.0, 80.0,
                                                       81.5]]
    assert revised["revised_at"].iloc[0] > frozen.created_at
    assert archive.get(engine, 2022, "pdf") == PDF  # the frozen report is never rebuilt

    again = freeze_known_bytes(engine)
    assert again.version == 2 and again.data_version > frozen.data_version
    assert archive.revisions_since(engine, 2022).empty  # version 2 has the revised value
    assert len(archive.revisions_since(engine, 2022, version=1)) == 1
    assert archive.get(engine, 2022, "docx", version=1) == DOCX
    assert [r.version for r in archive.versions(engine, 2022)] == [2, 1]
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(schema.ArchivedReportValue)
                                   .where(schema.ArchivedReportValue.report_id == again.id))
        events = connection.execute(select(schema.AuditEvent.actor, schema.AuditEvent.object_id)
                                    .where(schema.AuditEvent.action == "report.freeze")).all()
    assert stored == 4  # Åstorp's N00640 and N00647, 2021 and 2022
    assert [tuple(e) for e in events] == [("anna", "2022 version 1"), ("anna", "2022 version 2")]


def test_archive_errors_say_what_to_do(demo_copy):
    engine = engine_for(demo_copy.database_url)
    with pytest.raises(InputError, match="ingen fastställd rapport för 2022") as caught:
        archive.get(engine, 2022, "pdf")
    assert "malbild archive freeze --year 2022" in caught.value.explain()
    freeze_known_bytes(engine)
    with pytest.raises(InputError, match="ingen version 7"):
        archive.get(engine, 2022, "pdf", version=7)
    with pytest.raises(InputError, match="formatet «odt»"):
        archive.get(engine, 2022, "odt")


def test_a_freeze_from_stale_data_is_refused(demo_copy):
    engine = engine_for(demo_copy.database_url)
    with pytest.raises(InputError, match="data har ändrats"):
        archive.freeze(engine, 2022, {"pdf": PDF}, kpi_ids=["N00640"], municipality_id="1277",
                       actor="anna", data_version=-1)
    assert archive.versions(engine) == []


def test_backup_keeps_archived_files_byte_for_byte(demo_copy, tmp_path):
    from etl import backup
    from tests.conftest import sqlite_url

    engine = engine_for(demo_copy.database_url)
    freeze_known_bytes(engine)
    backup.backup(demo_copy.database_url, tmp_path / "kopia.zip")
    restored = sqlite_url(tmp_path, "aterstalld.sqlite")
    backup.restore(tmp_path / "kopia.zip", restored)
    assert archive.get(engine_for(restored), 2022, "pdf") == PDF
    engine_for(restored).dispose()


@pytest.mark.browser
def test_cli_freeze_get_and_revisions(demo_copy, tmp_path, chart_renderer):
    """The whole round: an utkast is left out, the files come back byte for byte after a
    revision through `malbild etl file`, and the revision is listed."""
    engine = engine_for(demo_copy.database_url)
    with engine.begin() as connection:
        connection.execute(insert(schema.AnalysisText).values(
            measure_id="delaktighet", year=2022, body="Hemligt utkast.", state="utkast",
            updated_at=datetime(2023, 3, 1), updated_by="anna"))
    output = run_cli(demo_copy, "archive", "freeze", "--year", "2022", "--diarienummer",
                     "KS 2023/123")
    assert "fastställd som version 1" in output
    pdf, docx = tmp_path / "rapport.pdf", tmp_path / "rapport.docx"
    run_cli(demo_copy, "archive", "get", "--year", "2022", "--format", "pdf", "--out", str(pdf))
    run_cli(demo_copy, "archive", "get", "--year", "2022", "--out", str(docx))
    first = {p.suffix: hashlib.sha256(p.read_bytes()).hexdigest() for p in (pdf, docx)}
    assert pdf.read_bytes().startswith(b"%PDF") and archive.get(engine, 2022, "pdf") == \
        pdf.read_bytes()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    # The fastställd report reads as final: its stamp on the cover, no draft labels.
    assert "Hemligt utkast" not in text and "Fastställd version 1, " in text
    assert "Automatiskt underlag" not in text and "granska innan beslut" not in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert "Fastställd version 1, " in info  # and in its document properties
    document = Document(io.BytesIO(docx.read_bytes()))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Hemligt utkast" not in body and "Åstorps kommun" in body
    assert "Status: Fastställd version 1, " in body and "granska innan beslut" not in body
    assert "Diarienummer: KS 2023/123" in body
    assert document.core_properties.content_status.startswith("Fastställd version 1, ")
    assert document.core_properties.version == "1"

    revise_through_a_file(demo_copy, tmp_path)
    listed = run_cli(demo_copy, "archive", "revisions", "--year", "2022")
    assert "1 reviderade värden" in listed
    assert "N00640\t2022\t1277\t80,0\t80,0 → 81,5\t" in listed

    for path in (pdf, docx):
        path.unlink()
    run_cli(demo_copy, "archive", "get", "--year", "2022", "--format", "pdf", "--out", str(pdf))
    run_cli(demo_copy, "archive", "get", "--year", "2022", "--format", "docx", "--version",
            "1", "--out", str(docx))
    assert {p.suffix: hashlib.sha256(p.read_bytes()).hexdigest() for p in (pdf, docx)} == first


@pytest.fixture
def app_on_copy(demo_copy):
    """The process's app pointed at the test's copy; the runtime settings come back after."""
    from dashboard.store import runtime
    from dashboard.web.app import app_for

    previous = runtime._settings
    yield lambda: app_for(demo_copy)
    runtime.configure(previous)


def test_reports_page_lists_versions_and_viewers_download_them(demo_copy, app_on_copy, tmp_path):
    engine = engine_for(demo_copy.database_url)
    freeze_known_bytes(engine)
    revise_through_a_file(demo_copy, tmp_path)
    client = app_on_copy().server.test_client()
    from dashboard.web.pages import reports  # pages register with an app
    response = client.get("/export/arkiv/2022-1.pdf")
    assert response.status_code == 200 and response.data == PDF
    assert 'filename="faststalld-rapport-2022-version-1.pdf"' in \
        response.headers["Content-Disposition"]
    assert client.get("/export/arkiv/2022-1.docx").data == DOCX
    assert client.get("/export/arkiv/2022-9.pdf").status_code == 404
    assert client.get("/export/arkiv/2022.pdf").status_code == 404
    text = str(reports.listing())
    assert "/export/arkiv/2022-1.pdf" in text and "version 1" in text
    assert "N00640" in text and "80,0 → 81,5" in text


def test_only_an_administrator_freezes_from_the_page(demo_copy, app_on_copy):
    from dashboard.web import auth

    app_on_copy()
    from dashboard.web.pages import reports  # pages register with an app
    with mock.patch.object(auth, "admin_user", return_value=None):
        feedback, _listing, _hidden = reports._freeze(1, "2022")
    assert "inte behörighet" in str(feedback)
    assert archive.versions(engine_for(demo_copy.database_url)) == []
