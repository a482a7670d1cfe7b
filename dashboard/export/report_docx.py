"""The yearly report as an editable Word document (DOCX), written into the report template.

The template (see `report_template`) brings the styles, fonts, colours, page set-up, logo,
header and footer; this module only clears its body and writes the report with the template's
style names (Title, Heading 1–3, Caption, List Bullet, toc 1–2, Målbild …), so the navigation
pane, the table of contents and screen readers find the structure. Every chart has alt text,
tables repeat their header row, and the document's language and properties are the report's.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from dashboard import richtext
from dashboard.export import report_template
from dashboard.export.images import REPORT_COLUMN_CM
from dashboard.export.report import AnalysisNote, MeasureSection, Report

LANGUAGE = "sv-SE"
SUMMARY_WIDTHS = [3.4, 1.1, 2.3, 2.5, 1.9, 2.0, 2.8]
TOC_LEVELS = "1-2"


def _set_language(document) -> None:
    """Swedish as the language of every style's text (spelling and screen readers)."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), LANGUAGE)


def _properties(document, report: Report, now: datetime) -> None:
    properties = document.core_properties
    properties.title = report.document_title
    properties.subject = f"Uppföljning {report.year} – underlag till kommunstyrelsen"
    properties.author = report.municipality
    properties.last_modified_by = report.municipality
    properties.comments = report.strategy.name
    properties.category = "Uppföljning"
    properties.keywords = "kommunikationsstrategi, uppföljning, KKiK"
    properties.language = LANGUAGE
    properties.created = properties.modified = now
    properties.revision = 1
    # A municipality's template may carry its own print date and status; they are not ours.
    for name in ("lastPrinted", "identifier", "contentStatus", "version"):
        for element in properties._element.findall(f"{{*}}{name}"):
            properties._element.remove(element)


