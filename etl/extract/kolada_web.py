"""Kolada's web exports (Excel or CSV from kolada.se): header rows, years as columns, markers."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pandas as pd

from etl.errors import InputError, Location


def read_values(path: Path, *, known_kpis: Collection[str], known_municipalities: Collection[str],
                layout: str | None = None) -> pd.DataFrame:
    raise InputError(
        "filens format känns inte igen.",
        Location(str(path), row=1),
        hint="Målbild läser CSV med rubrikraden kpi,municipality,period,gender,value.",
    )
