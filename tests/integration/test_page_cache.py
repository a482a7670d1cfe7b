"""The page cache: who may be given a kept answer, and how much is kept (issue 23).

A kept answer is found under a digest of one structured value (the database, who asks, the
parsed request), never of bytes glued together; only bodies that parse as the page router's
request are kept; the shared Redis cache is capped in bytes and holds one data version.
Run on SQLite and PostgreSQL, with the worker's own memory and with Redis.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date
from unittest import mock

import pytest

from dashboard.store import cache
from etl import clock, db, users
from tests.conftest import copy_of, make_settings
from tests.served import ADMIN, VIEWER, Account, add_accounts

# The whole module in one xdist worker, so its module fixtures are built once: spread test by
# test (`--dist loadgroup`), they were built in both workers, and again whenever a worker's
# next test was of another module.
pytestmark = pytest.mark.xdist_group("test_page_cache")

REDIS_URL = os.environ.get("MALBILD_TEST_REDIS_URL")
PAGE = "/_dash-update-component"
JSON = {"Content-Type": "application/json"}
FORVALTNING = "Kommunledningsförvaltningen"


@pytest.fixture(scope="module")
def accounts_db(demo_settings, tmp_path_factory):
    """A private copy of the demo (on each engine) with an administrator and a viewer."""
    with copy_of(demo_settings, tmp_path_factory.mktemp("sidcache")) as settings:
        add_accounts(settings.database_url, (ADMIN, VIEWER))
        yield settings


def redis_client():
    if not REDIS_URL:
        if os.environ.get("MALBILD_REQUIRE_DATABASE") == "1":
            pytest.fail("Redis krävs (MALBILD_TEST_REDIS_URL)")
        pytest.skip("Redis saknas (sätt MALBILD_TEST_REDIS_URL)")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    return client


def _cleaned(client) -> Iterator:
    """Yield `client`; afterwards Redis (if any) emptied and the process's cache as before."""
    from dashboard.store import runtime

    previous = runtime._settings
    yield client
    if client is not None:
        client.flushdb()
    cache.configure(None)
    runtime.configure(previous)


@pytest.fixture
def shared_redis():
    yield from _cleaned(redis_client())


@pytest.fixture(params=["lokal", "redis"])
def shared(request) -> Iterator[dict]:
    """Settings for the page cache: the worker's memory, or Redis shared by every worker."""
    for client in _cleaned(redis_client() if request.param == "redis" else None):
        yield {"redis_url": REDIS_URL} if client else {}


def worker(settings, **overrides):
    """The process's app with a new page cache, as a second gunicorn worker would have it
    (it shares only Redis)."""
    from dashboard.web.app import app_for

    return app_for(make_settings(settings.database_url, secret_key="test" * 10,
                                    **overrides)).server


def logged_in(server, account):
    client = server.test_client()
    answer = client.post("/logga-in", data={"anvandare": account.username,
                                            "losenord": account.password})
    assert answer.status_code == 303 and "fel=" not in answer.headers["Location"]
    return client


