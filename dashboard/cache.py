"""Cached query results and whole page answers, dropped by every write to the database.

Every cache key contains the database's data version (`data_state.version`, bumped in the same
transaction as every import and edit), so a result computed before an import is never served
after it — in any worker. Query results (data frames, records) stay in the worker's own
memory, in a small LRU. Page answers — JSON text, exactly the bytes sent to browsers — go to
the shared cache: Redis with `REDIS_URL`, else the worker's memory. Redis only ever holds those
bytes and hands them back unread: nothing from it is unpickled or run, so whoever can write to
Redis can at most change an answer, never run code in a worker. The page cache is capped
(entries per data version, and bytes per entry), so new query strings cannot grow it without
bound. `MALBILD_CACHE=off` turns caching off, `MALBILD_PAGE_CACHE=off` only the page answers (for
benchmarks).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from etl.db import data_version

log = logging.getLogger(__name__)
TTL_SECONDS = 24 * 3600
MAX_LOCAL_ITEMS = 512
MAX_PAGE_ENTRIES = 2000  # page answers kept per data version (all workers together)
MAX_PAGE_BYTES = 2 * 1024 * 1024  # a larger answer is not kept
MAX_LOCAL_PAGE_BYTES = 64 * 1024 * 1024  # page answers one worker keeps in memory


class LocalCache:
    """A small LRU cache for one worker process, bounded in items (and bytes, for bytes)."""

    def __init__(self, max_items: int = MAX_LOCAL_ITEMS,
                 max_bytes: int = MAX_LOCAL_PAGE_BYTES) -> None:
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._bytes = 0
        self.max_items = max_items
        self.max_bytes = max_bytes

    @staticmethod
    def _size(value: Any) -> int:
        return len(value) if isinstance(value, bytes | str) else 0

    def get(self, key: str) -> tuple[bool, Any]:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return True, self._items[key]
        return False, None

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            if key in self._items:
                self._bytes -= self._size(self._items.pop(key))
            self._items[key] = value
            self._bytes += self._size(value)
            while self._items and (len(self._items) > self.max_items
                                   or self._bytes > self.max_bytes):
                _, dropped = self._items.popitem(last=False)
                self._bytes -= self._size(dropped)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


class RedisCache:
    """The page cache shared by every worker: bytes in, the same bytes out (a day at most),
    and at most MAX_PAGE_ENTRIES new entries per data version."""

    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def get(self, key: str) -> tuple[bool, bytes | None]:
        try:
            raw = self._client.get(key)
        except Exception as exc:  # a cache must never take the page down
            log.warning("Redis svarar inte (%s); räknar utan cache", type(exc).__name__)
            return False, None
        return (False, None) if raw is None else (True, bytes(raw))

    def set(self, key: str, value: bytes) -> None:
        if not isinstance(value, bytes):
            raise TypeError("Redis-cachen tar bara emot färdiga svar (bytes)")
        counter = key.rsplit(":", 2)[0] + ":antal"
        try:
            count = self._client.incr(counter)
            if count == 1:
                self._client.expire(counter, TTL_SECONDS)
            if count > MAX_PAGE_ENTRIES:
                return
            self._client.set(key, value, ex=TTL_SECONDS)
        except Exception as exc:
            log.warning("Redis svarar inte (%s); svaret sparas inte", type(exc).__name__)

    def clear(self) -> None:
        self._client.flushdb()


class NoCache:
    def get(self, key: str) -> tuple[bool, Any]:
        return False, None

    def set(self, key: str, value: Any) -> None:
        return None

    def clear(self) -> None:
        return None


_backend: LocalCache | RedisCache | NoCache = LocalCache()  # page answers
_queries: LocalCache | NoCache = LocalCache()  # query results, in this worker only


def configure(redis_url: str | None, enabled: bool = True, pages: bool = True) -> None:
    """Choose the backends for this process (called by the app factory)."""
    global _backend, _queries
    if not enabled:
        _backend, _queries = NoCache(), NoCache()
        return
    _queries = LocalCache()
    if not pages:
        _backend = NoCache()
        return
    _backend = RedisCache(redis_url) if redis_url else LocalCache()


def backend() -> LocalCache | RedisCache | NoCache:
    return _backend


def kind() -> str:
    """How pages are cached, in words for /healthz (never a key or an address)."""
    return {"RedisCache": "delad (Redis)", "LocalCache": "i arbetsprocessen",
            "NoCache": "av"}[type(_backend).__name__]


def current_version(engine: Engine) -> int:
    """The data version, read once per web request (or per call outside one)."""
    # Without Flask loaded there is no request (the command line): do not import it for that.
    flask = sys.modules.get("flask")
    if flask is not None and flask.has_request_context():
        g = flask.g
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
            if isinstance(_queries, NoCache):
                return _once_per_request(name, key(*args, **kwargs), engine,
                                         lambda: function(engine, *args, **kwargs))
            parts = repr((str(engine.url), key(*args, **kwargs)))
            digest = hashlib.sha256(parts.encode()).hexdigest()[:32]
            cache_key = f"malbild:{current_version(engine)}:{name}:{digest}"
            hit, value = _queries.get(cache_key)
            if hit:
                return value
            value = function(engine, *args, **kwargs)
            _queries.set(cache_key, value)
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

    A page is a function of its address, the data version and who is asking (`scope_of`: empty
    for anonymous visitors, the person for a logged-in one), so the answer can be reused byte
    for byte until the next write. Register
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
        database = hashlib.sha256(str(engine.url).encode()).hexdigest()[:16]
        try:
            version = current_version(engine)
        except Exception:  # the database is down: the page itself says so, uncached
            return None
        key = f"malbild:{version}:page:{database}:{digest}"
        hit, value = _backend.get(key)
        if hit:
            return Response(value, mimetype="application/json")
        g.malbild_page_key = key
        return None

    @server.after_request
    def _keep_page(response):
        key = g.pop("malbild_page_key", None)
        if key and response.status_code == 200 and not response.direct_passthrough:
            body = response.get_data()
            if len(body) <= MAX_PAGE_BYTES:
                _backend.set(key, body)
        return response
