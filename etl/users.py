"""Local user accounts: two roles, Argon2 password hashes and a login rate limit.

The rate limit counts failed attempts in the database (`login_attempt`), so every worker
process of the web server sees the same counts. A password is only checked when the limit
allows it, which also keeps an attacker from making the server hash passwords without end.
A name is locked per address (a stranger's guesses never lock its owner out elsewhere), an
address for every name; an attempt during a lock is refused without being counted, so the lock
ends when it said, and each failure after a lock doubles the next one, up to LONGEST_LOCKOUT.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, update

from etl import audit, schema
from etl.db import bump_data_version, serialize
from etl.errors import InputError

ROLES = {"viewer": "läsare", "admin": "administratör"}
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
USERNAME = re.compile(r"^[^\W_][\w.@+-]{1,99}$")  # letters (å, ä, ö too), digits, . _ @ + -

MAX_FAILURES_PER_USER = 5  # of one name from one address
MAX_FAILURES_PER_ADDRESS = 20  # from one address, whatever the names
FIRST_LOCKOUT = timedelta(minutes=15)
LONGEST_LOCKOUT = timedelta(hours=4)
# Failures older than this are not counted, and so not kept either.
COUNTED_WINDOW = timedelta(hours=24)
SESSION_LIFETIME = timedelta(hours=10)
LOGIN_LOCK = "malbild-login"
ADMINS_LOCK = "malbild-admins"
# The most common passwords of at least MIN_PASSWORD_LENGTH characters (from published lists of
# leaked passwords), compared without case, spaces and punctuation.
COMMON_PASSWORDS = frozenset({
    "password1234", "password12345", "password123456", "qwertyuiop123", "qwertyuiopasdf",
    "123456789012", "1234567890123", "abcdefghijkl", "sommarensommar", "losenord1234",
    "lösenord1234", "lösenordlösenord", "passwordpassword", "iloveyou1234", "welcome12345",
    "välkommen123", "valkommen123", "administrator", "administrator1", "admin1234567",
    "qwerty123456", "asdfghjkl123", "1q2w3e4r5t6y", "trustno1trustno1", "letmein12345",
    "sommar2024sommar", "hejhejhejhej", "mittlosenord", "mittlösenord1", "changeme1234",
    "målbildmålbild", "malbildmalbild", "kommunen1234", "qwertzuiop12", "abc123abc123",
})

# Argon2id with the library's defaults (RFC 9106's second recommended option: 64 MiB, three
# passes); the tests' own process swaps `_hasher` for a cheap one (tests/conftest.py).
PASSWORD_HASHER = PasswordHasher()
_hasher = PASSWORD_HASHER


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
    display_name: str | None = None

    @property
    def shown_name(self) -> str:
        """The display name, or the login name when the account has none."""
        return self.display_name or self.username

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


def _is_run(text: str) -> bool:
    """Every character one step up or down from the one before ("abcdef…", "987654…")."""
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return len(steps) == 1 and steps <= {-1, 1}


def _is_repeated(text: str) -> bool:
    """One short part over and over ("aaaa…", "abcabcabc…", "hejhejhej…")."""
    return any(len(text) % size == 0 and text == text[:size] * (len(text) // size)
               for size in range(1, len(text) // 2 + 1))


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InputError(f"lösenordet är för kort (minst {MIN_PASSWORD_LENGTH} tecken).",
                         hint="Välj en lösenfras med flera ord.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(f"lösenordet är för långt (högst {MAX_PASSWORD_LENGTH} tecken).")
    core = "".join(c for c in password.lower() if c.isalnum())
    if not core or len(set(core)) < 4 or _is_repeated(core) or _is_run(core) \
            or core in COMMON_PASSWORDS or password.lower() in COMMON_PASSWORDS:
        raise InputError("lösenordet är för lätt att gissa (ett vanligt lösenord, samma tecken "
                         "om och om igen, en följd som «abcdef…» eller bara mellanslag).",
                         hint="Välj en lösenfras med flera ord som inte hör ihop, t.ex. "
                         "«blå kanot under trappan».")
    return password


def _name_skeleton(username: str) -> str:
    """A user name without case, accents' forms or punctuation: "Anna.Berg" ~ "anna_berg"."""
    text = unicodedata.normalize("NFKC", username).casefold()
    return "".join(c for c in text if c.isalnum())


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"rollen «{role}» finns inte.",
                         hint="Välj viewer (läsare) eller admin (administratör).")
    return role


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _user(row) -> User:
    return User(row.id, row.username, row.role, bool(row.disabled), row.password_hash,
                row.display_name)


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
            select(u.id, u.username, u.role, u.disabled, u.created_at, u.last_login_at,
                   u.email, u.display_name)
            .order_by(u.username)).mappings()]


