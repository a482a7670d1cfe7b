"""The yearly report as an accessible PDF: the model as semantic HTML, printed by Chromium.

Chromium's tagged-PDF output keeps the HTML structure (headings, lists, tables with header
cells, figures with their alt text), takes the document language from `<html lang="sv">` and
the title from `<title>`, and adds an outline (bookmarks) from the headings. The charts are
embedded as SVG, so they stay sharp and their numbers remain text.

Layout: nothing forces a page break except after the cover, so no page is left half empty;
instead a heading is printed in one unbreakable block with what follows it (for a measure: the
heading, the facts, the chart and its caption), so a heading never ends a page. Table headers
never split inside a word.
"""

from __future__ import annotations

import base64
import contextlib
import io
import tempfile
from html import escape
from pathlib import Path

from dashboard.present import richtext
from dashboard.present.export import images
from dashboard.present.export.report import AnalysisNote, GoalSection, MeasureSection, Report

ACCENT = "#1F4E79"
STYLE = f"""
@page {{ size: A4; margin: 2.5cm 2.5cm 2.2cm 2.5cm; }}
html {{ font-family: Arial, "Liberation Sans", "DejaVu Sans", sans-serif;
       font-size: 10.5pt; color: #1b1b1b; line-height: 1.4; }}
body {{ margin: 0; }}
h1, h2, h3, h4 {{ line-height: 1.2; break-after: avoid; color: {ACCENT}; }}
h1 {{ font-size: 26pt; margin: 0 0 0.3em; }}
h2 {{ font-size: 17pt; margin: 1.1em 0 0.4em; }}
h3 {{ font-size: 13pt; margin: 1.1em 0 0.3em; }}
h4 {{ font-size: 11pt; margin: 0.8em 0 0.2em; }}
.keep {{ break-inside: avoid; }}
.cover {{ break-after: page; padding-top: 5cm; }}
.cover .subtitle {{ font-size: 14pt; margin: 0 0 2em; color: #4d4d4d; }}
.cover dl {{ display: grid; grid-template-columns: 4cm 1fr; gap: 0.3em 1em; }}
.cover dt {{ font-weight: bold; }}
.cover dd {{ margin: 0; }}
.notice {{ border-left: 4px solid #595959; padding: 0.3em 0.8em; background: #f2f2f2;
          font-weight: bold; }}
.verdict {{ border-left: 6px solid {ACCENT}; background: #e8eef4; padding: 0.2em 0.8em;
           margin: 0.2em 0 0.5em; font-size: 9.5pt; line-height: 1.3; }}
.verdict strong {{ font-size: 11pt; color: {ACCENT}; }}
.draft {{ border-left: 4px solid #595959; padding: 0.1em 0 0.1em 0.8em; margin: 0.5em 0;
         break-inside: avoid; font-size: 9.5pt; line-height: 1.35; }}
.draft p {{ margin: 0.2em 0; }}
table {{ border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 0.4em 0 1em; }}
caption {{ text-align: left; font-weight: bold; font-size: 9.5pt; padding-bottom: 0.3em;
          color: #4d4d4d; break-after: avoid; }}
th, td {{ border: 1px solid #8a8a8a; padding: 3px 5px; vertical-align: top; text-align: left;
         hyphens: manual; word-break: normal; overflow-wrap: normal; }}
thead th {{ background: {ACCENT}; color: #ffffff; }}
tbody th[scope="rowgroup"] {{ background: #e8eef4; color: #1b1b1b; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; }}
.summary td:nth-child(2) {{ white-space: nowrap; }}
.nw {{ white-space: nowrap; }}
table.years {{ break-inside: avoid; font-size: 8pt; }}
table.years td:first-child, table.years th:first-child {{ white-space: nowrap; }}
figure {{ margin: 0.4em 0; }}
figure img {{ width: 13cm; display: block; }}
figcaption {{ font-size: 9.5pt; margin-top: 0.3em; }}
.facts {{ margin: 0 0 0.4em; font-size: 9.5pt; line-height: 1.3; }}
.facts dt {{ font-weight: bold; display: inline; }}
.facts dd {{ display: inline; margin: 0; }}
.facts div {{ margin-bottom: 0.2em; }}
.note, .created {{ color: #4d4d4d; font-size: 9pt; }}
.analysis {{ border-left: 3px solid #0072B2; padding-left: 0.8em; }}
.status {{ font-weight: bold; color: {ACCENT}; }}
.logo {{ height: 1.6cm; display: block; margin-bottom: 1cm; }}
nav.toc {{ break-after: page; }}
nav.toc ol {{ list-style: none; padding: 0; margin: 0; }}
nav.toc li {{ display: flex; gap: 0.4em; margin: 0.25em 0; }}
nav.toc li.level2 {{ padding-left: 1.2em; }}
nav.toc li.level1 {{ font-weight: bold; margin-top: 0.5em; }}
nav.toc a {{ color: inherit; text-decoration: none; }}
nav.toc .leader {{ flex: 1; border-bottom: 1px dotted #8a8a8a; margin-bottom: 0.3em; }}
.result {{ margin: 0.3em 0 0.5em; }}
"""
TOC_PLACEHOLDER = "00"
"""The page number written in the first printing, which finds where each heading falls."""



