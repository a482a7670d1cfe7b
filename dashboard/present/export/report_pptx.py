"""The yearly report as slides for the kommunstyrelse meeting (PPTX), from the report model.

A title slide; a slide per goal with its verdict, each measure's status line and the goal's
main chart; a slide with the change since the previous measurement; and the Samlad bedömning
where one is fastställd. The charts are the report's PNGs (the figure functions the pages use);
every text is a real text box, so it can be read, searched and edited.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import PP_ALIGN
from pptx.util import Cm, Pt

from dashboard.present.export.images import REPORT_COLUMN_CM
from dashboard.present.export.report import GoalSection, Report

SLIDE_WIDTH, SLIDE_HEIGHT = Cm(33.867), Cm(19.05)  # 16:9
MARGIN = Cm(1.5)
ACCENT = RGBColor(0x1F, 0x4E, 0x79)
TEXT = RGBColor(0x1B, 0x1B, 0x1B)
MUTED = RGBColor(0x4D, 0x4D, 0x4D)
TITLE_ONLY = 5  # the default template's "Title Only" layout: a real slide title
CHART_WIDTH = Cm(17.5)


def _title(slide, text: str) -> None:
    title = slide.shapes.title
    title.left, title.top = MARGIN, Cm(0.8)
    title.width, title.height = SLIDE_WIDTH - 2 * MARGIN, Cm(2.4)
    title.text = text
    paragraph = title.text_frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    paragraph.font.size, paragraph.font.bold = Pt(28), True
    paragraph.font.color.rgb = ACCENT
    title.text_frame.word_wrap = True


def _text_box(slide, left, top, width, height, lines: list[tuple[str, int, bool, RGBColor]]
              ) -> None:
    """A text box with a paragraph per line: (text, size in pt, bold, colour)."""
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    for index, (text, size, bold, colour) in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = text
        run.font.size, run.font.bold = Pt(size), bold
        run.font.color.rgb = colour
        paragraph.space_after = Pt(6)


def _main_chart(report: Report, goal: GoalSection):
    """The goal's main chart: its first measure with the newest value (a current one before
    one whose method has ended), else its first measure."""
    measured = sorted((m for m in goal.measures if m.item.latest is not None),
                      key=lambda m: -m.item.latest.year) or goal.measures
    for measure in measured:
        png = report.charts.get(measure.item.info.id, {}).get("png")
        if png:
            return measure, png
    return None, None


def _goal_slide(presentation, report: Report, goal: GoalSection) -> None:
    slide = presentation.slides.add_slide(presentation.slide_layouts[TITLE_ONLY])
    _title(slide, goal.heading)
    rows = [r for r in report.summary_rows if r.goal == goal.number]
    lines = []
    if goal.verdict is not None:
        lines.append((goal.verdict.text(report.year), 22, True, ACCENT))
    lines += [(f"{r.target_symbol} {r.measure}: {r.value} – {r.target_status}".strip(), 14,
               False, TEXT) for r in rows]
    text_width = SLIDE_WIDTH - 3 * MARGIN - CHART_WIDTH
    _text_box(slide, MARGIN, Cm(3.6), text_width, Cm(13), lines)
    measure, png = _main_chart(report, goal)
    if png:
        height_per_width = _png_ratio(png)
        width = CHART_WIDTH
        height = int(width * height_per_width)
        if height > SLIDE_HEIGHT - Cm(4.2):
            height = SLIDE_HEIGHT - Cm(4.2)
            width = int(height / height_per_width)
        picture = slide.shapes.add_picture(io.BytesIO(png), SLIDE_WIDTH - MARGIN - width,
                                           Cm(3.4), width=width, height=height)
        picture._element.nvPicPr.cNvPr.set("descr", measure.alt_text)


def _png_ratio(png: bytes) -> float:
    """Height / width of a PNG, from its header."""
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    return height / width if width else 420 / (REPORT_COLUMN_CM * 96 / 2.54)


def pptx_bytes(report: Report, *, now: datetime | None = None) -> bytes:
    """The slides for the meeting; charts must be in `report.charts` as PNG."""
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    slide = presentation.slides.add_slide(presentation.slide_layouts[TITLE_ONLY])
    _title(slide, report.title)
    top = Cm(4.2)
    if report.logo:
        picture = slide.shapes.add_picture(io.BytesIO(report.logo), MARGIN, top,
                                           height=Cm(1.8))
        picture._element.nvPicPr.cNvPr.set("descr", report.municipality)
        top += Cm(2.4)
    _text_box(slide, MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, Cm(10), [
        (f"{report.municipality} – underlag till kommunstyrelsen", 22, False, MUTED),
        (report.status_text, 16, True, ACCENT),
        *((f"{term}: {value}", 14, False, TEXT) for term, value in report.cover_facts
          if term != "Status"),
    ])
    for goal in report.goals:
        _goal_slide(presentation, report, goal)
    slide = presentation.slides.add_slide(presentation.slide_layouts[TITLE_ONLY])
    _title(slide, "Förändring sedan förra mätningen")
    _text_box(slide, MARGIN, Cm(3.6), SLIDE_WIDTH - 2 * MARGIN, Cm(14), [
        (f"{row.measure}: {row.change}", 16, False, TEXT) for row in report.summary_rows])
    if report.overall is not None:
        slide = presentation.slides.add_slide(presentation.slide_layouts[TITLE_ONLY])
        _title(slide, "Samlad bedömning")
        _text_box(slide, MARGIN, Cm(3.6), SLIDE_WIDTH - 2 * MARGIN, Cm(14), [
            ("".join(run.text for run in item), 16, False, TEXT)
            for block in report.overall.blocks() for item in block.items])
    properties = presentation.core_properties
    properties.title = report.document_title
    properties.subject = f"{report.status_text} – underlag till kommunstyrelsen"
    properties.author = properties.last_modified_by = report.municipality
    properties.language = "sv-SE"
    properties.created = properties.modified = (now or datetime.now(UTC)).replace(
        tzinfo=None, microsecond=0)
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()
