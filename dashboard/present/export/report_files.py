"""The yearly report as a file: the model (report.py) laid out by the Word, PDF or PowerPoint
writer.

Its own module so that the writers, which read the report model, and the model never import
each other; each format imports only its own writer (Word's is not small).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from dashboard.present.export import images
from dashboard.present.export.report import CaseFacts, build_report, render_charts
from etl.errors import InputError
from etl.progress import Progress, silent
from etl.settings import Settings


@dataclass(frozen=True)
class ReportFormat:
    """One format of the yearly report, as the pages offer it and the route sends it."""

    suffix: str
    label: str  # "Word (DOCX, redigerbar)"
    media_type: str


FORMATS = {f.suffix: f for f in (
    ReportFormat("docx", "Word (DOCX, redigerbar)",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ReportFormat("pdf", "PDF (tillgänglig)", "application/pdf"),
    ReportFormat("pptx", "PowerPoint (PPTX, för sammanträdet)",
                 "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)}


def _suffixes() -> str:
    return " eller ".join(f".{suffix}" for suffix in FORMATS)


def report_bytes(engine: Engine, settings: Settings, year: int, suffix: str, *,
                 renderer: images.ChartRenderer | None = None,
                 include_drafts: bool = True, case: CaseFacts | None = None,
                 progress: Progress = silent) -> bytes:
    """The report for `year` as DOCX, PDF or PPTX (slides for the meeting);
    `progress(done, total, text)` is told of each step (the model, every chart, the document)."""
    if suffix not in FORMATS:
        raise InputError(f"rapporten kan inte skrivas som «.{suffix}».",
                         hint=f"Välj en fil som slutar på {_suffixes()}.")
    if renderer is None:
        # Start the browser while the model is built; the first image waits for it if need be.
        images.start_in_background()
    progress(0, 1, "Uppföljningen för året")
    report = build_report(engine, settings, year, include_drafts=include_drafts, case=case)
    steps = 2 + sum(len(goal.measures) for goal in report.goals)

    def made(number: int, _count: int) -> None:
        progress(1 + number, steps, f"Diagram {number} av {steps - 2}")

    progress(1, steps, "Diagrammen")
    if suffix in ("docx", "pptx"):
        render_charts(report, ("png",), renderer, made)
        if renderer is None:
            images.done_drawing()  # a command's browser closes while the file is written
        if suffix == "pptx":
            from dashboard.present.export import report_pptx

            progress(steps - 1, steps, "Dokumentet (PowerPoint)")
            content = report_pptx.pptx_bytes(report)
        else:
            from dashboard.present.export import report_docx, report_template

            progress(steps - 1, steps, "Dokumentet (Word)")
            content = report_docx.docx_bytes(report, report_template.template_path(settings))
    else:
        from dashboard.present.export import report_pdf

        render_charts(report, ("svg",), renderer, made)
        progress(steps - 1, steps, "Dokumentet (PDF)")
        content = report_pdf.pdf_bytes(report, renderer)
    progress(steps, steps, "Klart")
    return content


def write_report(engine: Engine, settings: Settings, year: int, path: Path, *,
                 renderer: images.ChartRenderer | None = None,
                 case: CaseFacts | None = None, progress: Progress = silent) -> Path:
    suffix = path.suffix.lower().lstrip(".")
    content = report_bytes(engine, settings, year, suffix, renderer=renderer, case=case,
                           progress=progress)
    path.write_bytes(content)
    return path
