"""The follow-up model's enums and records in Swedish words, with an icon and a colour class.

The only place where a status becomes words: cards, tables, sentences, downloads and the report
all take their words from here. Status is always shown in words and an icon as well as colour
(WCAG 1.4.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dashboard.present import definitions
from dashboard.present import formatting as fmt
from etl.followup.records import OWN_SAMPLE, MeasureFollowUp, MeasureInfo, YearRow
from etl.followup.rules import (
    ChangeWord,
    TargetCertainty,
    TargetStatus,
    VersusMean,
    quartile_of,
)
from etl.followup.verdict import (
    Currency,
    GoalVerdict,
    MeasureCertainty,
    MeasureStanding,
    Verdict,
    VerdictCertainty,
)
from etl.numbers import round_half_up


@dataclass(frozen=True)
class Status:
    key: str
    label: str
    icon: str
    css: str


TARGET_WORDS: dict[TargetStatus, Status] = {
    TargetStatus.UPPNATT: Status("uppnatt", "Uppnått", "✓", "status-good"),
    TargetStatus.PA_VAG: Status("pa-vag", "På väg", "↗", "status-neutral"),
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
# A semantic palette: good, neutral, bad (never the warning colour for a good result).
QUARTILE_CSS = ("status-good", "status-good", "status-neutral", "status-bad")
QUARTILE_ICONS = ("▲", "△", "▽", "▼")


NO_CURRENT_STATUS = Status("ingen-bedomning", "Ingen aktuell bedömning", "–", "status-none")


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
        """"Näst bästa fjärdedelen, plats 54 av 148"; the place alone where there is no word."""
        if not self.label:
            return self.rank_text
        return f"{self.label}, {self.rank_text}" if self.rank_text else self.label


HALF_WORDS = {
    "higher": ("Bättre hälften", "Sämre hälften"),
    "lower": ("Bättre hälften", "Sämre hälften"),
    "none": ("Övre hälften", "Nedre hälften"),
}


MARGIN_UNKNOWN = "felmarginal okänd"
MARGIN_UNKNOWN_WHY = ("Antalet svar bakom värdena är inte känt, så felmarginalen är okänd: "
                      "platsen visas utan ord om fjärdedel, hälft eller medelvärdet.")


def place_without_margin(rank: int, n: int) -> str:
    """"plats 47 av 129 (felmarginal okänd)": the place alone, where n is unknown."""
    return f"plats {rank} av {fmt.count(n)} ({MARGIN_UNKNOWN})"


def margin_unknown_note(row: YearRow | None) -> str:
    """Why a ranked value has no quarter or half word: "" where its margin is known."""
    if row is None or row.peer_rank is None or row.interval is not None:
        return ""
    return MARGIN_UNKNOWN_WHY


def peer(rank: int | None, n: int | None, quartile: int | None, direction: str,
         rank_range: tuple[int, int] | None = None) -> PeerStatus:
    """With an interval, the plausible places ("plats 111 av 137, trolig plats 74–129") and
    a quarter or half only where all of them lie in it; without one (n unknown) the place
    alone, "plats 47 av 129 (felmarginal okänd)", and no word at all."""
    if rank is None or quartile is None or not n:
        return PeerStatus("Ingen jämförelse", "–", "status-none", "")
    words = QUARTILE_WORDS.get(direction, QUARTILE_WORDS["higher"])
    neutral = direction == "none"
    text = f"plats {rank} av {n}"
    if rank_range is None:
        return PeerStatus("", "–", "status-none", place_without_margin(rank, n))
    best, worst = rank_range
    text += f", trolig plats {best}–{worst}" if best != worst else ""
    first, last = quartile_of(best, n), quartile_of(worst, n)
    if first == last:
        css = "status-neutral" if neutral else QUARTILE_CSS[first - 1]
        return PeerStatus(words[first - 1], QUARTILE_ICONS[first - 1], css, text)
    halves = HALF_WORDS.get(direction, HALF_WORDS["higher"])
    if last <= 2:
        return PeerStatus(halves[0], "△", "status-neutral" if neutral else "status-good", text)
    if first >= 3:
        return PeerStatus(halves[1], "▽", "status-neutral" if neutral else "status-bad", text)
    return PeerStatus("I nivå med mitten", "◇", "status-neutral", text)


CERTAINTY_NOTE = {
    TargetCertainty.SAKERT: "",
    TargetCertainty.INOM_FELMARGINAL: " – men inom felmarginalen",
    TargetCertainty.OKAND: "",
}

VERSUS_WORDS = {
    VersusMean.HOGRE: ("Högre än mätkommunernas medelvärde", "▲"),
    VersusMean.LAGRE: ("Lägre än mätkommunernas medelvärde", "▼"),
    VersusMean.I_NIVA: ("I nivå med mätkommunernas medelvärde", "◇"),
    VersusMean.OKAND: ("Felmarginalen är okänd", "–"),
}

VERDICT_WORDS: dict[Verdict, Status] = {
    Verdict.UPPNATT: Status("uppnatt", "Uppnått", "✓", "status-good"),
    Verdict.DELVIS: Status("delvis", "Delvis uppnått", "◐", "status-neutral"),
    Verdict.EJ_UPPNATT: Status("ej-uppnatt", "Ej uppnått", "✗", "status-bad"),
    Verdict.KAN_INTE_BEDOMAS: Status("kan-inte-bedomas", "Kan inte bedömas", "?",
                                     "status-none"),
}

VERDICT_RULE = next(d.text for d in definitions.definitions() if d.anchor == "bedomning")
UNCERTAIN_ICON = "±"


def _joined(labels: list[str]) -> str:
    """"Ej uppnått, delvis uppnått eller uppnått"."""
    labels = [labels[0]] + [label[0].lower() + label[1:] for label in labels[1:]]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} eller {labels[-1]}"


def verdict(goal: GoalVerdict) -> Status:
    """The goal's verdict; where a measure is within its margin, every verdict the data
    allow ("Ej uppnått eller delvis uppnått"), marked uncertain (±, neutral colour)."""
    state = VERDICT_WORDS[goal.verdict]
    if goal.certainty is VerdictCertainty.SAKERT or len(goal.possible) < 2:
        return state
    return Status(state.key, _joined([VERDICT_WORDS[v].label for v in goal.possible]),
                  UNCERTAIN_ICON, "status-neutral")


def verdict_phrase(goal: GoalVerdict) -> str:
    """"Delvis uppnått", or "Ej uppnått eller delvis uppnått – 2 av 3 mått inom
    felmarginalen" where the verdict is uncertain."""
    label = verdict(goal).label
    if goal.certainty is VerdictCertainty.SAKERT:
        return label
    return (f"{label} – {goal.measures_within_margin} av {len(goal.standings)} mått inom "
            "felmarginalen")


