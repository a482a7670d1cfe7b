"""The municipality's own test contacts (CSV or Excel) into validated contacts, one per row.

Which header means what, and which cell values name a channel or say yes/no, is read from
`data/mappings/contact_headers.toml`; the header row is found and the headers recognised by
the one tabular reader (`etl.extract.tables`). Title rows above the header, columns in any
order and extra columns are fine. A file is read whole or not at all: the first problem stops
it, with its file, sheet, row and column and how many more rows have the same problem.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from etl import clock, numbers
from etl.errors import InputError, Location, more_rows
from etl.extract.tables import (
    ColumnMap,
    Grid,
    Header,
    find_header,
    read_column_map,
    read_grids,
    value_key,
)
from etl.strategy import CHANNELS, Channel

REQUIRED = ("kanal", "skickad", "besvarad")
FIRST_YEAR, LAST_YEAR = 2000, 2100
NOTHING_SAVED = " Ingenting har sparats; databasen är oförändrad."
MAPPING_HINT = "Kända rubriker står i data/mappings/contact_headers.toml."
DATE_HINT = ("Skriv datum som 2024-05-08, med tid som 2024-05-08 10:00 eller "
             "2024-05-08 kl. 10.00 (eller ett datum i Excel).")
# 2024-05-08, 2024-05-08 10:00, 2024-05-08T10:00:00, 2024-05-08 kl. 10.00, 2024-05-08 kl 10
MOMENT = re.compile(r"^([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})"
                    r"(?:(?:\s+|T)(?:kl\.?\s*)?([0-9]{1,2})"
                    r"(?:[:.]([0-9]{2})(?:[:.]([0-9]{2})(?:\.[0-9]+)?)?)?)?$", re.IGNORECASE)
EXCEL_SERIAL = re.compile(r"^[0-9]{5}(?:[.,][0-9]+)?$")
EXCEL_EPOCH = datetime(1899, 12, 30)
MIDNIGHT = datetime.min.time()
# "4", "4,0", "4 – mycket gott", "4 (mycket gott)": the digit, then only words.
GRADE = re.compile(r"^([0-9]+)(?:[.,]0+)?(?:\s*(?:[-–=:.()]\s*)?[^0-9\s.,].*)?$")


@dataclass(frozen=True)
class Moment:
    """A date, with the time of day when the file gives one."""

    at: datetime
    has_time: bool

    def before(self, other: Moment) -> bool:
        if self.has_time and other.has_time:
            return self.at < other.at
        return self.at.date() < other.at.date()


@dataclass(frozen=True)
class Contact:
    """One test contact as the file gives it; `row` is its row in the file."""

    row: int
    channel: Channel
    sent: Moment
    answered: Moment | None
    reached_handlaggare: bool | None
    grade: int | None
    forvaltning: str = ""
    enhet: str = ""
    comment: str = ""
    contact_id: str = ""

    @property
    def year(self) -> int:
        return self.sent.at.year


@dataclass
class ContactsFile:
    """The contacts of a file, with where they came from (for messages)."""

    source: str
    sheet: str | None
    header_row: int
    columns: dict[str, str]  # role -> header as in the file
    contacts: list[Contact] = field(default_factory=list)

    def where(self, row: int | None = None, role: str | None = None) -> Location:
        return Location(self.source, sheet=self.sheet, row=row,
                        column=self.columns.get(role, role) if role else None)

    @property
    def years(self) -> list[int]:
        return sorted({c.year for c in self.contacts})


@dataclass(frozen=True)
class ValueMap:
    """Cell values that name a channel, or mean yes or no (lower case, spaces tidied)."""

    channels: dict[str, Channel]
    yes: frozenset[str]
    no: frozenset[str]
    blank: frozenset[str] = frozenset({""})


@lru_cache
def value_map(path: Path) -> ValueMap:
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))["values"]
        channels = {value_key(name): channel for channel in CHANNELS
                    for name in [channel, *values.get(channel, [])]}
        return ValueMap(channels, frozenset(map(value_key, values["ja"])),
                        frozenset(map(value_key, values["nej"])),
                        frozenset(["", *map(value_key, values.get("tom", []))]))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"mappningsfilen för testkontakter kan inte läsas ({exc}).",
                         Location(str(path)),
                         hint="Kontrollera filen mot kommentaren överst i den.") from None


# --- Cells --------------------------------------------------------------------------------------


class _CellError(Exception):
    def __init__(self, problem: str, hint: str) -> None:
        super().__init__(problem)
        self.problem, self.hint = problem, hint


def parse_moment(text: str) -> Moment | None:
    """A date or date and time as people and Excel write them; None for an empty cell."""
    text = text.strip()
    if not text:
        return None
    if EXCEL_SERIAL.match(text):
        moment = EXCEL_EPOCH + timedelta(days=numbers.parse(text))
        moment = moment.replace(microsecond=0)
        return _in_range(Moment(moment, moment.time() != MIDNIGHT), text)
    match = MOMENT.match(text)
    if match is None:
        raise _CellError(f"«{text}» känns inte igen som datum.", DATE_HINT)
    year, month, day, hour, minute, second = (int(g) if g else None for g in match.groups())
    try:
        moment = datetime(year, month, day, hour or 0, minute or 0, second or 0)
    except ValueError:
        raise _CellError(f"datumet «{text}» finns inte.",
                         "Rätta datumet (år-månad-dag, t.ex. 2024-05-08).") from None
    # A date cell in Excel reads as midnight: a time of 00:00 says nothing about the time.
    return _in_range(Moment(moment, moment.time() != MIDNIGHT), text)


def _in_range(moment: Moment, text: str) -> Moment:
    if not FIRST_YEAR <= moment.at.year <= LAST_YEAR:
        raise _CellError(f"datumet «{text}» ({moment.at:%Y-%m-%d}) är inte rimligt för en "
                         "testkontakt.", DATE_HINT)
    if moment.at.date() > clock.today() + timedelta(days=1):  # a day's grace for time zones
        raise _CellError(f"datumet «{text}» ligger i framtiden.",
                         "Rätta datumet; en testkontakt kan bara ha gjorts och besvarats "
                         "hittills.")
    return moment


def _channel(text: str, values: ValueMap) -> Channel:
    if not text.strip():
        raise _CellError("kanal saknas.", "Skriv e-post, telefon eller brev.")
    channel = values.channels.get(value_key(text))
    if channel is None:
        raise _CellError(f"kanalen «{text}» är okänd.",
                         "Skriv e-post, telefon eller brev (andra namn på kanalerna kan läggas "
                         "till under [values] i data/mappings/contact_headers.toml).")
    return channel


def _yes_no(text: str, values: ValueMap) -> bool | None:
    plain = value_key(text)
    if not plain:
        return None
    if plain in values.yes:
        return True
    if plain in values.no:
        return False
    raise _CellError(f"«{text}» är varken ja eller nej.",
                     "Skriv ja om testaren nådde en handläggare som kunde svara, annars nej.")


def _grade(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    match = GRADE.match(text)
    if match is None or not 1 <= int(match.group(1)) <= 4:
        raise _CellError(f"bemötandet «{text}» ligger utanför skalan 1–4.",
                         "Skriv ett heltal 1–4 (4 = mycket gott), eller lämna cellen tom om "
                         "bemötandet inte bedömdes.")
    return int(match.group(1))


# --- The table ----------------------------------------------------------------------------------


def _find_header(grids: list[Grid], columns: ColumnMap) -> Header:
    """The first row (of any sheet) naming every required column, else a clear refusal."""
    search = find_header(grids, columns, REQUIRED)
    if search.found:
        return search.found
    if not any(any(cell for row in g.rows for cell in row) for g in grids):
        raise InputError("filen är tom.", Location(grids[0].source if grids else ""),
                         hint="Fyll i en rad per testkontakt under rubrikerna kanal, skickad "
                         "och besvarad.")
    if search.closest is None:
        first = next((g, i) for g in grids for i, row in enumerate(g.rows) if any(row))
        texts = [t for t in first[0].rows[first[1]] if t]
        raise InputError(
            "hittar ingen rubrikrad med kolumnerna kanal, skickad och besvarad "
            f"(första raden har {', '.join(f'«{t}»' for t in texts[:8])}).",
            Location(first[0].source, sheet=first[0].sheet, row=first[1] + 1),
            hint="Lägg en rubrikrad överst med minst kanal, skickad och besvarad. "
            + MAPPING_HINT + NOTHING_SAVED)
    closest = search.closest
    missing = search.missing(REQUIRED)
    texts = [t for t in closest.texts if t]
    raise InputError(
        f"kolumnen «{missing[0]}» saknas"
        + (f" (och {', '.join(f'«{m}»' for m in missing[1:])})" if missing[1:] else "")
        + f"; rubrikerna är {', '.join(f'«{t}»' for t in texts[:10])}.",
        closest.where(closest.row),
        hint="Lägg till kolumnen (besvarad lämnas tom för kontakter som aldrig besvarades), "
        "eller lägg till er rubrik i data/mappings/contact_headers.toml." + NOTHING_SAVED)


@dataclass
class _Problem:
    row: int
    role: str
    problem: str
    hint: str


def read_contacts(path: Path, *, mapping: Path, max_bytes: int | None = None) -> ContactsFile:
    """Find the contacts table in the file and validate every row (nothing is stored)."""
    values = value_map(mapping)
    grids = read_grids(Path(path), max_bytes=max_bytes)
    header = _find_header(grids, read_column_map(mapping))
    table = ContactsFile(str(path), header.grid.sheet, header.row, header.names)
    problems: list[_Problem] = []
    # Not skipping empty rows here: a "-" for "never answered" alone is no contact either.
    for record in header.records(skip_empty=False):
        cells = record.cells
        for role in ("besvarad", "handlaggare", "bemotande"):
            if role in cells and value_key(cells[role]) in values.blank:
                cells[role] = ""
        if not any(cells.values()):
            continue  # spacing rows and the empty rows Excel keeps are not contacts
        contact = _contact(record.row, cells, values, problems)
        if contact is not None:
            table.contacts.append(contact)
    if problems:
        first = problems[0]
        same = [p.row for p in problems if p.role == first.role]
        raise InputError(first.problem, table.where(first.row, first.role),
                         hint=first.hint + NOTHING_SAVED, more=more_rows(same))
    if not table.contacts:
        raise InputError("filen har inga testkontakter, bara rubrikraden.",
                         table.where(table.header_row),
                         hint="Fyll i en rad per testkontakt under rubrikerna." + NOTHING_SAVED)
    _check_telephone_column(table)
    _check_duplicates(table)
    return table


def _contact(number: int, cells: dict[str, str], values: ValueMap,
             problems: list[_Problem]) -> Contact | None:
    parsed: dict[str, object] = {}
    readers = {"kanal": lambda t: _channel(t, values), "skickad": parse_moment,
               "besvarad": parse_moment, "handlaggare": lambda t: _yes_no(t, values),
               "bemotande": _grade}
    for role, reader in readers.items():
        try:
            parsed[role] = reader(cells.get(role, ""))
        except _CellError as exc:
            problems.append(_Problem(number, role, exc.problem, exc.hint))
            return None
    sent, answered = parsed["skickad"], parsed["besvarad"]
    if sent is None:
        problems.append(_Problem(number, "skickad", "skickad saknas.",
                                 "Fyll i när kontakten togs eller kom in. " + DATE_HINT))
        return None
    if answered is not None and answered.before(sent):
        problems.append(_Problem(
            number, "besvarad",
            f"besvarad ({cells['besvarad']}) är före skickad ({cells['skickad']}).",
            "Kontrollera datumen; har kolumnerna bytt plats?"))
        return None
    return Contact(number, parsed["kanal"], sent, answered, parsed["handlaggare"],
                   parsed["bemotande"], _name(cells.get("forvaltning", "")),
                   _name(cells.get("enhet", "")), cells.get("kommentar", ""),
                   cells.get("id", ""))


def _name(text: str) -> str:
    return " ".join(text.split())


def _check_telephone_column(table: ContactsFile) -> None:
    calls = [c.row for c in table.contacts if c.channel == "telefon"]
    if calls and "handlaggare" not in table.columns:
        raise InputError(
            f"filen har {len(calls)} telefonkontakter men ingen kolumn «handläggare» (ja/nej).",
            table.where(table.header_row),
            hint="Lägg till kolumnen handläggare och skriv ja om testaren nådde en handläggare "
            "som kunde svara, annars nej. " + MAPPING_HINT + NOTHING_SAVED)


def _check_duplicates(table: ContactsFile) -> None:
    """The same contact twice would count twice: refuse it (by id, or an identical row)."""
    seen: dict[object, int] = {}
    duplicates: list[tuple[int, int]] = []
    by_id = "id" in table.columns
    for contact in table.contacts:
        if by_id and not contact.contact_id:
            continue
        key = contact.contact_id if by_id else (
            contact.channel, contact.sent, contact.answered, contact.reached_handlaggare,
            contact.grade, contact.forvaltning, contact.enhet, contact.comment)
        if key in seen:
            duplicates.append((contact.row, seen[key]))
        else:
            seen[key] = contact.row
    if not duplicates:
        return
    row, first = duplicates[0]
    if by_id:
        raise InputError(
            f"kontakten «{table.contacts[_index(table, row)].contact_id}» står två gånger "
            f"(rad {first} och rad {row}).", table.where(row, "id"),
            hint="Ta bort den ena raden, eller rätta numret." + NOTHING_SAVED,
            more=more_rows([r for r, _ in duplicates]))
    raise InputError(
        f"raden är en dubblett av rad {first} (samma kanal, tider och uppgifter).",
        table.where(row),
        hint="Ta bort den ena raden. Var det två kontakter, skriv tiden för var och en eller en "
        "kommentar som skiljer dem åt." + NOTHING_SAVED,
        more=more_rows([r for r, _ in duplicates]))


def _index(table: ContactsFile, row: int) -> int:
    return next(i for i, c in enumerate(table.contacts) if c.row == row)


def as_date(moment: Moment | None) -> date | None:
    return moment.at.date() if moment else None
