"""The cache's three modes: off, page answers off (query results kept), and on."""

from dashboard.store import cache


def test_page_answers_off_keeps_the_query_results_of_the_data_version():
    try:
        cache.configure(None, enabled=True, pages=False)
        assert isinstance(cache.backend(), cache.NoCache)
        assert isinstance(cache._queries, cache.LocalCache)
        cache.configure(None, enabled=False)
        assert isinstance(cache.backend(), cache.NoCache)
        assert isinstance(cache._queries, cache.NoCache)
    finally:
        cache.configure(None)
    assert isinstance(cache.backend(), cache.LocalCache)


def test_the_same_choice_again_keeps_what_is_kept_and_forget_starts_afresh():
    """Pointing the app at another database chooses the same backends again: what they hold
    stays (every key names its database and data version); `forget` is a new worker's memory."""
    try:
        cache.configure(None)
        cache.backend().set("malbild:sider:a:1:sida:x", b"svar")
        cache._queries.set("malbild:1:goals:x", "rader")
        cache.configure(None)
        assert cache.backend().get("malbild:sider:a:1:sida:x") == (True, b"svar")
        assert cache._queries.get("malbild:1:goals:x") == (True, "rader")
        cache.forget()
        assert cache.backend().get("malbild:sider:a:1:sida:x") == (False, None)
        assert cache._queries.get("malbild:1:goals:x") == (False, None)
        cache.backend().set("malbild:sider:a:1:sida:x", b"svar")
        cache.configure(None, limits=cache.PageLimits(entries=5))  # another choice: afresh
        assert cache.backend().get("malbild:sider:a:1:sida:x") == (False, None)
    finally:
        cache.configure(None)
