"""The follow-up model's enums and records in Swedish words, with an icon and a colour class.

The only place where a status becomes words: cards, tables, sentences, downloads and the report
all take their words from here. Status is always shown in words and an icon as well as colour
(WCAG 1.4.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dashboard import formatting as fmt
from etl.followup.records import MeasureFollowUp, MeasureInfo, Provenance, YearRow
from etl.followup.rules import TargetStatus


@dataclass(frozen=True)
class Status:
    key: str
    label: str
    icon: str
    css: str


TARGET_WORDS: dict[TargetStatus, Status] = {
    TargetStatus.UPPNATT: Status("uppnatt", "Uppnått", "✓", "status-good"),
    TargetStatus.PA_VAG: Status("pa-vag", "På väg", "↗", "status-progress"),
    TargetStatus.EJ_UPPNATT: Status("ej-uppnatt", "Ej uppnått", "✗", "status-bad"),
    TargetStatus.INGET_MAL: Status("inget-mal", "Inget mål för året", "–", "status-none"),
    TargetStatus.INGEN_MATNING: Status("ingen-matning", "Ingen mätning", "○", "status-none"),
    TargetStatus.INGEN_BEDOMNING: Status("ingen-bedomning", "Ingen bedömning", "–",
                                         "status-none"),
}

QUARTILE_WORDS = {
    "higher": ("Bästa fjärdedelen", "Näst bästa fjärdedelen", "Näst sämsta fjärdedelen",
               "Sämsta fjärdedelen"),
    "lower": ("Bästa fjärdedelen", "Näst bästa fjärdedelen", "Näst sämsta fjärdedelen",
              "Sämsta fjärdedelen"),
    "none": ("Högsta fjärdedelen", "Näst högsta fjärdedelen", "Näst lägsta fjärdedelen",
             "Lägsta fjärdedelen"),
}
QUARTILE_CSS = ("status-good", "status-progress", "status-progress", "status-bad")
QUARTILE_ICONS = ("▲", "△", "▽", "▼")


def target(status: TargetStatus | str | None) -> Status:
    """The words of a target status; a missing one is "Ingen mätning"."""
    if status is None or status == "":
        return TARGET_WORDS[TargetStatus.INGEN_MATNING]
    return TARGET_WORDS[TargetStatus(status)]


@dataclass(frozen=True)
class PeerStatus:
    label: str
    icon: str
    css: str
    rank_text: str

    @property
    def text(self) -> str:
        """"Näst bästa fjärdedelen, plats 54 av 148"."""
        return f"{self.label}, {self.rank_text}" if self.rank_text else self.label


def peer(rank: int | None, n: int | None, quartile: int | None, direction: str) -> PeerStatus:
    """"Näst bästa fjärdedelen", "plats 54 av 148"."""
    if rank is None or quartile is None or not n:
        return PeerStatus("Ingen jämförelse", "–", "status-none", "")
    words = QUARTILE_WORDS.get(direction, QUARTILE_WORDS["higher"])
    css = "status-neutral" if direction == "none" else QUARTILE_CSS[quartile - 1]
    return PeerStatus(words[quartile - 1], QUARTILE_ICONS[quartile - 1], css,
                      f"plats {rank} av {n}")


# --- A measure's follow-up in words ----------------------------------------------------------


def value_text(info: MeasureInfo, value: float | None) -> str:
    return fmt.with_unit(value, info.unit, info.decimals)


def revised_note(revised_at: datetime | None) -> str:
    """" (reviderat 2026-11-27)" when an import changed the value after it was stored."""
    return "" if revised_at is None else f" (reviderat {fmt.iso_date(revised_at)})"


def provenance_caption(provenance: tuple[Provenance, ...]) -> str:
    """"Kolada (RKA), uttag augusti 2024" or "Kolada (RKA), hämtad 2026-11-27"; "" if none."""
    parts = []
    for source in provenance:
        if source.kind == "bundled":
            parts.append(source.caption or "Kolada (RKA)")
        elif source.kind == "kolada-api":
            parts.append(f"Kolada (RKA), hämtad {fmt.iso_date(source.when)}")
        else:
            parts.append(f"Kolada (RKA), fil inläst {fmt.iso_date(source.when)}")
    return "; ".join(dict.fromkeys(parts))


def kpi_source(provenance: tuple[Provenance, ...], has_example: bool) -> str:
    """The source of any KPI's values, saying "Exempeldata" where values are invented."""
    caption = provenance_caption(provenance)
    if has_example:
        return f"{caption} · Exempeldata" if caption else "Exempeldata (påhittade värden)"
    return caption or "Kolada (RKA)"


