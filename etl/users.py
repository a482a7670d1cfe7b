"""Local user accounts: two roles, Argon2 password hashes and a login rate limit.

The rate limit counts failed attempts in the database (`login_attempt`), so every worker
process of the web server sees the same counts. A password is only checked when the limit
allows it, which also keeps an attacker from making the server hash passwords without end.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, update

from etl import audit, schema
from etl.db import bump_data_version
from etl.errors import InputError

ROLES = {"viewer": "läsare", "admin": "administratör"}
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
USERNAME = re.compile(r"^[^\W_][\w.@+-]{1,99}$")  # letters (å, ä, ö too), digits, . _ @ + -

LOCKOUT_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
KEEP_ATTEMPTS = timedelta(days=30)

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked when the user name is unknown, so a wrong name takes as long as a wrong password."""
    return _hasher.hash("ingen användare har det här lösenordet")


@dataclass(frozen=True)
class User:
    id: int | None
    username: str
    role: str
    disabled: bool = False
    password_hash: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and not self.disabled

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def fingerprint(self) -> str:
        """Changes when the password does, so a new password ends every old session."""
        return hashlib.sha256((self.password_hash or "").encode()).hexdigest()[:16]


def normalise_username(name: str) -> str:
    return (name or "").strip().lower()


def check_username(name: str) -> str:
    username = normalise_username(name)
    if not USERNAME.match(username):
        raise InputError(
            f"användarnamnet «{name}» går inte att använda.",
            hint="Använd 2–100 tecken: bokstäver, siffror och . _ @ + -, utan mellanslag "
            "(t.ex. åsa.öberg).")
    return username


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InputError(f"lösenordet är för kort (minst {MIN_PASSWORD_LENGTH} tecken).",
                         hint="Välj en lösenfras med flera ord.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(f"lösenordet är för långt (högst {MAX_PASSWORD_LENGTH} tecken).")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"rollen «{role}» finns inte.",
                         hint="Välj viewer (läsare) eller admin (administratör).")
    return role


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _user(row) -> User:
    return User(row.id, row.username, row.role, bool(row.disabled), row.password_hash)


def find(connection: Connection, username: str) -> User | None:
    row = connection.execute(select(schema.AppUser).where(
        schema.AppUser.username == normalise_username(username))).first()
    return _user(row) if row else None


def get(connection: Connection, user_id: int) -> User | None:
    row = connection.execute(select(schema.AppUser).where(
        schema.AppUser.id == user_id)).first()
    return _user(row) if row else None


def all_users(engine: Engine) -> list[dict]:
    u = schema.AppUser
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(
            select(u.id, u.username, u.role, u.disabled, u.created_at, u.last_login_at)
            .order_by(u.username)).mappings()]


def _admins(connection: Connection) -> int:
    u = schema.AppUser
    return int(connection.scalar(select(func.count()).select_from(u).where(
        u.role == "admin", u.disabled.is_(False))) or 0)


def add_user(connection: Connection, username: str, role: str, password: str, *,
             actor: str) -> User:
    """Create an account (in the caller's transaction) and log who created it."""
    username = check_username(username)
    check_role(role)
    check_password(password)
    if find(connection, username) is not None:
        raise InputError(f"användaren «{username}» finns redan.",
                         hint="Välj ett annat namn, eller ändra den befintliga användaren.")
    result = connection.execute(insert(schema.AppUser).values(
        username=username, password_hash=hash_password(password), role=role, disabled=False,
        created_at=schema.utcnow()))
    audit.record(connection, actor, "user.add", "användare", username,
                 after={"roll": role, "aktiv": True})
    bump_data_version(connection)
    return User(int(result.inserted_primary_key[0]), username, role)