def _admins(connection: Connection) -> int:
    u = schema.AppUser
    return int(connection.scalar(select(func.count()).select_from(u).where(
        u.role == "admin", u.disabled.is_(False))) or 0)


MAX_DISPLAY_NAME = 100


def check_display_name(name: str | None) -> str | None:
    """A display name as it will be shown (spaces tidied); None for none."""
    clean = " ".join((name or "").split())
    if len(clean) > MAX_DISPLAY_NAME:
        raise InputError(f"visningsnamnet är för långt (högst {MAX_DISPLAY_NAME} tecken).",
                         hint="Skriv för- och efternamn, t.ex. Anna Andersson.")
    if any(not c.isprintable() for c in clean):
        raise InputError("visningsnamnet innehåller tecken som inte kan visas.",
                         hint="Skriv för- och efternamn, t.ex. Anna Andersson.")
    return clean or None


def shown_name(login_column):
    """A column of login names (who changed something) as the names to show: the person's
    display name where the account has one, else the login name as stored."""
    u = schema.AppUser
    display = (select(u.display_name).where(u.username == login_column)
               .scalar_subquery())
    return func.coalesce(display, login_column)


def add_user(connection: Connection, username: str, role: str, password: str, *,
             actor: str, display_name: str | None = None) -> User:
    """Create an account (in the caller's transaction) and log who created it."""
    username = check_username(username)
    display_name = check_display_name(display_name)
    check_role(role)
    check_password(password)
    if find(connection, username) is not None:
        raise InputError(f"användaren «{username}» finns redan.",
                         hint="Välj ett annat namn, eller ändra den befintliga användaren.")
    skeleton = _name_skeleton(username)
    lookalike = next((name for name in connection.scalars(select(schema.AppUser.username))
                      if _name_skeleton(name) == skeleton), None)
    if lookalike is not None:
        raise InputError(f"användarnamnet «{username}» är för likt «{lookalike}», som redan "
                         "finns (bara skiljetecken eller stora och små bokstäver skiljer).",
                         hint="Välj ett namn som går att skilja från de andra.")
    result = connection.execute(insert(schema.AppUser).values(
        username=username, password_hash=hash_password(password), role=role, disabled=False,
        created_at=schema.utcnow(), display_name=display_name))
    audit.record(connection, actor, "user.add", "användare", username,
                 after={"roll": role, "aktiv": True,
                        **({"visningsnamn": display_name} if display_name else {})})
    bump_data_version(connection)
    return User(int(result.inserted_primary_key[0]), username, role,
                display_name=display_name)


def existing(connection: Connection, username: str) -> User:
    """The account of a name; an InputError if there is none."""
    user = find(connection, username)
    if user is None:
        raise InputError(f"användaren «{normalise_username(username)}» finns inte.",
                         hint="Se listan med «malbild user list».")
    return user


def update_user(connection: Connection, username: str, *, actor: str, role: str | None = None,
                disabled: bool | None = None, password: str | None = None,
                display_name: str | None = None) -> bool:
    """Change role, disabled state, password or display name ("" removes it); returns False
    when nothing changed.

    The last active administrator cannot be demoted or disabled, so nobody is locked out.
    """
    # Two demotions at once must not both see two administrators: one waits for the other.
    serialize(connection, ADMINS_LOCK)
    user = existing(connection, username)
    changes: dict = {}
    before: dict = {}
    after: dict = {}
    if role is not None and check_role(role) != user.role:
        changes["role"], before["roll"], after["roll"] = role, user.role, role
    if disabled is not None and disabled != user.disabled:
        changes["disabled"] = disabled
        before["aktiv"], after["aktiv"] = not user.disabled, not disabled
    if display_name is not None and check_display_name(display_name) != user.display_name:
        new_name = check_display_name(display_name)
        changes["display_name"] = new_name
        before["visningsnamn"], after["visningsnamn"] = user.display_name, new_name
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
    if "password_hash" in changes or changes.get("disabled"):
        end_sessions(connection, user.id)
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


def lockout(failures: int, limit: int) -> timedelta | None:
    """How long `failures` lock: nothing below the limit, FIRST_LOCKOUT at it, twice as long
    for each failure more, never longer than LONGEST_LOCKOUT."""
    if failures < limit:
        return None
    return min(FIRST_LOCKOUT * 2 ** min(failures - limit, 16), LONGEST_LOCKOUT)


