"""Import of the own measurement's test contacts: read, compare with the store, save in one go.

A file is stored whole or not at all, in one transaction with its import run and audit entry.
Every year's contacts come from one file: the same file again changes nothing, another file for
a stored year is refused unless `replace` (then the year's contacts are replaced and the old
ones kept in the audit log). The command line and the browser upload both call
`import_contacts_file`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select

from etl import audit, load, schema
from etl.errors import InputError
from etl.extract.contacts import ContactsFile, read_contacts
from etl.imports import file_sha256
from etl.settings import Settings
from etl.strategy import CHANNELS

CONTACTS_RUN_KIND = "kontakter-fil"
MAPPING_FILE = ("mappings", "contact_headers.toml")
COMPARED = ("year", "channel", "sent", "answered", "reached_handlaggare", "grade", "forvaltning",
            "enhet", "is_example")


@dataclass(frozen=True)
class YearChange:
    """What an import does (or would do) to one year of contacts.

    `status`: "new" (nothing stored), "unchanged" (the same contacts are stored) or "replaced"
    (other contacts are stored, from `replaced_file`; only with replace).
    """

    year: int
    status: str
    contacts: int
    by_channel: dict[str, int]
    replaced_file: str | None = None
    replaced_contacts: int = 0


@dataclass
class ContactImport:
    """The result of an import of test contacts (or of its dry run)."""

    source: str
    sheet: str | None
    years: list[YearChange]
    counts: load.Counts
    run_id: int | None = None
    dry_run: bool = False
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.counts.changed


def read_contacts_file(path: Path, settings: Settings) -> ContactsFile:
    """Extract and validate a file of test contacts (nothing is stored)."""
    return read_contacts(Path(path), mapping=settings.data_dir.joinpath(*MAPPING_FILE),
                         max_bytes=settings.upload_max_bytes)


def _comparable(rows: list[dict]) -> list[tuple]:
    return sorted((tuple(row[c] for c in COMPARED) for row in rows), key=repr)


def _rows(table: ContactsFile, is_example: bool) -> list[dict]:
    return [{"year": c.year, "channel": c.channel, "sent": c.sent.at,
             "answered": c.answered.at if c.answered else None,
             "reached_handlaggare": c.reached_handlaggare, "grade": c.grade,
             "forvaltning": c.forvaltning, "enhet": c.enhet, "is_example": is_example}
            for c in table.contacts]


def import_contacts_file(engine: Engine, path: Path, settings: Settings, *,
                         replace: bool = False, is_example: bool = False,
                         requested_by: str | None = None, dry_run: bool = False,
                         source_name: str | None = None) -> ContactImport:
    """Import a file of test contacts: every year in it, or nothing.

    `source_name` is recorded as the source (an uploaded file's own name).
    """
    path = Path(path)
    source = source_name or str(path)
    table = read_contacts_file(path, settings)
    sha = file_sha256(path)
    rows = _rows(table, is_example)
    years = table.years
    contact, run = schema.Contact.__table__, schema.ImportRun
    with engine.begin() as connection:
        stored = [dict(r) for r in connection.execute(
            select(contact, run.location, run.file_sha256, run.started_at)
            .join(run, run.id == contact.c.import_run_id)
            .where(contact.c.year.in_(years))
        ).mappings()]
        changes = []
        for year in years:
            new = [r for r in rows if r["year"] == year]
            old = [r for r in stored if r["year"] == year]
            counted = Counter(r["channel"] for r in new)
            by_channel = {c: counted[c] for c in CHANNELS if counted[c]}
            if not old:
                changes.append(YearChange(year, "new", len(new), by_channel))
                continue
            if _comparable(old) == _comparable(new):
                changes.append(YearChange(year, "unchanged", len(new), by_channel))
                continue
            files = sorted({(r["started_at"], Path(r["location"]).name, r["file_sha256"])
                            for r in old})
            started_at, name, old_sha = files[-1]
            if old_sha != sha and not replace:
                raise InputError(
                    f"testkontakterna för {year} är redan inlästa från en annan fil ({name}, "
                    f"{started_at:%Y-%m-%d}).",
                    table.where(),
                    hint="Ange --replace för att ersätta årets kontakter med filens (de gamla "
                    "sparas i loggen), eller kontrollera att det är rätt fil. Ett år läses in "
                    "från en fil: har ni årets kontakter i flera filer, slå ihop dem först. "
                    "Ingenting har sparats.")
            changes.append(YearChange(year, "replaced", len(new), by_channel, name, len(old)))
        changed_years = [c.year for c in changes if c.status != "unchanged"]
        added = sum(c.contacts for c in changes if c.status != "unchanged")
        removed = sum(c.replaced_contacts for c in changes)
        unchanged = sum(c.contacts for c in changes if c.status == "unchanged")
        result = ContactImport(source, table.sheet, changes,
                               load.Counts(added=added, removed=removed, unchanged=unchanged),
                               dry_run=dry_run, columns=table.columns)
        if dry_run or not changed_years:
            return result
        replaced = [r for r in stored if r["year"] in changed_years]
        if replaced:
            connection.execute(delete(contact).where(contact.c.year.in_(changed_years)))
            _log_replaced(connection, replaced, source, requested_by)
        run_id = load.start_run(connection, CONTACTS_RUN_KIND, source, file_sha256=sha,
                                scope={"years": changed_years}, is_example=is_example,
                                requested_by=requested_by)
        connection.execute(insert(contact), [{**r, "import_run_id": run_id} for r in rows
                                             if r["year"] in changed_years])
        load.finish_run(connection, run_id, result.counts)
        audit.record(
            connection, requested_by or audit.command_line_actor(), "import.contacts", "import",
            str(run_id),
            before={"fil": ", ".join(sorted({c.replaced_file for c in changes
                                             if c.replaced_file})),
                    "kontakter": removed} if replaced else None,
            after={"fil": Path(source).name, "år": ", ".join(map(str, changed_years)),
                   "kontakter": added})
        result.run_id = run_id
    return result


def _log_replaced(connection, rows: list[dict], new_source: str, actor: str | None) -> None:
    """Keep the contacts an import replaces, so a replaced year can be looked up."""
    kept = [c for c in COMPARED if c != "is_example"] + ["is_example", "location"]

    def plain(value: object) -> object:
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value

    years = sorted({r["year"] for r in rows})
    connection.execute(insert(schema.AuditEvent).values(
        at=schema.utcnow(), actor=actor or audit.command_line_actor(),
        action="import.contacts.replaced", object_type="contact",
        object_id=",".join(map(str, years)),
        before=json.dumps([{k: plain(r[k]) for k in kept} for r in rows], ensure_ascii=False),
        after=json.dumps({"source": new_source}, ensure_ascii=False),
    ))
