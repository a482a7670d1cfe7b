"""The words Målbild uses, each explained once: the page /sa-laser-du shows them.

A stand-in with the texts of README's "Så läser du statusen"; the definitions generated from
the follow-up rules replace it (same interface: `Definition`, `definitions()`, `anchor_for()`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    term: str
    anchor: str  # the id of its place on /sa-laser-du
    text: str


_DEFINITIONS = (
    Definition("Felmarginal (95 %-intervall)", "felmarginal",
               "Ett värde från ett urval är en uppskattning. Målbild visar ett 95-procentigt "
               "intervall, till exempel «80,0 % (95 %-intervall 75,7–83,7 %, n = 390)»: om "
               "undersökningen gjordes om skulle värdet nästan alltid hamna inom intervallet. "
               "För andelar används Wilsons intervall, för medelvärden (enkätens 1–5) "
               "medelvärdet ± t · s/√n."),
    Definition("Felmarginal okänd", "felmarginal-okand",
               "Där antalet svar inte är känt (t.ex. Servicemätningen och KKiK-nyckeltalen "
               "från 2013) går felmarginalen inte att räkna ut, och det står «felmarginal "
               "okänd»."),
    Definition("Uppnått", "uppnatt",
               "Värdet, avrundat som det visas, når årets mål."),
    Definition("På väg", "pa-vag",
               "Målet är inte nått, men värdet har blivit bättre sedan förra mätningen med "
               "samma metod, och förbättringen är större än felmarginalen för skillnaden "
               "mellan åren (där den är känd)."),
    Definition("Ej uppnått", "ej-uppnatt",
               "Värdet, avrundat som det visas, når inte årets mål."),
    Definition("Inom felmarginalen", "inom-felmarginalen",
               "Ligger målet inom värdets felmarginal står det «Ej uppnått – men inom "
               "felmarginalen» (eller «Uppnått – men inom felmarginalen»): skillnaden mot "
               "målet kan vara slumpen."),
    Definition("Mätkommunernas medelvärde", "matkommunernas-medelvarde",
               "Det ovägda medelvärdet av de kommuner som rapporterade nyckeltalet samma år, "
               "med antalet kommuner (n). Högre eller lägre än medelvärdet sägs bara när hela "
               "intervallet ligger över eller under det; annars «I nivå med»."),
    Definition("Plats och trolig plats", "trolig-plats",
               "Platsen bland mätkommunerna visas med sin troliga spännvidd, «plats 111 av "
               "137, trolig plats 74–129». Ord om fjärdedel («Bästa fjärdedelen») används "
               "bara när hela spännvidden ligger i samma fjärdedel, annars «Bättre hälften», "
               "«Sämre hälften» eller «I nivå med mitten»."),
    Definition("Förändring", "forandring",
               "Där antalet mätkommuner ändras mellan två år visas också medelvärdet för de "
               "kommuner som mätte båda åren, så att en ändring i medelvärdet inte bara "
               "speglar vilka kommuner som var med."),
    Definition("Bedömning per mål", "bedomning",
               "För uppföljningsåret: Uppnått när alla mått med ett aktuellt värde når sitt "
               "mål, Ej uppnått när inget gör det, Delvis uppnått däremellan och Kan inte "
               "bedömas när inget mått har ett aktuellt värde. Aktuellt är ett värde som "
               "mättes året, eller inom måttets intervall (enkäten vartannat år), med en metod "
               "som fortfarande används. Äldre värden visas men bedöms inte."),
)

_ANCHORS = {d.anchor: d.anchor for d in _DEFINITIONS}


def definitions() -> tuple[Definition, ...]:
    return _DEFINITIONS


def anchor_for(term_key: str) -> str:
    """The anchor of a term on /sa-laser-du ("" when the page has no such term)."""
    return _ANCHORS.get(term_key, "")
