"""Accounts for tests, and Målbild served by `malbild serve` (gunicorn) in its own process
over a private copy of the demo database: for tests that write, or that call the page
callbacks over HTTP from a process of its own."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from etl import db, users

SECRET = "test-nyckel-" + "x" * 40


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    role: str


ADMIN = Account("admin-test", "ett långt lösenord för administratören", "admin")
VIEWER = Account("lasare-test", "ett långt lösenord för läsaren", "viewer")


def add_accounts(url: str, accounts: tuple[Account, ...] = (ADMIN, VIEWER)) -> None:
    """Create the accounts unless they exist."""
    with db.engine_for(url).begin() as connection:
        for account in accounts:
            if users.find(connection, account.username) is None:
                users.add_user(connection, account.username, account.role, account.password,
                               actor="test")


def copy_sqlite(source_url: str, directory: Path, name: str, *, prune: bool = False) -> str:
    """A copy of a SQLite database; `prune` keeps only the strategy's KPIs (totals), so that
    a whole-database dump ("nothing changed") takes a fraction of a second."""
    url = f"sqlite:///{directory / name}"
    with sqlite3.connect(make_url(source_url).database) as original, \
            sqlite3.connect(make_url(url).database) as copy:
        original.backup(copy)
        if prune:
            copy.execute("""DELETE FROM kpi_value WHERE gender != 'T' OR kpi_id NOT IN (
                SELECT kpi_id FROM measure_kpi UNION
                SELECT benchmark_kpi_id FROM measure WHERE benchmark_kpi_id IS NOT NULL)""")
    if prune:
        with sqlite3.connect(make_url(url).database) as copy:
            copy.execute("VACUUM")
    return url


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Served:
    url: str
    database_url: str
    process: subprocess.Popen

    def client(self, account: Account | None = None) -> httpx.Client:
        """An HTTP client, logged in as `account` through the login form (if given)."""
        client = httpx.Client(base_url=self.url, timeout=60, follow_redirects=False)
        if account is not None:
            response = client.post("/logga-in", data={"anvandare": account.username,
                                                       "losenord": account.password})
            assert response.status_code == 303 and "fel=" not in response.headers["location"]
        return client

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def serve(database_url: str, log: Path, **env: str) -> Served:
    """Start `malbild serve` (one worker) and wait until it answers; its log goes to `log`."""
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": database_url, "MALBILD_SECRET_KEY": SECRET,
                   **env}
    with log.open("w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "serve", "--port", str(port), "--workers", "1"],
            env=environment, stdout=handle, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    with httpx.Client(timeout=2) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("servern startade inte: " + log.read_text()[-3000:])
            try:
                if client.get(url + "/").status_code == 200:
                    return Served(url, database_url, process)
            except httpx.HTTPError:
                time.sleep(0.3)
    process.kill()
    raise RuntimeError("servern svarade inte inom 90 s")
