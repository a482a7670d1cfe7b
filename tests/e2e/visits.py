"""One browser visit per page, width and account, shared by the checks that only read it.

Opening a page costs 2–3 s in Chromium; the accessibility, narrow-screen and content checks
used to open the same pages again for each check. A visit here opens the page once, takes
everything those checks read (in the order they took it: charts and structure as drawn, then
the table views opened, then the width, the places in the tables, axe and the console), and
keeps it for the session; each check stays its own test and asserts on that record.
A visit that fails is kept failed: every test reading it fails with the same error.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                "best-practice"]},
         # Only violations are reported: axe skips the details of passes, which cost it most.
         "resultTypes": ["violations"]}
AXE = Axe()

PHONE = 360
# Playwright builds its wait predicates with eval, which the app's Content-Security-Policy
# forbids; the policy itself is checked without this in test_content_security_policy.py.
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "sv-SE", "bypass_csp": True}
# The browser contexts a page is visited in: (context options, logged in as).
KINDS = {
    "desktop": (DESKTOP, None),
    "desktop-admin": (DESKTOP, "admin"),
    "desktop-viewer": (DESKTOP, "viewer"),
    # Under the app's Content-Security-Policy (Playwright's waits cannot run there).
    "desktop-csp": ({**DESKTOP, "bypass_csp": False}, None),
    **{f"phone-{width}": ({"viewport": {"width": width, "height": 780}, "locale": "sv-SE",
                           "bypass_csp": True, "is_mobile": True, "has_touch": True}, None)
       for width in (PHONE, 320)},
    f"phone-{PHONE}-admin": ({"viewport": {"width": PHONE, "height": 780}, "locale": "sv-SE",
                              "bypass_csp": True, "is_mobile": True, "has_touch": True}, "admin"),
    # A narrow desktop window (not a phone: no mobile viewport handling).
    **{f"window-{width}": ({"viewport": {"width": width, "height": 780}, "locale": "sv-SE",
                            "bypass_csp": True}, None) for width in (320, 390)},
}

PAGE_WIDTH = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"

STRUCTURE = """() => ({
    lang: document.documentElement.getAttribute('lang'),
    mains: document.querySelectorAll('main').length,
    h1s: document.querySelectorAll('h1').length,
    heading: (h => h ? h.innerText : null)(document.querySelector('main h1')),
    levels: [...document.querySelectorAll('main h1, main h2, main h3, main h4')]
        .map(e => Number(e.tagName[1])),
    account: (a => a ? a.innerText : null)(document.querySelector('.account-name')),
    plots: document.querySelectorAll('.js-plotly-plot').length,
})"""

# Per chart: the x tick labels (text, box, rotation), the legend's box, the plot area's box,
# and the source line's box (the first annotation), all relative to the chart.
CHART_BOXES = """graph => {
    const box = e => { const r = e.getBoundingClientRect();
                       return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
    const svg = graph.querySelector('.main-svg');
    const legend = graph.querySelector('.legend');
    const notes = graph.querySelectorAll('.annotation');
    return {
        svg: box(svg),
        ticks: [...graph.querySelectorAll('.xtick text')].map(t => ({
            text: t.textContent, box: box(t), transform: t.getAttribute('transform') || ''})),
        plot: (p => p ? box(p) : null)(graph.querySelector('.bglayer .bg')
                                       || graph.querySelector('.nsewdrag')),
        legend: legend ? box(legend.querySelector('.bg') || legend) : null,
        // The whole name's end (its box is clipped at the chart's edge, where a name is cut).
        legendTexts: [...graph.querySelectorAll('.legend .legendtext')].flatMap(t => {
            const lines = t.querySelectorAll('tspan.line');
            return [...(lines.length ? lines : [t])].map(line => ({
                text: line.textContent,
                right: line.getBoundingClientRect().left + line.getComputedTextLength()}));
        }),
        source: notes.length ? box(notes[0]) : null,
        sourceText: notes.length ? notes[0].textContent : '',
        height: graph.layout && graph.layout.height,
    };
}"""

PLACE_LINES = r"""() => [...document.querySelectorAll("main table.data-table")].flatMap(table => {
  const column = [...table.querySelectorAll("thead th")]
    .findIndex(th => th.textContent === "Plats");
  if (column < 0) return [];
  return [...table.querySelectorAll("tbody tr")].map(row => {
    const cell = row.children[column], range = document.createRange();
    range.selectNodeContents(cell);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    const pieces = cell.textContent.split(/,| \(/).length;
    return {text: cell.textContent, lines: tops.size, pieces};
  });
})"""


def on_one_worker(kind: str):
    """The tests reading one kind of visit run in one xdist worker (`--dist loadgroup`), so
    each page is opened once per kind in the whole run; the kinds spread over the workers."""
    return pytest.mark.xdist_group(f"visits-{kind}")


def describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} – "
                     + "; ".join(str(n["target"]) for n in v["nodes"][:5]) for v in violations)


def chart_boxes(page) -> list[dict]:
    return page.locator("main .js-plotly-plot").evaluate_all(
        f"graphs => graphs.map({CHART_BOXES})")


@dataclass
class Visit:
    """What the checks read of one page: `structure`, `charts` and `closed_width` as drawn;
    the rest with every table view open (as the reader who opens them gets the page)."""

    path: str
    structure: dict = field(default_factory=dict)
    charts: list[dict] = field(default_factory=list)
    closed_width: tuple[int, int] = (0, 0)
    width: tuple[int, int] = (0, 0)
    text: str = ""
    places: list[dict] = field(default_factory=list)
    violations: list[dict] | None = None  # None: not asked of axe
    problems: list[str] = field(default_factory=list)


def screenshot(page, path: str, prefix: str = "") -> None:
    """With MALBILD_SCREENSHOTS=<folder> a phone visit is saved as a full-page screenshot."""
    folder = os.environ.get("MALBILD_SCREENSHOTS")
    if folder:
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "oversikt"
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{prefix}{name}.png"), full_page=True)


class Visits:
    """The visits of a session. A kind's pages share one browser context (its HTTP cache: the
    scripts are not fetched again), each visit in a page of its own (its own console)."""

    def __init__(self, browser, server_url: str, states: dict) -> None:
        self.browser, self.server_url, self.states = browser, server_url, states
        self.contexts: dict[str, object] = {}
        self.seen: dict[tuple[str, str], Visit | BaseException] = {}

    def __call__(self, kind: str, path: str, *, axe: bool = False) -> Visit:
        """The visit of `path` in `kind`; `axe`: with axe's findings (a visit made without
        them is made again, as axe costs a second or two and most readers don't need it)."""
        key = (kind, path)
        seen = self.seen.get(key)
        if seen is None or (axe and isinstance(seen, Visit) and seen.violations is None):
            try:
                seen = self._visit(kind, path, axe)
            except Exception as error:  # kept: each reader fails with it, not only the first
                seen = error
            self.seen[key] = seen
        if isinstance(seen, BaseException):
            raise RuntimeError(f"besöket {kind} {path} misslyckades: {seen!r}") from seen
        return seen

    def new_page(self, kind: str):
        """A page of its own in the kind's context, for a test that acts on it."""
        return self._context(kind).new_page()

    def reset_cookies(self, kind: str) -> None:
        """The kind's cookies as at the start (a test may have logged in or out)."""
        context = self._context(kind)
        context.clear_cookies()
        role = KINDS[kind][1]
        if role:
            context.add_cookies(self.states[role]["cookies"])

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()

    def _context(self, kind: str):
        if kind not in self.contexts:
            options, role = KINDS[kind]
            state = self.states[role] if role else None
            context = self.browser.new_context(**options, storage_state=state)
            # A page of the site kept open for the session: the kind's visits then share its
            # renderer process (scripts compiled once there), instead of starting one each.
            context.new_page().goto(self.server_url + "/healthz")
            self.contexts[kind] = context
        return self.contexts[kind]

    def _visit(self, kind: str, path: str, axe: bool) -> Visit:
        from tests.e2e.conftest import PageProblems, open_page, open_table_views

        page = self._context(kind).new_page()
        try:
            problems = PageProblems(page)
            open_page(page, self.server_url + path)
            visit = Visit(path)
            visit.structure = page.evaluate(STRUCTURE)
            visit.charts = chart_boxes(page)
            visit.closed_width = tuple(page.evaluate(PAGE_WIDTH))
            open_table_views(page)
            visit.width = tuple(page.evaluate(PAGE_WIDTH))
            visit.text = page.locator("main").text_content()
            visit.places = page.evaluate(PLACE_LINES)
            if axe:
                visit.violations = AXE.run(page, options=RULES).response["violations"]
            visit.problems = list(problems.messages)
            if kind.startswith(f"phone-{PHONE}"):
                screenshot(page, path, "admin-" if KINDS[kind][1] else "")
            return visit
        finally:
            page.close()
