"""First and repeat visits in a real browser: the time until every chart of a page has drawn.

Debian's Chromium (Playwright) opens /, /mal/1, /mal/3 and /utforska from `malbild serve`
(gunicorn, 2 workers) over the demo database, and beside each a bare HTML page with the same
charts (the very figures the page's callback answers) drawn by the full plotly.js bundle, served
as plain files (Python's http.server: no compression, revalidated by Last-Modified). Both in the
same run, interleaved, so that a busy machine slows both alike.

* first visit: a new browser context (empty cache), from navigation start until the last chart
  has its title drawn (for / , which has no charts: until the page's heading is there);
* repeat visit: the same address again in the same context (cache warm).

Median of --runs (default 7) per page and kind, in milliseconds, at a 390 × 844 phone viewport.
The goal: a goal page's first visit at most 0.6× the bare page's, the repeat visit at most 1.2×.

    .venv/bin/python bench/browser.py [--runs 7]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from etl.demo import build_demo
from etl.settings import Settings

PAGES = ["/", "/mal/1", "/mal/3", "/utforska"]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 390, "height": 844}
DRAWN = """() => {
    if (!document.body) { return false; }
    const main = document.querySelector('main') || document.body;
    const graphs = [...main.querySelectorAll('.js-plotly-plot, .graph')];
    const expected = Number(document.body.dataset.charts || 0);
    if (!document.querySelector('h1')) { return false; }
    const drawn = [...main.querySelectorAll('.main-svg .gtitle')].length;
    if (document.body.dataset.charts !== undefined) { return drawn >= expected; }
    return graphs.every(g => g.querySelector('.main-svg .gtitle'))
        && !document.querySelector('._dash-loading');
}"""


def free_port() -> int:
    """A free port between 18000 and 18999."""
    for port in range(18000 + os.getpid() % 900, 19000):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 18000 and 18999")


def figures_of(base: str, path: str) -> list[dict]:
    """The figures the page's router callback answers, as the browser gets them."""
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname", "_pages_location.search"]}
    answer = httpx.post(f"{base}/_dash-update-component", json=body, timeout=60).json()
    found: list[dict] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Graph" and "figure" in node.get("props", {}):
                found.append(node["props"]["figure"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(answer)
    return found


def bare_page(figures: list[dict]) -> str:
    blocks = "\n".join(f'<div id="g{i}" style="width:100%;height:'
                       f'{f["layout"].get("height", 420)}px"></div>'
                       for i, f in enumerate(figures))
    plots = "\n".join(f"Plotly.newPlot('g{i}', {json.dumps(f)}, {{responsive: true}});"
                      for i, f in enumerate(figures))
    return f"""<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>bare</title>
<script src="plotly.min.js"></script></head>
<body data-charts="{len(figures)}"><main><h1>Diagram</h1>{blocks}</main>
<script>{plots}</script></body></html>"""


def serve_files(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def start_app(settings: Settings) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "malbild"), "serve", "--port", str(port),
         "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise RuntimeError("malbild serve did not start")


def visit(page, url: str) -> float:
    """Milliseconds from navigation start until every chart has drawn."""
    page.goto(url, wait_until="commit")
    page.wait_for_function(DRAWN, timeout=60_000, polling="raf")
    return page.evaluate("performance.now()")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    directory = Path(tempfile.mkdtemp(prefix="malbild-browser-"))
    settings = Settings(database_url=f"sqlite:///{directory}/bench.sqlite")
    build_demo(settings)
    app, base = start_app(settings)
    try:
        import plotly

        shutil.copy(Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
                    directory / "plotly.min.js")
        charts = {}
        for path in PAGES:
            figures = figures_of(base, path)
            charts[path] = len(figures)
            (directory / f"bare{path.replace('/', '_') or '_'}.html").write_text(
                bare_page(figures), encoding="utf-8")
        files, bare_base = serve_files(directory)
        times: dict[tuple[str, str, str], list[float]] = {}
        load_before = os.getloadavg()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            # Warm both workers' caches (each keeps its own without Redis): every run then
            # sees the same server, as after the first visitors of the day.
            for path in PAGES:
                for _ in range(4):
                    context = browser.new_context(viewport=VIEWPORT)
                    visit(context.new_page(), base + path)
                    context.close()
            for _ in range(args.runs):
                for path in PAGES:
                    bare = f"{bare_base}/bare{path.replace('/', '_') or '_'}.html"
                    for kind, url in (("app", base + path), ("bare", bare)):
                        context = browser.new_context(viewport=VIEWPORT)
                        page = context.new_page()
                        times.setdefault((path, kind, "first"), []).append(visit(page, url))
                        times.setdefault((path, kind, "repeat"), []).append(visit(page, url))
                        context.close()
            browser.close()
        files.shutdown()
        load_after = os.getloadavg()
    finally:
        app.terminate()
        app.wait(20)
        shutil.rmtree(directory, ignore_errors=True)

    median = {key: statistics.median(values) for key, values in times.items()}
    print(f"Chromium {VIEWPORT['width']}×{VIEWPORT['height']}, median of {args.runs} runs, ms "
          f"(load average {load_before[0]:.1f} before, {load_after[0]:.1f} after)")
    print(f"{'page':<11}{'charts':>7}{'first':>8}{'bare':>8}{'ratio':>7}"
          f"{'repeat':>8}{'bare':>8}{'ratio':>7}")
    for path in PAGES:
        first, bare_first = median[(path, "app", "first")], median[(path, "bare", "first")]
        repeat, bare_repeat = median[(path, "app", "repeat")], median[(path, "bare", "repeat")]
        print(f"{path:<11}{charts[path]:>7}{first:>8.0f}{bare_first:>8.0f}"
              f"{first / bare_first:>7.2f}{repeat:>8.0f}{bare_repeat:>8.0f}"
              f"{repeat / bare_repeat:>7.2f}")
    print("Goal: goal pages' first visit ≤ 0.6× bare, repeat visit ≤ 1.2× bare.")


if __name__ == "__main__":
    main()
