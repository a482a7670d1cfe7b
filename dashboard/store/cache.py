"""Cached query results and whole page answers, dropped by every write to the database.

Every cache key contains the database's data version (`data_state.version`, bumped in the same
transaction as every import and edit), so a result computed before an import is never served
after it — in any worker. Query results (data frames, records) stay in the worker's own
memory, in a small LRU. Page answers — JSON text, exactly the bytes sent to browsers — go to
the shared cache: Redis with `REDIS_URL`, else the worker's memory. Redis only ever holds those
bytes and hands them back unread: nothing from it is unpickled or run, so whoever can write to
Redis can at most change an answer, never run code in a worker.

A page answer is kept under a digest of one JSON value: which answer (kind), who asks
(nobody, or the person: where the login comes from, user id, name and role), the parsed
request in canonical form (keys sorted) and the day; the database and its data version are in
the key's prefix. Nothing is glued together as text, so no request can be made to read like another
person's. Only requests that parse as the page router's are kept. The page cache is capped
(`PageLimits`: bytes per answer, bytes in all, answers per data version), and Redis keeps one
data version: the first answer of a new version deletes every answer of older ones.
`MALBILD_CACHE=off` turns caching off, `MALBILD_PAGE_CACHE=off` only the page answers (for
benchmarks).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from dashboard.store.lru import LocalCache
from etl import clock
from etl.db import data_version
from etl.settings import PAGE_CACHE_ENTRIES, PAGE_CACHE_ENTRY_BYTES, PAGE_CACHE_TOTAL_BYTES

log = logging.getLogger(__name__)
TTL_SECONDS = 24 * 3600
MAX_LOCAL_ITEMS = 512
KEY_ROOT = "malbild:sider"


@dataclass(frozen=True)
class PageLimits:
    """How much of the page cache may hold (settings `MALBILD_PAGE_CACHE_*`)."""

    entry_bytes: int = PAGE_CACHE_ENTRY_BYTES  # a larger answer is not kept
    total_bytes: int = PAGE_CACHE_TOTAL_BYTES  # in Redis, or in one worker's memory
    entries: int = PAGE_CACHE_ENTRIES  # per data version

    @classmethod
    def of(cls, settings) -> PageLimits:
        return cls(settings.page_cache_entry_bytes, settings.page_cache_total_bytes,
                   settings.page_cache_entries)


# Kept atomically, so that workers writing at once never pass a limit. KEYS: the answer's key,
# its data version's prefix, the sorted set of versions. ARGV: the version, the answer, the
# time to live, the most answers and bytes per version. An answer of an older version than one
# already kept is not kept (a worker still drawing a page from before an import); the first
# of a newer version deletes the older versions' answers. Answers live no longer than their
# version's count, so the count is never below what is kept.
KEEP_SCRIPT = """
local key, prefix, versions = KEYS[1], KEYS[2], KEYS[3]
local version, value, ttl = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local newest = redis.call('ZREVRANGE', versions, 0, 0, 'WITHSCORES')
if newest[2] and tonumber(newest[2]) > version then return 0 end
for _, old in ipairs(redis.call('ZRANGEBYSCORE', versions, '-inf', '(' .. version)) do
  local keys = redis.call('SMEMBERS', old .. ':nycklar')
  for i = 1, #keys, 500 do redis.call('DEL', unpack(keys, i, math.min(i + 499, #keys))) end
  redis.call('DEL', old .. ':nycklar', old .. ':bytes')
  redis.call('ZREM', versions, old)
