"""A real browser against a real server: Chromium (Debian's) driven by Playwright.

Without Chromium the browser tests are skipped, visibly; with `MALBILD_REQUIRE_BROWSER=1`
(as in CI) they fail instead.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from werkzeug.serving import make_server

from tests.served import ADMIN, VIEWER, Account, add_accounts

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  # A context's pages of one site share a renderer process (tests/e2e/visits.py).
                  "--process-per-site",
                  # Compositing (in software, as --disable-gpu has it) in the browser process:
                  # one process less to start and talk to, 5 % less CPU over a run of visits.
                  "--in-process-gpu"]


def chromium_path() -> str | None:
    candidate = os.environ.get("BROWSER_PATH") or "/usr/bin/chromium"
    return candidate if os.path.exists(candidate) else shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    path = chromium_path()
    required = os.environ.get("MALBILD_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("Playwright saknas men krävs (MALBILD_REQUIRE_BROWSER=1)")
        pytest.skip("Playwright saknas")
    if path is None:
        if required:
            pytest.fail("Chromium saknas men krävs (MALBILD_REQUIRE_BROWSER=1): "
                        "apt-get install -y chromium")
        pytest.skip("Chromium saknas (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server_url(demo_settings) -> Iterator[str]:
    """The process's one app, served from a thread of this process (tests of other kinds in
    the same process point it elsewhere; `_served_from_the_demo` points it back)."""
    from dashboard.web.app import app_for

    app = app_for(demo_settings)
    port = free_port()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture(scope="session")
def accounts(demo_settings) -> dict[str, Account]:
    """An administrator and a viewer in the demo database."""
    add_accounts(demo_settings.database_url)
    return {"admin": ADMIN, "viewer": VIEWER}


def log_in(page, base_url: str, account: Account, target: str = "/") -> None:
    """Log in with the login form, as a person would, and wait for the page asked for."""
    open_page(page, f"{base_url}/logga-in?nasta={quote(target, safe='/')}")
    page.get_by_label("Användarnamn").fill(account.username)
    page.get_by_label("Lösenord").fill(account.password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(base_url + target.split("#")[0])
    page.wait_for_selector("main h1")
    settle(page)


@pytest.fixture(autouse=True)
def _served_from_the_demo(request, demo_settings) -> None:
    """Each browser test sees the demo database, whatever a test before it pointed the
    process's app at (only where the test's server is up: it is made by then)."""
    if "server_url" in request.fixturenames:
        from dashboard.web.app import app_for

        app_for(demo_settings)


@pytest.fixture(scope="session")
def logged_in_states(browser, server_url, accounts, demo_settings) -> dict[str, dict]:
    """Cookies of a logged-in administrator and viewer, logged in once per session."""
    from dashboard.web.app import app_for

    app_for(demo_settings)  # made maybe after a test that pointed the app elsewhere
    states = {}
    for role, account in accounts.items():
        context = browser.new_context(locale="sv-SE")
        log_in(context.new_page(), server_url, account)
        states[role] = context.storage_state()
        context.close()
    return states


def _page_of(visits, kind: str) -> Iterator:
    """A new page of its own (its own console, routes and downloads) in the session's browser
    context of `kind`, whose renderer process is warm (tests/e2e/visits.py); the context's
    cookies are as they were before the test once it ends."""
    page = visits.new_page(kind)
    page.problems = PageProblems(page)
    try:
        yield page
    finally:
        page.close()
        visits.reset_cookies(kind)


@pytest.fixture
def page(visits):
    """A desktop page for a visitor who is not logged in."""
    yield from _page_of(visits, "desktop")


@pytest.fixture
def viewer_page(visits):
    yield from _page_of(visits, "desktop-viewer")


@pytest.fixture
def admin_page(visits):
    yield from _page_of(visits, "desktop-admin")


class PageProblems:
    """Console errors and uncaught exceptions seen while a page was open."""

    def __init__(self, page) -> None:
        self.messages: list[str] = []
        page.on("console", lambda m: self.messages.append(f"console.{m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.messages.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.messages.append(f"requestfailed: {r.url}"))


CHARTS_DRAWN = """[...document.querySelectorAll('main .graph')]
    .every(graph => graph.querySelector('.main-svg .gtitle'))
  && [...document.querySelectorAll('main .js-plotly-plot')].every(gd => {
    const meta = gd.layout && gd.layout.meta;
    if (!meta || !meta.narrow || !gd.clientWidth) return true;
    return (gd.clientWidth < meta.below ? 'narrow' : 'wide') === (meta.applied || 'wide');
  })"""


def wait_for_charts(page) -> None:
    """Every chart of the page drawn by Plotly (titles included), in the variant its width
    wants (assets/charts-narrow.js): on a busy machine that may come well after the network
    is idle. A chart that stays in the other variant fails the wait."""
    page.wait_for_function(CHARTS_DRAWN)


def open_table_views(page) -> None:
    """Open every "Visa som tabell" of the page and wait until their tables are drawn (a
    closed table view carries only its data: assets/on-demand.js draws it when opened)."""
    page.evaluate("document.querySelectorAll('details.table-view')"
                  ".forEach(d => { d.open = true; })")
    page.wait_for_function("!document.querySelector('details.table-view [data-table]')")


# No request in flight for this long: the page has settled (its scripts, Plotly's parts and any
# callback). Playwright's "networkidle" waits half a second after the last request, a tenth of
# a browser test's time.
QUIET_SECONDS = 0.25


class RequestsInFlight:
    """A page's requests not yet answered, and when the last one began or ended."""

    def __init__(self, page) -> None:
        self.open, self.since = 0, time.monotonic()
        page.on("request", lambda _request: self._count(+1))
        page.on("requestfinished", lambda _request: self._count(-1))
        page.on("requestfailed", lambda _request: self._count(-1))

    def _count(self, change: int) -> None:
        self.open, self.since = max(self.open + change, 0), time.monotonic()

    @classmethod
    def of(cls, page) -> RequestsInFlight:
        if not hasattr(page, "requests_in_flight"):
            page.requests_in_flight = cls(page)
        return page.requests_in_flight


def settle(page, timeout: float = 60.0) -> None:
    """Wait until no request has been in flight for QUIET_SECONDS."""
    requests = RequestsInFlight.of(page)
    deadline = time.monotonic() + timeout
    while requests.open or time.monotonic() - requests.since < QUIET_SECONDS:
        assert time.monotonic() < deadline, f"{page.url}: requests still in flight"
        page.wait_for_timeout(50)


def open_page(page, url: str) -> None:
    """Open a URL and wait until Dash has rendered the page and Plotly its charts."""
    RequestsInFlight.of(page)  # listening before the page asks for anything
    page.goto(url, wait_until="load")
    page.wait_for_selector("main h1")
    settle(page)
    wait_for_charts(page)


@pytest.fixture(scope="session")
def visits(browser, server_url, logged_in_states):
    """Pages visited once per width and account, for the checks that only read them
    (tests/e2e/visits.py)."""
    from tests.e2e.visits import Visits

    visits = Visits(browser, server_url, logged_in_states)
    yield visits
    visits.close()
