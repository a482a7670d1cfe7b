"""The Word template of the yearly report: which styles the report uses, and how it is made.

The DOCX is written into a template (`data/report/rapportmall.docx`, or the file named by
`MALBILD_REPORT_TEMPLATE`): its body is cleared and its styles, page set-up, header and footer
are kept. A municipality brands the report by saving its own Word template with the style names
below; no code changes. A style the template lacks falls back to a plain one and is named in a
warning, so a half-finished template still gives a complete report.

In the header, `{rapport}` is replaced by the report's title and `{kommun}` by the
municipality; the footer's PAGE and NUMPAGES fields give "Sida X av Y" (added if the template's
footer has no page field).

    python -m dashboard.present.export.report_template data/report/rapportmall.docx

makes the bundled template again (without a logo: the report adds the one configured in
MALBILD_REPORT_LOGO, or none).
"""

from __future__ import annotations

import io
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from etl.errors import InputError
from etl.settings import Settings

log = logging.getLogger(__name__)

TEMPLATE_SETTING = "MALBILD_REPORT_TEMPLATE"
TITLE_PLACEHOLDER = "{rapport}"
MUNICIPALITY_PLACEHOLDER = "{kommun}"

PARAGRAPH_STYLES = {
    "body": "Normal",
    "title": "Title",
    "subtitle": "Subtitle",
    "heading1": "Heading 1",
    "heading2": "Heading 2",
    "heading3": "Heading 3",
    "caption": "Caption",
    "bullet": "List Bullet",
    "number": "List Number",
    "toc_heading": "TOC Heading",
    "toc1": "toc 1",
    "toc2": "toc 2",
    "header": "Header",
    "footer": "Footer",
    "cover_fact": "Målbild Försättsblad",
    "verdict": "Målbild Bedömning",
    "draft": "Målbild Automatiskt underlag",
    "note": "Målbild Notering",
    "table_text": "Målbild Tabelltext",
}
"""What the report writes (role) → the style name it looks for in the template."""

TABLE_STYLE = "Målbild Tabell"
FALLBACK_TABLE_STYLES = ("Table Grid",)
FALLBACK_PARAGRAPH_STYLE = "Normal"

# The bundled template's graphic profile: dark blue headings (8.6:1 on white), grey notes.
FONT = "Arial"
ACCENT = RGBColor(0x1F, 0x4E, 0x79)
MUTED = RGBColor(0x4D, 0x4D, 0x4D)
ACCENT_HEX, LIGHT_HEX, RULE_HEX = "1F4E79", "E8EEF4", "8A8A8A"


def template_path(settings: Settings) -> Path:
    """The template to use: MALBILD_REPORT_TEMPLATE, else the bundled one."""
    return settings.report_template or settings.data_dir / "report" / "rapportmall.docx"


@dataclass
class Template:
    """An opened template: the document to write into and the styles to write with."""

    path: Path
    document: object
    missing: list[str] = field(default_factory=list)
    _styles: dict[str, object] = field(default_factory=dict, repr=False)
    _style_ids: dict[str, str | None] = field(default_factory=dict, repr=False)
    _kinds: set[tuple[str, object]] | None = field(default=None, repr=False)

    def _has(self, name: str, kind) -> bool:
        """Whether the template has a style `name` of `kind` (every style read once)."""
        if self._kinds is None:
            self._kinds = {(style.name, style.type) for style in self.document.styles}
        return (name, kind) in self._kinds

    def style(self, role: str):
        """The template's style for `role`, or the fallback (and a warning) if it has none.
        Looked up once per role: finding a style by name reads every style in the template."""
        if role in self._styles:
            return self._styles[role]
        name = PARAGRAPH_STYLES[role]
        if self._has(name, WD_STYLE_TYPE.PARAGRAPH):
            found = self.document.styles[name]
        else:
            if name not in self.missing:
                self.missing.append(name)
                log.warning("Rapportmallen %s saknar formatmallen «%s»; «%s» används.",
                            self.path, name, FALLBACK_PARAGRAPH_STYLE)
            found = self.document.styles[FALLBACK_PARAGRAPH_STYLE]
        self._styles[role] = found
        return found

    def apply(self, paragraph, role: str) -> None:
        """Give `paragraph` the style for `role`, as `paragraph.style = …` does (the default
        paragraph style is written as no style), without python-docx's search of every style
        for the default on each paragraph."""
        if role not in self._style_ids:
            style = self.style(role)
            default = self.document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
            self._style_ids[role] = (None if default is not None
                                     and style.style_id == default.style_id else style.style_id)
        paragraph._p.style = self._style_ids[role]

    def table_style(self):
        if "table" not in self._styles:
            self._styles["table"] = self._table_style()
        return self._styles["table"]

    def _table_style(self):
        if self._has(TABLE_STYLE, WD_STYLE_TYPE.TABLE):
            return self.document.styles[TABLE_STYLE]
        if TABLE_STYLE not in self.missing:
            self.missing.append(TABLE_STYLE)
            log.warning("Rapportmallen %s saknar tabellformatet «%s».", self.path, TABLE_STYLE)
        for name in FALLBACK_TABLE_STYLES:
            if self._has(name, WD_STYLE_TYPE.TABLE):
                return self.document.styles[name]
        return None