def verdict_counts(goal: GoalVerdict) -> str:
    """"2 av 3 mått bedömda, 1 når målet, 2 inom felmarginalen; 1 saknar aktuellt värde"."""
    total = len(goal.standings)
    text = (f"{goal.measures_assessed} av {total} mått bedömda, "
            f"{goal.measures_reached} når målet")
    if goal.measures_within_margin:
        text += f", {goal.measures_within_margin} inom felmarginalen"
    if goal.measures_without_current_value:
        text += f"; {goal.measures_without_current_value} saknar aktuellt värde"
    return text


MEASURE_CERTAINTY_WORDS = {
    MeasureCertainty.SAKERT_NATT: "säkert nått",
    MeasureCertainty.SAKERT_EJ_NATT: "säkert ej nått",
    MeasureCertainty.INOM_FELMARGINALEN: "inom felmarginalen",
    MeasureCertainty.FELMARGINAL_OKAND: "felmarginal okänd",
}


def measure_certainty(standing: MeasureStanding) -> str:
    """"säkert nått", "säkert ej nått", "inom felmarginalen"; "" when not assessed."""
    certainty = standing.certainty
    return "" if certainty is None else MEASURE_CERTAINTY_WORDS[certainty]


# --- What changed since the previous measurement -----------------------------------------------

