"""Accounts as the web reads and changes them: who a login or a session belongs to, and an
administrator's or a person's own changes to an account, each in one transaction.

The rules (names, roles, passwords, e-mail addresses) are `etl.users` and `etl.alerts`; this
module only holds the connection around them.
"""

from __future__ import annotations

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
             actor: str) -> users.User:
    """A new account, with its e-mail address when one is given; both or neither are saved."""
    with engine.begin() as connection:
        user = users.add_user(connection, username, role, password, actor=actor)
        if (email or "").strip():
            alerts.set_email(connection, user.username, email, actor=actor)
    return user


def update_user(engine: Engine, username: str, *, actor: str, role: str, disabled: bool,
                password: str | None, email: str | None) -> bool:
    """Change an account's role, state, password and e-mail address together; whether anything
    changed."""
    with engine.begin() as connection:
        changed = users.update_user(connection, username, actor=actor, role=role,
                                    disabled=disabled, password=password)
        return alerts.set_email(connection, username, email, actor=actor) or changed


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
