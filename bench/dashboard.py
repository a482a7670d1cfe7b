"""Server-side time of each page: the first visit and navigation (median of 20).

Builds the demo database (the whole Kolada extract plus labelled example data) in a temporary
SQLite file unless DATABASE_URL points at one, then asks the Dash app for each page exactly as
the browser does: the first visit (the HTML answer, which carries the page drawn for its
address) and the page router's callback (navigation within the app). Three times: without any
cache (every answer computed from the database, as the first view after an import); with the
follow-up (the read model) built once per data version and every page built again; and with the
cache as in production (whole page answers, kept until the next import).

Then the first view after an import (`--after-import`, also run by default): a value is
changed, as an import does, and the first request for a page is timed, each run after a new
import: without the follow-up computed ahead (as before issue 27: the first request builds it),
with `after_data_change` in the importing process (the pages are drawn ahead into its cache),
and in another worker (nothing of it in memory: it reads the stored model and draws the page).

    .venv/bin/python bench/dashboard.py [--runs 20] [--after-import-only]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
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
    parser.add_argument("--mode", type=int, help=argparse.SUPPRESS)  # one mode, in this process
    parser.add_argument("--after-import-only", action="store_true",
                        help="Bara första visningen efter en import.")
    parser.add_argument("--import-mode", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--redis", help="Redis för den delade sidcachen (en databas som får "
                                        "tömmas), t.ex. redis://127.0.0.1:6379/9.")
    args = parser.parse_args()
    if args.import_mode is not None:
        import logging

        logging.getLogger("malbild.request").disabled = True
        first_view_after_import(args.import_mode, min(args.runs, 10))
        return
    if args.mode is not None:
        import logging

        from dashboard.web.app import app_for

        logging.getLogger("malbild.request").disabled = True
        label, update = MODES[args.mode]
        measure(app_for(Settings().model_copy(update=update)), args.runs, label)
        return
    if "DATABASE_URL" in os.environ:
        url = Settings().database_url
    else:
        directory = tempfile.mkdtemp(prefix="malbild-bench-")
        url = f"sqlite:///{directory}/bench.sqlite"
        started = time.perf_counter()
        build_demo(Settings(database_url=url))
        print(f"Demodatabas byggd på {time.perf_counter() - started:.1f} s")
    # Each mode in a process of its own, with one app, as in a server's worker (Dash keeps
    # callbacks registered by a module's import for the first app made in a process).
    modes = [] if args.after_import_only else [("--mode", m) for m in range(len(MODES))]
    modes += [("--import-mode", m) for m in range(len(IMPORT_MODES) - 1)]
    shared = {}
    if args.redis:
        import redis

        redis.Redis.from_url(args.redis).flushdb()
        modes.append(("--import-mode", len(IMPORT_MODES) - 1))
        shared = {"REDIS_URL": args.redis, "MALBILD_SECRET_KEY": "bench-" + "x" * 40}
    for flag, mode in modes:
        environment = {**os.environ, "DATABASE_URL": url}
        if flag == "--import-mode" and mode == len(IMPORT_MODES) - 1:
            environment.update(shared)
        subprocess.run([sys.executable, __file__, flag, str(mode), "--runs", str(args.runs)],
                       env=environment, check=True)


IMPORT_MODES = [
    "utan förberäkning (som före): första anropet bygger uppföljningen",
    "med after_data_change i den process som importerar: sidorna ritas i förväg",
    "i en annan arbetsprocess utan Redis: den ser den nya dataversionen inom 2 s och ritar "
    "sidorna i förväg ur den sparade uppföljningen",
    "i en annan arbetsprocess eller maskin, med Redis: sidan är ritad i förväg i den delade "
    "cachen",
]
IMPORT_PAGES = PAGES[:4]


def first_view_after_import(mode: int, runs: int) -> None:
    """Median over `runs` imports of the first request for each page after the import."""
    import pandas as pd

    from dashboard.store import cache
    from dashboard.tasks import jobs, warming
    from dashboard.web.app import app_for
    from etl import db, imports
    from etl.followup import refresh

    settings = Settings()
    app = app_for(settings)
    client = app.server.test_client()
    engine = db.engine_for(settings.database_url)
    for _, path, search in IMPORT_PAGES:
        client.get(path + search)  # a worker that has served every page before the import
    drawn = []
    if mode == 2:  # this worker watches the data version
        real = warming.warm_pages
        warming.warm_pages = lambda *a: (real(*a), drawn.append(1))
        warming.watch(app, settings)
    walls: dict[str, list[float]] = {name: [] for name, _, _ in IMPORT_PAGES}
    again: dict[str, list[float]] = {name: [] for name, _, _ in IMPORT_PAGES}
    for _ in range(runs):
        for name, path, search in IMPORT_PAGES:
            with engine.connect() as connection:  # a value unlike the one stored
                value = 70.0 + db.data_version(connection) % 200 / 10
            frame = pd.DataFrame([{"kpi_id": "N00640", "municipality_id": "1277",
                                   "year": 2023, "gender": "T", "count": None,
                                   "value": value}])
            imports.save_value_frame(engine, frame, source="bench", kind="bench")
            if mode == 2:  # another process imported and stored the model (its hooks are its own)
                refresh.followup_model(engine, settings)
            elif mode > 0:
                jobs.data_changed(engine, settings)
            if mode == 2:  # the visitor comes once the watching worker has drawn the pages
                deadline = time.monotonic() + 120
                while not drawn and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert drawn, "arbetsprocessen ritade inte sidorna"
                drawn.clear()
            if mode == 3:  # another worker: nothing of this one's memory
                cache.forget()
            for times in (walls, again):  # the first view, then one more (cached)
                started = time.perf_counter()
                response = client.get(path + search)
                times[name].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
    print(f"\nFörsta visningen efter en import, {IMPORT_MODES[mode]} (median av {runs} "
          "importer, ms; bredvid: nästa visning av samma sida, ur cachen):")
    for name, times in walls.items():
        print(f"  {name:34} {statistics.median(times):8.1f} {statistics.median(again[name]):8.1f}")


MODES = [
    ("Ingen cache: uppföljningen och sidan byggs från databasen vid varje anrop, som den första "
     "visningen efter en import", {"cache": False}),
    ("Sidan byggs vid varje anrop; uppföljningen (läsmodellen) byggs en gång per dataversion",
     {"cache": True, "page_cache": False}),
    ("Med cache som i drift: hela sidsvaret återanvänds till nästa import",
     {"cache": True, "page_cache": True}),
]


def measure(app, runs: int, label: str) -> None:
    from dashboard.web.first_visit import BLOCK_ID

    client = app.server.test_client()
    client.get("/")  # first request: Dash registers its routes and bundles
    print(f"\n{label}.\nMedian av {runs} körningar efter en uppvärmning, i ms (cpu: "
          "processortid). Första besök: HTML-svaret med sidan inritad, allt som servern gör "
          "för ett första besök. Navigering: sidans callback när man byter sida i appen.")
    print(f"{'sida':36} {'första besök':>13} {'cpu':>6} {'kB':>5} {'navigering':>11} "
          f"{'cpu':>6} {'kB':>5}")
    for name, path, search in PAGES:
        body = json.dumps(router_request(path, search))
        first = timed(runs, functools.partial(client.get, path + search))
        navigation = timed(runs, functools.partial(
            client.post, "/_dash-update-component", data=body,
            content_type="application/json"))
        assert BLOCK_ID.encode() in first.last.data, "sidan saknas i första svaret"
        print(f"{name:36} {first.median:13.1f} {first.cpu:6.1f} {first.kb:5.0f} "
              f"{navigation.median:11.1f} {navigation.cpu:6.1f} {navigation.kb:5.0f}")


class Timing:
    def __init__(self, walls: list[float], cpus: list[float], last) -> None:
        self.median, self.cpu = statistics.median(walls), statistics.median(cpus)
        self.last, self.kb = last, len(last.data) / 1024


def timed(runs: int, ask) -> Timing:
    walls, cpus = [], []
    for _ in range(runs + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        response = ask()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, response.data[:500]
    return Timing(walls[1:], cpus[1:], response)  # the first run fills the cache


if __name__ == "__main__":
    main()