CHANGE_WORDS = {
    ChangeWord.OKAT: "ökat",
    ChangeWord.MINSKAT: "minskat",
    ChangeWord.INGEN_SAKERSTALLD: "ingen säkerställd förändring",
    ChangeWord.KAN_INTE_BEDOMAS: "förändringen kan inte bedömas (felmarginal okänd)",
    ChangeWord.INGEN_TIDIGARE: "ingen tidigare mätning med samma metod",
}


def _points(row: YearRow, size: float) -> str:
    """" procentenheter" after a change of a share; nothing after a scale's points."""
    if row.unit not in fmt.PERCENT_UNITS:
        return ""
    return " procentenhet" if size == 1 else " procentenheter"


def change_size(row: YearRow) -> str:
    """"3,0 procentenheter", "0,20" (a scale's points have no unit word)."""
    size = abs(row.change)
    return fmt.number(size, row.decimals) + _points(row, size)


def _signed(value: float, decimals: int) -> str:
    text = fmt.number(value, decimals)
    return text if text.startswith("−") or round_half_up(value, decimals) == 0 else f"+{text}"


def change_interval_text(row: YearRow) -> str:
    """"95 %-intervall −8,40–2,38" (one decimal more than the value, as the mean has)."""
    interval = row.change_interval
    if interval is None:
        return ""
    places = row.decimals + 1
    return (f"95\u00a0%-intervall {fmt.number(interval.low, places)}–"
            f"{fmt.number(interval.high, places)}")


def _only_at_full_n(row: YearRow) -> bool:
    """The change's interval at the reported n excludes 0, but the word, checked at the
    lower n the question may have had, is not sure."""
    interval = row.change_interval
    return (row.n_is_bound and row.change_word is ChangeWord.INGEN_SAKERSTALLD
            and interval is not None and (interval.low > 0 or interval.high < 0))


def change_phrase(row: YearRow) -> str:
    """What changed since the previous measurement with the same method, in words no
    stronger than its interval: "ökat med 16,3 procentenheter sedan 2021 (95 %-intervall
    9,81–22,61)", "ingen säkerställd förändring sedan 2021 (−3,0 procentenheter, 95 %-intervall
    −8,40–2,38)", "+2,0 procentenheter sedan 2019; förändringen kan inte bedömas (felmarginal
    okänd)". "" for a row without a value."""
    word = row.change_word
    if word is None:
        return ""
    if word is ChangeWord.INGEN_TIDIGARE:
        return CHANGE_WORDS[word]
    since = f"sedan {row.previous_year}"
    signed = _signed(row.change, row.decimals) + _points(row, abs(row.change))
    if word in (ChangeWord.OKAT, ChangeWord.MINSKAT):
        return (f"{CHANGE_WORDS[word]} med {change_size(row)} {since} "
                f"({change_interval_text(row)})")
    if word is ChangeWord.KAN_INTE_BEDOMAS:
        return f"{signed} {since}; {CHANGE_WORDS[word]}"
    text = f"{CHANGE_WORDS[word]} {since} ({signed}, {change_interval_text(row)}"
    if _only_at_full_n(row):
        text += "; säker bara om alla som svarade på undersökningen svarade på frågan"
    return text + ")"


def change_cell(row: YearRow) -> str:
    """The change for a table cell, without the unit (the column names it): "ökat sedan 2021:
    +16,3 (9,78–22,64)", "ingen säkerställd förändring sedan 2021: −3,0 (−8,40–2,38)",
    "+2,0 sedan 2019: kan inte bedömas (felmarginal okänd)"; "–" with nothing to compare."""
    word = row.change_word
    if word is None or word is ChangeWord.INGEN_TIDIGARE:
        return "–"
    signed = _signed(row.change, row.decimals)
    if word is ChangeWord.KAN_INTE_BEDOMAS:
        return f"{signed} sedan {row.previous_year}: kan inte bedömas ({MARGIN_UNKNOWN})"
    interval = change_interval_text(row).removeprefix("95\u00a0%-intervall ")
    if _only_at_full_n(row):
        interval += "; säker bara om alla svarande svarade på frågan"
    return f"{CHANGE_WORDS[word]} sedan {row.previous_year}: {signed} ({interval})"


