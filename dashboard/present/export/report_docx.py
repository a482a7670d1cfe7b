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
from docx.shared import Cm, Pt, RGBColor

from dashboard.present import richtext
from dashboard.present.export import report_template
from dashboard.present.export.images import REPORT_COLUMN_CM
from dashboard.present.export.report import AnalysisNote, MeasureSection, Report

LANGUAGE = "sv-SE"
TOC_LEVELS = "1-2"
TABLE_FONT_PT = 8.5
MIN_TABLE_FONT_PT = 6.5
CELL_PADDING_CM = 0.35  # the table style's cell margins (80 twips a side) and some slack
HEADER_FILL, HEADER_TEXT = report_template.ACCENT_HEX, "FFFFFF"  # 8,6:1
GROUP_FILL, GROUP_TEXT = report_template.LIGHT_HEX, "1B1B1B"
TWIPS_PER_CM = 1440 / 2.54


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
    properties.content_status = report.status_text
    if report.frozen is not None:
        properties.version = str(report.frozen.version)
        properties.last_modified_by = report.frozen.by


# --- Column widths ------------------------------------------------------------------------------


def _text_width_cm(text: str, bold: bool = False, size_pt: float = TABLE_FONT_PT) -> float:
    """The width of `text` in the table font (Arial or its metric twin Liberation Sans), from
    rough per-letter widths in em, erring on the wide side."""
    em = 0.0
    for char in text:
        if char in "ijlft.,:;'|!() \u00a0":
            em += 0.30
        elif char in "mwMW%":
            em += 0.86
        elif char.isupper():
            em += 0.70
        elif ord(char) > 0x2000:  # arrows and status signs, from a fallback font
            em += 1.0
        else:
            em += 0.57
    return em * size_pt * (1.08 if bold else 1.0) / 72 * 2.54


def _words(text: str) -> list[str]:
    """Where a line may break: at plain spaces only (a no-break space joins "83,0 %")."""
    return [word for word in text.split(" ") if word]


def column_widths(header: list[str], rows: list[list[str]], total_cm: float,
                  size_pt: float = TABLE_FONT_PT) -> list[float]:
    """Column widths that fill `total_cm`: each column at least as wide as its longest word
    (so no word is broken inside a cell), the rest shared by how much text each holds."""
    columns = list(zip(header, *rows, strict=True)) if rows else [(h,) for h in header]
    least = [max(_text_width_cm(w, i == 0, size_pt) for i, cell in enumerate(column)
                 for w in _words(cell) or [""]) + CELL_PADDING_CM for column in columns]
    wanted = [max(_text_width_cm(cell, i == 0, size_pt) for i, cell in enumerate(column))
              + CELL_PADDING_CM for column in columns]
    spare = total_cm - sum(least)
    if spare <= 0:
        return [width * total_cm / sum(least) for width in least]
    extra = [w - m for w, m in zip(wanted, least, strict=True)]
    if sum(extra) <= spare:
        return [m + e + (spare - sum(extra)) * m / sum(least)
                for m, e in zip(least, extra, strict=True)]
    return [m + spare * e / sum(extra) for m, e in zip(least, extra, strict=True)]


def table_font_size(header: list[str], rows: list[list[str]], total_cm: float) -> float:
    """The table font's size: TABLE_FONT_PT, or smaller (in half points, down to
    MIN_TABLE_FONT_PT) until every column's longest word fits the page's width."""
    columns = list(zip(header, *rows, strict=True)) if rows else [(h,) for h in header]
    size = TABLE_FONT_PT
    while size > MIN_TABLE_FONT_PT and sum(
            max(_text_width_cm(w, i == 0, size) for i, cell in enumerate(column)
                for w in _words(cell) or [""]) + CELL_PADDING_CM
            for column in columns) > total_cm:
        size -= 0.5
    return size


def _fix_widths(table, widths: list[float]) -> None:
    """Real widths in the table grid, on every cell and for the table, laid out as fixed, so
    that Word and LibreOffice both use them."""
    twips = [round(w * TWIPS_PER_CM) for w in widths]
    properties = table._tbl.tblPr
    for tag in ("w:tblW", "w:tblLayout"):
        for old in properties.findall(qn(tag)):
            properties.remove(old)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(sum(twips)))
    width.set(qn("w:type"), "dxa")
    properties.append(width)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)
    for column, twip in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=True):
        column.set(qn("w:w"), str(twip))
    for row in table.rows:
        cells = row._tr.findall(qn("w:tc"))
        position = 0
        for cell in cells:
            span = cell.tcPr.find(qn("w:gridSpan")) if cell.tcPr is not None else None
            count = int(span.get(qn("w:val"))) if span is not None else 1
            cell.get_or_add_tcPr()
            cell.width = Cm(sum(widths[position:position + count]))
            position += count


def _shade(cell, fill: str, text: str) -> None:
    """The cell's background and its text colour set on the cell itself, not left to the
    table style (LibreOffice ignores a style's first-row colours)."""
    properties = cell._tc.get_or_add_tcPr()
    for old in properties.findall(qn("w:shd")):
        properties.remove(old)
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)
    for paragraph in cell.paragraphs:
        for run in paragraph.runs:
            run.font.color.rgb = RGBColor.from_string(text)


