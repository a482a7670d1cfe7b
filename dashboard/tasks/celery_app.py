"""The Celery app: broker and result store from the settings, the beat schedule, the tasks.

Start a worker with `malbild worker` (or `celery -A dashboard.tasks.celery_app worker`); exactly
one process in the whole installation runs beat (`malbild worker --beat`), however many workers
there are. Creating the app connects to nothing; a worker or a sender connects when it starts.
"""

from __future__ import annotations

from datetime import timedelta

from celery import Celery
from celery.schedules import crontab

from etl.db import directory_beside
from etl.settings import Settings, get_settings

SYNC_TASK = "malbild.sync_cycle"
WARM_TASK = "malbild.warm_followup"
REPORT_TASK = "malbild.report"
WEEKLY_DAY = "monday"


def beat_schedule(settings: Settings) -> dict[str, dict]:
    """The sync cycle's entries for Celery beat, from MALBILD_SYNC_SCHEDULE.

    «auto»: daily at MALBILD_SYNC_TIME in the months of KKiK's publication season
    (MALBILD_SYNC_SEASON_MONTHS), weekly on Mondays at that time in the other months. A
    crontab («minute hour day month weekday») or a number of seconds gives one entry; «off»
    none (cycles then come from `malbild sync` in cron, or not at all)."""
    spec = settings.sync_schedule.strip().lower()
    if spec in ("off", "av", ""):
        return {}
    if spec.replace(".", "", 1).isdigit():
        return {"sync": {"task": SYNC_TASK, "schedule": timedelta(seconds=float(spec))}}
    if spec != "auto":
        fields = spec.split()
        if len(fields) != 5:
            from etl.errors import InputError, Location

            raise InputError(f"MALBILD_SYNC_SCHEDULE = «{settings.sync_schedule}» är varken "
                             "«auto», «off», ett antal sekunder eller en crontab med fem fält.",
                             Location("miljövariabler (eller .env)"),
                             hint="Till exempel «0 6 * * *» för varje dag klockan 6.")
        minute, hour, day, month, weekday = fields
        return {"sync": {"task": SYNC_TASK, "schedule": crontab(
            minute=minute, hour=hour, day_of_month=day, month_of_year=month,
            day_of_week=weekday)}}
    hour, minute = settings.sync_time.split(":")
    season = set(settings.sync_season_months)
    rest = sorted(set(range(1, 13)) - season)
    entries = {}
    if season:
        entries["sync-daily-in-season"] = {"task": SYNC_TASK, "schedule": crontab(
            minute=minute, hour=hour, month_of_year=",".join(map(str, sorted(season))))}
    if rest:
        entries["sync-weekly"] = {"task": SYNC_TASK, "schedule": crontab(
            minute=minute, hour=hour, day_of_week=WEEKLY_DAY,
            month_of_year=",".join(map(str, rest)))}
    return entries


def make_celery(settings: Settings) -> Celery:
    """A Celery app for `settings` (without a broker: in memory, tasks run eagerly where
    they are sent, which is how the embedded default runs the same task code)."""
    broker = settings.celery_broker
    celery = Celery("malbild", set_as_current=False)
    celery.conf.update(
        broker_url=broker or "memory://",
        result_backend=broker or "cache+memory://",
        task_always_eager=broker is None,
        task_serializer="json", result_serializer="json", accept_content=["json"],
        result_expires=24 * 3600,
        task_acks_late=True,  # a worker that dies mid-cycle leaves the task to another
        worker_prefetch_multiplier=1,  # long tasks: one at a time per process
        broker_connection_retry_on_startup=True,
        beat_schedule=beat_schedule(settings),
        # Beat's record of the last runs, with the database's other files (not the cwd).
        beat_schedule_filename=str(directory_beside(settings.database_url, "beat")),
        timezone="Europe/Stockholm",
        include=["dashboard.tasks.jobs"],
    )
    return celery


app = make_celery(get_settings())
