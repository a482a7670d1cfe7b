"""One scheduled cycle: an incremental Kolada sync of the strategy's KPIs, what follows a change
of data, and the alerts. `malbild sync` (cron, the embedded default) and the Celery beat task
run exactly this function.

A Kolada that does not answer is retried with back-off by the client (`KOLADA_ATTEMPTS`,
`KOLADA_BACKOFF`); after the last try the sync stores nothing and the cycle reports the URL.
The alerts still go out for changes other imports made, and e-mails waiting in the outbox are
tried again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from dashboard.store import sync
from dashboard.tasks import alerts, mail
from etl import kolada_sync
from etl.changes import ValueChange
from etl.errors import MalbildError
from etl.followup import refresh
from etl.settings import Settings


@dataclass
class CycleReport:
    """What one cycle did, and what went wrong (`problems`, in Swedish)."""

    sync: kolada_sync.SyncResult | None = None
    changes: list[ValueChange] = field(default_factory=list)
    alerts: alerts.AlertRound | None = None
    outbox: mail.OutboxResult | None = None
    data_version: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def after_data_change(engine: Engine, settings: Settings) -> int:
    """What follows a change of data, in one place: the follow-up model is built and stored
    for the new data version and the pages drawn ahead (`etl.followup.refresh`), so that no
    page request builds it. Returns the data version now."""
    refresh.after_data_change(engine, settings)
    return sync.data_version(engine)


def run_cycle(engine: Engine, settings: Settings, base_url: str | None = None, *,
              progress: kolada_sync.SyncProgress | None = None) -> CycleReport:
    """Sync, then what follows a change, then alerts (see the module doc). `base_url` is
    Kolada's (default `KOLADA_BASE_URL`)."""
    report = CycleReport()
    file_home, kpis = kolada_sync.strategy_kpis(settings)
    home = settings.municipality or file_home
    before = sync.last_change_id(engine)
    try:
        report.sync = kolada_sync.sync(engine, settings, kpis=kpis, base_url=base_url,
                                       **({"progress": progress} if progress else {}))
    except MalbildError as exc:
        report.problems.append(f"Kolada: {exc.explain()}")
    if report.sync is not None and (report.sync.counts.changed
                                    or report.sync.group_counts.changed
                                    or report.sync.catalogue_changes):
        report.data_version = after_data_change(engine, settings)
        report.changes = sync.strategy_changes(engine, home, after_id=before)
    report.alerts = alerts.prepare_alerts(engine, settings, home)
    report.outbox = mail.send_outbox(engine, settings)
    if report.outbox.waiting:
        report.problems.append(f"E-post: {report.outbox.waiting} meddelanden väntar i "
                               f"utkorgen ({report.outbox.problem}); de skickas vid nästa "
                               "körning.")
    return report
