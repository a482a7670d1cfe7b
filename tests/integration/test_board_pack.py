"""The board pack: a fastställd report that reads as final, a summary of the year's result,
a Word file that LibreOffice lays out without breaking words, and slides for the meeting."""

from __future__ import annotations

import io
import itertools
import os
import shutil
import subprocess
import zipfile
from datetime import date, datetime

import pytest
from docx import Document
from docx.oxml.ns import qn

from dashboard.present.export import report, report_docx
from etl import analysis
from etl.db import engine_for
from etl.settings import DEFAULT_DATA_DIR

# The whole module in one xdist worker, so its module fixtures are built once: spread test by
# test (`--dist loadgroup`), they were built in both workers, and again whenever a worker's
# next test was of another module.
pytestmark = pytest.mark.xdist_group("test_board_pack")

TEMPLATE = DEFAULT_DATA_DIR / "report" / "rapportmall.docx"
NOW = datetime(2023, 3, 15, 9, 30)
STAMP = report.FrozenStamp(2, date(2023, 3, 20), "Anna Berg")
CASE = report.CaseFacts("Uppföljning av kommunikationsstrategin 2022", "KS 2023/123",
                        "Anna Berg")


@pytest.fixture(scope="module")
def draft(demo_settings):
    return report.build_report(engine_for(demo_settings.database_url), demo_settings, 2022,
                               created=date(2023, 3, 15), case=CASE)


@pytest.fixture(scope="module")
def frozen(demo_settings):
    return report.build_report(engine_for(demo_settings.database_url), demo_settings, 2022,
                               created=date(2023, 3, 20), frozen=STAMP, case=CASE)


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# --- 1. The fastställd report reads as final ----------------------------------------------------


def test_frozen_report_carries_its_stamp_and_no_draft_label(frozen, draft):
    text = docx_text(report_docx.docx_bytes(frozen, TEMPLATE, now=NOW))
    assert "Status: Fastställd version 2, 2023-03-20, Anna Berg" in text
    assert report.DRAFT_LABEL not in text and "granska innan beslut" not in text
    assert "Utkast" not in text and "Granskad, ej fastställd" not in text
    properties = Document(io.BytesIO(report_docx.docx_bytes(frozen, TEMPLATE, now=NOW))
                          ).core_properties
    assert properties.content_status == "Fastställd version 2, 2023-03-20, Anna Berg"
    assert properties.version == "2"
    # The draft keeps its labels, on the cover and over each drafted narrative.
    text = docx_text(report_docx.docx_bytes(draft, TEMPLATE, now=NOW))
    assert f"Status: {report.DRAFT_STATUS}" in text and report.DRAFT_LABEL in text


def test_frozen_report_leaves_out_texts_that_are_not_fastställda(demo_copy):
    from sqlalchemy import insert

    from etl import schema

    engine = engine_for(demo_copy.database_url)
    with engine.begin() as connection:
        connection.execute(insert(schema.AnalysisText).values(
            measure_id="delaktighet", year=2022, body="Granskad men inte fastställd.",
            state="granskad", updated_at=datetime(2023, 3, 1), updated_by="anna"))
    model = report.build_report(engine, demo_copy, 2022, frozen=STAMP)
    assert all(s.analysis is None for g in model.goals for s in g.measures)
    model = report.build_report(engine, demo_copy, 2022)
    assert any(s.analysis is not None for g in model.goals for s in g.measures)


# --- 3. A summary of the result -----------------------------------------------------------------


def test_summary_opens_with_each_goals_result_bound_to_the_data(draft):
    goal1, goal2, _goal3 = draft.goals
    # The verdict in the pages' words, the measures reached, the mean and what changed.
    assert goal2.result_text.startswith(f"{goal2.verdict.label} 2022: ")
    assert "mått bedömda" in goal2.result_text and "når målet" in goal2.result_text
    assert "Mot mätkommunernas medelvärde:" in goal1.result_text
    assert "Sedan förra mätningen:" in goal2.result_text
    webb = next(r for r in draft.summary_rows if r.measure.startswith("Webbinformation"))
    # The model's change with the word its interval allows (sure only at the full n).
    assert webb.change.startswith("ingen säkerställd förändring sedan 2021: +7,0 (0,15–13,77")
    assert "Webbinformation till medborgarna" in goal2.result_text
    assert "ingen säkerställd förändring sedan 2021" in goal2.result_text
    header = draft.summary_header
    assert "Förändring sedan förra mätningen" in header and len(
        draft.summary_cells(webb)) == len(header)
    # The cover names the case.
    facts = dict(draft.cover_facts)
    assert facts["Ärende"] == CASE.title and facts["Diarienummer"] == "KS 2023/123"
    assert facts["Handläggare"] == "Anna Berg"


