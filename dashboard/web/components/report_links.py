"""The year's report as links: the fastställd version first where there is one, with what
has changed since it was fastställd, then a new draft from today's values (Word, PDF and
PowerPoint). Used by the overview, the goal pages and Rapporter."""

from __future__ import annotations

from dash import html

from dashboard.present.export import archive as archived
from dashboard.store import runtime
from dashboard.web.components.common import table_view
from etl import archive

# The report takes some seconds to make: assets/slow-downloads.js shows it on the link and in
# the status line (announced by screen readers), then that it is ready or what went wrong.
REPORT_STATUS = "report-status"
SLOW = {"data-busy": "Rapporten skapas …", "data-status": REPORT_STATUS}
DRAFT_FORMATS = (("docx", "Word (DOCX, redigerbar)"), ("pdf", "PDF (tillgänglig)"),
                 ("pptx", "PowerPoint till sammanträdet (PPTX)"))


def draft_links(year: int) -> html.Ul:
    return html.Ul([
        html.Li(html.A(f"Årsrapport {year} som {label}", href=f"/export/rapport/{year}.{suffix}",
                       download=f"arsrapport-{year}.{suffix}", className="button-link", **SLOW))
        for suffix, label in DRAFT_FORMATS], className="download-list")


def frozen_block(report: archive.ArchivedReport, heading=html.H3) -> list:
    """The newest fastställd version's downloads and "Ändrat sedan fastställandet" (under a
    `heading` of the level that fits the page)."""
    year, version = report.year, report.version
    links = html.Ul([
        html.Li(html.A(f"Fastställd rapport {year} som {fmt_.upper()}",
                       href=f"/export/arkiv/{year}-{version}.{fmt_}",
                       download=archived.file_name(year, version, fmt_),
                       className="button-link"))
        for fmt_ in archive.FORMATS if fmt_ in report.sizes], className="download-list")
    revised = archived.revision_table(runtime.engine(), year, version)
    heading_id = f"andrat-{year}-{version}"
    return [
        html.P([html.Strong(f"Fastställd version {version}, {report.created_at:%Y-%m-%d}, "
                            f"{report.created_by}."),
                " Så som rapporten fastställdes; den ändras aldrig."]),
        links,
        heading("Ändrat sedan fastställandet", id=heading_id),
        table_view(revised, f"Värden i den fastställda rapporten {year} som ändrats efter "
                            f"{report.created_at:%Y-%m-%d %H:%M}", open_=True)
        if len(revised) else html.P("Inga värden i rapporten har ändrats sedan dess."),
    ]


def report_links(year: int) -> list:
    """The year's report: the fastställd version first if there is one, then a new draft."""
    found = archive.versions(runtime.engine(), year)
    draft = [draft_links(year),
             html.P(id=REPORT_STATUS, role="status", className="hint download-status")]
    if not found:
        return [html.P(f"Rapporten för {year} är inte fastställd. Ett utkast från dagens "
                       "värden, med sammanfattning, ett diagram per mått, analystext och "
                       "bilaga om källor och metod:"), *draft]
    return [*frozen_block(found[0]),
            html.P("Ett nytt utkast från dagens värden (inte det fastställda):"), *draft]
