"""Files uploaded in the browser, through the same import pipelines as the command line.

A file arrives in a callback (as the browser read it), is checked for size, written under its
own name to a private temporary directory, and handed to `etl.imports` — first as a dry run
whose result is the preview, then, when the administrator confirms, for real. Nothing is kept
on the server between the two: the confirmation sends the file again, and the import only
goes ahead if it is the same file (SHA-256) and the database has not changed since the
preview (its data version), so what is imported is what was shown.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Engine

from dashboard.present.contact_words import contacts_summary, year_row
from dashboard.store.sync import data_version
from dashboard.store.uploads import catalogue_titles
from dashboard.web import auth
from etl import contacts, imports, numbers
from etl.errors import InputError, Location, MalbildError
from etl.progress import Progress, silent
from etl.settings import Settings

KINDS = {
    "kolada": "Kolada-värden (CSV eller Excel, även webbexport och .csv.gz)",
    "enkat": "Medarbetarenkät (Excel eller CSV)",
    "kontakter": "Testkontakter, egen mätning (Excel eller CSV)",
}
KIND_NAMES = {"kolada": "Kolada-värden", "enkat": "medarbetarenkät",
              "kontakter": "testkontakter"}
SUFFIXES = {
    "kolada": (".csv", ".txt", ".gz", ".xlsx", ".xlsm"),
    "enkat": (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"),
    "kontakter": (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"),
}
MAX_NAME = 120
SAMPLE_ROWS = 20
UNSAFE_IN_NAMES = re.compile(r"[\x00-\x1f\x7f/\\]")


def safe_filename(name: str | None) -> str:
    """The file's own name, usable as a file name here: no folders, no control characters.

    Everything else is kept (the name is shown, as text, in the preview and the log).
    """
    base = re.split(r"[/\\]", name or "")[-1]
    base = UNSAFE_IN_NAMES.sub("_", base).strip().lstrip(".")
    if len(base) > MAX_NAME:
        stem, dot, suffix = base.rpartition(".")
        base = (stem[:MAX_NAME - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 10 \
            else base[:MAX_NAME]
    return base or "uppladdad-fil"


def decode(contents: str | None, filename: str, max_bytes: int) -> bytes:
    """The bytes of an upload (a data: URL), refused when too big, before it is decoded."""
    if not contents or "," not in contents:
        raise InputError("ingen fil har valts.", hint="Välj en fil att importera.")
    data = contents.split(",", 1)[1]
    size = len(data) * 3 // 4
    if size > max_bytes:
        raise InputError(
            f"filen är {megabytes(size)}; största tillåtna storlek är {megabytes(max_bytes)}.",
            Location(filename),
            hint="Kontrollera att det är rätt fil, eller be den som driftar Målbild höja "
            "gränsen (MALBILD_UPLOAD_MAX_BYTES).")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InputError("filen kom inte fram hel.", Location(filename),
                         hint="Välj filen igen.") from None


def megabytes(size: int) -> str:
    """25 * 1024 * 1024 → "25 MB", 1.5 MB → "1,5 MB" (decimal comma), 300 bytes → "1 kB"."""
    if size < 1024 * 1024:
        return f"{max(1, math.ceil(size / 1024))} kB"
    number = size / 1024 / 1024
    return numbers.number(number, 0 if number >= 10 or number.is_integer() else 1) + " MB"


@contextmanager
def as_file(content: bytes, filename: str) -> Iterator[Path]:
    """The content as a file with its own name in a private directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="malbild-uppladdning-") as directory:
        path = Path(directory) / filename
        path.write_bytes(content)
        yield path


def check_kind(kind: str, filename: str) -> None:
    if kind not in KINDS:
        raise InputError("välj vad filen innehåller.",
                         hint="Kolada-värden, medarbetarenkät eller testkontakter.")
    if not filename.lower().endswith(SUFFIXES[kind]):
        raise InputError(
            f"filtypen går inte att läsa som {KIND_NAMES[kind]}.",
            Location(filename),
            hint="Välj en fil som slutar på " + ", ".join(SUFFIXES[kind]) + ".")


@dataclass
class Preview:
    """What an import of the file would do, and the ticket that lets it be confirmed."""

    kind: str
    filename: str
    sha256: str
    version: int
    year: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    summary: str = ""
    added: list[dict] = field(default_factory=list)
    updated: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    rejected_total: int = 0
    units: list[dict] = field(default_factory=list)
    hidden: int = 0
    replaces: str | None = None
    years: list[dict] = field(default_factory=list)
    signer: URLSafeSerializer | None = field(default=None, repr=False)

    @property
    def changes_anything(self) -> bool:
        return any(self.counts.get(k, 0) for k in ("nya", "ändrade", "flyttade", "borttagna"))

    @property
    def ticket(self) -> str:
        """What the browser keeps between preview and confirm, signed with the server's key:
        a changed kind, year or file hash is refused, not imported."""
        return self.signer.dumps({"sha256": self.sha256, "version": self.version,
                                  "kind": self.kind, "year": self.year,
                                  "filename": self.filename})


TICKET_SALT = "malbild-import-ticket"


def signer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(auth.secret_key(settings), salt=TICKET_SALT)


def read_ticket(settings: Settings, ticket: object) -> dict:
    """The ticket's contents, if the server signed it; else an InputError."""
    try:
        data = signer(settings).loads(ticket) if isinstance(ticket, str) else None
    except BadSignature:
        data = None
    if not isinstance(data, dict):
        raise InputError("förhandsgranskningen är inte giltig (den kom inte från servern).",
                         hint="Välj filen igen och importera efter förhandsgranskningen.")
    return data


def _records(frame, columns: list[str]) -> list[dict]:
    return frame[columns].head(SAMPLE_ROWS).to_dict("records") if len(frame) else []


