"""The yearly analysis text of a measure: written, reviewed and adopted (utkast → granskad →
fastställd).

The text is plain text with light Markdown (see `dashboard.richtext`); it is stored as
written and only ever shown as text, never as HTML.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, insert, select, update

from etl import audit, schema, users
from etl.db import bump_data_version
from etl.errors import InputError

STATES = {"utkast": "Utkast", "granskad": "Granskad", "fastställd": "Fastställd"}
MAX_LENGTH = 20_000
FIRST_YEAR, LAST_YEAR = 1990, 2100
# Control characters other than tab and newline have no place in a text, and Word refuses them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_body(text: str | None) -> str:
    """Newlines as \\n, no control characters, no trailing spaces on lines or at the end."""
    text = CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def current(connection: Connection, measure_id: str, year: int) -> dict | None:
    """The measure's analysis for the year (`updated_by_name`: the name to show)."""
    a = schema.AnalysisText
    row = connection.execute(
        select(a, users.shown_name(a.updated_by).label("updated_by_name"))
        .where(a.measure_id == measure_id, a.year == year)).mappings().first()
    return dict(row) if row else None


def texts(engine: Engine, measure_id: str) -> list[dict]:
    """Every analysis of a measure, newest year first (`updated_by_name`: the name to show)."""
    a = schema.AnalysisText
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(
            select(a, users.shown_name(a.updated_by).label("updated_by_name"))
            .where(a.measure_id == measure_id).order_by(a.year.desc())).mappings()]


def save_analysis(engine: Engine, measure_id: str, year: int, body: str, state: str, *,
                  actor: str) -> bool:
    """Store the text and its state; False when nothing changed.

    An adopted (fastställd) text is not rewritten in place: to change its words, set it back to
    utkast or granskad in the same save, so that the change is visible in the log and the report.
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
    with engine.begin() as connection:
        known = connection.scalar(select(schema.Measure.id).where(
            schema.Measure.id == measure_id))
        if known is None:
            raise InputError(f"måttet «{measure_id}» finns inte i strategin.",
                             hint="Välj ett av strategins mått.")
        old = current(connection, measure_id, year)
        if old and old["body"] == body and old["state"] == state:
            return False
        if old and old["state"] == "fastställd" and state == "fastställd" \
                and old["body"] != body:
            raise InputError(
                "texten är fastställd och ändras inte i efterhand.",
                hint="Välj läget utkast eller granskad för att ändra texten, och fastställ den "
                "igen när den är klar. Ingenting har sparats.")
        values = {"body": body, "state": state, "updated_at": schema.utcnow(),
                  "updated_by": actor[:100]}
        table = schema.AnalysisText
        if old:
            connection.execute(update(table).where(table.id == old["id"]).values(**values))
        else:
            connection.execute(insert(table).values(measure_id=measure_id, year=year, **values))
        audit.record(connection, actor, "analysis.save", "analystext", f"{measure_id}/{year}",
                     before={"läge": old["state"], "text": old["body"]} if old else None,
                     after={"läge": state, "text": body})
        bump_data_version(connection)
    return True
