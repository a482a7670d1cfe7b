"""What a running dashboard process needs: its settings and the engine they point at.

`configure` is called once by the app factory; queries get the engine from here, so no module
opens a database at import time. Nothing here holds data another worker would need.
"""

from __future__ import annotations

from sqlalchemy import Engine

from etl.db import engine_for
from etl.settings import Settings, get_settings

_settings: Settings | None = None


def configure(settings: Settings) -> None:
    global _settings
    _settings = settings


def settings() -> Settings:
    return _settings or get_settings()


def engine() -> Engine:
    return engine_for(settings().database_url)