def _has_style(document, name: str, kind) -> bool:
    return any(style.name == name and style.type == kind for style in document.styles)


def open_template(path: Path) -> Template:
    """The template with its body cleared (page set-up, header and footer kept)."""
    if not path.is_file():
        raise InputError(f"rapportmallen {path} finns inte.",
                         hint=f"Ange en Word-fil (.docx) i {TEMPLATE_SETTING}, eller ta bort "
                              "inställningen så används den medföljande mallen.")
    try:
        document = Document(str(path))
    except Exception as exc:
        raise InputError(f"rapportmallen {path} går inte att öppna som Word-dokument ({exc}).",
                         hint="Spara mallen som Word-dokument (.docx) och försök igen.") from None
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    template = Template(path, document)
    for role in PARAGRAPH_STYLES:
        template.style(role)
    template.table_style()
    return template


def missing_styles(path: Path) -> list[str]:
    """The report's style names that the template at `path` lacks."""
    return open_template(path).missing


# --- Making the bundled template ----------------------------------------------------------------


def _paragraph_style(document, name: str, *, base: str = "Normal", size: float | None = None,
                     bold: bool | None = None, color: RGBColor | None = None,
                     before: float | None = None, after: float | None = None):
    styles = document.styles
    style = (styles[name] if _has_style(document, name, WD_STYLE_TYPE.PARAGRAPH)
             else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH))
    if name != base:
        style.base_style = styles[base]
    style.font.name = FONT
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if color is not None:
        style.font.color.rgb = color
    style.font.italic = False
    if before is not None:
        style.paragraph_format.space_before = Pt(before)
    if after is not None:
        style.paragraph_format.space_after = Pt(after)
    _east_asian_font(style)
    return style


def _east_asian_font(style) -> None:
    """Headings in the default template name a theme font; a fixed font wins everywhere."""
    fonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
    if fonts is not None:
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)
        for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attribute), FONT)


def _border(parent, edges: dict[str, tuple[str, int]], tag: str = "w:pBdr") -> None:
    borders = OxmlElement(tag)
    for edge, (color, size) in edges.items():
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), str(size))
        element.set(qn("w:space"), "4")
        element.set(qn("w:color"), color)
        borders.append(element)
    parent.append(borders)


def _shading(parent, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    parent.append(shading)


def _table_style(document) -> None:
    style = document.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    style.base_style = document.styles["Normal Table"]
    element = style.element
    table_properties = OxmlElement("w:tblPr")
    _border(table_properties, {edge: (RULE_HEX, 4) for edge in
                               ("top", "left", "bottom", "right", "insideH", "insideV")},
            "w:tblBorders")
    margins = OxmlElement("w:tblCellMar")
    for edge, width in (("top", 30), ("left", 80), ("bottom", 30), ("right", 80)):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), str(width))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table_properties.append(margins)
    element.append(table_properties)
    header = OxmlElement("w:tblStylePr")
    header.set(qn("w:type"), "firstRow")
    run_properties = OxmlElement("w:rPr")
    run_properties.append(OxmlElement("w:b"))
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "FFFFFF")
    run_properties.append(color)
    header.append(run_properties)
    cell_properties = OxmlElement("w:tcPr")
    _shading(cell_properties, ACCENT_HEX)
    header.append(cell_properties)
    element.append(header)


def _field(paragraph, instruction: str, shown: str) -> None:
    """A complex field (PAGE, NUMPAGES, TOC …) with the text shown until Word updates it."""
    def char(kind: str):
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    char("separate")
    paragraph.add_run(shown)
    char("end")