def router_body(path: str, search: str = "") -> bytes:
    """The page router's request as the browser sends it ("output" first)."""
    return json.dumps({
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname"], "state": []}).encode()


def old_scope(settings, account) -> str:
    """What the page cache appended to the body for a logged-in person before issue 23."""
    with db.engine_for(settings.database_url).connect() as connection:
        user = users.find(connection, account.username)
    return f"{'admin' if user.is_admin else 'viewer'}:lokal:{user.id}:{user.username}"


@pytest.mark.parametrize(("account", "path", "search", "secret"), [
    (ADMIN, "/admin/logg", "?typ=user", ADMIN.username),
    (VIEWER, "/mal/3", f"?forv={FORVALTNING}", "goal3-forvaltning"),
])
def test_an_anonymous_caller_never_gets_a_logged_in_answer(accounts_db, shared, account, path,
                                                            search, secret):
    """The body a logged-in person sent, followed by their old cache scope, sent anonymously
    (to the same worker and to another one): never their answer."""
    first = worker(accounts_db, **shared)
    body = router_body(path, search)
    answer = logged_in(first, account).post(PAGE, data=body, headers=JSON)
    assert answer.status_code == 200 and secret in answer.get_data(as_text=True)
    forged = body + old_scope(accounts_db, account).encode()
    for server in (first, None):
        server = server or worker(accounts_db, **shared)  # made now: it replaces the local cache
        for attempt in (forged, forged + b" ", b" " + forged):
            stolen = server.test_client().post(PAGE, data=attempt, headers=JSON)
            assert stolen.status_code == 400
            assert secret not in stolen.get_data(as_text=True)
        plain = server.test_client().post(PAGE, data=body, headers=JSON)
        assert secret not in plain.get_data(as_text=True)


def test_a_logged_in_answer_is_kept_for_that_person_only(accounts_db, shared):
    """The same request from the viewer, from an administrator and anonymously: three answers;
    the viewer asking again gets their own answer back."""
    server = worker(accounts_db, **shared)
    body = router_body("/admin")
    viewer = logged_in(server, VIEWER)
    mine = viewer.post(PAGE, data=body, headers=JSON).get_data(as_text=True)
    admin = logged_in(server, ADMIN).post(PAGE, data=body, headers=JSON).get_data(as_text=True)
    anonymous = server.test_client().post(PAGE, data=body, headers=JSON).get_data(as_text=True)
    assert VIEWER.username in mine and ADMIN.username not in mine
    assert "Behörighet saknas" in json.loads(mine)["response"]["_pages_content"].__repr__()
    assert "Behörighet saknas" not in json.loads(admin)["response"]["_pages_content"].__repr__()
    assert VIEWER.username not in anonymous and ADMIN.username not in anonymous
    assert viewer.post(PAGE, data=body, headers=JSON).get_data(as_text=True) == mine


def test_the_key_is_a_digest_of_one_structured_value():
    """Two requests whose parts, glued together, would read the same get different keys."""
    engine = db.engine_for("sqlite://")
    with engine.begin() as connection:
        from etl import schema

        schema.metadata.create_all(connection)
    who = {"user_id": 1, "username": "anna", "role": "admin", "source": "lokal"}
    keys = {cache.answer_key("sida", engine, who, {"body": "x"}),
            cache.answer_key("sida", engine, None, {"body": "x" + json.dumps(who)}),
            cache.answer_key("sida", engine, None, {"body": "x"}),
            cache.answer_key("forsta", engine, None, {"body": "x"}),
            cache.answer_key("sida", engine, {**who, "role": "viewer"}, {"body": "x"})}
    assert len(keys) == 5
    # A page that counts from the current year is drawn again on a new day.
    with mock.patch.object(clock, "today", lambda: date(2031, 1, 1)):
        assert cache.answer_key("sida", engine, None, {"body": "x"}) not in keys


# --- 5. The shared cache is bounded in bytes and keeps one data version -----------------------


def page_entries(client) -> dict[bytes, bytes]:
    """The kept answers in Redis (JSON as sent), by key; counters and key lists left out."""
    entries = {}
    for key in client.scan_iter("malbild:*"):
        if client.type(key) == b"string":
            value = client.get(key)
            if value and value[:1] == b"{":
                entries[key] = value
    return entries


def test_redis_keeps_no_answer_over_the_entry_limit(accounts_db, shared_redis):
    server = worker(accounts_db, redis_url=REDIS_URL, page_cache_entry_bytes=1000)
    anonymous = server.test_client()
    for path in ("/", "/mal/1"):
        assert anonymous.post(PAGE, data=router_body(path), headers=JSON).status_code == 200
    assert page_entries(shared_redis) == {}


def test_redis_keeps_within_the_total_limit(accounts_db, shared_redis):
    probe = worker(accounts_db, redis_url=REDIS_URL).test_client()
    size = len(probe.post(PAGE, data=router_body("/utforska", "?x=0"), headers=JSON).data)
    shared_redis.flushdb()
    limit = 3 * size + size // 2
    server = worker(accounts_db, redis_url=REDIS_URL, page_cache_total_bytes=limit)
    anonymous = server.test_client()
    for number in range(8):
        anonymous.post(PAGE, data=router_body("/utforska", f"?x={number}"), headers=JSON)
    kept = page_entries(shared_redis)
    assert kept and sum(len(value) for value in kept.values()) <= limit


def test_redis_drops_the_answers_of_an_old_data_version(accounts_db, shared_redis):
    anonymous = worker(accounts_db, redis_url=REDIS_URL).test_client()
    for path in ("/", "/mal/1"):
        anonymous.post(PAGE, data=router_body(path), headers=JSON)
    before = set(page_entries(shared_redis))
    assert len(before) == 2
    with db.engine_for(accounts_db.database_url).begin() as connection:
        db.bump_data_version(connection)
    anonymous.post(PAGE, data=router_body("/"), headers=JSON)
    after = set(page_entries(shared_redis))
    assert len(after) == 1 and not after & before
    # Nothing but the new version's bookkeeping is left of the old one.
    assert not [key for key in shared_redis.scan_iter("malbild:*")
                if any(key.startswith(old.rsplit(b":", 2)[0] + b":") for old in before)
                and not any(key.startswith(new.rsplit(b":", 2)[0] + b":") for new in after)]


def test_the_one_app_answers_from_the_database_it_is_pointed_at(accounts_db, demo_settings,
                                                                 tmp_path):
    """One app per process (Dash supports no more): a second is refused, and the one app
    answers from the database it was last pointed at, its accounts and pages."""
    from dashboard.web.app import create_app

    only_here = Account("bara-har-test", "ett långt lösenord som bara finns här", "viewer")
    add_accounts(accounts_db.database_url, (only_here,))

    def log_in(server):
        return server.test_client().post("/logga-in", data={"anvandare": only_here.username,
                                                             "losenord": only_here.password})

    first = worker(accounts_db)
    with pytest.raises(RuntimeError, match="en app per process"):
        create_app(accounts_db)
    with copy_of(demo_settings, tmp_path) as other:  # the same demo, without that account
        assert worker(other) is first
        refused = log_in(first)
        assert refused.status_code == 303 and "fel=" in refused.headers["Location"]
    answer = log_in(worker(accounts_db))
    assert answer.status_code == 303 and "fel=" not in answer.headers["Location"]
