"""The PostgreSQL variant of every engine test is always collected: skipped with its reason when
no server is configured, run (and failed when missing) with MALBILD_REQUIRE_DATABASE=1."""

from __future__ import annotations

import pytest

from tests import conftest


def postgresql_skip(monkeypatch, url: str | None, require: str | None):
    monkeypatch.setattr(conftest, "POSTGRES_URL", url)
    if require is None:
        monkeypatch.delenv("MALBILD_REQUIRE_DATABASE", raising=False)
    else:
        monkeypatch.setenv("MALBILD_REQUIRE_DATABASE", require)
    params = {p.id: p for p in conftest.engine_params()}
    assert set(params) == {"sqlite", "postgresql"}
    marks = {m.name: m for m in params["postgresql"].marks}
    assert "postgres" in marks
    return marks["skipif"]


@pytest.mark.parametrize(("url", "require", "skipped"), [
    (None, None, True),
    (None, "1", False),  # the fixture then fails: PostgreSQL krävs
    ("postgresql+psycopg://postgres@127.0.0.1:5432/test", None, False),
])
def test_postgresql_variant_is_skipped_with_the_reason_only_when_not_configured(
        monkeypatch, url, require, skipped):
    skip = postgresql_skip(monkeypatch, url, require)
    assert skip.args == (skipped,)
    assert skip.kwargs["reason"] == "PostgreSQL saknas (sätt MALBILD_TEST_DATABASE_URL)"
