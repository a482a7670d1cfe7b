"""Server-side time of each page's layout and initial callbacks (median of 20).

Builds the demo database (the whole Kolada extract plus labelled example data) in a temporary
SQLite file unless DATABASE_URL points at one, then asks the Dash app for each page exactly as
the browser does on first load: the index request and the page router callback (which runs
the page's layout). Three times: without any cache (every answer computed from the database,
as the first view after an import); with the follow-up (the read model) built once per data
version and every page built again; and with the cache as in production (whole page answers,
kept until the next import).

    .venv/bin/python bench/dashboard.py [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from etl.demo import build_demo
from etl.settings import Settings

PAGES = [
    ("Översikt", "/", ""),
    ("Mål 1", "/mal/1", ""),
    ("Mål 2", "/mal/2", ""),
    ("Mål 3", "/mal/3", ""),
    ("Utforska", "/utforska", ""),
    ("Utforska, grupp + kommuner + kön", "/utforska", "?kpi=N00640&jmf=G37597&visa=kommuner&kon=1"),
    ("Utforska, kostnad 2000–2022", "/utforska", "?kpi=N11008&fran=2000"),
]


def router_request(path: str, search: str) -> dict:
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname", "_pages_location.search"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if "DATABASE_URL" in os.environ:
        settings = Settings()
    else:
        directory = tempfile.mkdtemp(prefix="malbild-bench-")
        settings = Settings(database_url=f"sqlite:///{directory}/bench.sqlite")
        started = time.perf_counter()
        build_demo(settings)
        print(f"Demodatabas byggd på {time.perf_counter() - started:.1f} s")
    import logging

    from dashboard.app import create_app

    logging.getLogger("malbild.request").disabled = True
    for label, update in MODES:
        measure(create_app(settings.model_copy(update=update)), args.runs, label)


MODES = [
    ("Ingen cache: uppföljningen och sidan byggs från databasen vid varje anrop, som den första "
     "visningen efter en import", {"cache": False}),
    ("Sidan byggs vid varje anrop; uppföljningen (läsmodellen) byggs en gång per dataversion",
     {"cache": True, "page_cache": False}),
    ("Med cache som i drift: hela sidsvaret återanvänds till nästa import",
     {"cache": True, "page_cache": True}),
]


def measure(app, runs: int, label: str) -> None:
    client = app.server.test_client()
    client.get("/")  # first request: Dash registers its routes and bundles
    print(f"\n{label}.\nMedian av {runs} körningar efter en uppvärmning; "
          "väggtid och processortid (cpu) i ms.")
    print(f"{'sida':36} {'median':>8} {'p90':>7} {'cpu':>7} {'svar kB':>8}")
    for name, path, search in PAGES:
        body = json.dumps(router_request(path, search))
        walls, cpus = [], []
        size = 0
        for _ in range(runs + 1):
            wall, cpu = time.perf_counter(), time.process_time()
            index = client.get(path + search)
            response = client.post("/_dash-update-component", data=body,
                                   content_type="application/json")
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            assert index.status_code == 200 and response.status_code == 200, response.data[:500]
            size = len(response.data)
        walls, cpus = sorted(walls[1:]), sorted(cpus[1:])  # the first run fills the cache
        p90 = walls[int(0.9 * (len(walls) - 1))]
        print(f"{name:36} {statistics.median(walls):8.1f} {p90:7.1f} "
              f"{statistics.median(cpus):7.1f} {size / 1024:8.0f}")


if __name__ == "__main__":
    main()