def test_the_fastställd_samlad_bedömning_opens_the_report(demo_copy):
    """The year's text (etl.analysis.YEAR_SCOPE) goes into the report once fastställd."""
    engine = engine_for(demo_copy.database_url)
    analysis.save_analysis(engine, analysis.YEAR_SCOPE, 2022, "Året gick **bra**.", "granskad",
                           actor="anna")
    assert report.build_report(engine, demo_copy, 2022).overall is None
    analysis.save_analysis(engine, analysis.YEAR_SCOPE, 2022, "Året gick **bra**.",
                           "fastställd", actor="anna")
    note = report.build_report(engine, demo_copy, 2022).overall
    assert note is not None and "".join(r.text for r in note.blocks()[0].items[0]) == \
        "Året gick bra."


# --- 4. A Word file that prints clean -----------------------------------------------------------


def relative_luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_docx_tables_have_real_widths_and_a_contrasted_header(frozen):
    document = Document(io.BytesIO(report_docx.docx_bytes(frozen, TEMPLATE, now=NOW)))
    for table in document.tables:
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert len(set(grid)) > 1, "kolumnerna är inte lika breda"
        assert abs(sum(grid) - 16 * 1440 / 2.54) < 20  # the page's 16 cm column
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        for cell, width in zip(table.rows[1]._tr.findall(qn("w:tc")), grid, strict=False):
            if cell.tcPr.find(qn("w:gridSpan")) is None:
                assert abs(int(cell.tcPr.find(qn("w:tcW")).get(qn("w:w"))) - width) <= 1
        for cell in table.rows[0].cells:
            fill = cell._tc.tcPr.find(qn("w:shd")).get(qn("w:fill"))
            colours = {str(run.font.color.rgb) for p in cell.paragraphs for run in p.runs}
            assert colours == {"FFFFFF"}
            assert contrast(fill, "FFFFFF") >= 4.5


def test_docx_logo_only_from_the_configured_file(frozen, tmp_path):
    assert "<pic:pic" not in headers(report_docx.docx_bytes(frozen, TEMPLATE, now=NOW))
    logo = tmp_path / "logo.png"
    logo.write_bytes(_tiny_png())
    from dataclasses import replace

    with_logo = replace(frozen, logo=report.read_logo(logo))
    header = headers(report_docx.docx_bytes(with_logo, TEMPLATE, now=NOW))
    assert "<pic:pic" in header and 'descr="Åstorps kommuns logotyp"' in header
    bad = tmp_path / "logo.txt"
    bad.write_text("ingen bild")
    from etl.errors import InputError

    with pytest.raises(InputError, match="ingen PNG- eller JPEG-bild"):
        report.read_logo(bad)


def headers(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(n).decode() for n in archive.namelist()
                       if n.startswith("word/header"))


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + b"\x1f\x4e\x79" * 8 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def soffice() -> str | None:
    found = shutil.which("soffice")
    if found is None and os.environ.get("MALBILD_REQUIRE_BROWSER") == "1":
        pytest.fail("LibreOffice saknas men krävs: apt-get install libreoffice-writer-nogui")
    return found