class _Writer:
    """Writes the report into an opened template with the template's styles."""

    def __init__(self, template: report_template.Template, report: Report) -> None:
        self.template = template
        self.document = template.document
        self.report = report

    # --- blocks ------------------------------------------------------------------------------

    def paragraph(self, text: str = "", role: str = "body"):
        paragraph = self.document.add_paragraph(text)
        self.template.apply(paragraph, role)
        return paragraph

    def heading(self, text: str, level: int):
        return self.paragraph(text, f"heading{level}")

    def facts(self, facts: list[tuple[str, str]], role: str = "body") -> None:
        for term, value in facts:
            paragraph = self.paragraph(role=role)
            paragraph.add_run(f"{term}: ").bold = True
            paragraph.add_run(value)

    def table(self, header: list[str], rows: list[list[str]], caption: str,
              widths: list[float] | None = None, groups: list[tuple[str, int]] | None = None):
        """A table in the template's table style with a repeated header row; `groups`
        (text, row index) puts a full-width group row before those rows."""
        self.paragraph(caption, "caption")
        table = self.document.add_table(rows=1, cols=len(header))
        style = self.template.table_style()
        if style is not None:
            table.style = style
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            self._cell(cell, text, bold=True)
        _repeat_header(table.rows[0])
        starts = dict((index, text) for text, index in (groups or []))
        for index, values in enumerate(rows):
            if index in starts:
                row = table.add_row()
                merged = row.cells[0].merge(row.cells[-1])
                self._cell(merged, starts[index], bold=True)
                _cant_split(row)
            row = table.add_row()
            for cell, text in zip(row.cells, values, strict=True):
                self._cell(cell, text)
            _cant_split(row)
        if widths:
            for row in table.rows:
                for cell, width in zip(row.cells, widths, strict=False):
                    cell.width = Cm(width)
        return table

    def _cell(self, cell, text: str, bold: bool = False) -> None:
        paragraph = cell.paragraphs[0]
        self.template.apply(paragraph, "table_text")
        run = paragraph.add_run(text)
        if bold:
            run.bold = True

    def picture(self, png: bytes, alt_text: str, name: str) -> None:
        paragraph = self.paragraph()
        paragraph.paragraph_format.keep_with_next = True
        run = paragraph.add_run()
        shape = run.add_picture(io.BytesIO(png), width=Cm(REPORT_COLUMN_CM))
        shape._inline.docPr.set("descr", alt_text)
        shape._inline.docPr.set("title", name)

    def runs(self, paragraph, runs: tuple[richtext.Run, ...]) -> None:
        for run in runs:
            added = paragraph.add_run(run.text)
            added.bold = run.bold or None
            added.italic = run.italic or None

    def analysis(self, note: AnalysisNote) -> None:
        self.heading(note.label, 3)
        for block in note.blocks():
            role = {"ul": "bullet", "ol": "number"}.get(block.kind, "body")
            for item in block.items:
                self.runs(self.paragraph(role=role), item)

    def page_break(self) -> None:
        self.paragraph().add_run().add_break(WD_BREAK.PAGE)

    # --- parts -------------------------------------------------------------------------------

    def header_and_footer(self) -> None:
        """Fill `{rapport}`/`{kommun}` in the template's header and footer; add the title and
        "Sida X av Y" where the template has no place for them."""
        section = self.document.sections[0]
        values = {report_template.TITLE_PLACEHOLDER: self.report.document_title,
                  report_template.MUNICIPALITY_PLACEHOLDER: self.report.municipality}
        header_found = _replace_placeholders(section.header, values)
        _replace_placeholders(section.footer, values)
        if not header_found:
            section.header.add_paragraph(self.report.document_title,
                                         style=self.template.style("header"))
        if "PAGE" not in section.footer._element.xml.replace("NUMPAGES", ""):
            report_template.page_number_footer(
                section.footer.add_paragraph(style=self.template.style("footer")))

    def cover(self) -> None:
        report = self.report
        self.paragraph(report.title, "title")
        self.paragraph(f"{report.municipality} – underlag till kommunstyrelsen", "subtitle")
        self.facts(report.cover_facts, "cover_fact")
        if report.example_notice:
            self.paragraph(role="note").add_run(report.example_notice).bold = True
        self.page_break()

    def contents(self) -> None:
        """A TOC field; its text until Word updates it lists the headings (no page numbers)."""
        self.paragraph("Innehåll", "toc_heading")
        entries = [(1, "Sammanfattning")]
        for goal in self.report.goals:
            entries.append((1, goal.heading))
            entries += [(2, measure.name) for measure in goal.measures]
        entries.append((1, "Bilaga: källor och metod"))
        first = self.paragraph(role="toc1")
        _field_start(first, f'TOC \\o "{TOC_LEVELS}" \\h \\z \\u')
        first.add_run(entries[0][1])
        for level, text in entries[1:]:
            self.paragraph(text, f"toc{level}")
        _field_end(self.paragraph(role="toc1"))
        self.paragraph("Sidnumren visas när fälten uppdateras (Word gör det när dokumentet "
                       "öppnas; annars F9).", "note")
        self.page_break()

    def summary(self) -> None:
        report = self.report
        self.heading("Sammanfattning", 1)
        self.paragraph(
            f"Strategins mått {report.year} per mål: kommunens värde (senaste mätning till och "
            f"med {report.year}), mätkommunernas medelvärde med antalet kommuner (n), målet och "
            "de två statusarna i ord och tecken (✓ uppnått, ↗ på väg, ✗ ej uppnått; ▲ bästa "
            "fjärdedelen … ▼ sämsta).")
        rows, groups = [], []
        for goal, cells in report.summary_groups():
            verdict = f" – {goal.verdict.symbol} {goal.verdict.label}" if goal.verdict else ""
            groups.append((goal.heading + verdict, len(rows)))
            rows += cells
        self.table(report.summary_header, rows, f"Tabell 1. Måtten {report.year} per mål",
                   SUMMARY_WIDTHS, groups)

    def measure(self, measure: MeasureSection, table_number: int) -> None:
        info = measure.item.info
        self.heading(info.name, 2)
        self.facts([(t, v) for t, v in (("Mätområde", info.question), ("Syfte", info.purpose))
                    if v])
        png = self.report.charts.get(info.id, {}).get("png")
        if png:
            self.picture(png, measure.alt_text, info.name)
        self.paragraph(measure.summary)
        for note in measure.notes:
            self.paragraph(note, "note")
        if measure.table is not None and measure.table.rows:
            self.table(measure.table.header, measure.table.rows,
                       f"Tabell {table_number}. {measure.table.caption}")
        if measure.narrative:
            label = self.paragraph(role="draft")
            label.add_run(measure.draft_label).bold = True
            label.paragraph_format.keep_with_next = True
            for sentence in measure.narrative:
                self.paragraph(sentence, "draft")
        if measure.analysis:
            self.analysis(measure.analysis)

    def goals(self) -> int:
        number = 2
        for goal in self.report.goals:
            self.heading(goal.heading, 1)
            if goal.verdict is not None:
                self.paragraph(goal.verdict.text(self.report.year), "verdict")
                if goal.verdict.rule:
                    self.paragraph(goal.verdict.rule, "note")
            if goal.description:
                self.paragraph(goal.description)
            for measure in goal.measures:
                self.measure(measure, number)
                number += 1 if measure.table is not None and measure.table.rows else 0
        return number

    def appendix(self, table_number: int) -> None:
        report = self.report
        self.heading("Bilaga: källor och metod", 1)
        self.heading("Källor", 2)
        for name, source in report.sources:
            self.paragraph(f"{name}: {source}", "bullet")
        self.heading("Metod", 2)
        for term, text in report.method_notes:
            paragraph = self.paragraph()
            paragraph.add_run(f"{term}. ").bold = True
            paragraph.add_run(text)
        self.heading("Nyckeltal per mått (KPI-historik)", 2)
        self.table(report.lineage_header, report.lineage_cells(),
                   f"Tabell {table_number}. Vilket nyckeltal som mäter måttet vilka år",
                   [4.0, 2.0, 2.0, 8.0])
        self.heading("Metodbyten (brott i serierna)", 2)
        if report.series_breaks:
            for sentence in report.series_breaks:
                self.paragraph(sentence, "bullet")
        else:
            self.paragraph("Inget mått har bytt mätmetod.")
        self.heading("Reviderade värden sedan förra årets rapport", 2)
        self.paragraph(report.revisions_intro)
        if len(report.revisions):
            self.table(report.revision_header, report.revision_cells(),
                       f"Tabell {table_number + 1}. Reviderade värden",
                       [4.0, 2.0, 1.2, 2.6, 2.6, 2.6])
        else:
            self.paragraph("Inga värden har reviderats.")
        self.paragraph(f"Skapad av Målbild {report.created.isoformat()}.", "note")


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _cant_split(row) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.insert(0, OxmlElement("w:cantSplit"))


