"""Cached query results, dropped by every write to the database.

Every cache key contains the database's data version (`data_state.version`, bumped in the same
transaction as every import and edit), so a result computed before an import is never served
after it — in any worker. With `REDIS_URL` the workers share one cache; without it each worker
keeps its own small in-memory cache. `MALBILD_CACHE=off` turns caching off (for benchmarks).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from etl.db import data_version

log = logging.getLogger(__name__)
TTL_SECONDS = 24 * 3600
MAX_LOCAL_ITEMS = 512


class LocalCache:
    """A small LRU cache for one worker process."""

    def __init__(self, max_items: int = MAX_LOCAL_ITEMS) -> None:
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.max_items = max_items

    def get(self, key: str) -> tuple[bool, Any]:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return True, self._items[key]
        return False, None

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class RedisCache:
    """The cache shared by every worker (pickled values, expiring after a day)."""

    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def get(self, key: str) -> tuple[bool, Any]:
        try:
            raw = self._client.get(key)
        except Exception as exc:  # a cache must never take the page down
            log.warning("Redis svarar inte (%s); räknar utan cache", exc)
            return False, None
        return (False, None) if raw is None else (True, pickle.loads(raw))

    def set(self, key: str, value: Any) -> None:
        try:
            self._client.set(key, pickle.dumps(value), ex=TTL_SECONDS)
        except Exception as exc:
            log.warning("Redis svarar inte (%s); resultatet sparas inte", exc)

    def clear(self) -> None:
        self._client.flushdb()


class NoCache:
    def get(self, key: str) -> tuple[bool, Any]:
        return False, None

    def set(self, key: str, value: Any) -> None:
        return None

    def clear(self) -> None:
        return None


_backend: LocalCache | RedisCache | NoCache = LocalCache()


def configure(redis_url: str | None, enabled: bool = True) -> None:
    """Choose the backend for this process (called by the app factory)."""
    global _backend
    if not enabled:
        _backend = NoCache()
    elif redis_url:
        _backend = RedisCache(redis_url)
    else:
        _backend = LocalCache()


def backend() -> LocalCache | RedisCache | NoCache:
    return _backend


def _current_version(engine: Engine) -> int:
    """The data version, read once per web request (or per call outside one)."""
    try:
        from flask import g, has_request_context
    except ImportError:  # pragma: no cover - flask comes with dash
        has_request_context = lambda: False  # noqa: E731
    if has_request_context():
        versions = g.setdefault("malbild_data_versions", {})
        key = str(engine.url)
        if key not in versions:
            with engine.connect() as connection:
                versions[key] = data_version(connection)
        return versions[key]
    with engine.connect() as connection:
        return data_version(connection)


def _once_per_request(name: str, key: tuple, engine: Engine, compute: Callable[[], Any]) -> Any:
    """Without a cache, a result is still computed only once per web request: a page that
    asks for the same follow-up twice builds it once."""
    try:
        from flask import g, has_request_context
    except ImportError:  # pragma: no cover - flask comes with dash
        return compute()
    if not has_request_context():
        return compute()
    memo = g.setdefault("malbild_request_memo", {})
    memo_key = (str(engine.url), name, repr(key))
    if memo_key not in memo:
        memo[memo_key] = compute()
    return memo[memo_key]


def cached(name: str, key: Callable[..., tuple]) -> Callable:
    """Cache a function of (engine, …) under `name` and `key(*args)` for the data version."""

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def wrapper(engine: Engine, *args, **kwargs):
            if isinstance(_backend, NoCache):
                return _once_per_request(name, key(*args, **kwargs), engine,
                                         lambda: function(engine, *args, **kwargs))
            parts = repr((str(engine.url), key(*args, **kwargs)))
            digest = hashlib.sha256(parts.encode()).hexdigest()[:32]
            cache_key = f"malbild:{_current_version(engine)}:{name}:{digest}"
            hit, value = _backend.get(cache_key)
            if hit:
                return value
            value = function(engine, *args, **kwargs)
            _backend.set(cache_key, value)
            return value

        wrapper.uncached = function
        return wrapper

    return decorate


# --- Whole page answers ---------------------------------------------------------------------------

PAGE_CALLBACK_PATH = "/_dash-update-component"
PAGE_OUTPUT = "_pages_content"


def cache_page_answers(server, engine_of: Callable[[], Engine],
                       scope_of: Callable[[], str]) -> None:
    """Keep the page router's answers (the address → the whole drawn page) in the cache.

    A page is a function of its address, the data version and who is asking (`scope_of`: the
    visitor's role), so the answer can be reused byte for byte until the next write. Register
    this after the access guards, so that they run first.
    """
    from flask import Response, g, request

    @server.before_request
    def _serve_cached_page():
        if (request.method != "POST" or request.path != PAGE_CALLBACK_PATH
                or isinstance(_backend, NoCache)):
            return None
        body = request.get_data(cache=True)
        if PAGE_OUTPUT.encode() not in body[:200]:
            return None
        engine = engine_of()
        digest = hashlib.sha256(body + scope_of().encode()).hexdigest()[:40]
        key = f"malbild:{_current_version(engine)}:page:{str(engine.url)!r}:{digest}"
        hit, value = _backend.get(key)
        if hit:
            return Response(value, mimetype="application/json")
        g.malbild_page_key = key
        return None

    @server.after_request
    def _keep_page(response):
        key = g.pop("malbild_page_key", None)
        if key and response.status_code == 200 and not response.direct_passthrough:
            _backend.set(key, response.get_data())
        return response