@pytest.mark.browser
def test_libreoffice_lays_out_the_docx_without_breaking_a_word_in_a_table(
        frozen, chart_renderer, tmp_path):
    program = soffice()
    if program is None:
        pytest.skip("LibreOffice saknas (apt-get install libreoffice-writer-nogui)")
    report.render_charts(frozen, ("png",), chart_renderer)
    path = tmp_path / "rapport.docx"
    path.write_bytes(report_docx.docx_bytes(frozen, TEMPLATE, now=NOW))
    subprocess.run([program, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=240)
    text = subprocess.run(["pdftotext", str(tmp_path / "rapport.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    tokens = text.replace("\u00a0", " ").split()
    document = Document(io.BytesIO(path.read_bytes()))
    cell_words = {w for t in document.tables for r in t.rows for c in r.cells
                  for w in c.text.replace("\u00a0", " ").split() if len(w) >= 4}
    # A word broken inside a cell: its two pieces stand one after the other, the first
    # ending in a letter (or a hyphen LibreOffice added), the second going on in lower case.
    broken = [f"{a} | {b}" for a, b in itertools.pairwise(tokens)
              if a.rstrip("-") + b in cell_words and a.rstrip("-")[-1:].isalpha()
              and b[:1].isalpha() and b[:1].islower()]
    assert broken == [], broken
    for word in ("Webbinformation", "Mätkommunernas", "Förändring"):
        assert word in tokens
    # The contents show their entries as they are, and the stamp is on the cover.
    assert "Innehåll" in text and "Sammanfattning" in text
    assert "Fastställd version 2, 2023-03-20, Anna Berg" in text
    assert "Automatiskt underlag" not in text and "F9" not in text


# --- 5. Slides for the meeting ------------------------------------------------------------------


@pytest.mark.browser
def test_pptx_has_a_slide_per_goal_with_verdict_status_lines_and_chart(frozen, chart_renderer,
                                                                        tmp_path):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from dashboard.present.export import report_pptx

    report.render_charts(frozen, ("png",), chart_renderer)
    deck = Presentation(io.BytesIO(report_pptx.pptx_bytes(frozen)))
    slides = list(deck.slides)
    titles = [s.shapes.title.text for s in slides]
    assert titles[0] == frozen.title
    cover = " ".join(sh.text_frame.text for sh in slides[0].shapes if sh.has_text_frame)
    assert "Fastställd version 2, 2023-03-20, Anna Berg" in cover and "KS 2023/123" in cover
    for goal in frozen.goals:
        slide = slides[titles.index(goal.heading)]
        text = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
        assert goal.verdict.text(frozen.year) in text
        for row in (r for r in frozen.summary_rows if r.goal == goal.number):
            assert row.measure in text and row.target_status in text
        pictures = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        assert pictures[0]._element.nvPicPr.cNvPr.get("descr").startswith("Diagram: ")
    change = slides[titles.index("Förändring sedan förra mätningen")]
    text = " ".join(sh.text_frame.text for sh in change.shapes if sh.has_text_frame)
    assert all(f"{r.measure}: {r.change}" in text for r in frozen.summary_rows)


@pytest.mark.browser
def test_freezing_on_rapporter_previews_confirms_and_is_then_offered_first(
        demo_copy, chart_renderer):
    from types import SimpleNamespace
    from unittest import mock

    from dashboard.store import runtime
    from dashboard.web import auth
    from dashboard.web.app import app_for
    from etl import archive

    app = app_for(demo_copy)
    from dashboard.web.pages import goal, overview, reports  # pages register with an app

    previous = runtime._settings
    try:
        runtime.configure(demo_copy)
        engine = engine_for(demo_copy.database_url)
        with mock.patch.object(auth, "admin_user",
                               return_value=SimpleNamespace(username="anna")):
            # The year offered is the follow-up year (the latest with real data), as the pages
            # show it; the list holds only years with data.
            options, default = reports._year_options(None)
            assert default == "2022" and "2026" not in [o["value"] for o in options]
            assert reports._year_options("2021")[1] == "2021"  # the year of the address
            shown, hidden = reports._preview(1, "2022")
            assert hidden is False and archive.versions(engine) == []
            text = str(shown)
            assert "blir fastställd version 1" in text and "Saknar fastställd analystext" in text
            assert "Webbinformation till medborgarna" in text and "Samlad bedömning" in text
            assert "Ej uppnått, delvis uppnått eller uppnått 2022" in text  # goal 2, uncertain
            feedback, _listing, hidden = reports._freeze(1, "2022", "Uppföljning 2022",
                                                         "KS 2023/123", "Anna Berg")
        assert "version 1" in str(feedback) and hidden is True
        docx = archive.get(engine, 2022, "docx")
        text = docx_text(docx)
        assert "Status: Fastställd version 1, " in text and ", anna" in text
        assert "Diarienummer: KS 2023/123" in text
        # Wherever the year's report is offered, the fastställd version comes first.
        for offered in (str(overview.downloads_section(2022)), str(goal.layout(number="1")),
                        str(reports.listing())):
            assert "Fastställd version 1, " in offered
            assert "Ändrat sedan fastställandet" in offered
            assert offered.index("/export/arkiv/2022-1.pdf") < offered.index(
                "/export/rapport/2022") if "/export/rapport/2022" in offered else True
        assert "/export/rapport/2022.pptx" in str(overview.downloads_section(2022))
        response = app.server.test_client().get("/export/rapport/2022.pptx")
        assert response.status_code == 200 and response.data.startswith(b"PK")
        assert response.mimetype.endswith("presentationml.presentation")
    finally:
        runtime.configure(previous)