def source(item: MeasureFollowUp) -> str:
    """A measure's source: the survey with its threshold, or Kolada with the KPIs."""
    if item.info.is_survey:
        return ("Medarbetarenkät (aggregerad, grupper under "
                f"{item.anonymity_threshold} svarande visas inte)")
    return ((provenance_caption(item.provenance) or "Kolada (RKA)")
            + ", KPI " + ", ".join(item.info.kpi_ids))


def example_note(item: MeasureFollowUp) -> str:
    """"Exempeldata 2012–2020 (U00412)" when some shown values are invented."""
    years = item.example_years
    if not years:
        return ""
    kpis = ", ".join(item.example_kpis)
    return f"Exempeldata {min(years)}–{max(years)}" + (f" ({kpis})" if kpis else "")


def missing_latest_note(item: MeasureFollowUp) -> str:
    """Why the newest comparison year has no value for the municipality, if it has none."""
    row = item.missing_latest
    if row is None:
        return ""
    return (f"{item.municipality} har inget värde för {row.year} "
            f"({row.kpi_id}; {fmt.count(row.comparison_n)} kommuner mätte).")


def peer_of(item: MeasureFollowUp, row: YearRow | None) -> PeerStatus:
    if row is None or item.info.is_survey:
        return peer(None, 0, None, item.info.direction)
    return peer(row.peer_rank, row.comparison_n, row.quartile, item.info.direction)


def target_of(row: YearRow | None) -> Status:
    return target(None if row is None else row.target_status)


def summary(item: MeasureFollowUp) -> str:
    """One sentence: "Åstorp 80,0 % 2022, mätkommunernas medelvärde 83,7 % (n = 137),
    plats 111 av 137. Målet 85,0 % är ej uppnått." """
    row, info = item.latest, item.info
    if row is None:
        return f"{item.municipality} har ännu inget värde för måttet."
    if info.is_survey:
        text = (f"{item.municipality} {value_text(info, row.value)} {row.year} "
                f"(medelvärde 1–5, n = {fmt.count(row.respondents)})")
        if row.share_positive is not None:
            text += f", {fmt.percent(row.share_positive, 0)} svarar 4 eller 5"
    else:
        text = (f"{item.municipality} {value_text(info, row.value)} {row.year}"
                f"{revised_note(row.revised_at)}, "
                f"mätkommunernas medelvärde {value_text(info, row.comparison_mean)} "
                f"(n = {fmt.count(row.comparison_n)})")
        if row.peer_rank is not None:
            text += f", plats {row.peer_rank} av {row.comparison_n}"
    state = target_of(row)
    if row.target is not None:
        text += (f". Målet {value_text(info, row.target)} är {state.label.lower()}"
                 if row.target_status in (TargetStatus.UPPNATT, TargetStatus.EJ_UPPNATT) else
                 f". Målet {value_text(info, row.target)}: {state.label.lower()}")
    if row.is_example:
        text += " (exempeldata)"
    return text + "."


def chart_subtitle(item: MeasureFollowUp) -> str:
    if item.info.is_survey:
        return f"{item.municipality} mot målet, medelvärde 1–5 per enkätår"
    return f"{item.municipality} mot mätkommunernas medelvärde och målet"


def chart_source(item: MeasureFollowUp) -> str:
    note = example_note(item)
    return source(item) + (f" · {note}" if note else "")
