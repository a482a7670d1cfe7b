"""The follow-up model computed when data change, never in the first page request after.

Every path that writes data (imports, the Kolada sync, targets, analysis texts, a restore, the
demo) calls `after_data_change(engine)` once its transaction has committed: the model is built
for the new data version and kept in the model store, where every web worker on every machine
finds it instead of building it again. Then the hooks other layers registered run (the
dashboard warms its page answers with them).

The store: files beside the SQLite database (or, for a server database, in the temporary
directory), shared by the processes of one machine; never Redis, which holds only finished page
answers (dashboard/store/cache.py). A web worker on another machine builds the model in the
background when it sees the new data version (dashboard/tasks/warming.py), never in a request.
A stored model is pickled and signed (HMAC-SHA256 with a key kept beside the files): a file
someone else put there is never unpickled.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import pickle
import secrets
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, select

from etl import schema
from etl.db import directory_beside
from etl.followup import build, own, store
from etl.followup.records import MeasureFollowUp
from etl.settings import Settings, get_settings

log = logging.getLogger(__name__)
Model = dict[str, MeasureFollowUp]
_hooks: list[Callable[[Engine, Settings], None]] = []


def on_data_change(hook: Callable[[Engine, Settings], None]) -> None:
    """Run `hook(engine, settings)` after every data change in this process, once the model
    is stored (the dashboard registers its page warming here; etl knows nothing of it)."""
    if hook not in _hooks:
        _hooks.append(hook)


def after_data_change(engine: Engine, settings: Settings | None = None) -> None:
    """Build and store the follow-up model for the data version just committed (unless it is
    stored already), then run the hooks. Never fails the write that called it: a failure is
    logged and the first request builds the model instead."""
    settings = settings or get_settings()
    try:
        followup_model(engine, settings)
    except Exception:  # the data are committed; a model not stored costs one slow request
        log.exception("uppföljningsmodellen kunde inte byggas i förväg")
    for hook in list(_hooks):
        try:
            hook(engine, settings)
        except Exception:
            log.exception("förvärmningen %s misslyckades", getattr(hook, "__name__", hook))


def build_model(engine: Engine, settings: Settings) -> Model:
    """Every measure's follow-up by measure id, built together from the store."""
    strategy = store.strategy_info(engine, settings.municipality)
    return {item.info.id: item for item in build.followups(
        engine, settings, store.measures(engine), strategy, own.own_values(engine, settings))}


def followup_model(engine: Engine, settings: Settings) -> Model:
    """The model for the current data version: the stored one, else built now and stored."""
    key = _current_key(engine, settings)
    model = stored_model(engine, settings, key)
    if model is not None:
        return model
    started = time.perf_counter()
    model = build_model(engine, settings)
    _store_for(engine, settings).put(key, model)
    log.info("uppföljningsmodellen byggd för %s på %.0f ms", key,
             (time.perf_counter() - started) * 1000)
    return model


def stored_model(engine: Engine, settings: Settings, key: str | None = None) -> Model | None:
    """The model stored for the current data version, if any (nothing is built)."""
    return _store_for(engine, settings).get(key or _current_key(engine, settings))


def _current_key(engine: Engine, settings: Settings) -> str:
    with engine.connect() as connection:
        version, changed_at = connection.execute(
            select(schema.DataState.version, schema.DataState.changed_at)
            .where(schema.DataState.id == 1)).first() or (0, None)
    return _key(engine, settings, version, changed_at)


def _key(engine: Engine, settings: Settings, version: int, changed_at) -> str:
    """The database, the settings and files the model depends on, the data version and when
    it was reached (a database made anew at the same address counts its versions from 1
    again)."""
    parts = repr((engine.url.render_as_string(hide_password=True), str(changed_at),
                  settings.municipality,
                  settings.anonymity_threshold, str(settings.data_dir),
                  str(settings.strategy_path), _fingerprint(settings.data_dir)))
    return f"{hashlib.sha256(parts.encode()).hexdigest()[:24]}-{version}"


@lru_cache
def _fingerprint(data_dir: Path) -> str:
    """The code that builds the model and the rule files it reads besides the database: a
    model stored by another release, or before a rule changed, is never read."""
    digest = hashlib.sha256()
    for path in sorted([*Path(__file__).parent.glob("*.py"), *Path(data_dir).glob("*.toml")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


# --- The store ----------------------------------------------------------------------------------


class _Signed:
    """Pickled models with an HMAC in front; anything unsigned or altered reads as missing."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def dump(self, model: Model) -> bytes:
        body = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        return hmac.new(self._key, body, hashlib.sha256).digest() + body

    def load(self, raw: bytes | None) -> Model | None:
        if not raw or len(raw) < 32:
            return None
        mac, body = raw[:32], raw[32:]
        if not hmac.compare_digest(mac, hmac.new(self._key, body, hashlib.sha256).digest()):
            log.warning("en sparad uppföljningsmodell har fel signatur och används inte")
            return None
        return pickle.loads(body)  # signed by us: see the module's docstring


def _writer() -> str:
    """This process and thread, for a draft file's name: two threads of one process (an import
    and a web worker's watcher) may write the same file at once, and one must not unlink or
    replace the other's draft."""
    return f"{os.getpid()}.{threading.get_ident()}"


class FileStore:
    """Models as files in one directory (the processes of one machine); only the newest few
    data versions are kept."""

    KEEP = 3

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._signed = _Signed(self._local_key())

    def _local_key(self) -> bytes:
        path = self.directory / ".key"
        if not path.exists():
            draft = path.with_name(f".key.{_writer()}")
            draft.write_bytes(secrets.token_bytes(32))
            draft.chmod(0o600)
            try:
                os.link(draft, path)  # the first process wins; the others read its key
            except FileExistsError:
                pass
            finally:
                draft.unlink(missing_ok=True)
        return path.read_bytes()

    def get(self, key: str) -> Model | None:
        try:
            return self._signed.load((self.directory / f"{key}.model").read_bytes())
        except OSError:
            return None

    def put(self, key: str, model: Model) -> None:
        path = self.directory / f"{key}.model"
        draft = path.with_name(f".{path.name}.{_writer()}")
        draft.write_bytes(self._signed.dump(model))
        os.replace(draft, path)  # readers see the whole file or none
        prefix = key.rsplit("-", 1)[0]
        older = sorted(self.directory.glob(f"{prefix}-*.model"), key=lambda p: p.stat().st_mtime)
        for stale in older[:-self.KEEP]:
            stale.unlink(missing_ok=True)


_stores: dict[Path, FileStore] = {}


def _store_for(engine: Engine, settings: Settings) -> FileStore:
    """One store per place and process."""
    place = directory_beside(engine.url.render_as_string(hide_password=False), "modeller")
    if place not in _stores:
        _stores[place] = FileStore(place)
    return _stores[place]
