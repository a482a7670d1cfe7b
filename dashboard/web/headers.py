"""Security headers on every answer, and no software versions in pages or headers.

Content-Security-Policy: scripts only from this site and Dash's own inline scripts (the
renderer and the clientside callbacks), allowed by their hashes, never by 'unsafe-inline' or
'unsafe-eval' (Dash 4 and the Plotly bundle run without eval). Styles need 'unsafe-inline':
Plotly writes its stylesheet into the page at run time and Dash components set style
attributes, so a nonce or hash cannot cover them. Images and fonts may be data: URLs (Plotly's
mode bar, the favicon). HSTS is sent when the request came over HTTPS (directly or through a
trusted proxy). Every answer to a logged-in person (pages, page answers, downloads; not the
fingerprinted scripts and styles, the same for everyone) says `Cache-Control: private, no-store`.
"""

from __future__ import annotations

import hashlib
import json
import re

import dash
from dash import Dash
from flask import Response, abort, current_app, has_app_context, request
from plotly.io.json import to_json_plotly

from dashboard.web import auth, delivery, first_visit

HSTS = "max-age=31536000"
# What a logged-in person is sent may name them or show what only their role may see: neither
# the browser's disk nor a shared proxy may keep it.
PRIVATE = "private, no-store"
# A version in a script's address ("dash_renderer.v4_4_1m1796197796.min.js") becomes an opaque
# token: the address still changes with every release, but does not say which one.
VERSION_IN_URL = re.compile(r"\.v([\w-]+?)m(\d+)\.")


def opaque_versions(url: str) -> str:
    def token(match: re.Match) -> str:
        digest = hashlib.sha256(match.group(1).encode()).hexdigest()[:10]
        return f".v{digest}m{match.group(2)}."

    return VERSION_IN_URL.sub(token, url)


# Scripts Dash loads on every page that this app does without: Babel's polyfill for old
# browsers (core-js replaces some of the browser's own functions with slower ones, and its
# start-up alone is a tenth of a first visit; the regenerator runtime that Dash's bundles need
# from it comes first in the app's own scripts, see dashboard/web/delivery.py) and the DataTable,
# which no page uses. Their tags leave the index (a `dash.hooks.index` hook) and their
# addresses answer 404.
NOT_LOADED = re.compile(r"/_dash-component-suites/dash/(?:deps/polyfill@|dash_table/)")
_SCRIPT_TAG = re.compile(r'<script src="([^"]*)"></script>\s*')
_URL_ATTRIBUTE = re.compile(r'(<(?:script|link)\b[^>]*?\b(?:src|href)=")([^"]*)(")')
_CONFIG = re.compile(r'(<script id="_dash-config" type="application/json">)(.*?)(</script>)',
                     re.DOTALL)
VERSION_KEYS = ("dash_version", "python_version", "dash_version_url", "ddk_version",
                "plotly_version")
# The chart component's code, which Dash otherwise fetches only when a chart is first drawn (a
# round trip more before every page with charts): loaded with the other scripts instead,
# through the hooks' public list of scripts (once per process: that list is Dash's, global).
CHART_CODE = {"relative_package_path": "dcc/async-graph.js", "namespace": "dash"}
APP_KEY = "malbild.dash"  # the app, in its Flask server's `extensions`
_chart_code_added = False


def _add_chart_code() -> None:
    global _chart_code_added
    if not _chart_code_added:
        dash.hooks.script([CHART_CODE])
        _chart_code_added = True


def _without_unwanted_scripts(index: str) -> str:
    return _SCRIPT_TAG.sub(lambda m: "" if NOT_LOADED.search(m.group(1)) else m.group(0),
                           index)


def _without_versions(index: str) -> str:
    index = _URL_ATTRIBUTE.sub(lambda m: m.group(1) + opaque_versions(m.group(2)) + m.group(3),
                               index)

    def config(match: re.Match) -> str:
        values = json.loads(match.group(2))
        for key in VERSION_KEYS:
            values.pop(key, None)
        return match.group(1) + to_json_plotly(values) + match.group(3)

    return _CONFIG.sub(config, index, count=1)


def _with_first_answer(app: Dash, index: str) -> str:
    # The page itself comes with the index (dashboard/web/first_visit.py).
    title, blocks = first_visit.first_answer(app)
    if title:
        index = re.sub(r"<title>.*?</title>", lambda _: f"<title>{title}</title>", index,
                       count=1, flags=re.DOTALL)
    if blocks:
        index = _CONFIG.sub(lambda m: m.group(0) + blocks, index, count=1)
    return index


@dash.hooks.index()
def _malbild_index(index: str) -> str:
    """The index of a Målbild app: no versions of Dash, Plotly or Python, not the scripts the
    pages do not need, the page itself drawn in; and, now that Dash has gathered its inline
    scripts, the Content-Security-Policy with their hashes."""
    app = current_app.extensions.get(APP_KEY) if has_app_context() else None
    if app is None:  # another Dash app of the process: left as Dash made it
        return index
    if "MALBILD_CSP" not in current_app.config:
        current_app.config["MALBILD_CSP"] = content_security_policy(app)
    return _with_first_answer(app, _without_versions(_without_unwanted_scripts(index)))


def content_security_policy(app: Dash) -> str:
    script_hashes = " ".join(app.csp_hashes())
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' {script_hashes}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


def register(app: Dash) -> None:
    server = app.server
    server.extensions[APP_KEY] = app
    _add_chart_code()

    @server.before_request
    def _not_loaded():
        if NOT_LOADED.search(request.path):  # also under a path prefix
            abort(404)

    @server.after_request
    def _security_headers(response: Response) -> Response:
        # Kept once the first index is drawn (Dash has gathered its inline scripts by then).
        policy = server.config.get("MALBILD_CSP") or content_security_policy(app)
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if auth.is_https():
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        response.headers.pop("Server", None)
        if not delivery.fingerprinted() and _logged_in():
            response.headers["Cache-Control"] = PRIVATE
        return response


def _logged_in() -> bool:
    try:
        return auth.current_user() is not None
    except Exception:  # the database does not answer: private, rather than a guess
        return True
