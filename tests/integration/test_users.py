"""Accounts: Argon2 hashes, roles, the last administrator, the login limit, and the log."""

from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from etl import clock, db, schema, users
from etl.errors import InputError
from tests.cli import run_cli
from tests.conftest import dump

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


def move_attempts_back(engine, by: timedelta) -> None:
    """As if `by` had passed since every recorded attempt (in Python: SQLite has no date
    arithmetic)."""
    attempts = schema.LoginAttempt.__table__
    with engine.begin() as connection:
        for row in connection.execute(select(attempts.c.id, attempts.c.at)).all():
            connection.execute(attempts.update().where(attempts.c.id == row.id)
                               .values(at=row.at - by))


def fail(engine, times: int, address: str, name: str = "anna") -> users.LoginResult:
    for _ in range(times):
        result = users.authenticate(engine, name, "fel", address)
    return result


def test_failed_logins_lock_the_name_from_that_address_then_the_address(engine):
    add(engine, "anna")
    fail(engine, users.MAX_FAILURES_PER_USER, "10.0.0.1")
    locked = users.authenticate(engine, "anna", PASSWORD, "10.0.0.1")
    assert not locked.ok and locked.locked_until is not None
    # An hour later (the attempts moved back in time), the right password works again.
    move_attempts_back(engine, timedelta(hours=1))
    assert users.authenticate(engine, "anna", PASSWORD, "10.0.0.1").ok
    # Many names from one address: the address is locked too, for every name.
    for number in range(users.MAX_FAILURES_PER_ADDRESS):
        users.authenticate(engine, f"gissning{number}", "fel", "10.0.0.9")
    assert not users.authenticate(engine, "anna", PASSWORD, "10.0.0.9").ok
    assert users.authenticate(engine, "anna", PASSWORD, "10.0.0.3").ok


def test_wrong_passwords_from_elsewhere_never_lock_out_the_administrator(engine):
    """A wrong password every two minutes, from anywhere, used to keep the only
    administrator locked out for good: each attempt during the lock extended it."""
    add(engine, "anna")
    for number in range(30):  # seven wrong passwords in every 15 minutes, for an hour
        fail(engine, 1, "198.51.100.7" if number % 2 else f"203.0.113.{number}")
        move_attempts_back(engine, timedelta(minutes=2))
    assert users.authenticate(engine, "anna", PASSWORD, "10.0.0.1").ok


def test_attempts_during_a_lock_are_refused_without_extending_it(engine):
    add(engine, "anna")
    first = fail(engine, users.MAX_FAILURES_PER_USER + 1, "198.51.100.7").locked_until
    assert first is not None
    for _ in range(10):  # refused, not counted, and the lock ends when it said
        assert fail(engine, 1, "198.51.100.7").locked_until == first
        assert users.authenticate(engine, "anna", PASSWORD, "198.51.100.7").locked_until \
            == first
    with engine.connect() as connection:
        counted = connection.scalar(select(func.count()).select_from(schema.LoginAttempt))
    assert counted == users.MAX_FAILURES_PER_USER
    # Each failure after a lock has ended doubles the next lock, up to the longest.
    locks = [users.FIRST_LOCKOUT]
    for _ in range(6):
        move_attempts_back(engine, locks[-1] + timedelta(seconds=1))
        result = users.authenticate(engine, "anna", "fel", "198.51.100.7")
        assert not result.ok and result.locked_until is None  # the password was checked
        with engine.connect() as connection:
            newest = connection.scalar(select(func.max(schema.LoginAttempt.at)))
        locks.append(fail(engine, 1, "198.51.100.7").locked_until - newest)
    assert locks[1:3] == [2 * users.FIRST_LOCKOUT, 4 * users.FIRST_LOCKOUT]
    assert max(locks) == users.LONGEST_LOCKOUT and locks == sorted(locks)


