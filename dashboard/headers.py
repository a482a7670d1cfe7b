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
import re

from dash import Dash
from flask import Response

from dashboard import auth, delivery, first_visit

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
# from it comes first in the app's own scripts, see dashboard/delivery.py) and the DataTable,
# which no page uses. Their paths are not registered either, so they are never served.
NOT_LOADED = frozenset({"deps/polyfill@7.12.1.min.js", "dash_table/bundle.js"})
# The chart component's code, which Dash otherwise fetches only when a chart is first drawn (a
# round trip more before every page with charts): loaded with the other scripts instead.
LOADED_AT_ONCE = frozenset({"dcc/async-graph.js"})


def _scripts_wanted(resources: list) -> list:
    wanted = []
    for resource in resources:
        paths = resource.get("relative_package_path") if isinstance(resource, dict) else None
        if isinstance(paths, list):
            resource = {**resource, "relative_package_path": [
                p for p in paths if p not in NOT_LOADED]}
        elif paths in NOT_LOADED:
            continue
        elif paths in LOADED_AT_ONCE:
            resource = {**resource, "dynamic": False}
        wanted.append(resource)
    return wanted


class MalbildDash(Dash):
    """Dash without the versions of Dash, Plotly and Python in the page it serves, and without
    the scripts the pages do not need."""

    def _config(self):
        config = super()._config()
        for key in ("dash_version", "python_version", "dash_version_url", "ddk_version",
                    "plotly_version"):
            config.pop(key, None)
        return config

    def interpolate_index(self, **kwargs) -> str:
        # The page itself comes with the index (dashboard/first_visit.py).
        title, blocks = first_visit.first_answer(self)
        kwargs["config"] = kwargs.get("config", "") + blocks
        if title:
            kwargs["title"] = title
        return super().interpolate_index(**kwargs)

    def _collect_and_register_resources(self, resources, include_async=True, url_attr="src"):
        if url_attr == "src":
            resources = _scripts_wanted(resources)
        sources = super()._collect_and_register_resources(resources, include_async, url_attr)
        return [{**s, url_attr: opaque_versions(s[url_attr])}
                if isinstance(s, dict) and url_attr in s
                else opaque_versions(s) if isinstance(s, str) else s for s in sources]


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

    @server.after_request
    def _security_headers(response: Response) -> Response:
        # The hashes are known once Dash has set itself up (at the first request).
        policy = server.config.get("MALBILD_CSP")
        if policy is None and app._got_first_request.get("setup_server"):
            policy = server.config["MALBILD_CSP"] = content_security_policy(app)
        if policy:
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
