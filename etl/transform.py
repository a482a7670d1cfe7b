"""Transformations between extraction and loading that need rules kept in data files."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class KpiRules:
    """Direction and unit of a KPI, inferred from its title by `data/kpi_rules.toml`."""

    direction: list[tuple[re.Pattern, str]]
    unit: list[tuple[re.Pattern, str]]
    overrides: dict[str, dict[str, str]]

    def classify(self, kpi_id: str, title: str) -> dict[str, str]:
        result = {
            "direction": _first_match(self.direction, title, "higher"),
            "unit": _first_match(self.unit, title, ""),
        }
        result.update(self.overrides.get(kpi_id, {}))
        return result


def _first_match(rules: list[tuple[re.Pattern, str]], title: str, default: str) -> str:
    return next((value for pattern, value in rules if pattern.search(title)), default)


@lru_cache
def kpi_rules(path: Path) -> KpiRules:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))

    def compiled(key: str) -> list[tuple[re.Pattern, str]]:
        return [(re.compile(r["pattern"], re.IGNORECASE), r["value"]) for r in raw.get(key, [])]

    return KpiRules(compiled("direction"), compiled("unit"), raw.get("overrides", {}))


def retired_kpis(path: Path) -> list[dict]:
    """KPIs Kolada no longer publishes, with titles as they were (data/retired_kpis.toml)."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        {
            "id": item["id"],
            "title": item["title"],
            "description": item.get("description", ""),
            "operating_area": item.get("operating_area", ""),
            "is_divided_by_gender": False,
            "municipality_type": "K",
            "publication_date": "",
            "direction": item.get("direction", "higher"),
            "unit": item.get("unit", ""),
            "retired": True,
        }
        for item in raw.get("kpi", [])
    ]
