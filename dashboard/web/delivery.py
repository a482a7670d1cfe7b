"""Getting the page to the browser quickly: the partial plotly.js bundle, compression and caching.

* plotly.js: the charts use only scatter and bar traces, so the browser loads plotly.js "basic"
  (about a quarter of the full bundle) from `assets/vendor/`, installed from the npm registry by
  `make install` (`npm ci`, versions in `package-lock.json`). Dash's documented way of replacing
  plotly.js is a bundle among the assets: `dcc.Graph` then finds `window.Plotly` and never asks
  for the full one. Its version must be the one the Python plotly package ships (Kaleido's
  exports draw with that one), and the app refuses to start without it rather than fall back
  silently.
* Compression: every text answer (HTML, scripts, JSON, CSS, SVG) is compressed (Flask-Compress:
  zstd, brotli or gzip, as the browser accepts). Fingerprinted files never change, so each is
  compressed once per process, harder than a page can afford (brotli 9, gzip 9), and kept: a new
  visitor costs the server no compression at all, and a browser offering only gzip gets gzip
  (Flask-Compress sends files, which it streams, uncompressed then).
* The app's own scripts (the small `.js` files directly in `assets/`) go to the browser as one
  file, `/_malbild/app.<digest>.js`: a request and a script start less on every first visit (about
  20 ms of a phone's first visit, `bench/README.md`). Each stays its own file here. First in it
  comes the regenerator runtime that Dash's scripts call (`window.regeneratorRuntime`), fetched
  from npm by `make install` (`package-lock.json`): Dash would otherwise bring
  it inside Babel's whole polyfill, which the app does not load (`dashboard/web/headers.py`).
* Caching: assets carry a fingerprint (`?m=<mtime>`, and the versioned file names of Dash's own
  bundles), so the browser may keep them for a year without asking again.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli
from dash.fingerprint import check_fingerprint
from flask import Flask, Response, request
from flask_compress import Compress

from dashboard.store.cache import LocalCache
from etl.errors import MalbildError

VENDOR_DIR = "vendor"
YEAR_S = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR_S}, immutable"
COMPRESSED_TYPES = [
    "text/html", "text/css", "text/plain", "text/csv", "text/javascript",
    "application/javascript", "application/json", "image/svg+xml",
]


class PlotlyBundleMissing(MalbildError):
    """The partial plotly.js bundle is not where the app serves it from."""


def plotly_version() -> str:
    """The plotly.js version that the installed Python plotly ships (and Kaleido draws with)."""
    from plotly.offline import get_plotlyjs_version

    return get_plotlyjs_version()


def plotly_bundle(assets_folder: Path) -> Path:
    """The partial bundle for this plotly.js version; PlotlyBundleMissing if it is absent."""
    version = plotly_version()
    bundle = assets_folder / VENDOR_DIR / f"plotly-basic-{version}.min.js"
    if bundle.is_file() and f"v{version}" in bundle.read_bytes()[:200].decode("latin-1"):
        return bundle
    others = sorted(p.name for p in (assets_folder / VENDOR_DIR).glob("plotly-basic-*.min.js"))
    found = f" (där finns {', '.join(others)})" if others else ""
    raise PlotlyBundleMissing(
        f"Diagrammens skript saknas: {bundle} finns inte{found}. Målbild laddar plotly.js "
        f"«basic» {version}, samma version som Python-paketet plotly. Kör «make install» (som "
        "installerar det från npm) eller ändra versionen i package.json (och kör «npm install "
        "--package-lock-only») så att den stämmer med plotly.")


class RegeneratorRuntimeMissing(MalbildError):
    """The regenerator runtime that Dash's scripts need is not among the assets."""


def regenerator_runtime(assets_folder: Path) -> Path:
    """The regenerator runtime fetched by `make install` (the newest, should an old one be left);
    RegeneratorRuntimeMissing if there is none."""
    found = sorted((assets_folder / VENDOR_DIR).glob("regenerator-runtime-*.js"),
                   key=lambda p: [int(n) for n in re.findall(r"\d+", p.name)])
    if not found:
        raise RegeneratorRuntimeMissing(
            f"Skriptet regenerator-runtime saknas i {assets_folder / VENDOR_DIR}: Dashs egna "
            "skript behöver det. Kör «make install» (som hämtar det från npm).")
    return found[-1]


APP_SCRIPTS_PREFIX = "/_malbild/app."


