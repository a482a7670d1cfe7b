"""Fixtures for the export tests: the shared chart renderer and a writable copy of the demo."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from etl import db
from etl.settings import Settings
from tests.conftest import make_settings, sqlite_url


@pytest.fixture(scope="session")
def chart_renderer():
    """The process's kept-alive Chromium; skipped without one unless MALBILD_REQUIRE_BROWSER."""
    from dashboard.export import images

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
    source = make_url(demo_settings.database_url).database
    url = sqlite_url(tmp_path, "copy.sqlite")
    with sqlite3.connect(source) as original, sqlite3.connect(make_url(url).database) as copy:
        original.backup(copy)
    yield make_settings(url)
    db.engine_for(url).dispose()
