"""The yearly analysis texts: of a measure, of a goal and for the whole year ("Samlad
bedömning"); written, reviewed and adopted (utkast → granskad → fastställd).

A text is about a *scope*: a measure's id, a goal ("mal-1") or the year ("samlad"). The text is
plain text with light Markdown (see `dashboard.present.richtext`); it is stored as written and only
ever shown as text, never as HTML.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, insert, select, update

from etl import audit, schema, users
from etl.db import bump_data_version
from etl.errors import InputError

STATES = {"utkast": "Utkast", "granskad": "Granskad", "fastställd": "Fastställd"}
ADOPTED = "fastställd"
MAX_LENGTH = 20_000
FIRST_YEAR, LAST_YEAR = 1990, 2100
# Control characters other than tab and newline have no place in a text, and Word refuses them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
YEAR_SCOPE = "samlad"
GOAL_PREFIX = "mal-"


def goal_scope(number: int) -> str:
    """The scope of goal `number`'s text: "mal-1"."""
    return f"{GOAL_PREFIX}{number}"


def goal_of(scope: str) -> int | None:
    """The goal number of a goal's scope ("mal-1" → 1); None for any other scope."""
    number = scope.removeprefix(GOAL_PREFIX)
    return int(number) if scope.startswith(GOAL_PREFIX) and number.isdigit() else None


def is_measure(scope: str) -> bool:
    return scope != YEAR_SCOPE and goal_of(scope) is None


def _table(scope: str):
    """The table and the column naming the scope."""
    if is_measure(scope):
        return schema.AnalysisText, schema.AnalysisText.measure_id
    return schema.AssessmentText, schema.AssessmentText.scope


def clean_body(text: str | None) -> str:
    """Newlines as \\n, no control characters, no trailing spaces on lines or at the end."""
    text = CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def current(connection: Connection, scope: str, year: int) -> dict | None:
    """The text about `scope` for `year` (any state), or None (`updated_by_name`: the name
    to show)."""
    table, column = _table(scope)
    row = connection.execute(
        select(table, users.shown_name(table.updated_by).label("updated_by_name"))
        .where(column == scope, table.year == year)).mappings().first()
    return dict(row) if row else None


def texts(engine: Engine, scope: str) -> list[dict]:
    """Every text about `scope`, newest year first (`updated_by_name`: the name to show)."""
    table, column = _table(scope)
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(
            select(table, users.shown_name(table.updated_by).label("updated_by_name"))
            .where(column == scope).order_by(table.year.desc())).mappings()]


def approved_text(engine: Engine, scope: str, year: int) -> dict | None:
    """The fastställd text about `scope` for `year` (body, updated_at, updated_by,
    written_by), or None: what the report and the public pages show."""
    with engine.connect() as connection:
        text = current(connection, scope, year)
    return text if text and text["state"] == ADOPTED and text["body"] else None


def _check_scope(connection: Connection, scope: str) -> None:
    if scope == YEAR_SCOPE:
        return
    if (goal := goal_of(scope)) is not None:
        if connection.scalar(select(schema.Goal.number).where(schema.Goal.number == goal)
                             ) is None:
            raise InputError(f"mål {goal} finns inte i strategin.",
                             hint="Välj ett av strategins mål.")
        return
    if connection.scalar(select(schema.Measure.id).where(schema.Measure.id == scope)) is None:
        raise InputError(f"måttet «{scope}» finns inte i strategin.",
                         hint="Välj ett av strategins mått.")


def save_analysis(engine: Engine, scope: str, year: int, body: str, state: str, *,
                  actor: str, separate_approver: bool = False) -> bool:
    """Store the text and its state; False when nothing changed.

    An adopted (fastställd) text is not rewritten in place: to change its words, set it back to
    utkast or granskad in the same save, so that the change is visible in the log and the report.
    With `separate_approver` (MALBILD_REQUIRE_SEPARATE_APPROVER), the one who wrote the words
    may not adopt them.
    """
    body = clean_body(body)
    if state not in STATES:
        raise InputError(f"läget «{state}» finns inte.",
                         hint="Välj utkast, granskad eller fastställd.")
    if len(body) > MAX_LENGTH:
        raise InputError(f"texten är {len(body)} tecken lång; högst {MAX_LENGTH} får plats.",
                         hint="Korta texten. Ingenting har sparats.")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InputError(f"året {year} går inte att skriva analys för.",
                         hint=f"Välj ett år mellan {FIRST_YEAR} och {LAST_YEAR}.")
    actor = actor[:100]
    with engine.begin() as connection:
        _check_scope(connection, scope)
        old = current(connection, scope, year)
        if old and old["body"] == body and old["state"] == state:
            return False
        if old and old["state"] == ADOPTED and state == ADOPTED and old["body"] != body:
            raise InputError(
                "texten är fastställd och ändras inte i efterhand.",
                hint="Välj läget utkast eller granskad för att ändra texten, och fastställ den "
                "igen när den är klar. Ingenting har sparats.")
        author = (old["written_by"] or old["updated_by"]) if old and old["body"] == body \
            else actor
        if separate_approver and state == ADOPTED and author == actor:
            raise InputError(
                "den som har skrivit texten får inte fastställa den.",
                hint="Spara texten som granskad och be en annan administratör fastställa den. "
                "Ingenting har sparats.")
        values = {"body": body, "state": state, "updated_at": schema.utcnow(),
                  "updated_by": actor, "written_by": author}
        table, column = _table(scope)
        if old:
            connection.execute(update(table).where(table.id == old["id"]).values(**values))
        else:
            connection.execute(insert(table).values({column.key: scope, "year": year,
                                                     **values}))
        audit.record(connection, actor, "analysis.save", "analystext", f"{scope}/{year}",
                     before={"läge": old["state"], "text": old["body"]} if old else None,
                     after={"läge": state, "text": body})
        bump_data_version(connection)
    return True
