"""Selections live in the URL's query string, so every view can be shared and bookmarked.

A page's `layout(**query)` renders the view from the query string alone. Its controls only
write their values back to the URL (a clientside callback); Dash's page router then renders
the view again, and back and forward in the browser work as for any link. `assets/focus.js`
puts the keyboard focus back on the control that had it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from dash import Input, Output, State, dcc

from dashboard.present.addresses import bounded_query
from dashboard.web import router
from dashboard.web.callbacks import clientside_callback

PAGE_LOCATION = router.LOCATION  # the dcc.Location of Dash's page container
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


def bounded(layout: Callable) -> Callable:
    """A page's layout drawn with a bounded query (`bounded_query`): no address makes a page do
    more work than its own links do."""
    @functools.wraps(layout)
    def bounded_layout(**query):
        return layout(**bounded_query(query))

    return bounded_layout