class _Writer:
    """Writes the report into an opened template with the template's styles."""

    def __init__(self, template: report_template.Template, report: Report) -> None:
        self.template = template
        self.document = template.document
        self.report = report
        self.anchors: dict[str, str] = {}
        """Heading text → the bookmark its entry in the table of contents links to."""

    # --- blocks ------------------------------------------------------------------------------

    def paragraph(self, text: str = "", role: str = "body"):
        paragraph = self.document.add_paragraph(text)
        self.template.apply(paragraph, role)
        return paragraph

    def heading(self, text: str, level: int):
        paragraph = self.paragraph(text, f"heading{level}")
        anchor = self.anchors.pop(text, None) if level <= 2 else None
        if anchor:
            _bookmark(paragraph, anchor, len(self.anchors) + 100)
        return paragraph

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
            _shade(cell, HEADER_FILL, HEADER_TEXT)
        _repeat_header(table.rows[0])
        starts = dict((index, text) for text, index in (groups or []))
        for index, values in enumerate(rows):
            if index in starts:
                row = table.add_row()
                merged = row.cells[0].merge(row.cells[-1])
                self._cell(merged, starts[index], bold=True)
                _shade(merged, GROUP_FILL, GROUP_TEXT)
                _cant_split(row)
            row = table.add_row()
            for cell, text in zip(row.cells, values, strict=True):
                self._cell(cell, text)
            _cant_split(row)
        size = table_font_size(header, rows, REPORT_COLUMN_CM)
        if size != TABLE_FONT_PT:
            for row in table.rows:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        for run in paragraph.runs:
                            run.font.size = Pt(size)
        _fix_widths(table, widths or column_widths(header, rows, REPORT_COLUMN_CM, size))
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
        if self.report.logo:
            first = section.header.paragraphs[0]
            run = first.add_run()
            first._p.remove(run._r)
            first._p.insert(1 if first._p.pPr is not None else 0, run._r)
            picture = run.add_picture(io.BytesIO(self.report.logo), height=Cm(0.9))
            picture._inline.docPr.set("descr", f"{self.report.municipality}s logotyp"
                                      if not self.report.municipality.endswith("s")
                                      else f"{self.report.municipality} logotyp")
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

    def toc_entries(self) -> list[tuple[int, str]]:
        entries = [(1, "Sammanfattning")]
        for goal in self.report.goals:
            entries.append((1, goal.heading))
            entries += [(2, measure.name) for measure in goal.measures]
        entries.append((1, "Bilaga: källor och metod"))
        return entries

    def contents(self) -> None:
        """The table of contents written out, each entry a link to its heading, inside a TOC
        field that is not marked for updating: Word and LibreOffice show the entries as they
        are, and Word adds page numbers when the reader updates the field."""
        self.paragraph("Innehåll", "toc_heading")
        entries = self.toc_entries()
        paragraphs = []
        for index, (level, text) in enumerate(entries):
            anchor = f"_Toc{index + 1:08d}"
            self.anchors.setdefault(text, anchor)
            paragraph = self.paragraph(role=f"toc{level}")
            paragraphs.append(paragraph)
            _link(paragraph, text, anchor)
        _field_start(paragraphs[0], f'TOC \\o "{TOC_LEVELS}" \\h \\z \\u', before_text=True)
        _field_end(paragraphs[-1])
        self.page_break()

    def summary(self) -> None:
        report = self.report
        self.heading("Sammanfattning", 1)
        for goal in report.goals:
            if goal.result_text:
                paragraph = self.paragraph()
                paragraph.add_run(f"{goal.heading}. ").bold = True
                paragraph.add_run(goal.result_text)
        self.paragraph(f"Så bedöms målen: {report.verdict_rule}", "note")
        rows, groups = [], []
        for goal, cells in report.summary_groups():
            verdict = f" – {goal.verdict.symbol} {goal.verdict.label}" if goal.verdict else ""
            groups.append((goal.heading + verdict, len(rows)))
            rows += cells
        self.table(report.summary_header, rows,
                   f"Tabell 1. Måtten {report.year} per mål: status, förändring och "
                   "jämförelse", groups=groups)
        if report.overall is not None:
            self.heading("Samlad bedömning", 2)
            for block in report.overall.blocks():
                role = {"ul": "bullet", "ol": "number"}.get(block.kind, "body")
                for item in block.items:
                    self.runs(self.paragraph(role=role), item)

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
            label.add_run(self.report.narrative_label).bold = True
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
                   f"Tabell {table_number}. Vilket nyckeltal som mäter måttet vilka år")
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
                       f"Tabell {table_number + 1}. Reviderade värden")
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


def _field_start(paragraph, instruction: str, before_text: bool = False) -> None:
    """A field's begin, instruction and separator runs; `before_text` puts them before what
    the paragraph already holds (its shown result). Not marked dirty: Word shows the result
    as written and never asks to update."""
    elements = []
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    elements.append(begin)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    elements.append(text)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    elements.append(separate)
    runs = []
    for element in elements:
        run = OxmlElement("w:r")
        run.append(element)
        runs.append(run)
    if before_text:
        position = 1 if paragraph._p.pPr is not None else 0
        for offset, run in enumerate(runs):
            paragraph._p.insert(position + offset, run)
    else:
        for run in runs:
            paragraph._p.append(run)


def _field_end(paragraph) -> None:
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


def _bookmark(paragraph, name: str, bookmark_id: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    position = 1 if paragraph._p.pPr is not None else 0
    paragraph._p.insert(position, start)
    paragraph._p.append(end)


def _link(paragraph, text: str, anchor: str) -> None:
    """An internal link to the bookmark `anchor` showing `text`."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    shown = OxmlElement("w:t")
    shown.set(qn("xml:space"), "preserve")
    shown.text = text
    run.append(shown)
    link.append(run)
    paragraph._p.append(link)


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
    writer = _Writer(opened, report)
    writer.header_and_footer()
    writer.cover()
    writer.contents()
    writer.summary()
    writer.appendix(writer.goals())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
