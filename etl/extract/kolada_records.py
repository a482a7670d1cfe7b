"""Kolada's metadata (KPIs, municipalities and their groups) as Målbild's records.

The same JSON objects come from the API (`etl.extract.kolada`) and from the bundled catalogue
files (`etl.extract.kolada_files`), so they are checked and mapped here once. `problem` turns a
description of what is wrong ("values[3].title är None, väntade text.") into the error for the
place the objects came from: the URL of an answer, or the path of a file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from etl.errors import InputError

KPI_ID = re.compile(r"^[A-Z][0-9]{5}$")

Problem = Callable[[str], InputError]


def _text(item: Any, index: int, key: str, problem: Problem, *, listing: str = "values") -> str:
    value = item.get(key) if isinstance(item, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise problem(f"{listing}[{index}].{key} är {value!r}, väntade text.")
    return value.strip()


def _members(item: dict, index: int, problem: Problem) -> list[str]:
    members = item.get("members", [])
    if not isinstance(members, list):
        raise problem(f"values[{index}].members är inte en lista.")
    return [_text(m, j, "member_id", problem, listing=f"values[{index}].members")
            for j, m in enumerate(members)]


def kpi_record(item: Any, index: int, problem: Problem) -> dict:
    """A KPI as Målbild stores it (direction and unit are added by the rules later)."""
    kpi_id = _text(item, index, "id", problem)
    if not KPI_ID.match(kpi_id):
        raise problem(f"values[{index}].id «{kpi_id}» är inget nyckeltals-id.")
    return {
        "id": kpi_id,
        "title": _text(item, index, "title", problem),
        "description": item.get("description") or "",
        "operating_area": item.get("operating_area") or "",
        "is_divided_by_gender": bool(item.get("is_divided_by_gender")),
        "municipality_type": item.get("municipality_type") or "K",
        "publication_date": item.get("publication_date") or "",
    }


def municipality_record(item: Any, index: int, problem: Problem) -> dict:
    """A kommun (type K), a region or Riket (type L)."""
    municipality_id = _text(item, index, "id", problem)
    kind = item.get("type") or "K"
    if not isinstance(kind, str) or len(kind) != 1:
        raise problem(f"values[{index}].type är {kind!r}, väntade K eller L.")
    return {"id": municipality_id, "title": _text(item, index, "title", problem), "type": kind}


def municipality_group_record(item: Any, index: int, problem: Problem) -> dict:
    """A municipality group with its members."""
    return {"id": _text(item, index, "id", problem), "title": _text(item, index, "title", problem),
            "members": _members(item, index, problem)}


def kpi_group_record(item: Any, index: int, problem: Problem) -> dict:
    """A KPI group (GKPI118 is KKiK) with its member KPIs; an untitled group is named by id."""
    group_id = _text(item, index, "id", problem)
    return {"id": group_id, "title": item.get("title") or group_id,
            "members": _members(item, index, problem)}
