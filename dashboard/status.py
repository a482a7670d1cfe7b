"""The two statuses of a measure, always in words and with an icon as well as a colour.

1. Against the municipality's own target for the year: uppnått / på väg / ej uppnått.
   "På väg" means not reached but better than the previous measurement with the same method.
2. Against the others: which quarter of the measuring municipalities, and the rank.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.formatting import is_missing


@dataclass(frozen=True)
class Status:
    key: str
    label: str
    icon: str
    css: str


UPPNATT = Status("uppnatt", "Uppnått", "✓", "status-good")
PA_VAG = Status("pa-vag", "På väg", "↗", "status-progress")
EJ_UPPNATT = Status("ej-uppnatt", "Ej uppnått", "✗", "status-bad")
INGET_MAL = Status("inget-mal", "Inget mål för året", "–", "status-none")
INGEN_MATNING = Status("ingen-matning", "Ingen mätning", "○", "status-none")
INGEN_BEDOMNING = Status("ingen-bedomning", "Ingen bedömning", "–", "status-none")
TARGET_STATUSES = (UPPNATT, PA_VAG, EJ_UPPNATT, INGET_MAL, INGEN_MATNING, INGEN_BEDOMNING)

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


def _reached(value: float, target: float, direction: str) -> bool:
    return value <= target if direction == "lower" else value >= target


def _better(value: float, previous: float, direction: str) -> bool:
    return value < previous if direction == "lower" else value > previous


def target_status(value: float | None, target: float | None, direction: str, *,
                  previous: float | None = None, decimals: int = 1) -> Status:
    """Status against the year's target. Values are compared as shown (rounded)."""
    if is_missing(value):
        return INGEN_MATNING
    if direction == "none":
        return INGEN_BEDOMNING
    if is_missing(target):
        return INGET_MAL
    shown = round(value, decimals)
    if _reached(shown, target, direction):
        return UPPNATT
    if not is_missing(previous) and _better(shown, round(previous, decimals), direction):
        return PA_VAG
    return EJ_UPPNATT


@dataclass(frozen=True)
class PeerStatus:
    label: str
    icon: str
    css: str
    rank_text: str


def peer_status(rank: int | None, n: int, quartile: int | None, direction: str) -> PeerStatus:
    """"Näst bästa fjärdedelen", "plats 54 av 148"."""
    if rank is None or quartile is None or n == 0:
        return PeerStatus("Ingen jämförelse", "–", "status-none", "")
    words = QUARTILE_WORDS.get(direction, QUARTILE_WORDS["higher"])
    css = "status-neutral" if direction == "none" else QUARTILE_CSS[quartile - 1]
    return PeerStatus(words[quartile - 1], QUARTILE_ICONS[quartile - 1], css,
                      f"plats {rank} av {n}")
