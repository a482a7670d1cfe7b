"""How long exports take: one chart warm, and the whole yearly report cold and warm.

    python bench/export.py [--year 2022] [--repeat 5]

Builds the demo database in a temporary folder unless DATABASE_URL points at one. "Cold" starts
from a process without a browser (Chromium is started as part of the measurement); "warm" reuses
the browser the cold run left running, as a server process does. Goals: one chart under 1 s
warm, the whole report under 15 s cold.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import charts
from dashboard.export import images, report
from etl.db import engine_for
from etl.settings import DEFAULT_DATA_DIR, Settings


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="malbild-bench-") as directory:
        url = os.environ.get("DATABASE_URL")
        if not url:
            from etl.demo import build_demo

            url = f"sqlite:///{Path(directory) / 'demo.sqlite'}"
            print("Bygger demodatabasen …", flush=True)
            build_demo(Settings(database_url=url, data_dir=DEFAULT_DATA_DIR))
        settings = Settings(database_url=url, data_dir=DEFAULT_DATA_DIR)
        engine = engine_for(url)
        out = Path(directory)
        print(f"Chromium: {images.browser_path()}")
        print(f"Diagram: {images.EXPORT_WIDTH_PX} px = {images.REPORT_COLUMN_CM:g} cm, PNG i "
              f"{images.PRINT_DPI} dpi")

        results = []
        for suffix in ("pdf", "docx"):
            images.close_renderer()
            cold = timed(lambda s=suffix: report.write_report(
                engine, settings, args.year, out / f"rapport.{s}"))
            warm = [timed(lambda s=suffix: report.write_report(
                engine, settings, args.year, out / f"rapport.{s}"))
                for _ in range(args.repeat)]
            size = (out / f"rapport.{suffix}").stat().st_size
            results.append((suffix, cold, warm, size))

        # Cold as an officer meets it: a new `malbild report` process, browser not running.
        command = [sys.executable, "-m", "dashboard", "report", "--year", str(args.year), "--out"]
        environment = {**os.environ, "DATABASE_URL": url}
        process_cold = {suffix: timed(lambda s=suffix: subprocess.run(
            [*command, str(out / f"cli.{s}")], env=environment, check=True,
            capture_output=True)) for suffix in ("pdf", "docx")}

        view = charts.chart_view(engine, settings, "telefon-bemotande")
        chart_times = {}
        for fmt in images.FORMATS:
            images.chart_image(view.figure, fmt)  # the browser is warm already; warm the format
            chart_times[fmt] = [timed(lambda f=fmt: images.chart_image(view.figure, f))
                                for _ in range(args.repeat)]
        # What a download costs on the server: query + figure + image, browser warm.
        route = [timed(lambda: images.chart_image(
            charts.chart_view(engine, settings, "telefon-bemotande").figure, "png"))
            for _ in range(args.repeat)]
        images.close_renderer()

    print()
    print(f"{'mätning':48} {'median':>8} {'max':>8}")
    for fmt, times in chart_times.items():
        print(f"{'ett diagram, varm webbläsare, ' + fmt.upper():48} "
              f"{statistics.median(times):7.2f}s {max(times):7.2f}s")
    print(f"{'ett diagram med fråga och figur (PNG), varm':48} "
          f"{statistics.median(route):7.2f}s {max(route):7.2f}s")
    for suffix, cold, warm, size in results:
        print(f"{'hela rapporten ' + str(args.year) + ' ' + suffix.upper() + ', kall':48} "
              f"{cold:7.2f}s {'':>8}  ({size / 1024:.0f} KiB)")
        print(f"{'hela rapporten ' + str(args.year) + ' ' + suffix.upper() + ', varm':48} "
              f"{statistics.median(warm):7.2f}s {max(warm):7.2f}s")
    for suffix, seconds in process_cold.items():
        print(f"{'malbild report ' + suffix.upper() + ' (ny process, kall)':48} "
              f"{seconds:7.2f}s")
    worst_chart = max(max(t) for t in chart_times.values())
    worst_cold = max([cold for _s, cold, _w, _z in results] + list(process_cold.values()))
    print()
    print(f"Mål: ett diagram < 1 s varm ({'uppfyllt' if worst_chart < 1 else 'EJ uppfyllt'}), "
          f"hela rapporten < 15 s kall ({'uppfyllt' if worst_cold < 15 else 'EJ uppfyllt'}).")


if __name__ == "__main__":
    main()
