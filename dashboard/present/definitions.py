"""The one set of definitions of Målbild's words, written from the rules that decide them.

The Excel and CSV downloads' sheet "Källor och definitioner", the yearly report's appendix, the
page /sa-laser-du and the README's "Så läser du statusen" all take their text from here, so that
no two texts can drift apart. The numbers in the text (0,9 of n, 2 000 draws, 95 %) come from
the follow-up model's constants. `python -m dashboard.present.definitions` prints the README
section.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import Enum

from dashboard.present import formatting as fmt
from etl.followup import intervals, samples
from etl.followup.rules import ChangeWord, TargetCertainty, TargetStatus, VersusMean
from etl.followup.verdict import MeasureCertainty, Verdict, VerdictCertainty

DEFAULT_ANONYMITY_THRESHOLD = 5


@dataclass(frozen=True)
class Definition:
    term: str
    anchor: str  # a stable slug: /sa-laser-du#<anchor>
    text: str


def definitions(anonymity_threshold: int = DEFAULT_ANONYMITY_THRESHOLD
                ) -> tuple[Definition, ...]:
    """Every word the follow-up uses, in the order a reader needs them."""
    share = fmt.number(samples.DEFAULT_VALID_SHARE, 1)
    draws = fmt.count(intervals.BOOTSTRAP_DRAWS)
    return (
        Definition("Kommunens mått", "kommunens-matt",
                   "Kommunens värde för året. Saknat värde är ingen nolla: en kommun som inte "
                   "mätte har inget värde."),
        Definition("Felmarginal (95 %-intervall)", "felmarginal",
                   "Ett värde från ett urval är en uppskattning. Intervallet visar var det sanna "
                   "värdet troligen ligger: om undersökningen gjordes om skulle värdet nästan "
                   "alltid hamna inom det. För andelar används Wilsons intervall, för enkätens "
                   "medelvärden (1–5) medelvärdet ± t · s/√n. Medarbetarenkätens intervall görs "
                   "utan korrektion för ändlig population: de som inte svarade är en större "
                   "osäkerhet än slumpen i vilka som svarade, och den krymper inte av att många "
                   "anställda svarade."),
        Definition("Antal svar som tak («n ≤ 390»)", "n-tak",
                   "Medborgarundersökningens n är antalet som svarade på undersökningen "
                   "(Kolada N00528). En enskild fråga har färre svar: «vet inte» räknas inte, "
                   "och frågor om kontakt med kommunen besvaras bara av dem som haft kontakt. "
                   "Därför står «n ≤ 390», och ett påstående (säkert nått eller ej, högre eller "
                   "lägre än medelvärdet, fjärdedel eller hälft, ökat eller minskat) görs bara om "
                   f"det håller också om bara {share} av n svarade på frågan (`valid_share` i "
                   "data/sample_sizes.toml); annars används det svagare ordet."),
        Definition("Felmarginal okänd", "felmarginal-okand",
                   "Där antalet svar inte är känt (t.ex. Servicemätningen, KKiK-nyckeltalen från "
                   "2013 och nyckeltal utan regel i data/sample_sizes.toml) finns inget "
                   "intervall. Då visas platsen utan ord om fjärdedel eller hälft («plats 47 av "
                   "129 (felmarginal okänd)»), inget «högre» eller «lägre än medelvärdet», "
                   "ingen säkerställd förändring och inget «på väg»."),
        Definition("Uppnått", "uppnatt",
                   "Värdet, avrundat som det visas (halvt uppåt), når årets mål. «Säkert nått» "
                   "när hela felmarginalen ligger på rätt sida om målet."),
        Definition("Ej uppnått", "ej-uppnatt",
                   "Värdet når inte årets mål. «Säkert ej nått» när hela felmarginalen ligger "
                   "på fel sida om målet."),
        Definition("Inom felmarginalen", "inom-felmarginalen",
                   "Målet ligger inom värdets felmarginal: skillnaden mot målet kan vara "
                   "slumpen, så måttet kan lika gärna ha nått målet som inte. Det står "
                   "«Uppnått – men inom felmarginalen» eller «Ej uppnått – men inom "
                   "felmarginalen»."),
        Definition("På väg", "pa-vag",
                   "Målet är inte nått, men värdet har säkert blivit bättre sedan förra "
                   "mätningen med samma metod: förändringens intervall ligger helt på den bättre "
                   "sidan om noll. Utan felmarginal används ordet aldrig."),
        Definition("Sannolikhet att målet är nått", "sannolikhet",
                   "Där antalet svar är känt: hur troligt det är att det sanna värdet når målet, "
                   "givet svaren («sannolikhet att målet är nått: 74 %»). För andelar Jeffreys "
                   "a posteriori-fördelning Beta(x + ½, n − x + ½), för enkätens medelvärden "
                   "normalfördelningen kring medelvärdet; räknat vid det lägre n som "
                   "påståendena prövas vid."),
        Definition("Förändring sedan förra mätningen", "forandring",
                   "Skillnaden mot förra mätningen med samma metod, i procentenheter (eller "
                   "enheter), med sitt 95 %-intervall: Newcombes metod för två andelar, "
                   "t-intervallet för skillnaden mellan två enkätmedelvärden. «Ökat» eller "
                   "«minskat» bara när intervallet inte innehåller noll, annars «ingen "
                   "säkerställd förändring»; utan felmarginal «förändringen kan inte bedömas». "
                   "Där nyckeltalet bytts (ny metod) jämförs inte värdena."),
        Definition("Mätkommunernas medelvärde", "matkommunernas-medelvarde",
                   "Det ovägda medelvärdet av de kommuner som rapporterade nyckeltalet samma år, "
                   "med antalet kommuner (n). Det är inte riket och inte regionerna. «Högre» "
                   "eller «lägre än mätkommunernas medelvärde» bara när hela felmarginalen "
                   "ligger över eller under medelvärdet, annars «i nivå med»."),
        Definition("Kommuner som mätte båda åren", "matte-bada-aren",
                   "Där antalet mätkommuner ändras mellan två år visas också medelvärdet för de "
                   "kommuner som mätte båda åren, så att en ändring i medelvärdet inte bara "
                   "speglar vilka kommuner som var med."),
        Definition("Plats", "plats",
                   "1 + antalet mätkommuner med bättre värde; lika värden delar plats («plats 54 "
                   "av 148»)."),
        Definition("Trolig plats", "trolig-plats",
                   "Platserna kommunen troligen har, med hänsyn till att alla kommuners värden "
                   f"bygger på urval: {draws} gånger dras varje kommuns värde på nytt utifrån "
                   "dess eget antal svar, och de mittersta 95 % av kommunens platser visas "
                   "(«plats 37 av 137, trolig plats 18–71»). Dragningen är fröad: samma data ger "
                   "alltid samma spännvidd. Ord om fjärdedel («Bästa fjärdedelen») bara när hela "
                   "spännvidden ligger i samma fjärdedel, annars «Bättre hälften», «Sämre "
                   "hälften» eller «I nivå med mitten»."),
        Definition("Bedömning per mål", "bedomning",
                   "Uppnått när alla mått med ett aktuellt värde (mätt året, eller senaste "
                   "enkäten för mått som mäts vartannat år) når sitt mål, ej uppnått när inget "
                   "gör det, delvis uppnått däremellan och kan inte bedömas när inget mått har "
                   "ett aktuellt värde; ett äldre värde eller ett från en metod som upphört "
                   "bedöms inte. Varje mått är säkert nått, säkert ej nått eller inom "
                   "felmarginalen. Ligger ett mått inom felmarginalen är bedömningen osäker, och "
                   "alla bedömningar som data tillåter visas («Ej uppnått eller delvis uppnått – "
                   "2 av 3 mått inom felmarginalen»)."),
        Definition("Egen mätning", "egen-matning",
                   "Kommunens egna testkontakter (e-post, telefon, brev) som prövar strategins "
                   "regel. Kontakterna väljs av kommunen och är inget slumpmässigt urval: "
                   "intervallet visar slumpens del, inte om kontakterna liknar medborgarnas."),
        Definition("Metodbyte", "metodbyte",
                   "Där ett nyckeltal ersätts av ett annat (ny mätmetod) jämförs inte värdena "
                   "före och efter; diagrammen visar ett brott i stället för en linje."),
        Definition("Medarbetarenkäten", "medarbetarenkaten",
                   "Bara sammanställningar sparas. Grupper med färre än "
                   f"{anonymity_threshold} svarande visas aldrig, inte heller en grupp som kunde "
                   "räknas fram ur de andra. Mäts vartannat år; år utan enkät är «ingen "
                   "mätning»."),
        Definition("Exempeldata", "exempeldata",
                   "Påhittade värden för demonstration: de KKiK-nyckeltal från 2013 som inte "
                   "längre finns i Kolada och demons medarbetarenkät. De märks «Exempeldata» "
                   "överallt där de visas eller exporteras."),
    )


# Each model enum value (and each anchor itself) → the anchor that explains it.
_ANCHOR_OF: dict[str, str] = {
    TargetStatus.UPPNATT: "uppnatt", TargetStatus.PA_VAG: "pa-vag",
    TargetStatus.EJ_UPPNATT: "ej-uppnatt", TargetStatus.INGET_MAL: "bedomning",
    TargetStatus.INGEN_MATNING: "bedomning", TargetStatus.INGEN_BEDOMNING: "bedomning",
    TargetCertainty.SAKERT: "felmarginal", TargetCertainty.INOM_FELMARGINAL:
    "inom-felmarginalen", TargetCertainty.OKAND: "felmarginal-okand",
    VersusMean.HOGRE: "matkommunernas-medelvarde", VersusMean.LAGRE: "matkommunernas-medelvarde",
    VersusMean.I_NIVA: "matkommunernas-medelvarde", VersusMean.OKAND: "felmarginal-okand",
    **{word: "forandring" for word in ChangeWord},
    **{verdict: "bedomning" for verdict in Verdict},
    **{certainty: "bedomning" for certainty in VerdictCertainty},
    MeasureCertainty.SAKERT_NATT: "uppnatt", MeasureCertainty.SAKERT_EJ_NATT: "ej-uppnatt",
    MeasureCertainty.INOM_FELMARGINALEN: "inom-felmarginalen",
    MeasureCertainty.FELMARGINAL_OKAND: "felmarginal-okand",
}


def anchor_for(term_key: str | Enum) -> str:
    """The anchor on /sa-laser-du that explains a word: an anchor itself, or any of the
    model's status enums (their values are what the exports write)."""
    key = term_key.value if isinstance(term_key, Enum) else str(term_key)
    anchors = {d.anchor for d in definitions()}
    if key in anchors:
        return key
    by_value = {str(k): v for k, v in _ANCHOR_OF.items()}
    if key in by_value:
        return by_value[key]
    raise KeyError(f"Inget ord i definitionerna för «{key}».")


def readme_section(anonymity_threshold: int = DEFAULT_ANONYMITY_THRESHOLD) -> str:
    """The README's "Så läser du statusen" body: one bullet per definition."""
    lines = ["Orden förklaras på sidan *Så läser du Målbild* (`/sa-laser-du`), i nedladdningarnas "
             "blad «Källor och definitioner» och i årsrapportens bilaga; alla tar texten från "
             "`dashboard/present/definitions.py`, som också skriver den här listan "
             "(`python -m dashboard.present.definitions`).", ""]
    lines += [f"* **{d.term}**: {d.text}" for d in definitions(anonymity_threshold)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(readme_section())