end
redis.call('ZADD', versions, version, prefix)
if redis.call('EXISTS', key) == 1 then return 0 end
if redis.call('SCARD', prefix .. ':nycklar') >= tonumber(ARGV[4]) then return 0 end
local used = tonumber(redis.call('GET', prefix .. ':bytes') or '0')
if used + #value > tonumber(ARGV[5]) then return 0 end
local left = redis.call('TTL', prefix .. ':bytes')
if left > 0 then ttl = left end
redis.call('SET', key, value, 'EX', ttl)
redis.call('SADD', prefix .. ':nycklar', key)
redis.call('INCRBY', prefix .. ':bytes', #value)
redis.call('EXPIRE', prefix .. ':nycklar', ttl)
redis.call('EXPIRE', prefix .. ':bytes', ttl)
return 1
"""


class RedisCache:
    """The page cache shared by every worker: bytes in, the same bytes out (a day at most),
    within `PageLimits`, one data version at a time."""

    def __init__(self, url: str, limits: PageLimits | None = None) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._keep = self._client.register_script(KEEP_SCRIPT)
        self.limits = limits or PageLimits()

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
        if len(value) > self.limits.entry_bytes:
            return
        prefix = key.rsplit(":", 2)[0]  # KEY_ROOT:database:version
        database, version = prefix.rsplit(":", 2)[1:]
        try:
            self._keep(keys=[key, prefix, f"{KEY_ROOT}:{database}:versioner"],
                       args=[int(version), value, TTL_SECONDS, self.limits.entries,
                             self.limits.total_bytes])
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


_limits = PageLimits()
_backend: LocalCache | RedisCache | NoCache = LocalCache(_limits.entries, _limits.total_bytes)
# Query results, in this worker only.
_queries: LocalCache | NoCache = LocalCache(MAX_LOCAL_ITEMS, PAGE_CACHE_TOTAL_BYTES)
_chosen: tuple | None = None  # the arguments of the last `configure`


def configure(redis_url: str | None, enabled: bool = True, pages: bool = True,
              limits: PageLimits | None = None) -> None:
    """Choose the backends for this process (called when the app is made or pointed at other
    settings). The same choice again keeps the backends and what they hold: every key names
    its database and data version, so nothing kept for one database is served for another."""
    global _chosen
    choice = (redis_url, enabled, pages, limits or PageLimits())
    if choice != _chosen:
        _choose(*choice)
        _chosen = choice


def forget() -> None:
    """Start this worker's memory afresh, as a newly started worker has it (the shared Redis
    cache keeps its answers)."""
    _choose(*(_chosen or (None, True, True, PageLimits())))


def _choose(redis_url: str | None, enabled: bool, pages: bool, limits: PageLimits) -> None:
    global _backend, _queries, _limits
    _limits = limits
    if not enabled:
        _backend, _queries = NoCache(), NoCache()
        return
    _queries = LocalCache(MAX_LOCAL_ITEMS, PAGE_CACHE_TOTAL_BYTES)
    if not pages:
        _backend = NoCache()
        return
    _backend = (RedisCache(redis_url, _limits) if redis_url
                else LocalCache(_limits.entries, _limits.total_bytes))


def backend() -> LocalCache | RedisCache | NoCache:
    return _backend


def limits() -> PageLimits:
    return _limits


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
PAGE_ANSWER = "sida"  # the router's answer to /_dash-update-component


def answer_key(kind: str, engine: Engine, who: dict | None, request: Any) -> str | None:
    """Where the answer of `kind` to `request` (parsed, JSON-able) for `who` (None for anonymous
    visitors, else the person as `auth.cache_identity` gives them) is kept; None when the
    database does not answer (the page itself says so, uncached).

    The digest is of one JSON value with sorted keys: no two different (kind, who, request)
    can give the same text, as parts glued together could."""
    try:
        version = current_version(engine)
    except Exception:
        return None
    # The day too: some pages count from the current year (the years offered for a report).
    material = json.dumps({"kind": kind, "who": who, "request": request,
                           "day": clock.today().isoformat()}, sort_keys=True,
                          separators=(",", ":"))
    digest = hashlib.sha256(material.encode()).hexdigest()
    database = hashlib.sha256(str(engine.url).encode()).hexdigest()[:16]
    return f"{KEY_ROOT}:{database}:{version}:{kind}:{digest}"