def _rich(runs: tuple[richtext.Run, ...]) -> str:
    """Runs as HTML; the text is always escaped, only <strong> and <em> are ours."""
    out = []
    for run in runs:
        text = escape(run.text)
        if run.italic:
            text = f"<em>{text}</em>"
        if run.bold:
            text = f"<strong>{text}</strong>"
        out.append(text)
    return "".join(out)


def _cell(text: str) -> str:
    """Cell text, escaped; a word with a dash ("4–5", "65,4–74,4") never breaks at it."""
    return " ".join(f'<span class="nw">{escape(word)}</span>' if "–" in word or "-" in word
                    else escape(word) for word in text.split(" "))


def _row(values: list[str]) -> str:
    return "<tr>" + "".join(f'<th scope="row">{_cell(v)}</th>' if i == 0 else
                            f"<td>{_cell(v)}</td>" for i, v in enumerate(values)) + "</tr>"


def _table(header: list[str], rows: list[list[str]], caption: str, *, css: str = "",
           groups: list[tuple[str, list[list[str]]]] | None = None) -> str:
    """A table with a header row repeated on every page; `groups` gives a body per group
    headed by a full-width row (the summary per goal). Column widths are the browser's
    automatic ones: words are never split, so each column is at least its longest word."""
    head = "".join(f'<th scope="col">{_cell(h)}</th>' for h in header)
    if groups is None:
        bodies = "<tbody>" + "".join(_row(r) for r in rows) + "</tbody>"
    else:
        bodies = "".join(
            f'<tbody><tr><th scope="rowgroup" colspan="{len(header)}">{escape(title)}</th>'
            "</tr>" + "".join(_row(r) for r in group_rows) + "</tbody>"
            for title, group_rows in groups)
    return (f'<table class="{css}"><caption>{escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead>{bodies}</table>")


def _analysis(note: AnalysisNote, heading: str = "") -> str:
    html = [f'<section class="analysis"><h4>{escape(heading or note.label)}</h4>']
    for block in note.blocks():
        if block.kind == "p":
            html.append(f"<p>{_rich(block.items[0])}</p>")
        else:
            html.append(f"<{block.kind}>" + "".join(f"<li>{_rich(item)}</li>"
                                                    for item in block.items)
                        + f"</{block.kind}>")
    html.append("</section>")
    return "".join(html)


def _figure(svg: bytes, alt_text: str, caption: str) -> str:
    data = base64.b64encode(svg).decode("ascii")
    return (f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{escape(alt_text)}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def _anchor(text: str) -> str:
    """An id for a heading that the table of contents links to."""
    return "h-" + "".join(c if c.isalnum() else "-" for c in text.lower())[:60]


def toc_entries(report: Report) -> list[tuple[int, str]]:
    """The table of contents: level 1 for the parts and goals, 2 for the measures."""
    entries = [(1, "Sammanfattning")]
    for goal in report.goals:
        entries.append((1, goal.heading))
        entries += [(2, measure.name) for measure in goal.measures]
    entries.append((1, "Bilaga: källor och metod"))
    return entries


def _contents(report: Report, pages: dict[str, int] | None) -> str:
    items = []
    for level, text in toc_entries(report):
        page = str(pages.get(_key(text), "")) if pages is not None else TOC_PLACEHOLDER
        items.append(f'<li class="level{level}"><a href="#{_anchor(text)}">{escape(text)}</a>'
                     f'<span class="leader" aria-hidden="true"></span><span>{page}</span></li>')
    return ('<nav class="toc" aria-labelledby="innehall"><h2 id="innehall">Innehåll</h2><ol>'
            + "".join(items) + "</ol></nav>")


def _heading(level: int, text: str) -> str:
    return f'<h{level} id="{_anchor(text)}">{escape(text)}</h{level}>'


def _goal_head(goal: GoalSection, year: int) -> list[str]:
    out = [_heading(2, goal.heading)]
    if goal.verdict is not None:
        rule = f" {escape(goal.verdict.rule)}" if goal.verdict.rule else ""
        out.append(f'<p class="verdict"><strong>{escape(goal.verdict.text(year))}</strong>'
                   f"{rule}</p>")
    if goal.description:
        out.append(f"<p>{escape(goal.description)}</p>")
    return out


def _measure(report: Report, measure: MeasureSection, lead: list[str],
             table_number: int) -> list[str]:
    """A measure; `lead` (the goal's heading for its first measure) is kept on the same page
    as the measure's heading, facts, chart and caption."""
    info = measure.item.info
    head = [*lead, _heading(3, info.name)]
    facts = [(t, v) for t, v in (("Mätområde", info.question), ("Syfte", info.purpose)) if v]
    if facts:
        head.append('<dl class="facts">' + "".join(
            f"<div><dt>{escape(t)}:</dt> <dd>{escape(v)}</dd></div>" for t, v in facts)
            + "</dl>")
    svg = report.charts.get(info.id, {}).get("svg")
    head.append(_figure(svg, measure.alt_text, measure.summary) if svg
                else f"<p>{escape(measure.summary)}</p>")
    out = ["<section>", '<div class="keep">', *head, "</div>"]
    out += [f'<p class="note">{escape(n)}</p>' for n in measure.notes]
    if measure.table is not None and measure.table.rows:
        out.append(_table(measure.table.header, measure.table.rows,
                          f"Tabell {table_number}. {measure.table.caption}", css="years"))
    if measure.narrative:
        out.append('<div class="draft" role="note"><p><strong>'
                   f"{escape(report.narrative_label)}</strong></p>"
                   + "".join(f"<p>{escape(s)}</p>" for s in measure.narrative) + "</div>")
    if measure.analysis:
        out.append(_analysis(measure.analysis))
    out.append("</section>")
    return out


def _logo(report: Report) -> str:
    if not report.logo:
        return ""
    kind = "png" if report.logo.startswith(b"\x89PNG") else "jpeg"
    data = base64.b64encode(report.logo).decode("ascii")
    return (f'<img class="logo" src="data:image/{kind};base64,{data}" '
            f'alt="{escape(report.municipality)}">')


def report_html(report: Report, pages: dict[str, int] | None = None) -> str:
    """The report as one self-contained HTML document (charts must be in `report.charts`);
    `pages` (heading → page) gives the table of contents its page numbers."""
    out = [
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">',
        f"<title>{escape(report.document_title)}</title>",
        f'<meta name="author" content="{escape(report.municipality)}">',
        f"<style>{STYLE}</style></head><body>",
        '<header class="cover">',
        _logo(report),
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="subtitle">{escape(report.municipality)} – underlag till kommunstyrelsen'
        "</p>",
        "<dl>" + "".join(f"<dt>{escape(t)}</dt><dd" + (' class="status"' if t == "Status"
                                                        else "") + f">{escape(v)}</dd>"
                         for t, v in report.cover_facts) + "</dl>",
    ]
    if report.example_notice:
        out.append(f'<p class="notice">{escape(report.example_notice)}</p>')
    out.append("</header>")
    out.append(_contents(report, pages))
    out.append("<main>")
    groups = []
    for goal, cells in report.summary_groups():
        verdict = f" – {goal.verdict.symbol} {goal.verdict.label}" if goal.verdict else ""
        groups.append((goal.heading + verdict, cells))
    out += [
        '<section><div class="keep">', _heading(2, "Sammanfattning"),
        *(f'<p class="result"><strong>{escape(goal.heading)}.</strong> '
          f"{escape(goal.result_text)}</p>" for goal in report.goals if goal.result_text),
        f'<p class="note">Så bedöms målen: {escape(report.verdict_rule)}</p>',
        "</div>",
        _table(report.summary_header, [], f"Tabell 1. Måtten {report.year} per mål: status, "
               "förändring och jämförelse", css="summary", groups=groups),
    ]
    if report.overall is not None:
        out.append(_analysis(report.overall, "Samlad bedömning"))
    out.append("</section>")
    number = 2
    for goal in report.goals:
        out.append('<section class="goal">')
        lead = _goal_head(goal, report.year)
        for measure in goal.measures:
            out += _measure(report, measure, lead, number)
            lead = []
            number += 1 if measure.table is not None and measure.table.rows else 0
        if lead:  # a goal without measures
            out.append('<div class="keep">' + "".join(lead) + "</div>")
        out.append("</section>")
    out += [
        '<section><div class="keep">', _heading(2, "Bilaga: källor och metod"),
        '<h3>Källor</h3><ul>' + "".join(f"<li>{escape(n)}: {escape(s)}</li>"
                                        for n, s in report.sources) + "</ul></div>",
        '<div class="keep"><h3>Metod</h3>' + "".join(
            f"<p><strong>{escape(t)}.</strong> {escape(x)}</p>"
            for t, x in report.method_notes[:1]) + "</div>",
        "".join(f"<p><strong>{escape(t)}.</strong> {escape(x)}</p>"
                for t, x in report.method_notes[1:]),
        # The lineage table is short (a row per KPI): it stays with its heading.
        '<div class="keep"><h3>Nyckeltal per mått (KPI-historik)</h3>',
        _table(report.lineage_header, report.lineage_cells(),
               f"Tabell {number}. Vilket nyckeltal som mäter måttet vilka år"),
        "</div>",
    ]
    out += [
        '<div class="keep"><h3>Metodbyten (brott i serierna)</h3>',
        ("<ul>" + "".join(f"<li>{escape(s)}</li>" for s in report.series_breaks) + "</ul>")
        if report.series_breaks else "<p>Inget mått har bytt mätmetod.</p>",
        "</div>",
        # The last block is kept whole, so the report never ends on a page with one line.
        '<div class="keep"><h3>Reviderade värden sedan förra årets rapport</h3>',
        f"<p>{escape(report.revisions_intro)}</p>",
        _table(report.revision_header, report.revision_cells(),
               f"Tabell {number + 1}. Reviderade värden")
        if len(report.revisions) else "<p>Inga värden har reviderats.</p>",
        f'<p class="created">Skapad av Målbild {report.created.isoformat()}.</p></div>',
        "</section></main></body></html>",
    ]
    return "".join(out)


def _key(heading: str) -> str:
    """A heading without its spaces: the outline loses the space where a heading wraps."""
    return "".join(heading.split())


def heading_pages(pdf: bytes) -> dict[str, int]:
    """Heading (as `_key`) → page (from 1), from the PDF's outline (Chromium's bookmarks)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    pages: dict[str, int] = {}

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                with contextlib.suppress(Exception):
                    pages.setdefault(_key(item.title), reader.get_destination_page_number(
                        item) + 1)

    walk(reader.outline)
    return pages


def with_properties(pdf: bytes, report: Report) -> bytes:
    """The PDF with the report's status (draft or "Fastställd version N, …") in its document
    properties, added as an incremental update so the tagged structure stays as printed."""
    from pypdf import PdfWriter

    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.add_metadata({
        "/Subject": f"{report.status_text} – underlag till kommunstyrelsen",
        "/Keywords": "kommunikationsstrategi, uppföljning, KKiK",
        "/Author": report.municipality,
    })
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_bytes(report: Report, renderer: images.ChartRenderer | None = None) -> bytes:
    """The report printed to a tagged PDF by the shared browser: printed once to learn on
    which page each heading falls, then again with those pages in the table of contents."""
    renderer = renderer or images.renderer()
    with tempfile.TemporaryDirectory(prefix="malbild-rapport-") as directory:
        page = Path(directory) / "rapport.html"
        page.write_text(report_html(report), encoding="utf-8")
        first = renderer.print_pdf(page, header=report.document_title)
        page.write_text(report_html(report, heading_pages(first)), encoding="utf-8")
        return with_properties(renderer.print_pdf(page, header=report.document_title), report)
