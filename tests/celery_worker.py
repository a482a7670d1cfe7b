"""A Målbild Celery worker (with beat) for tests, whose sync cycle is a stand-in: it notes each
run in the file MALBILD_TEST_CYCLE_LOG and then does what follows a change
(`after_data_change`). The real cycle (`dashboard.tasks.cycle.run_cycle`, Kolada and alerts)
has its own tests; this worker tests the machinery that schedules and runs it.

    python -m tests.celery_worker
"""

from __future__ import annotations

import os
import sys
import types
from datetime import UTC, datetime


def run_cycle(engine, settings, base_url=None):
    from etl.followup import refresh

    with open(os.environ["MALBILD_TEST_CYCLE_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{datetime.now(UTC).isoformat()} {base_url or '-'}\n")
    refresh.after_data_change(engine, settings)
    return "stand-in: inga ändringar"


def main() -> None:
    stand_in = types.ModuleType("dashboard.tasks.cycle")
    stand_in.run_cycle = run_cycle
    sys.modules["dashboard.tasks.cycle"] = stand_in
    from dashboard.worker import start

    start(beat=True, concurrency=2, loglevel="INFO", hostname=f"test-{os.getpid()}@%h")


if __name__ == "__main__":
    main()
