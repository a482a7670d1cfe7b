"""Whole page answers kept in the cache (dashboard/store/cache.py): the web side of it, which
knows Flask's requests and the page router's; the keys and the stores are the store's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, g, request
from sqlalchemy import Engine

from dashboard.store import cache
from dashboard.web import router


def page_request(body: Any) -> dict | None:
    """The page router's request, parsed (dashboard/web/router.py), or None for anything else
    (another callback, or a body that is not the JSON object the router is asked with): only
    those answers are kept, under what the request reads, not how its text is written."""
    return router.page_request(body)


def cache_page_answers(server, engine_of: Callable[[], Engine],
                       identity_of: Callable[[], dict | None]) -> None:
    """Keep the page router's answers (the address → the whole drawn page) in the cache.

    A page is a function of its address, the data version and who is asking (`identity_of`:
    None for anonymous visitors, the person for a logged-in one), so the answer can be reused
    byte for byte until the next write: anonymous visitors share answers, a logged-in person's
    are kept for that person only. Register this after the access guards, so that they run
    first.
    """
    @server.before_request
    def _serve_cached_page():
        if (request.method != "POST" or request.path != cache.PAGE_CALLBACK_PATH
                or isinstance(cache.backend(), cache.NoCache)):
            return None
        asked = page_request(request.get_json(silent=True))
        if asked is None:
            return None
        key = cache.answer_key(cache.PAGE_ANSWER, engine_of(), identity_of(), asked)
        if key is None:
            return None
        hit, value = cache.backend().get(key)
        if hit:
            return Response(value, mimetype="application/json")
        g.malbild_page_key = key
        return None

    @server.after_request
    def _keep_page(response):
        key = g.pop("malbild_page_key", None)
        if (key and response.status_code == 200 and response.mimetype == "application/json"
                and not response.direct_passthrough):
            body = response.get_data()
            if len(body) <= cache.limits().entry_bytes:
                cache.backend().set(key, body)
        return response
