"""Accounts and subscriptions as the web and the command line read and change them: who a
login or a session belongs to, and an administrator's or a person's own changes, each in one
transaction (`malbild user …`, `malbild alerts …`, /admin/anvandare, /bevakning).

The rules (names, roles, passwords, e-mail addresses) are `etl.users` and `etl.alerts`; this
module only holds the connection around them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from etl import alerts, users


def user_named(engine: Engine, username: str) -> users.User | None:
    """The account with this (normalised) user name, disabled or not; None when there is none."""
    with engine.connect() as connection:
        return users.find(connection, username)


def session_user(engine: Engine, token: str | None, user_id: int) -> users.User | None:
    """The account `user_id`, when `token` is a live session of that account; else None."""
    with engine.connect() as connection:
        live = users.session_user(connection, token)
        return users.get(connection, user_id) if live == user_id else None


def add_user(engine: Engine, username: str, role: str, password: str, email: str | None, *,
             actor: str, display_name: str | None = None) -> users.User:
    """A new account, with its e-mail address when one is given; both or neither are saved."""
    with engine.begin() as connection:
        user = users.add_user(connection, username, role, password, actor=actor,
                              display_name=display_name)
        if (email or "").strip():
            alerts.set_email(connection, user.username, email, actor=actor)
    return user


_KEEP = object()  # an e-mail address left as it is


def update_user(engine: Engine, username: str, *, actor: str, email: object = _KEEP,
                **changes) -> bool:
    """Change an account (`etl.users.update_user`: role, state, password, name) and, when
    given, its e-mail address, together; whether anything changed."""
    with engine.begin() as connection:
        changed = users.update_user(connection, username, actor=actor, **changes)
        if email is not _KEEP:
            changed = alerts.set_email(connection, username, email, actor=actor) or changed
        return changed


def set_email(engine: Engine, username: str, address: str, *, actor: str) -> bool:
    """Whether the address changed."""
    with engine.begin() as connection:
        return alerts.set_email(connection, username, address, actor=actor)


def unlock(engine: Engine, username: str, *, actor: str) -> int:
    """How many failed logins were forgotten."""
    with engine.begin() as connection:
        return users.unlock(connection, username, actor=actor)


def subscription(engine: Engine, user_id: int, username: str) -> tuple[str | None, list[str]]:
    """A person's e-mail address for alerts (None without one) and the kinds they follow."""
    with engine.connect() as connection:
        return alerts.email_of(connection, user_id), alerts.subscriptions(connection, username)


def save_subscription(engine: Engine, username: str, email: str | None, kinds: list[str], *,
                      actor: str) -> list[str]:
    """Set a person's e-mail address and replace what they follow, together; the kinds they
    follow now."""
    with engine.begin() as connection:
        alerts.set_email(connection, username, email, actor=actor)
        return alerts.subscribe(connection, username, kinds, actor=actor, replace=True)


@dataclass(frozen=True)
class Subscribed:
    """Whom a subscription is for, what they now follow, and where they are told of it."""

    user: users.User
    kinds: list[str]
    email: str | None


def subscribe(engine: Engine, username: str, kinds: list[str], *, actor: str) -> Subscribed:
    with engine.begin() as connection:
        now = alerts.subscribe(connection, username, kinds, actor=actor)
        user = users.find(connection, username)
        return Subscribed(user, now, alerts.email_of(connection, user.id))


def unsubscribe(engine: Engine, username: str, kinds: list[str] | None, *, actor: str
                ) -> list[str]:
    """What the person still follows."""
    with engine.begin() as connection:
        return alerts.unsubscribe(connection, username, kinds, actor=actor)
