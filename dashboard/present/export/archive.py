"""Fastställda reports: the yearly report rendered once and handed to the archive in `etl`.

A frozen report is built from the data as it stands, without drafts (it is for everyone), as
both PDF and DOCX from the same model, and stored with the values it showed. From then on it
is only read back, never rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from dashboard.present import formatting as fmt
from dashboard.present.export import images, report, report_docx, report_pdf, report_template
from dashboard.store import sync
from etl import archive, clock
from etl.settings import Settings

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def freeze_report(engine: Engine, settings: Settings, year: int, actor: str, *,
                  renderer: images.ChartRenderer | None = None,
                  case: report.CaseFacts | None = None,
                  today: date | None = None) -> archive.ArchivedReport:
    """Build the report for `year` (both formats, one model) as the fastställd version it
    becomes ("Fastställd version N, <datum>, <av>" on its cover and in its properties, no
    draft labels) and archive it."""
    data_version = sync.data_version(engine)
    stamp = report.FrozenStamp(archive.next_version(engine, year), today or clock.today(), actor)
    model = report.build_report(engine, settings, year, include_drafts=False, frozen=stamp,
                                case=case)
    renderer = renderer or images.renderer()
    report.render_charts(model, ("png", "svg"), renderer)
    files = {
        "pdf": report_pdf.pdf_bytes(model, renderer),
        "docx": report_docx.docx_bytes(model, report_template.template_path(settings)),
    }
    return archive.freeze(engine, year, files, kpi_ids=model.kpi_ids,
                          municipality_id=model.municipality_id, actor=actor,
                          data_version=data_version)


@dataclass(frozen=True)
class FreezeCheck:
    """What a freeze of `year` would make, shown before the administrator confirms: the
    version it becomes, each goal's result, and what is missing or has changed."""

    year: int
    version: int
    results: list[tuple[str, str]]
    """(goal heading with its verdict, the generated result text)."""
    without_text: list[str]
    """Measures (and the Samlad bedömning) without a fastställd analysis text."""
    changed: pd.DataFrame
    """Values revised since the last fastställd version (empty for a first version)."""


def freeze_check(engine: Engine, settings: Settings, year: int) -> FreezeCheck:
    model = report.build_report(engine, settings, year, include_drafts=False)
    without = [section.name for goal in model.goals for section in goal.measures
               if section.analysis is None or section.analysis.state != "fastställd"]
    if model.overall is None:
        without.append("Samlad bedömning")
    earlier = archive.versions(engine, year)
    return FreezeCheck(
        year, archive.next_version(engine, year),
        [(f"{goal.heading} – {goal.verdict.symbol} {goal.verdict.label}"
          if goal.verdict else goal.heading, goal.result_text) for goal in model.goals],
        without,
        revision_table(engine, year) if earlier else pd.DataFrame())


def file_name(year: int, version: int, fmt_: str) -> str:
    return f"faststalld-rapport-{year}-version-{version}.{fmt_}"


def revision_table(engine: Engine, year: int, version: int | None = None) -> pd.DataFrame:
    """The revisions since the freeze, in words: KPI, year, municipality, in the report,
    old → new, when."""
    found = archive.revisions_since(engine, year, version)
    return pd.DataFrame({
        "Nyckeltal": found["kpi_id"],
        "År": [str(int(y)) for y in found["year"]],
        "Kommun": found["municipality_id"],
        "I rapporten": [fmt.number(v) for v in found["frozen_value"]],
        "Tidigare → nytt värde": [
            f"{fmt.number(old)} → {'borttaget' if fmt.is_missing(new) else fmt.number(new)}"
            for old, new in zip(found["old_value"], found["new_value"], strict=True)],
        "Ändrat": [f"{fmt.iso_date(t)} {t:%H:%M}" for t in found["revised_at"]],
    })


def versions_table(reports: list[archive.ArchivedReport]) -> pd.DataFrame:
    return pd.DataFrame({
        "År": [str(r.year) for r in reports],
        "Version": [str(r.version) for r in reports],
        "Fastställd": [f"{fmt.iso_date(r.created_at)} {r.created_at:%H:%M}" for r in reports],
        "Av": [r.created_by for r in reports],
        "Dataversion": [str(r.data_version) for r in reports],
        "Storlek": [", ".join(f"{f.upper()} {fmt.count(round(n / 1024))} KiB"
                              for f, n in sorted(r.sizes.items())) for r in reports],
    })
