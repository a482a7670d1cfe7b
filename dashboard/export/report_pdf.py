"""The yearly report as an accessible PDF: the model as semantic HTML, printed by Chromium.

Chromium's tagged-PDF output keeps the HTML structure (headings, lists, tables with header
cells, figures with their alt text), takes the document language from `<html lang="sv">` and
the title from `<title>`, and adds an outline (bookmarks) from the headings. The charts are
embedded as SVG, so they stay sharp and their numbers remain text.
"""

from __future__ import annotations

import base64
import tempfile
from html import escape
from pathlib import Path

from dashboard import richtext
from dashboard.export import images
from dashboard.export.report import AnalysisNote, Report

STYLE = """
@page { size: A4; margin: 2.5cm 2.5cm 2.2cm 2.5cm; }
html { font-family: "Source Sans 3", Arial, "Liberation Sans", "DejaVu Sans", sans-serif;
       font-size: 10.5pt; color: #1b1b1b; line-height: 1.4; }
body { margin: 0; }
h1, h2, h3, h4 { line-height: 1.2; break-after: avoid; }
h1 { font-size: 24pt; margin: 0 0 0.3em; }
h2 { font-size: 17pt; margin: 1.2em 0 0.4em; break-before: page; }
h2.keep { break-before: auto; }
h3 { font-size: 13pt; margin: 1.4em 0 0.3em; }
h4 { font-size: 11pt; margin: 1em 0 0.2em; }
.cover { break-after: page; padding-top: 5cm; }
.cover .subtitle { font-size: 14pt; margin: 0 0 2em; }
.cover dl { display: grid; grid-template-columns: 4cm 1fr; gap: 0.3em 1em; }
.cover dt { font-weight: bold; }
.cover dd { margin: 0; }
.notice { border-left: 4px solid #595959; padding: 0.3em 0.8em; background: #f2f2f2;
          font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 0.4em 0 1em; }
caption { text-align: left; font-weight: bold; font-size: 9.5pt; padding-bottom: 0.3em; }
th, td { border: 1px solid #8a8a8a; padding: 3px 5px; vertical-align: top; text-align: left;
         hyphens: auto; }
thead th { overflow-wrap: anywhere; }
td:nth-child(2) { white-space: nowrap; }
thead th { background: #e8e8e8; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
figure { margin: 0.6em 0; break-inside: avoid; }
figure img { width: 16cm; display: block; }
figcaption { font-size: 9.5pt; margin-top: 0.3em; }
.facts { margin: 0 0 0.5em; }
.facts dt { font-weight: bold; display: inline; }
.facts dd { display: inline; margin: 0; }
.facts div { margin-bottom: 0.2em; }
.note, .created { color: #4d4d4d; font-size: 9pt; }
.analysis { border-left: 3px solid #0072B2; padding-left: 0.8em; }
"""


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


def _table(header: list[str], rows: list[list[str]], caption: str) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<th scope="row">{escape(v)}</th>' if i == 0 else
                         f"<td>{escape(v)}</td>" for i, v in enumerate(row)) + "</tr>"
        for row in rows)
    return (f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _analysis(note: AnalysisNote) -> str:
    html = [f'<section class="analysis"><h4>{escape(note.label)}</h4>']
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


def report_html(report: Report) -> str:
    """The report as one self-contained HTML document (charts must be in `report.charts`)."""
    out = [
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">',
        f"<title>{escape(report.document_title)}</title>",
        f'<meta name="author" content="{escape(report.municipality)}">',
        f"<style>{STYLE}</style></head><body>",
        '<header class="cover">',
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="subtitle">{escape(report.municipality)} – rapport till kommunstyrelsen</p>',
        "<dl>" + "".join(f"<dt>{escape(t)}</dt><dd>{escape(v)}</dd>"
                         for t, v in report.cover_facts) + "</dl>",
    ]
    if report.example_notice:
        out.append(f'<p class="notice">{escape(report.example_notice)}</p>')
    out.append("</header><main>")
    out += [
        '<section><h2 class="keep">Sammanfattning</h2>',
        f"<p>Strategins mått {report.year}: kommunens värde (senaste mätning till och med "
        f"{report.year}), mätkommunernas medelvärde med antalet kommuner (n), målet och de två "
        "statusarna i ord.</p>",
        _table(report.summary_header, [report.summary_cells(r) for r in report.summary_rows],
               f"Tabell 1. Måtten {report.year} i sammandrag"),
        "</section>",
    ]
    for goal in report.goals:
        out.append(f"<section><h2>{escape(goal.heading)}</h2>")
        if goal.description:
            out.append(f"<p>{escape(goal.description)}</p>")
        for measure in goal.measures:
            info = measure.item.info
            out.append(f"<section><h3>{escape(info.name)}</h3>")
            facts = [(t, v) for t, v in (("Mätområde", info.question), ("Syfte", info.purpose))
                     if v]
            if facts:
                out.append('<dl class="facts">' + "".join(
                    f"<div><dt>{escape(t)}:</dt> <dd>{escape(v)}</dd></div>" for t, v in facts)
                    + "</dl>")
            svg = report.charts.get(info.id, {}).get("svg")
            if svg:
                out.append(_figure(svg, measure.alt_text, measure.summary))
            else:
                out.append(f"<p>{escape(measure.summary)}</p>")
            out += [f'<p class="note">{escape(n)}</p>' for n in measure.notes]
            if measure.analysis:
                out.append(_analysis(measure.analysis))
            out.append("</section>")
        out.append("</section>")
    out += [
        "<section><h2>Bilaga: källor och metod</h2>",
        '<h3>Källor</h3><ul>' + "".join(f"<li>{escape(n)}: {escape(s)}</li>"
                                        for n, s in report.sources) + "</ul>",
        "<h3>Metod</h3>" + "".join(f"<p><strong>{escape(t)}.</strong> {escape(x)}</p>"
                                   for t, x in report.method_notes),
        "<h3>Nyckeltal per mått (KPI-historik)</h3>",
        _table(report.lineage_header, report.lineage_cells(),
               "Tabell 2. Vilket nyckeltal som mäter måttet vilka år"),
        "<h3>Metodbyten (brott i serierna)</h3>",
        ("<ul>" + "".join(f"<li>{escape(s)}</li>" for s in report.series_breaks) + "</ul>")
        if report.series_breaks else "<p>Inget mått har bytt mätmetod.</p>",
        "<h3>Reviderade värden sedan förra årets rapport</h3>",
        f"<p>{escape(report.revisions_intro)}</p>",
        _table(report.revision_header, report.revision_cells(), "Tabell 3. Reviderade värden")
        if len(report.revisions) else "<p>Inga värden har reviderats.</p>",
        f'<p class="created">Skapad av Målbild {report.created.isoformat()}.</p>',
        "</section></main></body></html>",
    ]
    return "".join(out)


def pdf_bytes(report: Report, renderer: images.ChartRenderer | None = None) -> bytes:
    """The report printed to a tagged PDF by the shared browser."""
    renderer = renderer or images.renderer()
    with tempfile.TemporaryDirectory(prefix="malbild-rapport-") as directory:
        page = Path(directory) / "rapport.html"
        page.write_text(report_html(report), encoding="utf-8")
        return renderer.print_pdf(page)