def locked_until(connection: Connection, username: str, remote_addr: str,
                 now: datetime | None = None) -> datetime | None:
    """When the login limit for this name from this address, or for the address, lifts, if it
    applies now."""
    now = now or schema.utcnow()
    attempt = schema.LoginAttempt
    counted_from = now - COUNTED_WINDOW
    pair = and_(attempt.username == username, attempt.remote_addr == remote_addr)
    last_success = connection.scalar(select(func.max(attempt.at)).where(
        pair, attempt.success.is_(True), attempt.at >= counted_from))
    limits = [(pair, max(counted_from, last_success or counted_from), MAX_FAILURES_PER_USER),
              (attempt.remote_addr == remote_addr, counted_from, MAX_FAILURES_PER_ADDRESS)]
    until = None
    for condition, since, limit in limits:
        failures, newest = connection.execute(select(func.count(), func.max(attempt.at)).where(
            condition, attempt.success.is_(False), attempt.at >= since)).one()
        length = lockout(int(failures or 0), limit)
        if length is not None and newest + length > now:
            until = max(until or now, newest + length)
    return until


def authenticate(engine: Engine, username: str, password: str, remote_addr: str) -> LoginResult:
    """Check a name and password under the rate limit, and record the attempt.

    Checking the limit and counting the attempt happen under one lock, before the (slow)
    password check: the attempt counts as failed until the password proves right, so parallel
    guesses can never get more passwords checked than the limit allows.
    """
    username = normalise_username(username)[:100]
    remote_addr = (remote_addr or "")[:64]
    attempt = schema.LoginAttempt
    with engine.begin() as connection:
        serialize(connection, LOGIN_LOCK)
        now = schema.utcnow()
        connection.execute(delete(attempt).where(attempt.at < now - COUNTED_WINDOW))
        until = locked_until(connection, username, remote_addr, now)
        if until is not None:  # refused, and not counted: the lock ends when it said
            return LoginResult(None, until)
        # Attempts are not data the dashboard shows, so they do not bump the data version
        # (a stranger failing to log in must not be able to empty the cache).
        attempt_id = connection.execute(insert(attempt).values(
            username=username, remote_addr=remote_addr, at=now, success=False)
        ).inserted_primary_key[0]
        found = find(connection, username)
    stored = found.password_hash if found and found.password_hash else _dummy_hash()
    try:
        if len(password or "") > MAX_PASSWORD_LENGTH:  # never set, so never right
            raise VerifyMismatchError
        _hasher.verify(stored, password or "")
        user = found if found and not found.disabled else None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user = None
    if user is None:
        return LoginResult(None)
    with engine.begin() as connection:
        values: dict = {"last_login_at": now}
        if _hasher.check_needs_rehash(stored):
            values["password_hash"] = hash_password(password)
            user = User(user.id, user.username, user.role, user.disabled,
                        values["password_hash"])
        connection.execute(update(schema.AppUser).where(schema.AppUser.id == user.id)
                           .values(**values))
        connection.execute(update(attempt).where(attempt.id == attempt_id)
                           .values(success=True))
    return LoginResult(user)


def unlock(connection: Connection, username: str, *, actor: str) -> int:
    """Forget the failed logins of a name from every address, so that its locks lift (and the
    addresses' counts lose them too); logged. Returns how many were forgotten."""
    serialize(connection, LOGIN_LOCK)
    user = existing(connection, username)
    attempt = schema.LoginAttempt
    forgotten = connection.execute(delete(attempt).where(
        attempt.username == user.username, attempt.success.is_(False))).rowcount
    audit.record(connection, actor, "user.unlock", "användare", user.username,
                 before={"misslyckade inloggningar": forgotten},
                 after={"misslyckade inloggningar": 0})
    bump_data_version(connection)
    return forgotten


# --- Sessions -----------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(engine: Engine, user_id: int) -> str:
    """A new session for the user: the token goes into the (signed) cookie, its hash here."""
    token = secrets.token_urlsafe(32)
    now = schema.utcnow()
    with engine.begin() as connection:
        connection.execute(insert(schema.UserSession).values(
            token_hash=_token_hash(token), user_id=user_id, created_at=now))
        connection.execute(delete(schema.UserSession).where(
            schema.UserSession.created_at < now - SESSION_LIFETIME))
    return token


def session_user(connection: Connection, token: str) -> int | None:
    """The user id of a live session, or None (ended, expired or never started)."""
    if not isinstance(token, str) or not token:
        return None
    row = connection.execute(select(schema.UserSession.user_id, schema.UserSession.created_at)
                             .where(schema.UserSession.token_hash == _token_hash(token))).first()
    if row is None or row.created_at < schema.utcnow() - SESSION_LIFETIME:
        return None
    return int(row.user_id)


def end_session(engine: Engine, token: str | None) -> None:
    if isinstance(token, str) and token:
        with engine.begin() as connection:
            connection.execute(delete(schema.UserSession).where(
                schema.UserSession.token_hash == _token_hash(token)))


def end_sessions(connection: Connection, user_id: int) -> None:
    """End every session of a user (a new password, a disabled account)."""
    connection.execute(delete(schema.UserSession).where(schema.UserSession.user_id == user_id))
