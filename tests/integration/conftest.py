"""Integration fixtures: the demo database on every engine, a writable copy of it, and the
shared chart renderer."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from etl.demo import build_demo
from etl.settings import Settings
from tests.conftest import (
    copy_of,
    engine_params,
    fresh_postgres_url,
    make_settings,
    postgres_built_once_per_run,
    require_postgres,
)


@pytest.fixture(scope="session")
def postgres_demo() -> Iterator[Settings]:
    """The demo database on PostgreSQL, built once per test run on first use; each test
    process has its own copy (the server copies the built one as a template)."""
    require_postgres()
    template = postgres_built_once_per_run("demo-postgresql", build_demo)
    with fresh_postgres_url(template) as url:
        yield make_settings(url)


@pytest.fixture(scope="session", params=engine_params())
def demo_settings(request, sqlite_demo) -> Settings:
    """The demo database on SQLite and, when configured, on PostgreSQL: every integration
    test that uses it runs on both engines. pytest makes a parametrised fixture again each
    time the tests switch engine, so the databases themselves are fixtures of their own,
    built once per process."""
    if request.param == "sqlite":
        return sqlite_demo
    require_postgres()
    return request.getfixturevalue("postgres_demo")


@pytest.fixture(scope="session")
def chart_renderer():
    """The process's kept-alive Chromium; skipped without one unless MALBILD_REQUIRE_BROWSER."""
    from dashboard.present.export import images

    try:
        images.browser_path()
    except images.ExportUnavailable as exc:
        if os.environ.get("MALBILD_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium krävs (MALBILD_REQUIRE_BROWSER=1): {exc}")
        pytest.skip("Chromium saknas (apt-get install -y chromium)")
    yield images.renderer()
    images.close_renderer()


@pytest.fixture
def demo_copy(demo_settings, tmp_path) -> Iterator[Settings]:
    """A private copy of the demo database, for tests that add analysis texts or revisions."""
    with copy_of(demo_settings, tmp_path) as settings:
        yield settings
