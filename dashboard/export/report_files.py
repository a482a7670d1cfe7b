"""The yearly report as a file: the model (report.py) laid out by the Word, PDF or PowerPoint
writer.

Its own module so that the writers, which read the report model, and the model never import
each other; each format imports only its own writer (Word's is not small).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from dashboard.export import images
from dashboard.export.report import REPORT_SUFFIXES, CaseFacts, build_report, render_charts
from etl.errors import InputError
from etl.settings import Settings


def report_bytes(engine: Engine, settings: Settings, year: int, suffix: str, *,
                 renderer: images.ChartRenderer | None = None,
                 include_drafts: bool = True, case: CaseFacts | None = None) -> bytes:
    """The report for `year` as DOCX, PDF or PPTX (slides for the meeting)."""
    if suffix not in REPORT_SUFFIXES:
        raise InputError(f"rapporten kan inte skrivas som «.{suffix}».",
                         hint="Välj en fil som slutar på .docx, .pdf eller .pptx.")
    if renderer is None:
        # Start the browser while the model is built; the first image waits for it if need be.
        images.start_in_background()
    report = build_report(engine, settings, year, include_drafts=include_drafts, case=case)
    if suffix in ("docx", "pptx"):
        render_charts(report, ("png",), renderer)
        if renderer is None:
            images.done_drawing()  # a command's browser closes while the file is written
        if suffix == "pptx":
            from dashboard.export import report_pptx

            return report_pptx.pptx_bytes(report)
        from dashboard.export import report_docx, report_template

        return report_docx.docx_bytes(report, report_template.template_path(settings))
    from dashboard.export import report_pdf

    render_charts(report, ("svg",), renderer)
    return report_pdf.pdf_bytes(report, renderer)


def write_report(engine: Engine, settings: Settings, year: int, path: Path, *,
                 renderer: images.ChartRenderer | None = None,
                 case: CaseFacts | None = None) -> Path:
    suffix = path.suffix.lower().lstrip(".")
    content = report_bytes(engine, settings, year, suffix, renderer=renderer, case=case)
    path.write_bytes(content)
    return path