class AppScripts:
    """The regenerator runtime, then the `.js` files directly in the assets folder in Dash's
    order (by name), as one file whose address carries a digest of its content."""

    def __init__(self, assets_folder: Path) -> None:
        self.files = [regenerator_runtime(assets_folder), *sorted(assets_folder.glob("*.js"))]
        self.body = "".join(f"/* {path.name} */\n{path.read_text(encoding='utf-8')}\n"
                            for path in self.files).encode("utf-8")
        self.url = f"{APP_SCRIPTS_PREFIX}{hashlib.sha256(self.body).hexdigest()[:12]}.js"

    def response(self) -> Response:
        return Response(self.body, mimetype="text/javascript")


def assets_ignore(assets_folder: Path, app_scripts: AppScripts) -> str:
    """Dash's `assets_ignore` (a regex on file names): other versions' bundles, since Dash loads
    every script among the assets and an old bundle left beside the new one would load too; and
    the app's own scripts, which come as one file, and every regenerator runtime."""
    keep = plotly_bundle(assets_folder).name
    own = "|".join(re.escape(path.name) for path in app_scripts.files)
    return rf"^(?!{re.escape(keep)}$)plotly-basic-|^regenerator-runtime-|^(?:{own})$"


def fingerprinted() -> bool:
    """Whether this request asks for a file whose address changes with its content."""
    path = request.path
    return bool((path.startswith("/assets/") and request.args.get("m")) or (
        path.startswith("/_dash-component-suites/") and check_fingerprint(path)[1])
        or path.startswith(APP_SCRIPTS_PREFIX))


def _long_cache(response):
    """A year in the browser for fingerprinted assets, which change their address on change."""
    if response.status_code == 200 and fingerprinted():
        response.headers["Cache-Control"] = IMMUTABLE
    return response


KEPT_FILES_BYTES = 32 * 1024 * 1024
KEPT_FILES_ITEMS = 256
# Best first: brotli is smaller, gzip is what every client has.
FILE_ENCODINGS = {"br": lambda data: brotli.compress(data, quality=9),
                  "gzip": lambda data: gzip.compress(data, 9, mtime=0)}


class KeptFiles:
    """Fingerprinted files as sent, kept in memory per process by path, content and encoding
    (the few dozen scripts and style sheets of the app: about 1 MB in all), so each is read and
    compressed once. The query string is no part of the key (`?m=1`, `?m=2` … are the same
    file), and the memory is bounded, so no address can make a worker compress or keep more."""

    def __init__(self, max_bytes: int = KEPT_FILES_BYTES) -> None:
        self._kept = LocalCache(max_items=KEPT_FILES_ITEMS, max_bytes=max_bytes)

    def __len__(self) -> int:
        return len(self._kept)

    def __call__(self, response):
        if (request.method != "GET" or response.status_code != 200
                or response.mimetype not in COMPRESSED_TYPES
                or "Content-Encoding" in response.headers or not fingerprinted()):
            return response
        encoding = request.accept_encodings.best_match(list(FILE_ENCODINGS)) or "identity"
        # A file from the assets folder has an ETag that changes with its content; the
        # component bundles and the app's scripts cannot change while the process runs.
        key = (request.path, response.get_etag()[0], encoding)
        hit, body = self._kept.get(key)
        if not hit:
            response.direct_passthrough = False
            body = response.get_data()
            if encoding in FILE_ENCODINGS:
                body = FILE_ENCODINGS[encoding](body)
            self._kept.set(key, body)
        response.set_data(body)
        vary = response.headers.get("Vary")
        response.headers["Vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"
        if encoding == "identity":
            return response
        response.headers["Content-Encoding"] = encoding
        etag, weak = response.get_etag()
        if etag:
            response.set_etag(f"{etag}:{encoding}", weak=weak)
        return response


def register(server: Flask, app_scripts: AppScripts) -> None:
    """Compression and cache headers, and the app's scripts as one file. Call first, so that the
    compression runs after every other `after_request` (Flask runs them in reverse) and the page
    cache keeps plain bytes."""
    server.add_url_rule(app_scripts.url, "malbild_app_scripts", app_scripts.response)
    server.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    server.config.setdefault("COMPRESS_ALGORITHM", ["zstd", "br", "gzip"])
    Compress(server)
    # Flask runs these in reverse: the kept files first, the cache header on every answer.
    server.after_request(_long_cache)
    server.after_request(KeptFiles())
