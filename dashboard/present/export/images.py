"""Chart images (PNG, SVG, PDF) and printed pages, rendered by one kept-alive Chromium.

The figure is the very one the page shows (`MeasureFollowUp.figure()` and the functions in
`dashboard.present.figures`); only its size changes: the width of an A4 report column (16 cm),
and for PNG a scale that gives 300 dpi. Kaleido drives the browser.

One browser serves a whole process: it is started on first use and then reused for every image
and for printing the yearly report to PDF. Kaleido's own `start_sync_server` is not used because
it waits forever when the browser fails to start or dies, and hands concurrent callers each
other's results; here each call gets its own future with a time limit, and a dead browser is
started again on the next call.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import hashlib
import json
import logging
import os
import shutil
import struct
import threading
import weakref
import zlib
from collections.abc import Iterable
from concurrent.futures import TimeoutError as FutureTimeout
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard.store.lru import LocalCache
from etl.errors import MalbildError

if TYPE_CHECKING:
    import plotly.graph_objects as go

FORMATS = ("png", "svg", "pdf")
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}

CSS_PX_PER_CM = 96 / 2.54
REPORT_COLUMN_CM = 16.0  # A4 (21 cm) less 2.5 cm margins on either side
EXPORT_WIDTH_PX = round(REPORT_COLUMN_CM * CSS_PX_PER_CM)  # 605 CSS px
PRINT_DPI = 300
PNG_SCALE = PRINT_DPI / 96
DEFAULT_HEIGHT_PX = 420
RENDER_TIMEOUT_S = 60
START_TIMEOUT_S = 60
BROWSER_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
PLOTLY_BUNDLE_DIR = Path(__file__).resolve().parents[2] / "assets" / "vendor"
DRAW_JS = """function(spec) {
  const drawn = (window.malbildDrawn || Promise.resolve()).then(
    () => kaleido_scopes.plotly(spec, null, false));
  window.malbildDrawn = drawn.catch(() => null);
  return drawn.then(JSON.stringify);
}"""
"""Draws a figure in the browser's Kaleido page as Kaleido does (`kaleido_scopes.plotly`), once
the figures sent before it are drawn: one at a time, as Kaleido draws them."""


BROWSER_GOODBYE = "{bye}"
"""What the browser's pipe says as it closes. When it arrives in one read with the browser's
last message, the channel reads it as a message, fails to decode it and logs the failure with
a traceback on standard error (a refused `malbild export chart` then printed one under load)."""


def _not_the_goodbye(record: logging.LogRecord) -> bool:
    """False for the pipe's log of failing to decode the closing goodbye, true for all else."""
    error = record.exc_info[1] if record.exc_info else None
    message = getattr(getattr(error, "__cause__", None), "doc", None)
    return not (isinstance(message, str) and message.strip() == BROWSER_GOODBYE)


def ignore_the_browser_goodbye() -> None:
    """Filter the pipe's log as the browser is opened (the pipe's logger is the browser
    library's own kind, so it must be made by that library, not here)."""
    import logistro

    logistro.getLogger("choreographer.channels.pipe").addFilter(_not_the_goodbye)


class ExportUnavailable(MalbildError):
    """Images or the PDF cannot be made here (no browser, or the browser failed)."""


