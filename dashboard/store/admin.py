"""The command line's writes of accounts and subscriptions, each in one transaction of its own
(`malbild user …`, `malbild alerts …`); the checks and the audit log are `etl`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from etl import alerts, users


def add_user(engine: Engine, name: str, role: str, password: str, *, actor: str,
             display_name: str | None = None, email: str | None = None) -> users.User:
    """A new account, with its e-mail address when given: both or neither."""
    with engine.begin() as connection:
        user = users.add_user(connection, name, role, password, actor=actor,
                              display_name=display_name)
        if email:
            alerts.set_email(connection, user.username, email, actor=actor)
    return user


def set_email(engine: Engine, name: str, address: str, *, actor: str) -> bool:
    """Whether the address changed."""
    with engine.begin() as connection:
        return alerts.set_email(connection, name, address, actor=actor)


def update_user(engine: Engine, name: str, *, actor: str, **changes) -> bool:
    """Whether anything changed (`etl.users.update_user`)."""
    with engine.begin() as connection:
        return users.update_user(connection, name, actor=actor, **changes)


def unlock(engine: Engine, name: str, *, actor: str) -> int:
    """How many failed logins were forgotten."""
    with engine.begin() as connection:
        return users.unlock(connection, name, actor=actor)


@dataclass(frozen=True)
class Subscribed:
    """Whom a subscription is for, what they now follow, and where they are told of it."""

    user: users.User
    kinds: list[str]
    email: str | None


def subscribe(engine: Engine, name: str, kinds: list[str], *, actor: str) -> Subscribed:
    with engine.begin() as connection:
        now = alerts.subscribe(connection, name, kinds, actor=actor)
        user = users.find(connection, name)
        return Subscribed(user, now, alerts.email_of(connection, user.id))


def unsubscribe(engine: Engine, name: str, kinds: list[str] | None, *, actor: str
                ) -> list[str]:
    """What the person still follows."""
    with engine.begin() as connection:
        return alerts.unsubscribe(connection, name, kinds, actor=actor)
