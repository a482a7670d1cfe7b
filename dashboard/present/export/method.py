"""How the numbers are made, in words: definitions, KPI lineage and series breaks.

Shared by the Excel download's sources sheet and the yearly report's appendix.
"""

from __future__ import annotations

import pandas as pd

from dashboard.present import definitions
from dashboard.present import formatting as fmt
from etl.followup.records import MeasureInfo, Source, StrategyInfo

DIRECTION_WORDS = {"higher": "högre är bättre", "lower": "lägre är bättre",
                   "none": "ingen bedömning"}


def method_notes(anonymity_threshold: int) -> list[tuple[str, str]]:
    """(term, explanation) for every concept the follow-up uses: the one set of definitions."""
    return [(d.term, d.text) for d in definitions.definitions(anonymity_threshold)]


def strategy_notes(strategy: StrategyInfo) -> list[tuple[str, str]]:
    adopted = f"antagen {fmt.iso_date(strategy.adopted)}" if strategy.adopted else ""
    return [
        ("Strategi", strategy.name),
        ("Beslut", ", ".join(p for p in (adopted, strategy.decision) if p) or "–"),
        ("Uppföljning", strategy.follow_up or "–"),
    ]


def lineage_table(infos: list[MeasureInfo]) -> pd.DataFrame:
    """One row per KPI link of every measure (one row for a survey measure)."""
    rows = []
    for info in infos:
        common = {"Mål": info.goal_number, "Mått": info.name, "Mätområde": info.question,
                  "Syfte": info.purpose, "Enhet": info.unit,
                  "Riktning": DIRECTION_WORDS.get(info.direction, info.direction)}
        if info.is_survey:
            rows.append({**common, "Nyckeltal": "–", "Från år": None, "Till år": None,
                         "Mätmetod": "Medarbetarenkät: medelvärde 1–5 för strategins fråga",
                         "Källa": Source.SURVEY
                         + (f"; jämförelse {info.benchmark_kpi_id} ({Source.KOLADA})"
                            if info.benchmark_kpi_id else "")})
            continue
        for link in info.lineage:
            rows.append({**common, "Nyckeltal": link.kpi_id, "Från år": link.first_year,
                         "Till år": link.last_year,
                         "Mätmetod": link.method or link.kpi_title,
                         "Källa": f"{Source.KOLADA} (utgånget nyckeltal, exempeldata i demon)"
                         if link.retired else str(Source.KOLADA)})
    return pd.DataFrame(rows, columns=["Mål", "Mått", "Mätområde", "Syfte", "Enhet",
                                       "Riktning", "Nyckeltal", "Från år", "Till år",
                                       "Mätmetod", "Källa"])


def series_breaks(infos: list[MeasureInfo]) -> list[str]:
    """A sentence for every place where a measure's method changes."""
    sentences = []
    for info in infos:
        for earlier, later in zip(info.lineage, info.lineage[1:], strict=False):
            gap = ""
            if earlier.last_year is not None and later.first_year > earlier.last_year + 1:
                years = range(earlier.last_year + 1, later.first_year)
                gap = (" Inget nyckeltal mäter måttet "
                       + "–".join(dict.fromkeys((str(years[0]), str(years[-1])))) + ".")
            sentences.append(
                f"{info.name}: {earlier.kpi_id} ({earlier.first_year}–{earlier.last_year}) "
                f"ersätts {later.first_year} av {later.kpi_id} "
                f"({later.method or later.kpi_title}). Värdena före och efter jämförs inte."
                + gap)
    return sentences
