"""Selections live in the URL's query string, so every view can be shared and bookmarked.

A page's `layout(**query)` renders the view from the query string alone. Its controls only
write their values back to the URL (a clientside callback); Dash's page router then renders
the view again, and back and forward in the browser work as for any link. `assets/focus.js`
puts the keyboard focus back on the control that had it.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import urlencode

from dash import Input, Output, State, dcc

from dashboard import router
from dashboard.callbacks import clientside_callback
from etl import digits

PAGE_LOCATION = router.LOCATION  # the dcc.Location of Dash's page container
# What a page is drawn with at most: more parameters, longer values or a parameter given
# several times come from no link of Målbild's, and must not cost more than a normal address.
MAX_PARAMETERS = 20
MAX_VALUE_CHARACTERS = 1_000

RENDERED = "urlstate-rendered"  # what the page was drawn with (see `rendered`)

_TO_SEARCH = """
function(...args) {
    const names = %s;
    const search = args[args.length - 2] || "";
    const rendered = args[args.length - 1] || {};
    const text = (value) => Array.isArray(value) ? value.join(",") :
        (value === null || value === undefined ? "" : String(value));
    // Controls drawn by the page fire once with the values the page was drawn with: that is
    // not a choice, and must not add a history entry.
    if (names.every((name, i) => text(args[i]) === text(rendered[name]))) {
        return window.dash_clientside.no_update;
    }
    // Only what the user changed is written; defaults stay out of the address.
    const params = new URLSearchParams(search);
    names.forEach(function (name, i) {
        const value = text(args[i]);
        if (value === text(rendered[name])) { return; }
        if (value === "") { params.delete(name); } else { params.set(name, value); }
    });
    const query = params.toString();
    const next = query ? "?" + query : "";
    return next === search ? window.dash_clientside.no_update : next;
}
"""


def sync_to_url(controls: Mapping[str, tuple[str, str]]) -> None:
    """Write each control's value to the query parameter named by its key.

    `controls` maps a parameter name to (component id, property), e.g.
    `{"ar": ("goal3-year", "value")}`. The page must also contain `rendered(...)`.
    """
    names = list(controls)
    clientside_callback(
        _TO_SEARCH % repr(names).replace("'", '"'),
        Output(PAGE_LOCATION, "search", allow_duplicate=True),
        [Input(component, prop) for component, prop in controls.values()],
        State(PAGE_LOCATION, "search"),
        State(RENDERED, "data"),
        prevent_initial_call=True,
    )


def rendered(values: Mapping[str, object]) -> dcc.Store:
    """The parameter values a page was drawn with (defaults included), for `sync_to_url`."""
    return dcc.Store(id=RENDERED, data={
        name: ",".join(map(str, v)) if isinstance(v, list | tuple) else
        ("" if v is None else str(v)) for name, v in values.items()})


def query_string(params: Mapping[str, object]) -> str:
    """"?ar=2025&kommuner=1277,1280" for links (empty values left out)."""
    clean = {k: ",".join(map(str, v)) if isinstance(v, list | tuple) else v
             for k, v in params.items() if v not in (None, "", [], ())}
    return "?" + urlencode(clean, safe=",") if clean else ""


YEAR = "ar"  # the follow-up year, carried by every link between the pages


def with_year(path: str, year: int | None) -> str:
    """"/mal/1?ar=2021#epost-svar": a page's address in the follow-up year (`path` may end in
    a fragment; None leaves it as it is)."""
    if year is None:
        return path
    address, hash_, fragment = path.partition("#")
    joiner = "&" if "?" in address else "?"
    return f"{address}{joiner}{YEAR}={year}{hash_}{fragment}"


def int_param(value: object, allowed: Iterable[int], default: int | None) -> int | None:
    """A query parameter as one of the allowed whole numbers, else the default."""
    number = digits.whole_number(value)
    return number if number is not None and number in set(allowed) else default


def bounded_query(query: Mapping[str, object]) -> dict[str, str]:
    """The first MAX_PARAMETERS parameters, each as one text of at most MAX_VALUE_CHARACTERS
    (the first value of a parameter given several times)."""
    bounded = {}
    for name, value in itertools.islice(query.items(), MAX_PARAMETERS):
        if isinstance(value, list | tuple):
            value = value[0] if value else ""
        bounded[str(name)[:MAX_VALUE_CHARACTERS]] = \
            "" if value is None else str(value)[:MAX_VALUE_CHARACTERS]
    return bounded


def bounded(layout: Callable) -> Callable:
    """A page's layout drawn with a bounded query (`bounded_query`): no address makes a page do
    more work than its own links do."""
    @functools.wraps(layout)
    def bounded_layout(**query):
        return layout(**bounded_query(query))

    return bounded_layout


def list_param(value: object, limit: int) -> tuple[list[str], bool]:
    """"1277,1280,1277" → (["1277", "1280"], False): each entry once, at most `limit` of them,
    and whether more were left out."""
    parts = value if isinstance(value, list | tuple) else \
        ("" if value is None else str(value)[:MAX_VALUE_CHARACTERS]).split(",")
    entries = list(dict.fromkeys(str(part) for part in parts if part not in (None, "")))
    return entries[:limit], len(entries) > limit
