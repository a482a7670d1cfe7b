"""Accounts: Argon2 hashes, roles, the last administrator, the login limit, and the log."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from etl import db, schema, users
from etl.errors import InputError
from tests.conftest import dump
from tests.integration.test_file_import import run_cli

PASSWORD = "ett tillräckligt långt lösenord"


@pytest.fixture
def engine(catalogue_db):
    return db.engine_for(catalogue_db.database_url)


def add(engine, name="anna", role="admin", password=PASSWORD):
    with engine.begin() as connection:
        return users.add_user(connection, name, role, password, actor="test")


def test_password_is_stored_as_an_argon2_hash_and_checked(engine):
    add(engine, "Åsa.Öberg")
    with engine.connect() as connection:
        stored = connection.scalar(select(schema.AppUser.password_hash))
        assert users.find(connection, "ÅSA.ÖBERG").username == "åsa.öberg"
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert users.authenticate(engine, "åsa.öberg", PASSWORD, "10.0.0.1").ok
    assert not users.authenticate(engine, "åsa.öberg", PASSWORD + "x", "10.0.0.1").ok
    assert not users.authenticate(engine, "ingen", PASSWORD, "10.0.0.1").ok


@pytest.mark.parametrize(("name", "role", "password", "problem"), [
    ("a", "admin", PASSWORD, "användarnamnet"),
    ("anna andersson", "admin", PASSWORD, "användarnamnet"),
    ("anna", "chef", PASSWORD, "rollen «chef»"),
    ("anna", "viewer", "kort", "för kort"),
])
def test_bad_accounts_are_refused_and_nothing_is_stored(engine, catalogue_db, name, role,
                                                        password, problem):
    before = dump(catalogue_db.database_url)
    with pytest.raises(InputError, match=problem):
        add(engine, name, role, password)
    assert dump(catalogue_db.database_url) == before


def test_the_last_administrator_cannot_be_removed(engine):
    add(engine, "anna", "admin")
    add(engine, "bo", "viewer")
    with engine.begin() as connection, pytest.raises(InputError, match="enda aktiva"):
        users.update_user(connection, "anna", actor="test", role="viewer")
    with engine.begin() as connection:
        users.update_user(connection, "bo", actor="anna", role="admin")
        assert users.update_user(connection, "anna", actor="bo", disabled=True)
        assert not users.update_user(connection, "anna", actor="bo", disabled=True)
    assert not users.authenticate(engine, "anna", PASSWORD, "10.0.0.1").ok  # disabled


def test_failed_logins_lock_the_name_then_the_address(engine):
    add(engine, "anna")
    for _ in range(users.MAX_FAILURES_PER_USER):
        assert not users.authenticate(engine, "anna", "fel", "10.0.0.1").ok
    locked = users.authenticate(engine, "anna", PASSWORD, "10.0.0.2")
    assert not locked.ok and locked.locked_until is not None
    # An hour later (the attempts moved back in time), the right password works again.
    with engine.begin() as connection:
        attempts = schema.LoginAttempt.__table__
        connection.execute(attempts.update().values(at=attempts.c.at - timedelta(hours=1)))
    assert users.authenticate(engine, "anna", PASSWORD, "10.0.0.2").ok
    # Many names from one address: the address is locked too.
    for number in range(users.MAX_FAILURES_PER_ADDRESS):
        users.authenticate(engine, f"gissning{number}", "fel", "10.0.0.9")
    assert not users.authenticate(engine, "anna", PASSWORD, "10.0.0.9").ok
    assert users.authenticate(engine, "anna", PASSWORD, "10.0.0.3").ok


def test_a_success_forgives_earlier_failures_of_the_name(engine):
    add(engine, "anna")
    for _ in range(users.MAX_FAILURES_PER_USER - 1):
        users.authenticate(engine, "anna", "fel", "10.0.0.1")
    assert users.authenticate(engine, "anna", PASSWORD, "10.0.0.1").ok
    for _ in range(users.MAX_FAILURES_PER_USER - 1):
        users.authenticate(engine, "anna", "fel", "10.0.0.1")
    assert users.authenticate(engine, "anna", PASSWORD, "10.0.0.1").ok


def test_changes_to_accounts_are_logged_without_passwords(engine):
    add(engine, "anna", "admin")
    add(engine, "bo", "viewer")
    with engine.begin() as connection:
        users.update_user(connection, "bo", actor="anna", role="admin",
                          password="ett annat långt lösenord")
    with engine.connect() as connection:
        events = connection.execute(select(schema.AuditEvent).order_by(schema.AuditEvent.id)
                                    ).all()
    assert [(e.actor, e.action, e.object_id) for e in events] == [
        ("test", "user.add", "anna"), ("test", "user.add", "bo"), ("anna", "user.update", "bo")]
    assert '"roll": "viewer"' in events[2].before and '"roll": "admin"' in events[2].after
    assert "långt" not in events[2].after and "argon2" not in events[2].after


def test_user_add_from_the_command_line_reads_the_password_from_stdin(catalogue_db):
    env_url = catalogue_db.database_url
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "user", "add", "Cecilia", "--role", "admin"],
        input=PASSWORD + "\n", capture_output=True, text=True, timeout=120,
        env={**os.environ, "DATABASE_URL": env_url})
    assert result.returncode == 0, result.stderr
    assert "cecilia är tillagd som administratör" in result.stderr
    engine = db.engine_for(env_url)
    assert users.authenticate(engine, "cecilia", PASSWORD, "10.0.0.1").ok
    listed = run_cli("user", "list", url=env_url)
    assert listed.stdout.startswith("cecilia\tadmin\taktiv")
    refused = run_cli("user", "add", "--help", url=env_url)
    assert "--password" not in refused.stdout  # never as an argument


def test_login_attempts_do_not_empty_the_query_cache(engine):
    add(engine, "anna")
    with engine.connect() as connection:
        before = db.data_version(connection)
    users.authenticate(engine, "anna", "fel", "10.0.0.1")
    users.authenticate(engine, "anna", PASSWORD, "10.0.0.1")
    with engine.connect() as connection:
        assert db.data_version(connection) == before
        assert connection.scalar(select(schema.LoginAttempt.id).limit(1)) is not None
