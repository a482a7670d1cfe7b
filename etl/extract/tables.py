"""The one tabular reader for every input file people export (Excel or CSV).

Kolada's web exports, the staff survey, the test contacts and the targets are all read the same
way: the file into grids of text cells (encodings, separators, sheets, size limits, unpack-bomb
checks), the header row found within `HEADER_SEARCH_ROWS` rows, each header normalised and
looked up in the file kind's column map (`data/mappings/*.toml`), and the rows under it returned
with their file, sheet, row and column so that every message can say where. What the columns
mean and which are required is each reader's; how a header is found and recognised is here once.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tomllib
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from openpyxl.utils import get_column_letter

from etl.errors import InputError, Location

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
MAX_UNPACKED_RATIO = 100
MAX_UNPACKED_BYTES = 500 * 1024 * 1024
# No cell a person or a tool writes is this long (it was the csv module's own limit, which
# gave a traceback): such a cell is a quote left open or a broken export, refused with where.
MAX_CELL_CHARACTERS = 131_072
# What the csv module may read of one cell: all of any file (already read whole), so that the
# cell is refused above with its row and column. The same value always: it is process-wide.
_CSV_FIELD_LIMIT = 2**31 - 1
# What may differ between a header in a file and its name in a mapping file under data/mappings/
# ("Kommun-ID" and "kommunid", "Nämnd / förvaltning" and "nämndförvaltning"): the mapping
# files describe the same rule to the people who edit them.
HEADER_NOISE = re.compile(r"[\s\-_:.()/]+")
# How far down a sheet the header row is looked for, for every kind of file. The readers had
# 10 (targets), 30 (survey, contacts) and 40 (Kolada's web exports, whose title, selection,
# dates and notes stand above the table): the largest keeps every file that was read still
# read, and no data row is taken for the header, since a header must name the columns its
# reader requires and the first row that does is taken.
HEADER_SEARCH_ROWS = 40


@dataclass
class Grid:
    """The cells of one sheet (or a CSV file) as text, row by row; row 1 is the first row."""

    source: str
    sheet: str | None
    rows: list[list[str]]


def header_key(text: str) -> str:
    """A column header as it is looked up among the names of a mapping file: without case,
    whitespace (non-breaking spaces and line breaks too), hyphens, underscores, colons, dots,
    brackets or slashes."""
    return HEADER_NOISE.sub("", text.strip().lower())


def value_key(text: object) -> str:
    """A cell value as it is compared with the words of a mapping file (a channel, yes or no,
    a gender, a municipality's name): without case, runs of whitespace one space."""
    return " ".join(str(text).split()).lower()


def header_text(text: str) -> str:
    """A column header as a mapping file's patterns see it: any run of whitespace (line
    breaks, non-breaking spaces) one space, none at the ends; case is left to the pattern."""
    return " ".join(text.split())


def cell_text(value: object) -> str:
    """Text of a cell as a person would read it (whole floats without `.0`)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_size(path: Path, max_bytes: int | None) -> None:
    size = path.stat().st_size
    if size == 0:
        raise InputError("filen är tom.", Location(str(path)),
                         hint="Exportera filen på nytt från verktyget och försök igen.")
    if max_bytes is not None and size > max_bytes:
        raise InputError(
            f"filen är {size / 1024 / 1024:.0f} MB; största tillåtna storlek är "
            f"{max_bytes / 1024 / 1024:.0f} MB.",
            Location(str(path)),
            hint="Kontrollera att det är rätt fil, eller höj gränsen med MALBILD_UPLOAD_MAX_BYTES.",
        )


def _check_unpacked(path: Path) -> None:
    """Refuse xlsx files whose unpacked size is absurd (a zip bomb would exhaust memory)."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise InputError("filen är ingen giltig Excel-fil (den är skadad eller av annat slag).",
                         Location(str(path)),
                         hint="Öppna den i Excel, spara som .xlsx och försök igen.") from None
    size = path.stat().st_size
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_UNPACKED_RATIO * size:
        raise InputError(
            f"Excel-filen packas upp till {unpacked / 1024 / 1024:.0f} MB, "
            f"{unpacked / max(size, 1):.0f} gånger sin egen storlek, vilket är orimligt för en "
            "export.",
            Location(str(path)),
            hint="Filen läses inte. Exportera den på nytt från verktyget.",
        )
    if "[Content_Types].xml" not in names:
        raise InputError("filen är ett zip-arkiv men ingen Excel-arbetsbok.", Location(str(path)),
                         hint="Packa upp arkivet och välj Excel-filen (.xlsx) i det.")


