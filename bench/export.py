"""How long exports take: one chart warm, the whole yearly report cold (a new `malbild report`
process) and warm, and where the cold report's time goes.

    python bench/export.py [--year 2022] [--repeat 5] [--cold 3]

Cold and warm for each of PDF, DOCX and PPTX.

Builds the demo database in a temporary folder unless DATABASE_URL points at one. "Cold" is a
new process without a browser (Chromium is started as part of the measurement); "warm" reuses
the browser, as a server process does. Goals: one chart under 1 s warm, the whole report
under 5 s cold from a new `malbild report` process.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.present import charts
from dashboard.present.export import (
    images,
    report,
    report_docx,
    report_files,
    report_pdf,
    report_template,
)
from etl.db import engine_for
from etl.settings import DEFAULT_DATA_DIR, Settings

COLD_GOAL_S = 5.0
REPORT_FORMATS = ("pdf", "docx", "pptx")


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def new_process(command: list[str], environment: dict) -> float:
    return new_process_cpu(command, environment)[0]


def new_process_cpu(command: list[str], environment: dict) -> tuple[float, float]:
    """Wall time and CPU time (the process and what it started, Chromium included)."""
    cpu = children_cpu()
    started = time.perf_counter()
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"{' '.join(command)} misslyckades:\n{result.stderr}")
    return time.perf_counter() - started, children_cpu() - cpu


def breakdown(engine, settings: Settings, year: int, environment: dict) -> list[tuple[str, float]]:
    """The cold report's parts, one after the other (the command overlaps the browser's start
    with the imports and the model, and each figure is drawn while the next is made)."""
    parts = [("import av kommandot och rapportkoden (ny process)", new_process(
        [sys.executable, "-c", "import dashboard.cli, dashboard.present.export.report"],
        environment))]
    images.close_renderer()
    parts.append(("start av Chromium med Plotly basic, uppvärmd", timed(images.renderer)))
    model: list = []
    parts.append(("rapportens innehåll (frågor, text, tabeller)", timed(
        lambda: model.append(report.build_report(engine, settings, year)))))
    renderer = images.renderer()
    sections = [section for goal in model[0].goals for section in goal.measures]
    figures: list = []
    parts.append(("sex figurer (Plotly i Python)", timed(lambda: figures.extend(
        charts.measure_figure(section.item) for section in sections))))
    parts.append(("sex diagram som SVG i webbläsaren", timed(
        lambda: renderer.images(figures, "svg"))))
    report.render_charts(model[0], ("svg",), renderer)
    parts.append(("PDF utskriven av Chromium", timed(
        lambda: report_pdf.pdf_bytes(model[0], renderer))))
    parts.append(("sex diagram som PNG 300 dpi i webbläsaren", timed(
        lambda: renderer.images(figures, "png"))))
    report.render_charts(model[0], ("png",), renderer)
    parts.append(("DOCX skriven i mallen", timed(lambda: report_docx.docx_bytes(
        model[0], report_template.template_path(settings)))))
    from dashboard.present.export import report_pptx

    parts.append(("PPTX skriven (python-pptx)", timed(lambda: report_pptx.pptx_bytes(
        model[0]))))
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cold", type=int, default=3, help="Kalla körningar per format.")
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
        environment = {**os.environ, "DATABASE_URL": url}
        print(f"Chromium: {images.browser_path()}")
        print(f"Diagram: {images.EXPORT_WIDTH_PX} px = {images.REPORT_COLUMN_CM:g} cm, PNG i "
              f"{images.PRINT_DPI} dpi")
        load = os.getloadavg()[0]

        # Cold as an officer meets it: a new `malbild report` process, browser not running.
        command = [sys.executable, "-m", "dashboard", "report", "--year", str(args.year),
                   "--out"]
        measured = {suffix: [new_process_cpu([*command, str(out / f"cli.{suffix}")],
                                             environment) for _ in range(args.cold)]
                    for suffix in REPORT_FORMATS}
        process_cold = {s: [wall for wall, _ in runs] for s, runs in measured.items()}
        process_cpu = {s: [cpu for _, cpu in runs] for s, runs in measured.items()}
        parts = breakdown(engine, settings, args.year, environment)

        def drawn(work):  # every chart drawn again, not taken from the kept images
            images.forget_drawn_images()
            return timed(work)

        warm = {suffix: [drawn(lambda s=suffix: report_files.write_report(
            engine, settings, args.year, out / f"rapport.{s}")) for _ in range(args.repeat)]
            for suffix in REPORT_FORMATS}
        sizes = {suffix: (out / f"rapport.{suffix}").stat().st_size for suffix in warm}

        view = charts.chart_view(engine, settings, "telefon-bemotande")
        chart_times = {}
        for fmt in images.FORMATS:
            images.chart_image(view.figure, fmt)  # the browser is warm already; warm the format
            chart_times[fmt] = [drawn(lambda f=fmt: images.chart_image(view.figure, f))
                                for _ in range(args.repeat)]
        kept = [timed(lambda: images.chart_image(view.figure, "png")) for _ in range(args.repeat)]
        # What a download costs on the server: query + figure + image, browser warm.
        route = [drawn(lambda: images.chart_image(
            charts.chart_view(engine, settings, "telefon-bemotande").figure, "png"))
            for _ in range(args.repeat)]
        parts.append(("webbläsaren stängs när kommandot slutar", timed(images.close_renderer)))
        load_after = os.getloadavg()[0]

    print(f"\nBelastning (1 min) vid start: {load:.1f}, vid slut: {load_after:.1f} på "
          f"{os.cpu_count()} kärnor")
    print(f"{'mätning':52} {'median':>8} {'min':>7} {'max':>7}")
    for suffix, times in process_cold.items():
        print(f"{'malbild report ' + suffix.upper() + ' (ny process, kall)':52} "
              f"{statistics.median(times):7.2f}s {min(times):6.2f}s {max(times):6.2f}s"
              f"  (CPU-tid {statistics.median(process_cpu[suffix]):.2f}s med Chromium)")
    for suffix, times in warm.items():
        print(f"{'hela rapporten ' + suffix.upper() + ', varm webbläsare':52} "
              f"{statistics.median(times):7.2f}s {min(times):6.2f}s {max(times):6.2f}s"
              f"  ({sizes[suffix] / 1024:.0f} KiB)")
    for fmt, times in chart_times.items():
        print(f"{'ett diagram, varm webbläsare, ' + fmt.upper():52} "
              f"{statistics.median(times):7.2f}s {min(times):6.2f}s {max(times):6.2f}s")
    print(f"{'samma diagram igen (sparad bild), PNG':52} "
          f"{statistics.median(kept):7.2f}s {min(kept):6.2f}s {max(kept):6.2f}s")
    print(f"{'ett diagram med fråga och figur (PNG), varm':52} "
          f"{statistics.median(route):7.2f}s {min(route):6.2f}s {max(route):6.2f}s")
    print("\nVart tiden går i en kall rapport (delarna var för sig):")
    for name, seconds in parts:
        print(f"  {name:50} {seconds:6.2f}s")
    worst_chart = max(max(t) for t in chart_times.values())
    cold = max(statistics.median(t) for t in process_cold.values())
    print()
    print(f"Mål: ett diagram < 1 s varm ({'uppfyllt' if worst_chart < 1 else 'EJ uppfyllt'}), "
          f"kall rapport från ny process < {COLD_GOAL_S:g} s "
          f"({'uppfyllt' if cold < COLD_GOAL_S else 'EJ uppfyllt'}; median {cold:.2f} s).")


if __name__ == "__main__":
    main()
