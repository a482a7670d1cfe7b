"""The yearly report as an editable Word document (DOCX), for the officer to add to.

Built with Word's own styles (Title, Heading 1–3, List Bullet, Table Grid) so the navigation
pane, a table of contents and screen readers find the structure; every chart has alt text, the
tables repeat their header row, and the document language is Swedish.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from dashboard import richtext
from dashboard.export.images import REPORT_COLUMN_CM
from dashboard.export.report import AnalysisNote, Report

LANGUAGE = "sv-SE"
MUTED = RGBColor(0x4D, 0x4D, 0x4D)


def _set_language(document) -> None:
    """Swedish as the language of every style's text (spelling and screen readers)."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    properties = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
    if properties is None:
        return
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), LANGUAGE)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(document, header: list[str], rows: list[list[str]], caption: str,
           widths: list[float] | None = None):
    document.add_paragraph(caption, style="Caption")
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
            if widths:
                cell.width = Cm(widths[i])
    return table


def _picture(document, png: bytes, alt_text: str, name: str) -> None:
    document.add_picture(io.BytesIO(png), width=Cm(REPORT_COLUMN_CM))
    properties = document.inline_shapes[-1]._inline.docPr
    properties.set("descr", alt_text)
    properties.set("title", name)


def _runs(paragraph, runs: tuple[richtext.Run, ...]) -> None:
    for run in runs:
        added = paragraph.add_run(run.text)
        added.bold = run.bold or None
        added.italic = run.italic or None


def _analysis(document, note: AnalysisNote) -> None:
    document.add_heading(note.label, level=3)
    for block in note.blocks():
        style = {"ul": "List Bullet", "ol": "List Number"}.get(block.kind)
        for item in block.items:
            _runs(document.add_paragraph(style=style), item)


def _muted(document, text: str, size: int = 9) -> None:
    run = document.add_paragraph().add_run(text)
    run.font.size = Pt(size)
    run.font.color.rgb = MUTED


def docx_bytes(report: Report) -> bytes:
    """The report as DOCX; charts must be in `report.charts` as PNG."""
    document = Document()
    _set_language(document)
    properties = document.core_properties
    properties.title = report.document_title
    properties.subject = f"Uppföljning {report.year} till kommunstyrelsen"
    properties.author = report.municipality
    properties.language = LANGUAGE
    properties.keywords = "kommunikationsstrategi, uppföljning, KKiK, Målbild"
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)

    # Cover
    document.add_paragraph(report.title, style="Title")
    document.add_paragraph(f"{report.municipality} – rapport till kommunstyrelsen",
                           style="Subtitle")
    for term, value in report.cover_facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{term}: ").bold = True
        paragraph.add_run(value)
    if report.example_notice:
        paragraph = document.add_paragraph()
        paragraph.add_run(report.example_notice).bold = True
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # Summary
    document.add_heading("Sammanfattning", level=1)
    document.add_paragraph(
        f"Strategins mått {report.year}: kommunens värde (senaste mätning till och med "
        f"{report.year}), mätkommunernas medelvärde med antalet kommuner (n), målet och de två "
        "statusarna i ord.")
    _table(document, report.summary_header,
           [report.summary_cells(row) for row in report.summary_rows],
           f"Tabell 1. Måtten {report.year} i sammandrag",
           widths=[3.4, 1.1, 2.3, 2.5, 1.9, 1.9, 2.9])

    # Goals
    for goal in report.goals:
        document.add_heading(goal.heading, level=1)
        if goal.description:
            document.add_paragraph(goal.description)
        for measure in goal.measures:
            info = measure.item.info
            document.add_heading(info.name, level=2)
            for term, value in (("Mätområde", info.question), ("Syfte", info.purpose)):
                if value:
                    paragraph = document.add_paragraph()
                    paragraph.add_run(f"{term}: ").bold = True
                    paragraph.add_run(value)
            png = report.charts.get(info.id, {}).get("png")
            if png:
                _picture(document, png, measure.alt_text, info.name)
            document.add_paragraph(measure.summary)
            for note in measure.notes:
                _muted(document, note)
            if measure.analysis:
                _analysis(document, measure.analysis)

    # Appendix
    document.add_heading("Bilaga: källor och metod", level=1)
    document.add_heading("Källor", level=2)
    for name, source in report.sources:
        document.add_paragraph(f"{name}: {source}", style="List Bullet")
    document.add_heading("Metod", level=2)
    for term, text in report.method_notes:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{term}. ").bold = True
        paragraph.add_run(text)
    document.add_heading("Nyckeltal per mått (KPI-historik)", level=2)
    _table(document, report.lineage_header, report.lineage_cells(),
           "Tabell 2. Vilket nyckeltal som mäter måttet vilka år",
           widths=[4.0, 2.0, 2.0, 8.0])
    document.add_heading("Metodbyten (brott i serierna)", level=2)
    if report.series_breaks:
        for sentence in report.series_breaks:
            document.add_paragraph(sentence, style="List Bullet")
    else:
        document.add_paragraph("Inget mått har bytt mätmetod.")
    document.add_heading("Reviderade värden sedan förra årets rapport", level=2)
    document.add_paragraph(report.revisions_intro)
    if len(report.revisions):
        _table(document, report.revision_header, report.revision_cells(),
               "Tabell 3. Reviderade värden", widths=[4.0, 2.0, 1.2, 2.6, 2.6, 2.6])
    else:
        document.add_paragraph("Inga värden har reviderats.")
    _muted(document, f"Skapad av Målbild {report.created.isoformat()}.")

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
