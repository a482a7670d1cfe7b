"""Script and HTML written by people — in an analysis text, an uploaded file's name or a unit
name in a survey export — come out as text: on the page, in the report (Word and PDF) and in
the downloads."""

import base64
import io
import json
import re

from docx import Document

from dashboard.present import charts
from dashboard.present.export import downloads, report, report_docx, report_pdf
from dashboard.store import queries, runtime
from dashboard.web import uploads
from etl import analysis, audit, db

SCRIPT = "<script>alert('analys')</script>"
IMAGE = "<img src=x onerror=alert(1)>"
UNIT = "<script>alert('enhet')</script>"
FORMULA = "=HYPERLINK(\"https://example.com\",\"klicka\")"


def test_analysis_markup_is_text_in_word_and_in_the_pdf(demo_copy):
    engine = db.engine_for(demo_copy.database_url)
    body = f"Bemötandet **sjönk** {SCRIPT}\n\n- {IMAGE}\n- <b>inte fet</b>"
    analysis.save_analysis(engine, "telefon-bemotande", 2022, body, "fastställd",
                           actor="anna")
    model = report.build_report(engine, demo_copy, 2022)

    document = Document(io.BytesIO(report_docx.docx_bytes(model)))
    texts = [p.text for p in document.paragraphs]
    assert f"Bemötandet sjönk {SCRIPT}" in texts
    assert IMAGE in texts and "<b>inte fet</b>" in texts
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    assert "sjönk" in bold and "inte fet" not in bold

    page = report_pdf.report_html(model)
    section = page.split('<section class="analysis">')[1].split("</section>")[0]
    assert "<script" not in section and "<img" not in section and "<b>" not in section
    assert "&lt;script&gt;alert(&#x27;analys&#x27;)&lt;/script&gt;" in section
    assert "<strong>sjönk</strong>" in section
    assert "<li>&lt;img src=x onerror=alert(1)&gt;</li>" in section


def survey_file(year: int = 2027) -> bytes:
    lines = [f"Medarbetarenkät {year}", "",
             "Förvaltning;Enhet;Den interna kommunikationen i kommunen fungerar bra"]
    for forvaltning, answer in ((UNIT, 4), (FORMULA, 3), ("Omsorg", 5)):
        lines += [f"{forvaltning};Enhet A;{answer}"] * 6
    return ("\n".join(lines) + "\n").encode()


def test_unit_and_file_names_are_text_on_the_page_in_charts_and_downloads(demo_copy):
    engine = db.engine_for(demo_copy.database_url)
    name = f"enkät 2027 {IMAGE}.csv"
    content = "data:text/csv;base64," + base64.b64encode(survey_file()).decode()
    ticket = uploads.preview(engine, demo_copy, "enkat", content, name).ticket
    uploads.confirm(engine, demo_copy, ticket, content, name, actor="anna")
    info = next(m for m in queries.measures(engine) if m.is_survey)

    view = charts.survey_units_view(engine, demo_copy, info, 2027)
    labels = list(view.figure.data[0].y)
    assert "&lt;script&gt;alert('enhet')&lt;/script&gt; (n = 6)" in labels
    assert not any("<script" in label for label in labels)
    assert UNIT in list(view.table["Förvaltning"])  # the table view: text for Dash to escape
    csv_text = downloads.chart_csv(view).decode("utf-8-sig")
    assert f"'{FORMULA}".replace('"', '""') in csv_text  # never a formula in Excel

    [event] = [e for e in audit.events(engine) if e["action"] == "import.survey"][:1]
    assert name in event["after"]

    from dashboard.web.app import app_for

    previous = runtime._settings
    app_for(demo_copy)  # pages register with an app; its settings point at this copy
    try:
        from dashboard.web.pages import goal

        info = next(m for m in queries.measures(engine) if m.is_survey)
        blocks = goal.survey_units(info, 2027)
        tree = str(blocks)
    finally:
        runtime.configure(previous)
    # The table view's cells are data that assets/on-demand.js sets as text when it is opened.
    tables = [json.loads(getattr(c, "data-table")) for block in blocks if block is not None
              for c in block._traverse() if getattr(c, "data-table", None)]
    assert UNIT in {cell for table in tables for row in table["rows"] for cell in row}
    assert "dangerously" not in tree
    assert not re.search(r"type='?Markdown", tree)
