"""Kolada data from files: the bundled catalogue (JSON as the API returns it) and value files.

Value files in the tidy `kpi,municipality,period,gender,value` layout (plain or gzipped CSV) are
read here; Kolada's web exports (years as columns, header rows, missing markers) are read by
`etl.extract.kolada_web`.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from etl.errors import InputError, Location
from etl.extract.kolada_records import (
    kpi_group_record,
    kpi_record,
    municipality_group_record,
    municipality_record,
)
from etl.extract.tables import MAX_CELL_CHARACTERS, ColumnMap, header_key, too_long_cell

TIDY_COLUMNS = ["kpi", "municipality", "period", "gender", "value"]
# The tidy layout's header is always its first row and names its columns as they are; they are
# recognised by the one rule for headers all the same (case, spaces, a BOM left by Excel).
TIDY_MAP = ColumnMap.of({column: [column] for column in TIDY_COLUMNS})


def read_json_list(path: Path) -> list[dict]:
    """A JSON file holding a list of objects (Kolada's `values` list, or the bare list)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"filen kan inte läsas som JSON ({exc}).", Location(str(path))) from None
    if isinstance(data, dict) and isinstance(data.get("values"), list):
        data = data["values"]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise InputError("filen ska innehålla en lista med objekt.", Location(str(path)))
    return data


def fetch_municipalities(kolada_dir: Path) -> Iterator[dict]:
    return _records(kolada_dir / "municipality.json", municipality_record)


def fetch_municipality_groups(kolada_dir: Path) -> Iterator[dict]:
    return _records(kolada_dir / "municipality_groups.json", municipality_group_record)


def fetch_kpi_groups(kolada_dir: Path) -> Iterator[dict]:
    return _records(kolada_dir / "kpi_groups.json", kpi_group_record)


def fetch_kpis(kolada_dir: Path) -> Iterator[dict]:
    return _records(kolada_dir / "kpi.json", kpi_record)


def _records(path: Path, record) -> Iterator[dict]:
    """The catalogue file's objects, checked and mapped as the API's answers are."""

    def problem(text: str) -> InputError:
        return InputError(f"filen har inte Koladas form: {text}", Location(str(path)),
                          hint="Filen ska ha samma form som Kolada API:s svar (version 3), "
                               "som filerna i data/kolada/.")

    for index, item in enumerate(read_json_list(path)):
        yield record(item, index, problem)


def sniff_is_tidy(path: Path) -> bool:
    """True when the file's first line is the tidy header (the bundled extract's layout)."""
    try:
        with _open_text(path) as handle:
            first = handle.readline().strip().lstrip("\ufeff")
    except (OSError, UnicodeDecodeError, EOFError, zlib.error):
        return False
    return [header_key(c) for c in first.replace(";", ",").split(",")] == TIDY_COLUMNS


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return path.open(encoding="utf-8")


def read_tidy_values(path: Path) -> pd.DataFrame:
    """Read a tidy value file as text; `etl.validate.kolada_values` checks and converts it.

    Adds `row`, the row number a spreadsheet would show (the header is row 1).
    """
    location = Location(str(path))
    try:
        with _open_text(path) as handle:
            sample = handle.read(4096)
        separator = ";" if sample.count(";") > sample.count(",") else ","
        frame = pd.read_csv(
            path,
            sep=separator,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            compression="infer",
        )
    except (EOFError, zlib.error, gzip.BadGzipFile):
        raise InputError(
            "filen är skadad och kan inte packas upp.",
            location,
            hint="Hämta eller packa filen på nytt (gzip) och försök igen.",
        ) from None
    except UnicodeDecodeError:
        raise InputError(
            "filen är inte UTF-8-kodad.",
            location,
            hint="Spara den som CSV UTF-8 och försök igen.",
        ) from None
    except (OSError, pd.errors.ParserError) as exc:
        raise InputError(
            f"filen kan inte läsas som CSV ({exc}).",
            location,
            hint="Kontrollera att filen är hel och har kolumnerna "
            "kpi,municipality,period,gender,value.",
        ) from None
    except pd.errors.EmptyDataError:
        raise InputError("filen är tom.", location) from None
    headers = [str(c) for c in frame.columns]
    found = TIDY_MAP.columns(headers)
    missing = [c for c in TIDY_COLUMNS if c not in found]
    if missing:
        raise InputError(
            f"kolumnerna {', '.join(missing)} saknas (rubrikraden är "
            f"«{', '.join(h.strip().lower() for h in headers[:8])}»).",
            Location(str(path), row=1),
            hint="Filen ska ha rubrikraden kpi,municipality,period,gender,value, eller vara en "
            "export från Kolada (se README).",
        )
    frame = frame.iloc[:, [found[c] for c in TIDY_COLUMNS]].copy()
    frame.columns = TIDY_COLUMNS
    frame["row"] = range(2, len(frame) + 2)
    for column in TIDY_COLUMNS:
        too_long = frame.loc[frame[column].str.len() > MAX_CELL_CHARACTERS, "row"]
        if len(too_long):
            raise too_long_cell(str(path), int(too_long.iloc[0]), column)
    return frame
