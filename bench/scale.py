"""Scale: a national operator's data set in PostgreSQL.

Generates 290 municipalities × 500 KPIs × 25 years (about 3.6 million values, invented and
labelled as such), imports it through `malbild etl file`'s pipeline into a fresh schema, and
times the explore page's callback on it without any cache (median of 20).

    .venv/bin/python bench/scale.py [--kpis 500] [--years 25] [--runs 20]

MALBILD_BENCH_DATABASE_URL (default the local test server) gets a fresh schema, dropped after.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from etl import db, imports, load
from etl.extract import kolada_files
from etl.settings import Settings

POSTGRES = os.environ.get("MALBILD_BENCH_DATABASE_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def thousands(number: float) -> str:
    return f"{number:,.0f}".replace(",", " ")


def synthetic_kpis(count: int) -> list[dict]:
    return [{"id": f"S{i:05d}", "title": f"Syntetiskt nyckeltal {i}, andel (%)",
             "description": "Påhittat för belastningsprov.", "operating_area": f"Område {i % 12}",
             "is_divided_by_gender": False, "municipality_type": "K", "publication_date": "",
             "direction": "higher", "unit": "%", "retired": False} for i in range(1, count + 1)]


def write_values(path: Path, kpis: list[str], municipalities: list[str], years: range) -> int:
    """The tidy CSV (gzip) that `malbild etl file` reads, written in blocks of KPIs."""
    rng = np.random.default_rng(7)
    total = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as handle:
        handle.write("kpi,municipality,period,gender,value\n")
        for start in range(0, len(kpis), 50):
            block = kpis[start : start + 50]
            grid = pd.MultiIndex.from_product([block, municipalities, list(years)],
                                              names=["kpi", "municipality", "period"])
            frame = grid.to_frame(index=False)
            frame["gender"] = "T"
            frame["value"] = np.round(rng.uniform(20, 95, len(frame)), 1)
            frame.to_csv(handle, header=False, index=False, lineterminator="\n")
            total += len(frame)
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kpis", type=int, default=500)
    parser.add_argument("--years", type=int, default=25)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="Keep the schema (prints its URL).")
    parser.add_argument("--url", help="Reuse a kept schema: only time the callback.")
    args = parser.parse_args()
    if args.url:
        time_callback(Settings(database_url=args.url, cache=False),
                      [k["id"] for k in synthetic_kpis(args.kpis)], args.runs)
        return
    from sqlalchemy import create_engine, text

    schema_name = f"scale_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema_name}"'))
    url = f"{POSTGRES}?options=-csearch_path%3D{schema_name}"
    settings = Settings(database_url=url, cache=False)
    try:
        db.upgrade(url)
        engine = db.engine_for(url)
        imports.load_bundled_catalogue(engine, settings)
        imports.load_strategy_file(engine, settings)
        kpis = synthetic_kpis(args.kpis)
        with engine.begin() as connection:
            load.save_catalogue(connection, kpis=kpis)
        municipalities = [m["id"] for m in kolada_files.fetch_municipalities(settings.kolada_dir)
                          if m["type"] == "K"]
        years = range(2024 - args.years + 1, 2025)
        path = Path(tempfile.mkdtemp(prefix="malbild-scale-")) / "values.csv.gz"
        started = time.perf_counter()
        count = write_values(path, [k["id"] for k in kpis], municipalities, years)
        print(f"Genererade {thousands(count)} värden ({len(municipalities)} kommuner × "
              f"{args.kpis} nyckeltal × {args.years} år) på {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        result = imports.import_value_file(engine, path)
        seconds = time.perf_counter() - started
        print(f"Import till PostgreSQL: {seconds:.1f} s "
              f"({thousands(result.counts.added / seconds)} värden/s); mål under 180 s")

        started = time.perf_counter()
        again = imports.import_value_file(engine, path)
        print(f"Samma fil igen (inget ändras, {thousands(again.counts.unchanged)} "
              f"oförändrade): {time.perf_counter() - started:.1f} s")

        time_callback(settings, [k["id"] for k in kpis], args.runs)
    finally:
        if args.keep:
            print(f"Schemat behålls: {url}")
        else:
            db.engine_for(url).dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema_name}" CASCADE'))


def time_callback(settings: Settings, kpis: list[str], runs: int) -> None:
    """The explore page's callback without cache, a new KPI each time (median)."""
    import json
    import logging

    from dashboard.web.app import app_for

    logging.getLogger("malbild.request").disabled = True
    client = app_for(settings).server.test_client()
    client.get("/")
    timings = []
    for run in range(runs + 1):
        kpi = kpis[(run * 37) % len(kpis)]
        body = {"output": ".._pages_content.children..._pages_store.data..",
                "outputs": [{"id": "_pages_content", "property": "children"},
                            {"id": "_pages_store", "property": "data"}],
                "inputs": [{"id": "_pages_location", "property": "pathname",
                            "value": "/utforska"},
                           {"id": "_pages_location", "property": "search",
                            "value": f"?kpi={kpi}&jmf=G33621&visa=kommuner"}],
                "changedPropIds": ["_pages_location.pathname", "_pages_location.search"]}
        started = time.perf_counter()
        response = client.post("/_dash-update-component", data=json.dumps(body),
                               content_type="application/json")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.data[:300]
    print(f"Utforska-sidans callback utan cache, ett nytt nyckeltal varje gång: median "
          f"{statistics.median(timings[1:]):.0f} ms, högst {max(timings[1:]):.0f} ms "
          f"({runs} körningar); mål under 200 ms")


if __name__ == "__main__":
    main()