def change_brief(row: YearRow) -> str:
    """The change as a few words for a summary line: "ökat sedan 2021", "ingen säkerställd
    förändring sedan 2021", "+2,0 sedan 2019, kan inte bedömas"; "" with nothing to compare."""
    word = row.change_word
    if word is None or word is ChangeWord.INGEN_TIDIGARE:
        return ""
    if word is ChangeWord.KAN_INTE_BEDOMAS:
        return f"{_signed(row.change, row.decimals)} sedan {row.previous_year}, kan inte bedömas"
    return f"{CHANGE_WORDS[word]} sedan {row.previous_year}"


def change_column(unit: str) -> str:
    """The heading of a column of `change_cell`s, with the unit of the change."""
    return ("Sedan förra mätningen (procentenheter)" if unit in fmt.PERCENT_UNITS
            else "Sedan förra mätningen")


def change_sentence(item: MeasureFollowUp, row: YearRow, what: str) -> str:
    """"Sedan förra mätningen med samma metod (2021: 83,0 %) har värdet minskat med 3,0
    procentenheter, men förändringen ryms inom felmarginalen (95 %-intervall −8,40–2,38):
    ingen säkerställd förändring." `what` names the previous measurement."""
    previous = row_value(item, row, row.previous_value)
    before = f"Sedan förra {what} ({row.previous_year}: {previous})"
    word = row.change_word
    if row.change == 0:
        return f"Värdet är oförändrat sedan förra {what} ({row.previous_year}: {previous})."
    moved = "ökat" if row.change > 0 else "minskat"
    if word in (ChangeWord.OKAT, ChangeWord.MINSKAT):
        return (f"{before} har värdet {moved} med {change_size(row)}, också med hänsyn till "
                f"felmarginalen ({change_interval_text(row)}).")
    if word is ChangeWord.INGEN_SAKERSTALLD and _only_at_full_n(row):
        return (f"{before} har värdet {moved} med {change_size(row)} "
                f"({change_interval_text(row)}), men förändringen är säker bara om alla som "
                "svarade på undersökningen svarade på frågan, och färre gjorde det: ingen "
                "säkerställd förändring.")
    if word is ChangeWord.INGEN_SAKERSTALLD:
        return (f"{before} har värdet {moved} med {change_size(row)}, men förändringen ryms "
                f"inom felmarginalen ({change_interval_text(row)}): ingen säkerställd "
                "förändring.")
    return (f"{before} har värdet {moved} med {change_size(row)}; felmarginalen är okänd, "
            "så förändringen kan inte bedömas.")


def probability_phrase(row: YearRow) -> str:
    """"sannolikhet att målet är nått: 74 %"; "" where n is unknown or there is no target."""
    if row.p_target is None:
        return ""
    share = 100 * row.p_target
    if share < 1:
        shown = "under 1\u00a0%"
    elif share > 99:
        shown = "över 99\u00a0%"
    else:
        shown = fmt.percent(share, 0)
    return f"sannolikhet att målet är nått: {shown}"


# --- A measure's follow-up in words ----------------------------------------------------------


def value_text(info: MeasureInfo, value: float | None, unit: str | None = None) -> str:
    """The value in the measure's unit, or the row's (an index is no per cent)."""
    return fmt.with_unit(value, unit or info.unit, info.decimals)


def row_value(item: MeasureFollowUp, row: YearRow, value: float | None = None) -> str:
    return value_text(item.info, row.value if value is None else value, row.unit)


def n_text(row: YearRow) -> str:
    """"n = 423", or "n ≤ 390" where n counts every answer of the survey, not the question's."""
    return f"n {'≤' if row.n_is_bound else '='} {fmt.count(row.sample_n)}"