def test_an_administrator_unlocks_a_name_from_the_command_line(engine, catalogue_db):
    add(engine, "anna")
    fail(engine, users.MAX_FAILURES_PER_USER, "10.0.0.1")
    assert users.authenticate(engine, "anna", PASSWORD, "10.0.0.1").locked_until is not None
    result = run_cli("user", "unlock", "Anna", url=catalogue_db.database_url)
    assert result.returncode == 0, result.stderr
    assert "anna: spärren är hävd" in result.stderr
    assert users.authenticate(engine, "anna", PASSWORD, "10.0.0.1").ok
    with engine.connect() as connection:
        events = connection.execute(select(schema.AuditEvent.action, schema.AuditEvent.object_id)
                                    ).all()
    assert ("user.unlock", "anna") in [tuple(e) for e in events]
    unknown = run_cli("user", "unlock", "ingen", url=catalogue_db.database_url)
    assert unknown.returncode != 0 and "användaren «ingen» finns inte" in unknown.stderr


def test_old_login_attempts_are_purged_on_every_attempt(engine):
    add(engine, "anna")
    fail(engine, 3, "10.0.0.1")
    move_attempts_back(engine, users.COUNTED_WINDOW + timedelta(minutes=1))
    fail(engine, 1, "10.0.0.2")  # a failure, not only a success, purges
    with engine.connect() as connection:
        left = connection.execute(select(schema.LoginAttempt.remote_addr)).scalars().all()
    assert left == ["10.0.0.2"]


def test_what_the_login_limit_counts_is_indexed(engine):
    with engine.connect() as connection:
        indexes = inspect(connection).get_indexes("login_attempt")
    leading = {tuple(index["column_names"]) for index in indexes}
    # the failures of a name from an address, of an address, and the purge by age
    assert ("username", "remote_addr", "success", "at") in leading
    assert ("remote_addr", "success", "at") in leading
    assert ("at",) in leading


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
    result = run_cli("user", "add", "Cecilia", "--role", "admin", url=env_url,
                     input=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert "cecilia är tillagd som administratör" in result.stderr
    engine = db.engine_for(env_url)
    assert users.authenticate(engine, "cecilia", PASSWORD, "10.0.0.1").ok
    listed = run_cli("user", "list", url=env_url)
    assert listed.stdout.startswith("cecilia\tadmin\taktiv")
    refused = run_cli("user", "add", "--help", url=env_url)
    assert refused.returncode == 0 and "--role" in refused.stdout
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


def test_a_display_name_is_shown_beside_what_the_person_changed(catalogue_db):
    """«senast ändrad av» and «Registrerat … av» name the person; the audit log keeps the
    login name. Without a display name the login name is shown."""
    from etl import analysis, targets
    from etl.decision import DecisionRef
    from etl.followup import store

    url = catalogue_db.database_url
    added = run_cli("user", "add", "chef", "--role", "admin", "--display-name",
                    "  Anna   Andersson ", url=url, input=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert run_cli("user", "list", url=url).stdout.split("\n")[0].endswith("\tAnna Andersson")
    engine = db.engine_for(url)
    decided = DecisionRef("KS", clock.today())
    targets.set_target(engine, "telefon-svar", 2030, 80, decided, actor="chef")
    targets.set_target(engine, "telefon-svar", 2031, 80, decided, actor="utan-konto")
    analysis.save_analysis(engine, "telefon-svar", 2024, "Text.", "utkast", actor="chef")
    names = {r["year"]: r["recorded_by_name"] for r in targets.history(engine, "telefon-svar")}
    assert (names[2030], names[2031]) == ("Anna Andersson", "utan-konto")
    assert analysis.texts(engine, "telefon-svar")[0]["updated_by_name"] == "Anna Andersson"
    assert store.analysis_texts(engine, 2024)["telefon-svar"]["updated_by"] == "Anna Andersson"
    assert store.measure_analyses(engine, "telefon-svar")[0]["updated_by"] == "Anna Andersson"

    renamed = run_cli("user", "name", "chef", "", url=url)
    assert renamed.returncode == 0, renamed.stderr
    assert targets.history(engine, "telefon-svar")[1]["recorded_by_name"] == "chef"
    with engine.connect() as connection:
        actors = set(connection.scalars(select(schema.AuditEvent.actor).where(
            schema.AuditEvent.action.in_(["target.set", "analysis.save"]))))
    assert actors == {"chef", "utan-konto"}
    too_long = run_cli("user", "name", "chef", "x" * 101, url=url)
    assert too_long.returncode == 2 and "visningsnamnet är för långt" in too_long.stderr
