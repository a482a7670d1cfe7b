"""Kolada sync speed: a full sync of the whole extract into a fresh SQLite file, and a re-sync.

    .venv/bin/python bench/etl.py [--repeat 3]

The Kolada-shaped test server (`tests/kolada_server.py`) runs in a process of its own, as Kolada
would, and serves the bundled extract: 44 KPIs, every municipality, all years (211 806 values),
plus Kolada-style group values. A warm-up sync into a throwaway file comes first, so that the
figures measure Målbild and not the server filling its caches. Goals (2-core machine): the full
sync under 10 s, the no-change re-sync under 3 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl import db, kolada_sync  # noqa: E402
from etl.settings import DEFAULT_DATA_DIR, Settings  # noqa: E402
from tests.kolada_server import load_extract  # noqa: E402


def start_server() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "tests.kolada_server"], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    url = process.stdout.readline().strip()
    if not url.startswith("http://"):
        process.kill()
        raise SystemExit(f"the test server did not start (said {url!r})")
    return process, url


def fresh_settings(directory: Path, name: str) -> Settings:
    url = f"sqlite:///{directory / name}"
    db.upgrade(url)
    return Settings(database_url=url, data_dir=DEFAULT_DATA_DIR)


def timed_sync(settings: Settings, base_url: str, kpis: list[str], **options):
    engine = db.engine_for(settings.database_url)
    started = time.perf_counter()
    result = kolada_sync.sync(engine, settings, kpis=kpis, base_url=base_url, **options)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="full syncs to time (best shown)")
    args = parser.parse_args()
    kpis = sorted(k["id"] for k in load_extract().kpis)
    process, base_url = start_server()
    try:
        with tempfile.TemporaryDirectory() as directory:
            folder = Path(directory)
            timed_sync(fresh_settings(folder, "warm-up.sqlite"), base_url, kpis)
            full_times = []
            for run in range(args.repeat):
                settings = fresh_settings(folder, f"full-{run}.sqlite")
                seconds, result = timed_sync(settings, base_url, kpis)
                full_times.append(seconds)
            values = result.counts.added
            group_values = result.group_counts.added
            resync, again = timed_sync(settings, base_url, kpis)
            full_resync, full_again = timed_sync(settings, base_url, kpis, full=True)
    finally:
        process.terminate()
        process.wait(timeout=10)

    best = min(full_times)
    print(f"Kolada sync from the local test server ({len(kpis)} KPIs, every municipality, "
          "all years) into a fresh SQLite file")
    print(f"  full sync:        {values:,} municipal values + {group_values:,} group values")
    print(f"                    best {best:.2f} s, median {statistics.median(full_times):.2f} s "
          f"of {len(full_times)} -> {values / best:,.0f} values/s "
          f"({(values + group_values) / best:,.0f} incl. group values); goal < 10 s")
    print(f"  no-change re-sync: {resync:.2f} s (from_date {again.from_date}, "
          f"{again.requests} requests, {again.counts.added + again.counts.updated} changes); "
          "goal < 3 s")
    print(f"  full re-sync, no changes: {full_resync:.2f} s "
          f"({full_again.counts.unchanged:,} unchanged)")


if __name__ == "__main__":
    main()
