"""Who is told of what by e-mail: e-mail addresses, subscriptions and the alerts' cursor.

A person subscribes to kinds of change (`KINDS`). The alert rounds read the change log after
the last change an earlier round told about (`alert_run.last_change_id`); the first
subscription sets that starting point, so that nobody is sent the history of the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from etl import audit, changes, schema
from etl.errors import InputError
from etl.users import find, normalise_username

KINDS = {
    "faststallt": "ändringar som rör en fastställd rapport eller analystext",
    "nya": "nya värden för strategins mått",
    "reviderade": "reviderade värden",
    "borttagna": "borttagna värden",
}
# Also accepted on the command line: the words with å, ä, ö.
KIND_ALIASES = {"fastställt": "faststallt", "fastställd": "faststallt", "nytt": "nya",
                "reviderat": "reviderade", "borttaget": "borttagna", "alla": "alla"}
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
MAX_EMAIL = 254


def check_email(address: str) -> str:
    """An e-mail address, trimmed; an empty one is None's business (see `set_email`)."""
    text = (address or "").strip()
    if len(text) > MAX_EMAIL or not EMAIL.match(text):
        raise InputError(f"«{address}» är ingen e-postadress.",
                         hint="Skriv adressen som namn@kommun.se.")
    return text


def parse_kinds(values: list[str] | None) -> list[str]:
    """`--kind nya --kind reviderade` (or "alla", the default) as the kinds' keys."""
    wanted: list[str] = []
    for value in values or ["alla"]:
        for part in value.split(","):
            key = part.strip().lower()
            key = KIND_ALIASES.get(key, key)
            if key == "alla":
                wanted.extend(KINDS)
            elif key in KINDS:
                wanted.append(key)
            elif key:
                raise InputError(f"«{part.strip()}» är ingen sorts bevakning.",
                                 hint=f"Välj {', '.join(KINDS)} eller alla.")
    return list(dict.fromkeys(wanted))


def _user_id(connection: Connection, name: str) -> int:
    user = find(connection, name)
    if user is None:
        raise InputError(f"användaren «{normalise_username(name)}» finns inte.",
                         hint="Se «malbild user list».")
    return int(user.id)


def set_email(connection: Connection, name: str, address: str | None, *, actor: str) -> bool:
    """Give a user an e-mail address (None or "" removes it). False when nothing changed."""
    user_id = _user_id(connection, name)
    email = check_email(address) if address and address.strip() else None
    u = schema.AppUser
    old = connection.scalar(select(u.email).where(u.id == user_id))
    if old == email:
        return False
    connection.execute(update(u).where(u.id == user_id).values(email=email))
    audit.record(connection, actor, "user.email", "användare", normalise_username(name),
                 before={"e-post": old}, after={"e-post": email})
    return True


def subscriptions(connection: Connection, name: str) -> list[str]:
    s = schema.AlertSubscription
    user_id = _user_id(connection, name)
    stored = set(connection.scalars(select(s.kind).where(s.user_id == user_id)))
    return [kind for kind in KINDS if kind in stored]


def subscribe(connection: Connection, name: str, kinds: list[str], *, actor: str,
              replace: bool = False) -> list[str]:
    """Add these kinds to the user's subscriptions (`replace`: make them exactly these).
    Returns the kinds the user now has."""
    s = schema.AlertSubscription
    user_id = _user_id(connection, name)
    before = subscriptions(connection, name)
    wanted = list(kinds) if replace else [k for k in KINDS if k in set(before) | set(kinds)]
    if wanted == before:
        return before
    connection.execute(delete(s).where(s.user_id == user_id))
    if wanted:
        connection.execute(insert(s), [{"user_id": user_id, "kind": k} for k in wanted])
        start_cursor(connection)
    audit.record(connection, actor, "alerts.subscribe", "bevakning", normalise_username(name),
                 before={"bevakar": before}, after={"bevakar": wanted})
    return wanted


def unsubscribe(connection: Connection, name: str, kinds: list[str] | None, *,
                actor: str) -> list[str]:
    """Remove these kinds (all when None). Returns the kinds the user still has."""
    before = subscriptions(connection, name)
    left = [] if kinds is None else [k for k in before if k not in kinds]
    return subscribe(connection, name, left, actor=actor, replace=True)


@dataclass(frozen=True)
class Subscriber:
    user_id: int
    username: str
    email: str | None
    disabled: bool
    kinds: tuple[str, ...]


def subscribers(connection: Connection, *, reachable_only: bool = False) -> list[Subscriber]:
    """Everyone with a subscription (`reachable_only`: with an address and an open account)."""
    u, s = schema.AppUser, schema.AlertSubscription
    found: dict[int, list] = {}
    for user_id, username, email, disabled, kind in connection.execute(
            select(u.id, u.username, u.email, u.disabled, s.kind)
            .join(s, s.user_id == u.id).order_by(u.username)):
        found.setdefault(user_id, [username, email, disabled, []])[3].append(kind)
    people = [Subscriber(user_id, name, email, bool(disabled),
                         tuple(k for k in KINDS if k in kinds))
              for user_id, (name, email, disabled, kinds) in found.items()]
    if reachable_only:
        people = [p for p in people if p.email and not p.disabled]
    return people


def start_cursor(connection: Connection) -> None:
    """Before the first alert round: start after the newest change there is now."""
    if connection.scalar(select(func.count()).select_from(schema.AlertRun)) == 0:
        connection.execute(insert(schema.AlertRun).values(
            at=schema.utcnow(), first_change_id=None,
            last_change_id=changes.last_change_id(connection), messages=0))


def cursor(connection: Connection) -> int | None:
    """The last change an alert round has told about (None before any round)."""
    return connection.scalar(select(func.max(schema.AlertRun.last_change_id)))


def news_seen(connection: Connection, user_id: int) -> datetime | None:
    """When the person last opened the page Nytt."""
    return connection.scalar(select(schema.AppUser.news_seen_at)
                             .where(schema.AppUser.id == user_id))


def mark_news_seen(connection: Connection, user_id: int) -> None:
    """Remember the visit (no data version bump: a visit changes no data anyone is shown)."""
    connection.execute(update(schema.AppUser).where(schema.AppUser.id == user_id)
                       .values(news_seen_at=schema.utcnow()))


def email_of(connection: Connection, user_id: int) -> str | None:
    return connection.scalar(select(schema.AppUser.email).where(schema.AppUser.id == user_id))
