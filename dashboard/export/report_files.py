"""The yearly report as a file: the model (report.py) laid out by the Word or PDF writer.

Its own module so that the writers, which read the report model, and the model never import
each other; each format imports only its own writer (Word's is not small).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from dashboard.export import images
from dashboard.export.report import REPORT_SUFFIXES, build_report, render_charts
from etl.errors import InputError
from etl.settings import Settings


def report_bytes(engine: Engine, settings: Settings, year: int, suffix: str, *,
                 renderer: images.ChartRenderer | None = None,
                 include_drafts: bool = True, last_use: bool = False) -> bytes:
    """The report for `year` as DOCX or PDF. `last_use`: the process needs the browser no
    more (the command line), so it is closed while the Word file is written."""
    if suffix not in REPORT_SUFFIXES:
        raise InputError(f"rapporten kan inte skrivas som «.{suffix}».",
                         hint="Välj en fil som slutar på .docx eller .pdf.")
    if renderer is None:
        # Start the browser while the model is built; the first image waits for it if need be.
        images.start_in_background()
    report = build_report(engine, settings, year, include_drafts=include_drafts)
    if suffix == "docx":
        from dashboard.export import report_docx, report_template

        render_charts(report, ("png",), renderer)
        if last_use and renderer is None:
            images.close_in_background()
        return report_docx.docx_bytes(report, report_template.template_path(settings))
    from dashboard.export import report_pdf

    render_charts(report, ("svg",), renderer)
    return report_pdf.pdf_bytes(report, renderer)


def write_report(engine: Engine, settings: Settings, year: int, path: Path, *,
                 renderer: images.ChartRenderer | None = None, last_use: bool = False) -> Path:
    suffix = path.suffix.lower().lstrip(".")
    content = report_bytes(engine, settings, year, suffix, renderer=renderer,
                           last_use=last_use)
    path.write_bytes(content)
    return path