def browser_path() -> str:
    """The Chromium to use: BROWSER_PATH if set, else Debian's or one on PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        raise ExportUnavailable(
            f"Diagram och PDF kan inte skapas: webbläsaren i BROWSER_PATH ({configured}) finns "
            "inte eller går inte att köra. Rätta sökvägen eller ta bort BROWSER_PATH så används "
            "Chromium från /usr/bin/chromium.")
    for candidate in BROWSER_CANDIDATES:
        found = candidate if Path(candidate).is_file() else shutil.which(candidate)
        if found:
            return found
    raise ExportUnavailable(
        "Diagram och PDF kan inte skapas: webbläsaren Chromium saknas på servern. Installera "
        "den (Debian/Ubuntu: «apt-get install chromium») eller ange sökvägen till en Chromium "
        "i miljövariabeln BROWSER_PATH. Data som Excel och CSV går ändå att ladda ner.")


def plotly_bundle() -> str | None:
    """The partial plotly.js bundle the pages load (`assets/vendor`, see `dashboard.web.delivery`),
    as a file URL, when it is the plotly.js version that the Python plotly ships; else None,
    and Kaleido loads plotly's full bundle. The charts use only scatter and bar traces, which
    the partial bundle has; it is a quarter of the size, so the browser starts about a second
    sooner."""
    from plotly.offline import get_plotlyjs_version

    version = get_plotlyjs_version()
    bundle = PLOTLY_BUNDLE_DIR / f"plotly-basic-{version}.min.js"
    try:
        with bundle.open("rb") as file:
            head = file.read(200).decode("latin-1")
    except OSError:
        return None
    return bundle.as_uri() if f"v{version}" in head else None


def export_size(figure: go.Figure | dict) -> tuple[int, int]:
    """Width and height in CSS px: the report column's width, the figure's own height."""
    height = (figure.get("layout", {}).get("height") if isinstance(figure, dict)
              else figure.layout.height)
    return EXPORT_WIDTH_PX, int(height or DEFAULT_HEIGHT_PX)


def with_print_resolution(png: bytes, dpi: int = PRINT_DPI) -> bytes:
    """The PNG with a pHYs chunk, so Word and print shops place it at its real size."""
    signature, rest = png[:8], png[8:]
    header_length = struct.unpack(">I", rest[:4])[0]
    ihdr_end = 8 + header_length + 4  # length, type, data, crc
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    chunks = rest[ihdr_end:]
    # Drop a pHYs the renderer may already have written, so there is exactly one.
    cleaned, position = bytearray(), 0
    while position < len(chunks):
        length = struct.unpack(">I", chunks[position:position + 4])[0]
        end = position + 12 + length
        if chunks[position + 4:position + 8] != b"pHYs":
            cleaned += chunks[position:end]
        position = end
    return signature + rest[:ihdr_end] + chunk + bytes(cleaned)


WARM_UP_FIGURE = {
    "data": [
        {"type": "bar", "x": [2020, 2021], "y": [40, 60], "name": "Medel",
         "error_y": {"type": "data", "array": [5, 5]}},
        {"type": "scatter", "mode": "lines+markers+text", "x": [2020, 2021], "y": [50, 55],
         "text": ["50", "55"], "textposition": "top center", "name": "Kommunen"},
    ],
    "layout": {"height": 200, "title": {"text": "Uppvärmning"}, "legend": {"orientation": "h"},
               "xaxis": {"title": {"text": "År"}}, "yaxis": {"title": {"text": "Procent"}},
               "annotations": [{"text": "Källa", "showarrow": False, "x": 0, "y": -0.3,
                                "xref": "paper", "yref": "paper"}]},
}
"""A small chart drawn once when the browser has started, as SVG and PNG, so that plotly.js
is compiled and warm before the first real chart (the first drawing in a new page takes
several times as long as the next)."""


class ChartRenderer:
    """One Chromium (through Kaleido) on an event loop in a thread of its own."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path or browser_path()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kaleido",
                                        daemon=True)
        self._thread.start()
        self._kaleido = None
        try:
            self._kaleido = self._run(self._open(), START_TIMEOUT_S)
        except BaseException:
            self._stop_loop()
            raise
        with contextlib.suppress(ExportUnavailable):
            self.images([WARM_UP_FIGURE], "svg")
            self.images([WARM_UP_FIGURE], "png")

    async def _open(self):
        from kaleido import Kaleido

        ignore_the_browser_goodbye()
        # No MathJax: it would be fetched from a CDN, and the charts use no formulas.
        kaleido = Kaleido(path=self.path, mathjax=False, plotlyjs=plotly_bundle(),
                          timeout=RENDER_TIMEOUT_S)
        await kaleido.open()
        return kaleido

    def _run(self, coroutine, timeout: float):
        return self._wait(asyncio.run_coroutine_threadsafe(coroutine, self._loop), timeout)

    def _wait(self, future, timeout: float):
        """The result of work sent to the browser's loop, its failure in words."""
        try:
            return future.result(timeout)
        except FutureTimeout:
            future.cancel()
            raise ExportUnavailable(
                f"Webbläsaren svarade inte inom {timeout:.0f} sekunder. Försök igen; "
                "händer det igen, starta om Målbild.") from None
        except ExportUnavailable:
            raise
        except Exception as exc:
            raise ExportUnavailable(
                f"Webbläsaren ({self.path}) kunde inte rita diagrammet: {exc}. Kontrollera "
                "att Chromium fungerar («chromium --headless --version») och försök igen."
            ) from exc

    @property
    def alive(self) -> bool:
        return (self._thread.is_alive() and self._kaleido is not None
                and self._kaleido.subprocess.poll() is None)

    def image(self, figure: go.Figure, fmt: str, width_px: int | None = None) -> bytes:
        """The figure as PNG (300 dpi), SVG or PDF, 16 cm wide (or `width_px` CSS px, as a
        screen of that width shows it)."""
        if fmt not in FORMATS:
            raise ValueError(f"okänt bildformat {fmt!r}; välj {', '.join(FORMATS)}")
        if self._draws_in_place(fmt):  # a quarter of the time: no reload of the page after it
            return self.images([figure], fmt, width_px=width_px)[0]
        data = self._run(self._kaleido.calc_fig(figure, opts=_options(figure, fmt, width_px)),
                         RENDER_TIMEOUT_S)
        return with_print_resolution(data) if fmt == "png" else data

    def _draws_in_place(self, fmt: str) -> bool:
        """PNG and SVG are drawn in the kept page (`images`); a PDF by Kaleido, page reloaded.
        Kaleido (1.x) has no public call for the kept page; without its tab queue, Kaleido's."""
        return fmt != "pdf" and hasattr(self._kaleido, "_get_kaleido_tab")

    def images(self, figures: Iterable[go.Figure], fmt: str,
               width_px: int | None = None) -> list[bytes]:
        """Several figures, in order. PNG and SVG are drawn in the browser's Kaleido page as
        Kaleido draws one (`kaleido_scopes.plotly`), but without Kaleido's reload of the page
        (and of plotly.js) after every figure; each figure is sent as soon as it is taken from
        `figures`, so the browser draws one while the next is made. A PDF is printed one by
        one."""
        if fmt not in FORMATS:
            raise ValueError(f"okänt bildformat {fmt!r}; välj {', '.join(FORMATS)}")
        if not self._draws_in_place(fmt):
            return [self.image(figure, fmt, width_px) for figure in figures]
        from kaleido._utils.fig_tools import coerce_for_js

        kaleido = self._kaleido
        tab = self._run(kaleido._get_kaleido_tab(), RENDER_TIMEOUT_S)
        keys, found, pending = [], {}, {}
        try:
            for figure in figures:
                spec = coerce_for_js(figure, None, _options(figure, fmt, width_px))
                key = _drawn_key(spec)
                keys.append(key)
                if key in found or key in pending:
                    continue
                hit, image = _drawn.get(key)
                if hit:
                    found[key] = image
                else:
                    pending[key] = asyncio.run_coroutine_threadsafe(self._draw(tab, spec),
                                                                    self._loop)
            for key, future in pending.items():
                data = self._wait(future, RENDER_TIMEOUT_S)
                found[key] = (data.encode() if fmt == "svg"
                              else with_print_resolution(base64.b64decode(data)))
                _drawn.set(key, found[key])
        finally:
            for future in pending.values():
                with contextlib.suppress(Exception):
                    future.result(RENDER_TIMEOUT_S)
            # Kaleido reloads its page after each figure to clear what a PDF leaves in it;
            # drawing PNG and SVG leaves nothing, so the page is put back as it is.
            self._run(kaleido.tabs_ready.put(tab), RENDER_TIMEOUT_S)
        return [found[key] for key in keys]

    @staticmethod
    async def _draw(tab, spec: dict) -> str:
        response = await tab.tab.send_command("Runtime.callFunctionOn", params={
            "functionDeclaration": DRAW_JS,
            "arguments": [{"value": spec}],
            "returnByValue": True,
            "awaitPromise": True,
            "executionContextId": tab._current_js_id,
        })
        if "error" in response:
            raise RuntimeError(response["error"].get("message", response["error"]))
        result = response["result"]
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("text", "fel i webbläsaren"))
        answer = json.loads(result["result"]["value"])
        if answer.get("code"):
            raise RuntimeError(answer.get("message") or f"felkod {answer['code']}")
        return answer["result"]

    def print_pdf(self, html_file: Path, header: str = "") -> bytes:
        """Print an HTML file to a tagged PDF (structure, language and title kept), with
        `header` at the top of every page and "Sida X av Y" at the foot."""
        return self._run(self._print(html_file, header), RENDER_TIMEOUT_S * 2)

    async def _print(self, html_file: Path, header: str = "") -> bytes:
        tab = await self._kaleido.create_tab(url="")
        try:
            await tab.send_command("Page.enable")
            loaded = tab.subscribe_once("Page.loadEventFired")
            await tab.send_command("Page.navigate", params={"url": html_file.as_uri()})
            await asyncio.wait_for(loaded, RENDER_TIMEOUT_S)
            response = await tab.send_command("Page.printToPDF", params={
                "printBackground": True,
                "preferCSSPageSize": True,
                "generateTaggedPDF": True,
                "generateDocumentOutline": True,
                "displayHeaderFooter": True,
                "headerTemplate": (
                    '<div style="font-size:8pt;width:100%;text-align:right;color:#4d4d4d;'
                    f'margin:0 2.5cm;">{escape(header)}</div>') if header else "<span></span>",
                "footerTemplate": (
                    '<div style="font-size:8pt;width:100%;text-align:center;color:#4d4d4d;">'
                    'Sida <span class="pageNumber"></span> av <span class="totalPages"></span>'
                    "</div>"),
            })
            if "error" in response:
                raise RuntimeError(response["error"].get("message", response["error"]))
            return base64.b64decode(response["result"]["data"])
        finally:
            await self._kaleido.close_tab(tab)

    def close(self) -> None:
        if self._kaleido is not None and self._thread.is_alive():
            with contextlib.suppress(ExportUnavailable):
                self._run(self._kaleido.close(), 30)
        self._stop_loop()

    def _stop_loop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


