"""The page in its first answer: the HTML that opens a page carries the drawn page itself.

Dash draws a page in three round trips after its scripts have run: the layout and the list of
callbacks (`/_dash-layout`, `/_dash-dependencies`), then the page router's callback, which
draws the page for the address. Here the index HTML carries both answers as JSON data blocks
(`<script type="application/json">`, never run, so no Content-Security-Policy exception), with
the page for the address already in the layout (the router's content, and the address in
its `dcc.Location`, which therefore does not ask the router again). `assets/first-answers.js`
hands them to Dash's renderer instead of asking the server. Later navigation, and every
request made without these blocks, works exactly as before.

The page is drawn by the same functions and with the same access checks as the router's
callback; the blocks are kept in the page cache (dashboard/store/cache.py) per address, data
version and person, like the router's answers.
"""

from __future__ import annotations

import html as html_text
import logging
import weakref
from urllib.parse import quote, urlsplit

import dash
from flask import g, has_request_context, request
from plotly.io.json import to_json_plotly as to_json

from dashboard.store import cache, runtime
from dashboard.web import auth, router

log = logging.getLogger(__name__)
ANSWERS = ("_dash-layout", "_dash-dependencies")
BLOCK_ID = "malbild-answer-"  # + the answer's name: the ids assets/first-answers.js reads
FIRST_ANSWER = "forsta"  # the page drawn into the index HTML, kept in the page cache


def requested() -> tuple[str, str] | None:
    """The address (path, query string with its "?") of the page this index is drawn for, as
    the browser's `location` has it (not decoded); None outside such a request."""
    if not has_request_context():
        return None
    return g.get(auth.FIRST_PAGE)


def page_container():
    """Dash's page container; filled with the page when drawn for a first answer."""
    address = requested()
    if address is None:
        return dash.page_container
    pathname, search = address
    content, title = _page(pathname, search)
    return router.container(pathname, search, content, title)


def _page(pathname: str, search: str):
    """The page and title for an address, as Dash's page router draws them."""
    app = dash.get_app()
    page, variables = router.page_for(app.strip_relative_path(pathname) or "")
    if page == {}:
        page = next(p for module, p in dash.page_registry.items()
                    if module.split(".")[-1] == "not_found_404")
    layout, title = page["layout"], page["title"]
    arguments = {**(variables or {}), **router.query(search)}
    content = layout(**arguments) if callable(layout) else layout
    title = title(**(variables or {})) if callable(title) else title
    return content, title


# What a browser leaves unencoded in `location.pathname` and `location.search`.
_LEFT_AS_IS = "/?&=%:@!$'()*+,;~[]|^{}"


def as_browser(raw: str) -> str:
    """A path or query string (as WSGI has it: bytes read as Latin-1) as the browser's
    `location` holds it: spaces, markup characters and non-ASCII percent-encoded (UTF-8)."""
    return quote(raw.encode("latin-1", "replace"), safe=_LEFT_AS_IS)


def _address() -> tuple[str, str]:
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        path, _, query = raw.partition("?")
        path = urlsplit(path).path or "/"
    else:
        path, query = request.path, request.query_string.decode("latin-1")
    return as_browser(path), as_browser(f"?{query}") if query else ""


def first_answer(app: dash.Dash) -> tuple[str | None, str]:
    """The page's title and the data blocks for the index being drawn; (None, "") if they
    cannot be made (the renderer then asks the server, as Dash always does)."""
    if not has_request_context():
        return None, ""  # no address to draw (Dash sets its page router up in a request)
    try:
        dependencies = _dependencies(app)
        address = _address()
        key = _cache_key(address, dependencies)
        hit, kept = cache.backend().get(key) if key else (False, None)
        if hit:
            title, blocks = kept.decode().split("\n", 1)
            return title, blocks
        setattr(g, auth.FIRST_PAGE, address)
        try:
            layout = app.get_layout()
        finally:
            g.pop(auth.FIRST_PAGE, None)
        title = _title_of(layout)
        blocks = "".join(_block(name, text) for name, text in
                         zip(ANSWERS, (to_json(layout), dependencies), strict=True))
        kept = f"{title}\n{blocks}".encode()
        if key and len(kept) <= cache.limits().entry_bytes:
            cache.backend().set(key, kept)
        return title, blocks
    except Exception:  # the page still comes, through the router's callback
        log.exception("Sidan kunde inte ritas in i första svaret")
        return None, ""


def _title_of(layout) -> str:
    """The page's title (from the router's store), escaped for the HTML <title>."""
    store = layout[router.STORE]
    return html_text.escape(" ".join(str(store.data["title"]).split()))


def _block(name: str, text: str) -> str:
    # "<" only occurs inside JSON strings, where \u003c means the same: no "</script>" inside.
    safe = text.replace("<", "\\u003c")
    return f'<script type="application/json" id="{BLOCK_ID}{name}">{safe}</script>'


_dependencies_of: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _dependencies(app: dash.Dash) -> str:
    """The callbacks as `/_dash-dependencies` answers them (fixed once the app has started:
    Dash's page router is set up before the first index is drawn)."""
    text = _dependencies_of.get(app)
    if text is None:
        text = _dependencies_of[app] = app.dependencies().get_data(as_text=True)
    return text


def _cache_key(address: tuple[str, str], dependencies: str) -> str | None:
    return cache.answer_key(FIRST_ANSWER, runtime.engine(), auth.cache_identity(),
                            {"address": list(address), "dependencies": dependencies})