def interval_text(item: MeasureFollowUp, row: YearRow) -> str:
    """"95 %-intervall 75,7–83,7 %, n ≤ 390", or that the margin is unknown."""
    interval = row.interval
    if interval is not None:
        low = fmt.number(interval.low, item.info.decimals)
        return (f"95\u00a0%-intervall {low}–{row_value(item, row, interval.high)}, "
                f"{n_text(row)}")
    if row.sample_n is not None:
        return f"{n_text(row)}, {MARGIN_UNKNOWN}"
    return MARGIN_UNKNOWN


def interval_facts(item: MeasureFollowUp, row: YearRow) -> list[tuple[str, str]]:
    """The margin as short facts for a card: the interval and n, or "okänd"."""
    interval = row.interval
    facts = []
    if interval is not None:
        facts.append(("95 %-intervall", f"{fmt.number(interval.low, item.info.decimals)}–"
                                         f"{row_value(item, row, interval.high)}"))
    else:
        facts.append(("Felmarginal", "okänd"))
    if row.sample_n is not None:
        facts.append(("Antal svar (n)", ("≤ " if row.n_is_bound else "")
                      + fmt.count(row.sample_n)))
    return facts


def revised_note(revised_at: datetime | None) -> str:
    """" (reviderat 2026-11-27)" when an import changed the value after it was stored."""
    return "" if revised_at is None else f" (reviderat {fmt.iso_date(revised_at)})"


OWN_NAME = "Egen mätning"
OWN_STATUS_NOTE = ("Status från kommunens egen mätning, som prövar strategins regel med "
                   f"{OWN_SAMPLE}; Koladas nyckeltal visas bredvid.")


def kolada_beside(item: MeasureFollowUp, year: int) -> str:
    """The KPI's newest value up to `year`, to show beside the own measurement."""
    rows = [r for r in item.rows if r.year <= year and r.has_value]
    if not rows:
        kpis = ", ".join(item.info.kpi_ids)
        return f"Kolada ({kpis}): inget värde för {item.municipality}."
    row = rows[-1]
    text = f"Kolada {row.kpi_id} {row.year}: {row_value(item, row)}"
    if row.comparison_mean is not None:
        text += (f", mätkommunernas medelvärde {row_value(item, row, row.comparison_mean)} "
                 f"(n = {fmt.count(row.comparison_n)})")
    return text + (" (exempeldata)." if row.is_example else ".")


def own_label(row: YearRow) -> str:
    """"Egen mätning (n = 44)"."""
    return f"{OWN_NAME} (n = {fmt.count(row.sample_n)})"


def own_sentence(item: MeasureFollowUp, row: YearRow | None = None) -> str:
    """"Egen mätning 2025: 86,3 % (95 %-intervall 74,3–93,2 %, n = 51). Målet 87,0 % är
    ej uppnått – men inom felmarginalen." """
    row = row or item.latest_own
    if row is None:
        return ""
    example = "exempeldata; " if row.is_example else ""
    text = (f"{OWN_NAME} {row.year}: {row_value(item, row)} ({example}{OWN_SAMPLE}; "
            f"{interval_text(item, row)})")
    if row.target is not None:
        state = target_of(row)
        goal = value_text(item.info, row.target, row.unit)
        text += (f". Målet {goal} är {state.label[0].lower() + state.label[1:]}"
                 if row.target_status in (TargetStatus.UPPNATT, TargetStatus.EJ_UPPNATT) else
                 f". Målet {goal}: {state.label.lower()}")
    return text + "."


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
    span = (row.rank_low, row.rank_high) if row.rank_low is not None else None
    return peer(row.peer_rank, row.comparison_n, row.quartile, item.info.direction, span)


def target_of(row: YearRow | None) -> Status:
    """"Ej uppnått – men inom felmarginalen" where the interval contains the target."""
    state = target(None if row is None else row.target_status)
    if row is None or row.target_certainty is None or row.target_status not in (
            TargetStatus.UPPNATT, TargetStatus.EJ_UPPNATT):
        return state
    note = CERTAINTY_NOTE[row.target_certainty]
    return Status(state.key, state.label + note, state.icon,
                  "status-neutral" if note else state.css)


