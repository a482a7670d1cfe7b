"""The tasks: one sync cycle, warming the follow-up model and page answers, a yearly report.

Each task is a plain function first (called in-process by `malbild sync`, the command line and
the embedded default) and a Celery task on top (run by `malbild worker`).
"""

from __future__ import annotations

import base64
import logging

from sqlalchemy import Engine

from dashboard.tasks.celery_app import REPORT_TASK, SYNC_TASK, WARM_TASK, app
from etl.db import engine_for
from etl.followup import refresh
from etl.progress import Progress, silent
from etl.settings import Settings, get_settings

log = logging.getLogger(__name__)
def run_sync_cycle(settings: Settings, base_url: str | None = None):
    """One cycle exactly as the scheduler runs it (`dashboard.tasks.cycle.run_cycle`)."""
    from dashboard.tasks.cycle import run_cycle  # written beside this module (issue 27, 2–4)

    return run_cycle(engine_for(settings.database_url), settings, base_url=base_url)


def data_changed(engine: Engine, settings: Settings) -> None:
    """After a write by the command line or a page: the follow-up model built and stored now
    (so no page request builds it), then, where a worker shares a page cache (Redis), the
    worker asked to draw the common pages again."""
    refresh.after_data_change(engine, settings)
    if settings.celery_broker and settings.redis_url and settings.page_cache:
        try:
            warm_followup.apply_async(retry=False)
        except Exception as exc:  # no worker reachable: the first visitor draws the pages
            log.warning("kunde inte be arbetsprocessen förvärma sidorna (%s)",
                        type(exc).__name__)


def report_file(engine: Engine, settings: Settings, year: int, suffix: str, *,
                include_drafts: bool = True, progress: Progress = silent) -> bytes:
    """The yearly report as DOCX, PDF or any format of `report_files.FORMATS`."""
    from dashboard.present.export import report_files

    return report_files.report_bytes(engine, settings, year, suffix,
                                     include_drafts=include_drafts, progress=progress)


# --- On Celery ----------------------------------------------------------------------------------


@app.task(name=SYNC_TASK, ignore_result=False)
def sync_cycle(base_url: str | None = None) -> str:
    """The scheduled cycle (Celery beat sends it; `malbild sync` runs the same in-process)."""
    report = run_sync_cycle(get_settings(), base_url)
    return str(report)


@app.task(name=WARM_TASK)
def warm_followup() -> None:
    """The follow-up model for the current data version (the stored one, or built now), and
    the page answers of this worker's app drawn into the shared cache."""
    settings = get_settings()
    refresh.after_data_change(engine_for(settings.database_url), settings)


@app.task(name=REPORT_TASK, bind=True)
def yearly_report(self, year: int, suffix: str, include_drafts: bool = False) -> dict:
    """The yearly report, with progress in the task's state (PROGRESS: done, total, text);
    the file comes back base64-encoded in the result."""
    settings = get_settings()

    def progress(done: int, total: int, text: str) -> None:
        self.update_state(state="PROGRESS", meta={"done": done, "total": total, "text": text})

    content = report_file(engine_for(settings.database_url), settings, year, suffix,
                          include_drafts=include_drafts, progress=progress)
    return {"filename": f"arsrapport-{year}.{suffix}",
            "content": base64.b64encode(content).decode("ascii")}