def page_number_footer(paragraph) -> None:
    """"Sida X av Y" with PAGE and NUMPAGES fields."""
    paragraph.add_run("Sida ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(" av ")
    _field(paragraph, "NUMPAGES", "1")


def _core_and_app_properties(document) -> None:
    properties = document.core_properties
    properties.title = "Rapportmall för Målbilds årsrapport"
    properties.subject = "Mall"
    properties.author = properties.last_modified_by = ""
    properties.comments = ""
    properties.keywords = ""
    properties.language = "sv-SE"
    package = document.part.package
    for rid, relation in list(package.rels.items()):
        if relation.reltype.endswith("/thumbnail"):
            del package.rels[rid]
        elif relation.reltype.endswith("/extended-properties"):
            relation.target_part._blob = (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'extended-properties"><Application>M\xc3\xa5lbild</Application></Properties>')


def build_template(path: Path, logo: bytes | None = None) -> Path:
    """Write the bundled report template to `path`."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    section.header_distance = section.footer_distance = Cm(1.1)
    section.different_first_page_header_footer = True  # the title page has neither

    _paragraph_style(document, "Normal", size=10.5, after=6)
    document.styles["Normal"].font.color.rgb = RGBColor(0x1B, 0x1B, 0x1B)
    _paragraph_style(document, "Title", size=26, bold=True, color=ACCENT, before=96, after=6)
    title = document.styles["Title"].element.get_or_add_pPr()
    for old in title.findall(qn("w:pBdr")):
        title.remove(old)
    _paragraph_style(document, "Subtitle", size=14, color=MUTED, after=30)
    for level, size, before in ((1, 17, 18), (2, 13.5, 14), (3, 11.5, 10)):
        style = _paragraph_style(document, f"Heading {level}", size=size, bold=True,
                                 color=ACCENT, before=before, after=4)
        style.paragraph_format.keep_with_next = True
    _paragraph_style(document, "Caption", size=9, bold=True, color=MUTED, after=3)
    document.styles["Caption"].paragraph_format.keep_with_next = True
    for name in ("List Bullet", "List Number", "Header", "Footer"):
        _paragraph_style(document, name, base="Normal" if name.startswith("List") else name)
    _paragraph_style(document, "Header", size=8.5, color=MUTED)
    _paragraph_style(document, "Footer", size=8.5, color=MUTED)
    _paragraph_style(document, "TOC Heading", base="Heading 1", size=17, bold=True,
                     color=ACCENT)
    _paragraph_style(document, "toc 1", size=10.5, bold=True, before=4, after=2)
    toc2 = _paragraph_style(document, "toc 2", size=10, after=2)
    toc2.paragraph_format.left_indent = Cm(0.6)
    _paragraph_style(document, "Målbild Försättsblad", size=11, after=3)
    verdict = _paragraph_style(document, "Målbild Bedömning", size=11.5, bold=True,
                               color=ACCENT, before=4, after=8)
    properties = verdict.element.get_or_add_pPr()
    _border(properties, {"left": (ACCENT_HEX, 24)})
    _shading(properties, LIGHT_HEX)
    draft = _paragraph_style(document, "Målbild Automatiskt underlag", size=10, after=4)
    _border(draft.element.get_or_add_pPr(), {"left": ("595959", 18)})
    _paragraph_style(document, "Målbild Notering", size=9, color=MUTED, after=4)
    _paragraph_style(document, "Målbild Tabelltext", size=8.5, after=0)
    document.styles["Målbild Tabelltext"].paragraph_format.space_before = Pt(0)
    _table_style(document)

    header = section.header.paragraphs[0]
    header.style = document.styles["Header"]
    header.paragraph_format.tab_stops.add_tab_stop(Cm(16), WD_TAB_ALIGNMENT.RIGHT)
    if logo:  # else the report puts the configured logo (MALBILD_REPORT_LOGO) here, if any
        picture = header.add_run().add_picture(io.BytesIO(logo), height=Cm(0.9))
        picture._inline.docPr.set("descr", "Kommunens logotyp")
    header.add_run(f"\t{TITLE_PLACEHOLDER}")
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    footer.paragraph_format.tab_stops.add_tab_stop(Cm(16), WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run(f"{MUNICIPALITY_PLACEHOLDER}\t")
    page_number_footer(footer)

    _core_and_app_properties(document)
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else (
        Path(__file__).resolve().parents[2] / "data" / "report" / "rapportmall.docx")
    print(build_template(target))