def _field_start(paragraph, instruction: str) -> None:
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")  # Word recomputes the TOC when it opens the file
    run._r.append(begin)
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    run = paragraph.add_run()
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run._r.append(separate)


def _field_end(paragraph) -> None:
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


def _replace_placeholders(part, values: dict[str, str]) -> bool:
    """Replace placeholders run by run (Word keeps `{rapport}` in one run when typed at once);
    True if any was found."""
    found = False
    for paragraph in part.paragraphs:
        for run in paragraph.runs:
            for placeholder, value in values.items():
                if placeholder in run.text:
                    run.text = run.text.replace(placeholder, value)
                    found = found or placeholder == report_template.TITLE_PLACEHOLDER
    return found


def _update_fields_on_open(document) -> None:
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)


def docx_bytes(report: Report, template: Path | None = None, *,
               now: datetime | None = None) -> bytes:
    """The report as DOCX written into `template` (default: the bundled one); charts must be
    in `report.charts` as PNG."""
    from etl.settings import DEFAULT_DATA_DIR

    opened = report_template.open_template(
        template or DEFAULT_DATA_DIR / "report" / "rapportmall.docx")
    document = opened.document
    _set_language(document)
    _properties(document, report,
                (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0))
    _update_fields_on_open(document)
    writer = _Writer(opened, report)
    writer.header_and_footer()
    writer.cover()
    writer.contents()
    writer.summary()
    writer.appendix(writer.goals())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
