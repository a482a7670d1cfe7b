"""Selections live in the URL's query string, so every view can be shared and bookmarked.

A page's `layout(**query)` renders the view from the query string alone. Its controls only
write their values back to the URL (a clientside callback); Dash's page router then renders
the view again, and back and forward in the browser work as for any link. `assets/focus.js`
puts the keyboard focus back on the control that changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

from dash import Input, Output, State, clientside_callback

PAGE_LOCATION = "_pages_location"  # the dcc.Location of Dash's page container

_TO_SEARCH = """
function(...args) {
    const names = %s;
    const search = args[args.length - 1] || "";
    const params = new URLSearchParams(search);
    names.forEach(function (name, i) {
        let value = args[i];
        if (Array.isArray(value)) { value = value.join(","); }
        if (value === null || value === undefined || value === "") { params.delete(name); }
        else { params.set(name, String(value)); }
    });
    const text = params.toString();
    const next = text ? "?" + text : "";
    if (next === search) { return window.dash_clientside.no_update; }
    const triggered = (window.dash_clientside.callback_context || {}).triggered || [];
    window.malbildRestoreFocus = triggered.length ? triggered[0].prop_id.split(".")[0] : null;
    return next;
}
"""


def sync_to_url(controls: Mapping[str, tuple[str, str]]) -> None:
    """Write each control's value to the query parameter named by its key.

    `controls` maps a parameter name to (component id, property), e.g.
    `{"ar": ("goal3-year", "value")}`.
    """
    names = list(controls)
    clientside_callback(
        _TO_SEARCH % repr(names).replace("'", '"'),
        Output(PAGE_LOCATION, "search", allow_duplicate=True),
        [Input(component, prop) for component, prop in controls.values()],
        State(PAGE_LOCATION, "search"),
        prevent_initial_call=True,
    )


def query_string(params: Mapping[str, object]) -> str:
    """"?ar=2025&kommuner=1277,1280" for links (empty values left out)."""
    clean = {k: ",".join(map(str, v)) if isinstance(v, list | tuple) else v
             for k, v in params.items() if v not in (None, "", [], ())}
    return "?" + urlencode(clean, safe=",") if clean else ""


def int_param(value: object, allowed: Iterable[int], default: int | None) -> int | None:
    """A query parameter as one of the allowed whole numbers, else the default."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return number if number in set(allowed) else default


def list_param(value: object) -> list[str]:
    """"1277,1280" → ["1277", "1280"]."""
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [part for part in str(value).split(",") if part]
