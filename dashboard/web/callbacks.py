"""The pages' callbacks: declared when a page is imported, given to the process's one app when
it is built.

`dash.callback` keeps a callback in Dash's own lists until the app answers its first request,
so `app.dependencies()` would not list it while the app is built, when the pages' HTML is
drawn ahead (dashboard/web/static_html needs every callback's inputs then). So the pages
declare theirs here, with the same arguments, and `attach(app)` gives them to the app through
Dash's public `app.callback` and `app.clientside_callback`. The decorated function is returned
as it is (still a plain function to call, e.g. from a test).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_declared: list[tuple[str, Any, tuple, dict]] = []  # (kind, function, args, kwargs), in order


def callback(*args, **kwargs) -> Callable:
    """As `dash.callback` (the same arguments)."""

    def declare(function: Callable) -> Callable:
        _declared.append(("server", function, args, kwargs))
        return function

    return declare


def clientside_callback(function, *args, **kwargs) -> None:
    """As `dash.clientside_callback` (the same arguments)."""
    _declared.append(("client", function, args, kwargs))


def attach(app) -> None:
    """Give `app` every callback declared so far."""
    for kind, function, args, kwargs in _declared:
        if kind == "server":
            app.callback(*args, **kwargs)(function)
        else:
            app.clientside_callback(function, *args, **kwargs)
