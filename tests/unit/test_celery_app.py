"""The Celery app from the settings: the beat schedule of the sync cycle, and the embedded
default (no broker) running tasks where they are sent."""

from datetime import timedelta

import pytest

from dashboard.tasks.celery_app import SYNC_TASK, beat_schedule, make_celery
from etl.errors import InputError
from etl.settings import Settings


def test_auto_is_daily_in_the_publication_season_and_weekly_otherwise():
    entries = beat_schedule(Settings(sync_season_months="1-6,12", sync_time="06:30"))
    assert {entry["task"] for entry in entries.values()} == {SYNC_TASK}
    daily, weekly = entries["sync-daily-in-season"]["schedule"], \
        entries["sync-weekly"]["schedule"]
    assert daily.month_of_year == {1, 2, 3, 4, 5, 6, 12} and daily.day_of_week == set(range(7))
    assert weekly.month_of_year == {7, 8, 9, 10, 11} and weekly.day_of_week == {1}
    assert (daily.hour, daily.minute) == ({6}, {30}) == (weekly.hour, weekly.minute)


def test_a_crontab_a_number_of_seconds_or_off():
    cron = beat_schedule(Settings(sync_schedule="15 5 * * 1-5"))["sync"]["schedule"]
    assert cron.hour == {5} and cron.minute == {15} and cron.day_of_week == {1, 2, 3, 4, 5}
    assert beat_schedule(Settings(sync_schedule="2"))["sync"]["schedule"] == timedelta(seconds=2)
    assert beat_schedule(Settings(sync_schedule="off")) == {}
    with pytest.raises(InputError, match="MALBILD_SYNC_SCHEDULE"):
        beat_schedule(Settings(sync_schedule="varje dag"))


def test_season_months_are_real_months():
    with pytest.raises(ValueError, match="MALBILD_SYNC_SEASON_MONTHS"):
        Settings(sync_season_months="11-13")


def test_without_a_broker_tasks_run_where_they_are_sent():
    embedded = make_celery(Settings(redis_url=None, broker_url=None))
    assert embedded.conf.task_always_eager
    with_redis = make_celery(Settings(redis_url="redis://127.0.0.1:6379/0"))
    assert not with_redis.conf.task_always_eager
    assert with_redis.conf.broker_url == "redis://127.0.0.1:6379/0"
    assert make_celery(Settings(redis_url="redis://a:6379/0", broker_url="redis://b:6379/1")
                       ).conf.broker_url == "redis://b:6379/1"