def _add_names(engine: Engine, rows: list[dict]) -> None:
    """Each row's KPI title and municipality name beside their codes (as the catalogue has
    them; empty when it has none)."""
    if not rows:
        return
    kpis, municipalities = catalogue_titles(engine)
    for row in rows:
        row["kpi_title"] = kpis.get(row["kpi_id"], "")
        row["municipality_name"] = municipalities.get(row["municipality_id"], "")


def _run(engine: Engine, settings: Settings, kind: str, path: Path, filename: str,
         year: int | None, *, dry_run: bool, actor: str | None = None):
    if kind == "kolada":
        return imports.import_value_file(engine, path, skip_invalid=True, dry_run=dry_run,
                                         source_name=filename, requested_by=actor)
    if kind == "kontakter":
        return contacts.import_contacts_file(engine, path, settings, replace=True,
                                             dry_run=dry_run, source_name=filename,
                                             requested_by=actor)
    return imports.import_survey_file(engine, path, settings, year=year, replace=True,
                                      dry_run=dry_run, source_name=filename,
                                      requested_by=actor)


def preview(engine: Engine, settings: Settings, kind: str, contents: str | None,
            filename: str | None, year: int | None = None) -> Preview:
    """Check the file and compare it with the database, changing nothing."""
    name = safe_filename(filename)
    check_kind(kind, name)
    content = decode(contents, name, settings.upload_max_bytes)
    version = data_version(engine)
    with as_file(content, name) as path:
        result = _run(engine, settings, kind, path, name, year, dry_run=True)
    shown = Preview(kind, name, hashlib.sha256(content).hexdigest(), version,
                    signer=signer(settings))
    if kind == "kolada":
        c = result.counts
        rejected = result.rejected
        shown.counts = {"nya": c.added, "ändrade": c.updated, "oförändrade": c.unchanged,
                        "borttagna": c.removed, "avvisade": rejected.total if rejected else 0}
        if result.preview is not None:
            keys = ["kpi_id", "municipality_id", "year", "gender"]
            shown.added = _records(result.preview.added, [*keys, "value"])
            shown.updated = _records(result.preview.updated, [*keys, "value_old", "value"])
            _add_names(engine, shown.added + shown.updated)
        if rejected:
            # In the file's order, whichever check found them.
            shown.rejected = [r.__dict__ for r in sorted(
                rejected.rows, key=lambda r: (r.file, r.sheet or "", r.row))]
            shown.rejected_total = rejected.total
        return shown
    if kind == "kontakter":
        c = result.counts
        shown.counts = {"nya": c.added, "oförändrade": c.unchanged, "borttagna": c.removed}
        shown.years = [year_row(change) for change in result.years]
        replaced = sorted({y.replaced_file for y in result.years if y.replaced_file})
        shown.replaces = ", ".join(replaced) if replaced and shown.changes_anything else None
        shown.summary = contacts_summary(result)[0]
        return shown
    statuses = [change.status for change in result.changes]
    shown.year = result.year
    shown.counts = {"nya": statuses.count("ny"), "ändrade": statuses.count("ändrad"),
                    "flyttade": statuses.count("flyttad"),
                    "oförändrade": statuses.count("oförändrad"),
                    "borttagna": statuses.count("tas bort")}
    shown.units = [change.__dict__ for change in result.changes]
    shown.hidden = result.hidden
    shown.replaces = result.replaced if shown.changes_anything else None
    shown.summary = (f"Medarbetarenkät {result.year}, {len(result.results)} enheter och nivåer "
                     f"kan visas; {result.hidden} är under anonymitetsgränsen och sparas inte.")
    return shown


def confirm(engine: Engine, settings: Settings, ticket: dict | None, contents: str | None,
            filename: str | None, *, actor: str,
            progress: Progress = silent) -> str:
    """Import the file that was previewed; refused if the file or the database changed.
    `progress(done, total, text)` is told of each step."""
    progress(0, 3, "Filen kontrolleras")
    if not ticket:
        raise InputError("förhandsgranska filen först.", hint="Välj filen igen.")
    ticket = read_ticket(settings, ticket)
    name = safe_filename(filename)
    content = decode(contents, name, settings.upload_max_bytes)
    if hashlib.sha256(content).hexdigest() != ticket.get("sha256"):
        raise InputError("filen är inte den som förhandsgranskades.",
                         hint="Förhandsgranska den valda filen och importera igen.")
    if data_version(engine) != ticket.get("version"):
        raise InputError("databasen har ändrats sedan förhandsgranskningen.",
                         hint="Granska den nya förhandsgranskningen nedan och importera igen.")
    kind = ticket.get("kind", "")
    check_kind(kind, name)
    progress(1, 3, "Värdena sparas")
    try:
        with as_file(content, name) as path:
            result = _run(engine, settings, kind, path, name, ticket.get("year"),
                          dry_run=False, actor=actor)
    except MalbildError:
        raise
    except Exception as exc:
        # Two confirmations of one preview at once: the database lets one through; the other
        # collides with it (a unique key, a locked or changed snapshot; from the driver's COPY
        # too) and changes nothing.
        if data_version(engine) == ticket.get("version"):
            raise  # nothing else was imported meanwhile: a real error
        raise InputError("filen importerades samtidigt från ett annat fönster eller av en "
                         "annan administratör; den importen gick före och den här gjorde "
                         "ingenting.",
                         hint="Ladda om sidan och se resultatet.") from exc
    from dashboard.tasks import jobs

    progress(2, 3, "Uppföljningen räknas om")
    jobs.data_changed(engine, settings)
    progress(3, 3, "Klart")
    if kind == "kontakter":
        return " ".join(contacts_summary(result))
    return result.summary()
