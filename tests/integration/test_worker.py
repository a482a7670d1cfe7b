"""A real Celery worker with beat, started here against the real Redis: the scheduler sends
the sync cycle on its own, and a yearly report made on the worker tells its progress and comes
back whole.

Redis: MALBILD_TEST_BROKER_URL (default database 9 on the host of MALBILD_TEST_REDIS_URL, else
127.0.0.1:6379). Missing, the test is skipped, or fails with MALBILD_REQUIRE_DATABASE=1.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dashboard.tasks.celery_app import REPORT_TASK, SYNC_TASK, make_celery
from etl import db
from etl.followup import refresh
from tests.conftest import make_settings
from tests.served import copy_sqlite

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 120


def broker_url() -> str:
    if os.environ.get("MALBILD_TEST_BROKER_URL"):
        return os.environ["MALBILD_TEST_BROKER_URL"]
    test_redis = urlsplit(os.environ.get("MALBILD_TEST_REDIS_URL", "redis://127.0.0.1:6379"))
    return f"redis://{test_redis.hostname or '127.0.0.1'}:{test_redis.port or 6379}/9"


@pytest.fixture(scope="module")
def broker() -> str:
    import redis

    url = broker_url()
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
    except Exception as exc:
        if os.environ.get("MALBILD_REQUIRE_DATABASE") == "1":
            pytest.fail(f"Redis krävs (MALBILD_REQUIRE_DATABASE=1) men svarar inte på {url}: "
                        f"{exc}")
        pytest.skip(f"Redis svarar inte på {url}")
    client.flushdb()  # the test's own database: queues and results of earlier runs go
    return url


@pytest.fixture(scope="module")
def worker(broker, sqlite_demo, tmp_path_factory):
    """`malbild worker --beat` (with the stand-in cycle) over a copy of the demo database,
    its sync cycle scheduled every 2 seconds."""
    directory = tmp_path_factory.mktemp("worker")
    url = copy_sqlite(sqlite_demo.database_url, directory, "worker.sqlite")
    cycles = directory / "cycles.log"
    log = directory / "worker.log"
    env = {**os.environ, "DATABASE_URL": url, "MALBILD_BROKER_URL": broker,
           "MALBILD_SYNC_SCHEDULE": "2", "MALBILD_SECRET_KEY": "arbetare-" + "x" * 40,
           "MALBILD_TEST_CYCLE_LOG": str(cycles), "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "tests.celery_worker"], cwd=ROOT,
                                   env=env, stdout=output, stderr=subprocess.STDOUT)
    settings = make_settings(url, broker_url=broker, secret_key=env["MALBILD_SECRET_KEY"])
    try:
        yield settings, cycles, log, process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait(condition, log: Path, what: str):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"{what} inom {WAIT_SECONDS} s; arbetarens logg:\n"
                f"{log.read_text(errors='replace')[-4000:]}")


def test_beat_schedules_the_cycle_and_a_report_tells_its_progress(worker):
    settings, cycles, log, process = worker
    sender = make_celery(settings)

    # The scheduler sends the cycle by itself, again and again; the worker runs it, and what
    # follows a change stores the follow-up model for the data version.
    _wait(lambda: cycles.exists() and len(cycles.read_text().splitlines()) >= 2, log,
          "två schemalagda synkroniseringar")
    assert process.poll() is None
    assert refresh.stored_model(db.engine_for(settings.database_url), settings) is not None

    # The same task sent by hand (as `malbild sync` would run it) returns the cycle's report.
    assert sender.send_task(SYNC_TASK).get(timeout=WAIT_SECONDS) == "stand-in: inga ändringar"

    # A yearly report made on the worker: its progress is seen while it runs.
    result = sender.send_task(REPORT_TASK, args=[2022, "docx"])
    seen: list[dict] = []
    deadline = time.monotonic() + WAIT_SECONDS
    while not result.ready() and time.monotonic() < deadline:
        # State and progress read together: two reads could see the state before the end and
        # the finished result after it.
        meta = result.backend.get_task_meta(result.id)
        if meta["status"] == "PROGRESS" and meta["result"] not in seen:
            seen.append(meta["result"])
        time.sleep(0.05)
    answer = result.get(timeout=5)
    assert answer["filename"] == "arsrapport-2022.docx"
    assert base64.b64decode(answer["content"])[:2] == b"PK"  # a whole Word file (zip)
    assert len(seen) >= 2, f"för få lägesrapporter: {seen}"
    assert all(0 <= step["done"] <= step["total"] for step in seen)
    assert [step["done"] for step in seen] == sorted(step["done"] for step in seen)
    assert any(step["text"].startswith("Diagram") for step in seen)
