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