# The images drawn last, by what was sent to the browser: the yearly report as Word, PDF and
# PowerPoint, or a chart downloaded again, draws each chart once (about 0,05 s of the browser
# each). Bounded in count and bytes.
_drawn = LocalCache(max_items=256, max_bytes=64 * 1024 * 1024)


def forget_drawn_images() -> None:
    """Empty the kept images (a benchmark that measures drawing draws each time)."""
    _drawn.clear()


def _drawn_key(spec: dict) -> str:
    """The spec as plotly writes it as JSON (arrays, dates and numbers whole), hashed."""
    from plotly.io.json import to_json_plotly

    return hashlib.sha256(to_json_plotly(spec).encode()).hexdigest()


def _options(figure: go.Figure, fmt: str, width_px: int | None = None) -> dict:
    width, height = export_size(figure)
    return {"format": fmt, "width": width_px or width, "height": height,
            "scale": PNG_SCALE if fmt == "png" else 1}


_renderer: ChartRenderer | None = None
_renderer_lock = threading.Lock()


def renderer() -> ChartRenderer:
    """The process's renderer: started on first use, started again if its browser died."""
    global _renderer
    with _renderer_lock:
        if _renderer is None or not _renderer.alive:
            if _renderer is not None:
                _renderer.close()
            _renderer = ChartRenderer()
        return _renderer