def check_gzip(path: Path) -> None:
    """Refuse a gzip file that unpacks to an absurd size, reading it in blocks (never whole)."""
    import gzip
    import zlib

    limit = min(MAX_UNPACKED_BYTES, MAX_UNPACKED_RATIO * max(path.stat().st_size, 1))
    unpacked = 0
    try:
        with gzip.open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                unpacked += len(block)
                if unpacked > limit:
                    raise InputError(
                        f"filen packas upp till mer än {limit / 1024 / 1024:.0f} MB, vilket är "
                        "orimligt för en export.",
                        Location(str(path)),
                        hint="Filen läses inte. Hämta eller packa den på nytt.")
    except (OSError, EOFError, zlib.error):
        raise InputError("filen är skadad och kan inte packas upp.", Location(str(path)),
                         hint="Hämta eller packa filen på nytt (gzip) och försök igen.") from None


def read_excel_grids(path: Path) -> list[Grid]:
    from openpyxl import load_workbook

    _check_unpacked(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(f"Excel-filen kan inte läsas ({type(exc).__name__}: {exc}).",
                         Location(str(path)),
                         hint="Öppna den i Excel, spara som .xlsx och försök igen.") from None
    try:
        return [
            Grid(str(path), sheet.title,
                 [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)])
            for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()


# UTF-8 read as Windows-1252 and saved again: "Ã¶" for "ö", "Ã¤" for "ä", "Ã…" for "Å" …
DOUBLE_ENCODED = re.compile("Ã[\u00a4\u00a5\u00b6\u2026\u201e\u2013\u00a9\u00bc]")


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; else Windows-1252, Swedish Excel's CSV."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        _refuse_double_encoded(path, text)
        return text
    head = data[:4096]
    if head.count(b"\x00") * 3 > len(head) and (head[1::2].count(0) > len(head) // 3
                                                  or head[0::2].count(0) > len(head) // 3):
        raise InputError("filen ser ut att vara UTF-16 utan byteordningsmärke (BOM).",
                         Location(str(path)),
                         hint="Spara den som CSV UTF-8 (eller Unicode-text med BOM) eller "
                         "Excel (.xlsx).")
    if b"\x00" in head:
        raise InputError("filen är ingen textfil (den innehåller binära data).",
                         Location(str(path)),
                         hint="Spara den som CSV (UTF-8) eller Excel (.xlsx).")
    return data.decode("cp1252", errors="strict") if _is_cp1252(data) else _undecodable(path)


def _refuse_double_encoded(path: Path, text: str) -> None:
    found = DOUBLE_ENCODED.search(text)
    if found is None:
        return
    line = text.count("\n", 0, found.start()) + 1
    start = text.rfind("\n", 0, found.start()) + 1
    word = re.search(r"\S*$", text[start:found.start()]).group(0) + re.match(
        r"\S*", text[found.start():]).group(0)
    raise InputError(
        f"å, ä och ö är felkodade i filen («{word[:40]}»): den har sparats om med fel "
        "teckenkodning.",
        Location(str(path), line=line),
        hint="Exportera filen på nytt från verktyget som CSV UTF-8 eller .xlsx. Ingenting har "
        "sparats.")


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _undecodable(path: Path) -> str:
    raise InputError("filens teckenkodning känns inte igen.", Location(str(path)),
                     hint="Spara den som CSV UTF-8 och försök igen.")


def sniff_separator(lines: list[str]) -> str:
    """The separator that splits the most lines into the same number of columns (; , or tab)."""
    best, best_score = ";", -1
    for separator in (";", ",", "\t"):
        counts = [len(next(csv.reader([line], delimiter=separator))) for line in lines if line]
        if not counts:
            continue
        widest = max(counts)
        score = sum(1 for c in counts if c == widest) * (widest > 1) * widest
        if score > best_score:
            best, best_score = separator, score
    return best


def too_long_cell(source: str, row: int, column: str) -> InputError:
    return InputError(
        "en cell är längre än 131 072 tecken.", Location(source, row=row, column=column),
        hint="Ett citattecken som inte avslutas gör resten av filen till en cell. Exportera "
        "filen på nytt från verktyget (CSV UTF-8 eller .xlsx) och försök igen. Ingenting har "
        "sparats.")


def _check_cell_lengths(path: Path, rows: list[list[str]]) -> None:
    for number, row in enumerate(rows, start=1):
        for index, cell in enumerate(row, start=1):
            if len(cell) > MAX_CELL_CHARACTERS:
                raise too_long_cell(str(path), number, get_column_letter(index))


def read_text_grid(path: Path) -> Grid:
    text = decode_text(path, path.read_bytes())
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    lines = text.splitlines()
    separator = sniff_separator(lines[:50])
    try:
        rows = [list(map(str.strip, row))
                for row in csv.reader(io.StringIO(text), delimiter=separator)]
    except csv.Error as exc:
        raise InputError(f"filen kan inte läsas som CSV ({exc}).", Location(str(path)),
                         hint="Kontrollera citattecken i filen.") from None
    _check_cell_lengths(path, rows)
    return Grid(str(path), None, rows)


def read_grids(path: Path, *, max_bytes: int | None = None) -> list[Grid]:
    """Every sheet of an Excel file, or the one table of a CSV file."""
    if not path.exists():
        raise InputError("filen finns inte.", Location(str(path)), hint="Kontrollera sökvägen.")
    check_size(path, max_bytes)
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return read_excel_grids(path)
    if suffix == ".xls":
        raise InputError("filen är i Excels gamla format (.xls).", Location(str(path)),
                         hint="Öppna den i Excel och spara som .xlsx.")
    if suffix in TEXT_SUFFIXES or suffix == "":
        return [read_text_grid(path)]
    if zipfile.is_zipfile(path):
        return read_excel_grids(path)
    return [read_text_grid(path)]


# --- Header rows and column maps -----------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMap:
    """Which header means what in one kind of file: per role, names (as `header_key` makes
    them, in priority order) and patterns for headers that vary more (tried after all names)."""

    roles: dict[str, tuple[str, ...]]
    patterns: dict[str, tuple[re.Pattern, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, names: Mapping[str, Iterable[str]],
           patterns: Mapping[str, Iterable[str]] | None = None) -> ColumnMap:
        return cls({role: tuple(dict.fromkeys(header_key(n) for n in texts))
                    for role, texts in names.items()},
                   {role: tuple(re.compile(p, re.IGNORECASE) for p in texts)
                    for role, texts in (patterns or {}).items()})

    def role_of(self, header: str) -> tuple[str, int] | None:
        """The role of a header and its priority (lower wins when two columns share a role)."""
        key = header_key(header)
        for role, names in self.roles.items():
            if key in names:
                return role, names.index(key)
        text = header_text(header)
        for role, patterns in self.patterns.items():
            if any(p.search(text) for p in patterns):
                return role, len(self.roles.get(role, ()))
        return None

    def columns(self, row: list[str], skip: Iterable[int] = ()) -> dict[str, int]:
        """Role -> column (0-based) of a row of headers; of two columns with one role, the one
        whose name stands first in the map, else the first. Columns in `skip` are not looked
        up (a reader has claimed them)."""
        skipped = set(skip)
        found: dict[str, tuple[int, int]] = {}
        for column, text in enumerate(row):
            if not text or column in skipped:
                continue
            role = self.role_of(text)
            if role and (role[0] not in found or role[1] < found[role[0]][1]):
                found[role[0]] = (column, role[1])
        return {role: column for role, (column, _) in found.items()}


@lru_cache
def read_column_map(path: Path) -> ColumnMap:
    """The [columns] (and [patterns]) of a mapping file under data/mappings/ (cached per path)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return ColumnMap.of(raw["columns"], raw.get("patterns", {}))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, re.error) as exc:
        raise unreadable_mapping(path, exc) from None


def unreadable_mapping(path: Path, exc: Exception) -> InputError:
    """The error for a mapping file under data/mappings/ that cannot be read."""
    return InputError(f"mappningsfilen för kolumnrubriker kan inte läsas ({exc}).",
                      Location(str(path)), hint="Kontrollera filen mot exemplet i data/mappings/.")


@dataclass
class Record:
    """One row under a header: its row in the file, the text of each mapped column, the row."""

    row: int
    cells: dict[str, str]
    raw: list[str]


@dataclass
class Header:
    """A header row found in a grid: which row it is and which column holds each role."""

    grid: Grid
    index: int  # 0-based row of the grid; the file's row is `row`
    columns: dict[str, int]  # role -> 0-based column

    @property
    def row(self) -> int:
        return self.index + 1

    @property
    def texts(self) -> list[str]:
        return self.grid.rows[self.index]

    def heading(self, role: str) -> str:
        """The header of a role's column as the file writes it ("" when the file has none)."""
        column = self.columns.get(role)
        return cell(self.texts, column)

    @property
    def names(self) -> dict[str, str]:
        """Role -> header as in the file."""
        return {role: self.heading(role) for role in self.columns}

    def where(self, row: int | None = None, role: str | None = None) -> Location:
        """File, sheet, row and column (the file's header, or the role when it has none)."""
        return Location(self.grid.source, sheet=self.grid.sheet, row=row,
                        column=(self.heading(role) or role) if role else None)

    def records(self, roles: Iterable[str] | None = None, *, skip_empty: bool = True
                ) -> Iterator[Record]:
        """The rows under the header with the text of each role's column. Rows with nothing in
        those columns (spacing, notes beside the table, the empty rows Excel keeps) are not
        data and are left out unless `skip_empty` is false."""
        columns = {r: self.columns[r] for r in (roles or self.columns) if r in self.columns}
        for number, row in enumerate(self.grid.rows[self.index + 1:], start=self.index + 2):
            cells = {role: cell(row, column) for role, column in columns.items()}
            if skip_empty and not any(cells.values()):
                continue
            yield Record(number, cells, row)


def cell(row: list[str], column: int | None) -> str:
    """The text of a cell, "" beyond the end of a short row."""
    if column is None or not 0 <= column < len(row):
        return ""
    return row[column].strip()


def header_rows(grid: Grid, columns: ColumnMap,
                claimed: Callable[[list[str]], Iterable[int]] | None = None
                ) -> Iterator[Header]:
    """Every row within `HEADER_SEARCH_ROWS` in which the map recognises a column, top down,
    for the reader to take the first that names what it requires. `claimed` gives the columns
    of a row that the reader recognises itself (a survey's question) and the map must not."""
    for index, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        found = columns.columns(row, claimed(row) if claimed else ())
        if found:
            yield Header(grid, index, found)


@dataclass
class HeaderSearch:
    """The first header row naming every required role, else the row that came closest."""

    found: Header | None
    closest: Header | None

    def missing(self, required: Iterable[str]) -> list[str]:
        header = self.found or self.closest
        return [r for r in required if header is None or r not in header.columns]


def find_header(grids: Iterable[Grid], columns: ColumnMap, required: Iterable[str]
                ) -> HeaderSearch:
    """The first row (of any sheet, within `HEADER_SEARCH_ROWS`) naming every required role;
    else the first row naming the most of them, for the reader to say what is missing where."""
    required = tuple(required)
    closest: tuple[int, Header] | None = None
    for grid in grids:
        for header in header_rows(grid, columns):
            score = sum(r in header.columns for r in required)
            if score == len(required):
                return HeaderSearch(header, None)
            if score and (closest is None or score > closest[0]):
                closest = (score, header)
    return HeaderSearch(None, closest[1] if closest else None)