def update_user(connection: Connection, username: str, *, actor: str, role: str | None = None,
                disabled: bool | None = None, password: str | None = None) -> bool:
    """Change role, disabled state or password; returns False when nothing changed.

    The last active administrator cannot be demoted or disabled, so nobody is locked out.
    """
    user = find(connection, username)
    if user is None:
        raise InputError(f"användaren «{username}» finns inte.",
                         hint="Se listan med «malbild user list».")
    changes: dict = {}
    before: dict = {}
    after: dict = {}
    if role is not None and check_role(role) != user.role:
        changes["role"], before["roll"], after["roll"] = role, user.role, role
    if disabled is not None and disabled != user.disabled:
        changes["disabled"] = disabled
        before["aktiv"], after["aktiv"] = not user.disabled, not disabled
    if password:
        changes["password_hash"] = hash_password(check_password(password))
        before["lösenord"], after["lösenord"] = "(tidigare)", "(nytt)"
    if not changes:
        return False
    loses_admin = user.is_admin and (changes.get("role", "admin") != "admin"
                                     or changes.get("disabled", False))
    if loses_admin and _admins(connection) <= 1:
        raise InputError(f"«{user.username}» är den enda aktiva administratören.",
                         hint="Gör någon annan till administratör först.")
    connection.execute(update(schema.AppUser).where(schema.AppUser.id == user.id)
                       .values(**changes))
    audit.record(connection, actor, "user.update", "användare", user.username,
                 before=before, after=after)
    bump_data_version(connection)
    return True


# --- Logging in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def _failures_since(connection: Connection, condition, since: datetime) -> int:
    attempt = schema.LoginAttempt
    return int(connection.scalar(select(func.count()).select_from(attempt).where(
        condition, attempt.success.is_(False), attempt.at >= since)) or 0)


def locked_until(connection: Connection, username: str, remote_addr: str,
                 now: datetime | None = None) -> datetime | None:
    """When the login limit for this name or address lifts, if it applies now."""
    now = now or schema.utcnow()
    attempt = schema.LoginAttempt
    window_start = now - LOCKOUT_WINDOW
    last_success = connection.scalar(select(func.max(attempt.at)).where(
        attempt.username == username, attempt.success.is_(True)))
    since = max(window_start, last_success) if last_success else window_start
    limits = [
        (attempt.username == username, since, MAX_FAILURES_PER_USER),
        (attempt.remote_addr == remote_addr, window_start, MAX_FAILURES_PER_ADDRESS),
    ]
    for condition, start, limit in limits:
        if _failures_since(connection, condition, start) >= limit:
            newest = connection.scalar(select(func.max(attempt.at)).where(
                and_(condition, attempt.success.is_(False))))
            return (newest or now) + LOCKOUT_WINDOW
    return None


def authenticate(engine: Engine, username: str, password: str, remote_addr: str) -> LoginResult:
    """Check a name and password under the rate limit, and record the attempt."""
    username = normalise_username(username)[:100]
    remote_addr = (remote_addr or "")[:64]
    with engine.begin() as connection:
        until = locked_until(connection, username, remote_addr)
        user = None
        if until is None:
            found = find(connection, username)
            stored = found.password_hash if found and found.password_hash else _dummy_hash()
            try:
                _hasher.verify(stored, password or "")
                user = found if found and not found.disabled else None
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                user = None
            if user is not None and _hasher.check_needs_rehash(stored):
                new_hash = hash_password(password)
                connection.execute(update(schema.AppUser).where(schema.AppUser.id == user.id)
                                   .values(password_hash=new_hash))
                user = User(user.id, user.username, user.role, user.disabled, new_hash)
        now = schema.utcnow()
        # Attempts are not data the dashboard shows, so they do not bump the data version
        # (a stranger failing to log in must not be able to empty the cache).
        connection.execute(insert(schema.LoginAttempt).values(
            username=username, remote_addr=remote_addr, at=now, success=user is not None))
        if user is not None:
            connection.execute(update(schema.AppUser).where(schema.AppUser.id == user.id)
                               .values(last_login_at=now))
            connection.execute(delete(schema.LoginAttempt).where(
                schema.LoginAttempt.at < now - KEEP_ATTEMPTS))
    return LoginResult(user, until)