def started() -> bool:
    """Whether the process's browser is running, not missing or still starting."""
    return _renderer is not None and not _renderer_lock.locked()


def start_in_background() -> None:
    """Start the process's browser in a thread, so it starts while other work goes on (a
    failure is reported by the first real use)."""
    def start() -> None:
        with contextlib.suppress(Exception):
            renderer()

    threading.Thread(target=start, name="kaleido-start", daemon=True).start()


def close_renderer() -> None:
    global _renderer
    with _renderer_lock:
        if _renderer is not None:
            _renderer.close()
            _renderer = None


_ends_with_command = False


def ends_with_command() -> None:
    """Say that this process ends when its one command does (the `malbild` entry point), so
    its browser may be closed as soon as the command has drawn what it needs."""
    global _ends_with_command
    _ends_with_command = True


def done_drawing() -> None:
    """The caller needs the browser no more. In a process that ends with its command, the
    browser is closed in a thread while the command finishes (the exit handler waits for it);
    elsewhere (the server, tests) it is kept for the next image."""
    if _ends_with_command:
        threading.Thread(target=close_renderer, name="kaleido-close", daemon=True).start()


# `weakref.finalize` registers its own exit handler on first use, and the browser's temporary
# profile is removed by such a finaliser: register that handler first, so that this one (exit
# handlers run last registered first) closes the browser before its profile is removed, also
# when a command ends while the browser is still starting.
weakref.finalize(close_renderer, lambda: None)
atexit.register(close_renderer)


def chart_image(figure: go.Figure, fmt: str) -> bytes:
    """One chart as `fmt` (png, svg or pdf), drawn by the shared browser."""
    return renderer().image(figure, fmt)