def versus_of(item: MeasureFollowUp, row: YearRow | None) -> Status | None:
    """Against the mean, by the interval; None where there is no comparison."""
    if row is None or row.versus_mean is None:
        return None
    label, icon = VERSUS_WORDS[row.versus_mean]
    better = {"higher": VersusMean.HOGRE, "lower": VersusMean.LAGRE}.get(item.info.direction)
    if row.versus_mean in (VersusMean.I_NIVA, VersusMean.OKAND) or better is None:
        css = "status-neutral" if row.versus_mean is not VersusMean.OKAND else "status-none"
    else:
        css = "status-good" if row.versus_mean is better else "status-bad"
    return Status(str(row.versus_mean), label, icon, css)


def standing_note(standing: MeasureStanding) -> str:
    """Why a measure has no live status in the year, or when its next survey comes."""
    latest = standing.latest
    if standing.currency is Currency.NONE:
        return f"Ingen mätning till och med {standing.year}."
    if standing.currency is Currency.DISCONTINUED:
        return f"Senaste mätning {latest.year} (metoden har upphört)."
    if standing.currency is Currency.OLDER:
        return f"Senaste mätning {latest.year}; inget aktuellt värde {standing.year}."
    if standing.next_year is not None:
        return f"Senaste enkäten {latest.year}, nästa {standing.next_year}."
    return ""


def summary(item: MeasureFollowUp, row: YearRow | None = None) -> str:
    """One sentence: "Åstorp 80,0 % 2022 (95 %-intervall 75,7–83,7 %, n = 390), lägre än
    mätkommunernas medelvärde 83,7 % (n = 137), plats 111 av 137, trolig plats 74–129.
    Målet 85,0 % är ej uppnått." Of `row`, or the newest value."""
    info = item.info
    row = row or item.latest
    if row is None:
        return f"{item.municipality} har ännu inget värde för måttet."
    example = " (exempeldata)" if row.is_example else ""
    if info.is_survey:
        text = (f"{item.municipality} {row_value(item, row)} {row.year}{example} "
                f"(medelvärde 1–5, {interval_text(item, row)})")
        if row.share_positive is not None:
            text += f", {fmt.percent(row.share_positive, 0)} svarar 4 eller 5"
    else:
        text = (f"{item.municipality} {row_value(item, row)} {row.year}"
                f"{revised_note(row.revised_at)} ({example.strip(' ()') + '; ' if example else ''}"
                f"{interval_text(item, row)}), ")
        versus = versus_of(item, row)
        mean = (f"mätkommunernas medelvärde {row_value(item, row, row.comparison_mean)} "
                f"(n = {fmt.count(row.comparison_n)})")
        if versus is not None and row.versus_mean in (VersusMean.HOGRE, VersusMean.LAGRE):
            text += f"{versus.label.split(' än ')[0].lower()} än {mean}"
        elif versus is not None and row.versus_mean is VersusMean.I_NIVA:
            text += f"i nivå med {mean}"
        else:
            text += mean
        if row.peer_rank is not None:
            text += f", {peer_of(item, row).rank_text}"
    state = target_of(row)
    if row.target is not None:
        goal = value_text(info, row.target, row.unit)
        text += (f". Målet {goal} är {state.label[0].lower() + state.label[1:]}"
                 if row.target_status in (TargetStatus.UPPNATT, TargetStatus.EJ_UPPNATT) else
                 f". Målet {goal}: {state.label.lower()}")
    return text + "."


def chart_subtitle(item: MeasureFollowUp) -> str:
    if item.info.is_survey:
        return f"{item.municipality} mot målet, medelvärde 1–5 per enkätår"
    return f"{item.municipality} mot mätkommunernas medelvärde och målet"


def chart_source(item: MeasureFollowUp) -> str:
    note = example_note(item)
    return item.source_line + (f" · {note}" if note else "")
