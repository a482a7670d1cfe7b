"""The audit log: who changed what, when, from what to what.

Every write that a person makes (an import, a target, an analysis text, a user account) adds
one `audit_event` row in the same transaction as the change itself, so the log can never say
that something happened that was rolled back, nor miss something that was kept.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import Connection, Engine, insert, select

from etl import schema

ACTIONS = {
    "import.kolada": "Import av Kolada-värden",
    "import.survey": "Import av medarbetarenkät",
    "import.survey.replaced": "Medarbetarenkät ersatt (de tidigare sammanställningarna)",
    "import.contacts": "Import av testkontakter (egen mätning)",
    "import.contacts.replaced": "Testkontakter ersatta (de tidigare kontakterna)",
    "target.set": "Mål satt",
    "analysis.save": "Analystext sparad",
    "user.add": "Användare skapad",
    "user.update": "Användare ändrad",
    "user.unlock": "Spärr efter misslyckade inloggningar hävd",
    "user.email": "E-postadress ändrad",
    "alerts.subscribe": "Bevakning ändrad",
    "report.freeze": "Rapport fastställd och arkiverad",
}
"""Action codes (stored) and how they read in the log (shown)."""

ACTION_GROUPS = {
    "import": "Importer",
    "target": "Mål",
    "analysis": "Analystexter",
    "user": "Användare",
    "report": "Rapporter",
    "alerts": "Bevakningar",
}


def command_line_actor() -> str:
    """Who is running the command line: "kommandorad (anna)"."""
    try:
        name = getpass.getuser()
    except Exception:  # no user name in some containers
        name = "okänd"
    return f"kommandorad ({name})"[:100]


def _json(value: Mapping | None) -> str:
    if not value:
        return ""

    def plain(item: object) -> object:
        if isinstance(item, datetime | date):
            return item.isoformat()
        return str(item)

    return json.dumps(dict(value), ensure_ascii=False, sort_keys=True, default=plain)


def record(connection: Connection, actor: str, action: str, object_type: str,
           object_id: str = "", *, before: Mapping | None = None,
           after: Mapping | None = None) -> None:
    """Add one event inside the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"okänd händelse i loggen: {action}")
    connection.execute(insert(schema.AuditEvent).values(
        at=schema.utcnow(), actor=(actor or "okänd")[:100], action=action,
        object_type=object_type[:64], object_id=str(object_id)[:200],
        before=_json(before), after=_json(after),
    ))


def events(engine: Engine, *, group: str | None = None, limit: int | None = None) -> list[dict]:
    """The newest events first; `group` is an action prefix such as "target" or "user"."""
    event = schema.AuditEvent
    statement = select(event).order_by(event.id.desc())
    if group:
        statement = statement.where(event.action.like(f"{group}.%"))
    if limit:
        statement = statement.limit(limit)
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(statement).mappings()]


def describe(value: str) -> str:
    """A stored before/after JSON text as "key: value; key: value" for people."""
    if not value:
        return ""
    try:
        data = json.loads(value)
    except json.JSONDecodeError:
        return value
    if not isinstance(data, dict):
        return str(data)
    return "; ".join(f"{key}: {'–' if item in (None, '') else item}"
                     for key, item in data.items())
