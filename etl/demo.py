"""The demo: real Kolada values plus clearly labelled example data, built into one database.

Kolada no longer publishes the 2013 KKiK KPIs (U00412–U00416) that the strategy was written
against, and no real staff survey is public. `generate_*` make deterministic, plausible example
data for those; every example value is stored with `is_example` and shown as "Exempeldata".
Real values are never altered: the generator refuses KPIs that the real extract holds.

`python -m etl.demo` rewrites the example files in `data/demo/` (a test checks they are current).
"""

from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from etl import numbers
from etl.extract import kolada_files
from etl.settings import Settings
from etl.workdays import swedish_calendar

EXAMPLE_KKIK_FILE = "exempeldata_kkik_2012-2020.csv"
SURVEY_YEARS = tuple(range(2013, 2026, 2))


@dataclass(frozen=True)
class ExampleKpi:
    """How the example values of one retired KPI are spread: mean, spread, trend, noise, limits."""

    kpi: str
    mean: float
    spread: float
    trend: float
    noise: float
    low: float
    high: float


EXAMPLE_KPIS = (
    ExampleKpi("U00412", 82, 9, 0.8, 5, 20, 100),
    ExampleKpi("U00413", 52, 10, 0.6, 5, 10, 100),
    ExampleKpi("U00414", 80, 7, 0.3, 4, 30, 100),
    ExampleKpi("U00415", 78, 8, 1.0, 3, 30, 100),
    ExampleKpi("U00416", 48, 12, 1.2, 4, 5, 100),
)
EXAMPLE_YEARS = range(2012, 2021)


def _rng(*parts: object) -> np.random.Generator:
    """A generator seeded from text, so the same call always gives the same numbers."""
    return np.random.default_rng(zlib.crc32("|".join(map(str, parts)).encode()))


def generate_kkik_examples(municipality_ids: list[str], home: str = "1277") -> pd.DataFrame:
    """Example values for the retired KKiK KPIs: every kommun has a lasting level of its own,
    a shared upward trend and yearly noise; participation grows from about 55 % to 85 %."""
    ids = sorted(municipality_ids)
    participation = _rng("participation").uniform(size=len(ids))
    rows = []
    for spec in EXAMPLE_KPIS:
        rng = _rng("kkik", spec.kpi)
        level = rng.normal(0, spec.spread, size=len(ids))
        if home in ids:
            level[ids.index(home)] = 0.0  # the home kommun's example values stay mid-field
        for year in EXAMPLE_YEARS:
            share = min(0.55 + 0.04 * (year - EXAMPLE_YEARS.start), 0.85)
            noise = rng.normal(0, spec.noise, size=len(ids))
            values = spec.mean + spec.trend * (year - EXAMPLE_YEARS.start) + level + noise
            values = np.clip(np.round(values), spec.low, spec.high)
            for i, municipality in enumerate(ids):
                if participation[i] < share or municipality == home:
                    rows.append((spec.kpi, municipality, year, "T", float(values[i])))
    return pd.DataFrame(rows, columns=["kpi", "municipality", "period", "gender", "value"])


# --- Staff survey example files -----------------------------------------------------------------

ORGANISATION = {
    "Kommunledningsförvaltningen": {
        "Ekonomi": 16, "HR": 12, "Kommunikation": 7, "Kansli": 9, "IT": 4,
    },
    "Barn- och utbildningsförvaltningen": {
        "Förskolan Ängen": 34, "Björnekulla skola": 52, "Nyvångsskolan": 61,
        "Haganässkolan": 44, "Elevhälsan": 12,
    },
    "Vård- och omsorgsförvaltningen": {
        "Hemtjänsten": 88, "Lärkgården särskilt boende": 66, "LSS-boenden": 37, "Bemanning": 4,
    },
    "Samhällsbyggnadsförvaltningen": {"Plan och bygg": 15, "Gata och park": 24, "Miljö": 8},
    "Kultur- och fritidsförvaltningen": {"Biblioteket": 12, "Fritidsgårdar": 3, "Kulturskolan": 11},
    "Socialförvaltningen": {"Försörjningsstöd": 21, "Barn och familj": 28, "Vuxenenheten": 13},
}
GENDERS = ("Kvinna", "Man", "Annat/vill ej ange")
AGE_GROUPS = ("-29", "30-39", "40-49", "50-59", "60-")
QUESTIONS = {
    "trivsel": "Jag trivs på min arbetsplats",
    "uppdrag": "Jag vet vad som förväntas av mig i mitt arbete",
    "intern": "Den interna kommunikationen i kommunen fungerar bra",
    "information": "Jag får den information jag behöver för att utföra mitt arbete",
    "chef": "Min chef ger mig regelbunden återkoppling",
}


def _answers(rng: np.random.Generator, centre: float, size: int) -> np.ndarray:
    """Answers 1–5 around `centre`."""
    return np.clip(np.round(rng.normal(centre, 0.95, size=size)), 1, 5).astype(int)


def generate_survey_rows(year: int) -> list[dict]:
    """Respondent rows for one survey year (about 600 employees, 70–85 % answering)."""
    rng = _rng("survey", year)
    step = SURVEY_YEARS.index(year)
    rows = []
    respondent = 1000 * (year - 2000)
    for forvaltning, units in ORGANISATION.items():
        unit_effect = _rng("unit", forvaltning).normal(0, 0.25)
        for enhet, employees in units.items():
            answering = max(1, round(employees * rng.uniform(0.7, 0.85)))
            if employees <= 4:
                answering = min(answering, 3)
            centre = 3.25 + 0.09 * step + unit_effect + _rng("unit", enhet).normal(0, 0.2)
            answers = {key: _answers(rng, centre + shift, answering)
                       for key, shift in zip(QUESTIONS, (0.4, 0.6, 0.0, 0.2, -0.1), strict=True)}
            no_answer = rng.uniform(size=(answering, len(QUESTIONS))) < 0.03
            for i in range(answering):
                respondent += 1
                row = {
                    "Respondent-ID": respondent,
                    "Förvaltning": forvaltning,
                    "Enhet": enhet,
                    "Kön": GENDERS[int(rng.choice(3, p=[.76, .22, .02]))],
                    "Åldersgrupp": AGE_GROUPS[int(rng.integers(5))],
                }
                for j, (key, text) in enumerate(QUESTIONS.items()):
                    value = int(answers[key][i])
                    row[text] = ("Vet ej" if j % 2 else "") if no_answer[i, j] else value
                rows.append(row)
    return rows


def survey_file_name(year: int) -> str:
    return f"medarbetarenkat_{year}_exempel.{'csv' if year < 2019 else 'xlsx'}"


UNIT_LEVEL_YEARS = (2017,)  # one year as a summary per enhet, the other shape tools export


def survey_unit_rows(year: int) -> list[list]:
    """The goal-3 question summarised per enhet (counts 1–5, "Vet ej", mean), with a total row,
    as a survey tool's report per unit looks; made from the same answers as the respondent file.
    """
    question = QUESTIONS["intern"]
    units: dict[tuple[str, str], list] = {}
    for row in generate_survey_rows(year):
        counts = units.setdefault((row["Förvaltning"], row["Enhet"]), [0] * 6)
        answer = row[question]
        counts[answer - 1 if isinstance(answer, int) else 5] += 1
    out = []
    for (forvaltning, enhet), counts in units.items():
        employees = ORGANISATION[forvaltning][enhet]
        out.append([forvaltning, enhet, employees, sum(counts), *counts, _mean_text(counts)])
    totals = [sum(r[i] for r in out) for i in range(2, 10)]
    out.append(["Totalt", "", *totals, _mean_text(totals[2:])])
    return out


def _mean_text(counts: list[int]) -> str:
    answered = sum(counts[:5])
    mean = sum((i + 1) * c for i, c in enumerate(counts[:5])) / answered if answered else 0
    return numbers.fixed(mean, 2)  # as the survey tool's CSV for Swedish Excel


def write_survey_file(year: int, path: Path) -> None:
    """The shapes survey tools export: CSV (`;`, title rows) per respondent for the early years,
    CSV per enhet for UNIT_LEVEL_YEARS, and Excel per respondent with a sheet of employees per
    enhet (for the response rate) for the later ones."""
    rows = generate_survey_rows(year)
    header = list(rows[0])
    title = f"Medarbetarenkät {year} – export från enkätverktyget (EXEMPELDATA, påhittade svar)"
    if year in UNIT_LEVEL_YEARS:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow([f"Medarbetarenkät {year} – resultat per enhet (EXEMPELDATA, "
                             "påhittade svar)"])
            writer.writerow([f"Fråga: {QUESTIONS['intern']} (1 = instämmer inte alls, "
                             "5 = instämmer helt)"])
            writer.writerow([])
            writer.writerow(["Förvaltning", "Enhet", "Antal anställda", "Antal svar",
                             "1 – Instämmer inte alls", "2", "3", "4", "5 – Instämmer helt",
                             "Vet ej", "Medelvärde"])
            writer.writerows(survey_unit_rows(year))
        return
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow([title])
            writer.writerow([])
            writer.writerow(header)
            for row in rows:
                writer.writerow([row[c] for c in header])
        return
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Svar"
    sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append([row[c] for c in header])
    staff = workbook.create_sheet("Anställda")
    staff.append(["Förvaltning", "Enhet", "Antal anställda"])
    for forvaltning, units in ORGANISATION.items():
        for enhet, employees in units.items():
            staff.append([forvaltning, enhet, employees])
    workbook.save(path)


# --- Own measurement: test contacts -------------------------------------------------------------

CONTACT_YEARS = (2023, 2024, 2025)
CONTACT_CHANNELS = {"e-post": 48, "telefon": 52, "brev": 32}  # about this many per year
CONTACT_HEADER = ["Kontakt-id", "Kanal", "Skickad", "Besvarad", "Handläggare", "Bemötande",
                  "Förvaltning", "Kommentar"]
# Working days an answer takes (0 = the arrival day), per channel; None = never answered.
ANSWER_DAYS = {
    "e-post": ((0, 0.34), (1, 0.30), (2, 0.18), (3, 0.08), (5, 0.04), (None, 0.06)),
    "brev": ((0, 0.04), (1, 0.30), (2, 0.36), (3, 0.16), (4, 0.07), (7, 0.03), (None, 0.04)),
    "telefon": ((0, 0.45), (1, 0.30), (2, 0.15), (4, 0.10)),
}


def contact_file_name(year: int) -> str:
    return f"testkontakter_{year}_exempel.csv"


def _weighted(rng: np.random.Generator, choices: tuple) -> object:
    values, weights = zip(*choices, strict=True)
    weights = np.array(weights) / sum(weights)
    return values[int(rng.choice(len(values), p=weights))]


def generate_contact_rows(year: int, calendar) -> list[list[str]]:
    """Test contacts for one year, as a tester would log them: about 30–60 per channel, sent on
    working days in spring and autumn (a few e-mails at weekends), answers a few working days
    later or never, calls that reach a handläggare or get a callback, graded 1–4."""
    rng = _rng("contacts", year)
    step = CONTACT_YEARS.index(year)
    forvaltningar = list(ORGANISATION)
    rows = []
    swedish_time = year == 2024  # one year written as "2024-05-08 kl. 10.00"
    for channel, size in CONTACT_CHANNELS.items():
        count = size + int(rng.integers(-6, 7))
        for _ in range(count):
            week = int(rng.choice([*range(10, 22), *range(36, 48)]))
            day = date.fromisocalendar(year, week, int(rng.integers(1, 6)))
            if channel == "e-post" and rng.uniform() < 0.08:
                day = date.fromisocalendar(year, week, 6)  # an e-mail on a Saturday
            while channel != "e-post" and not calendar.is_working_day(day):
                day += timedelta(days=1)
            sent = datetime.combine(day, time(int(rng.integers(8, 16)),
                                              int(rng.choice([0, 15, 30, 45]))))
            handlaggare, answered = "", None
            if channel == "telefon":
                reached = rng.uniform() < 0.58 + 0.05 * step
                handlaggare = "ja" if reached else "nej"
                if not reached and rng.uniform() < 0.7:  # a callback was promised
                    answered = _answer(rng, calendar, sent, channel, step)
            else:
                answered = _answer(rng, calendar, sent, channel, step)
            graded = channel == "telefon" or rng.uniform() < 0.6
            grade = int(_weighted(rng, ((1, 0.05), (2, 0.14 - 0.02 * step),
                                        (3, 0.46), (4, 0.35 + 0.02 * step)))) if graded else ""
            forvaltning = forvaltningar[int(rng.choice(len(forvaltningar),
                                                       p=[.22, .2, .2, .16, .1, .12]))]
            comment = ("ingen svarade, lämnade meddelande" if handlaggare == "nej"
                       and answered is not None and rng.uniform() < 0.3 else "")
            rows.append((sent, [channel, _moment(sent, swedish_time),
                                _moment(answered, swedish_time) if answered else "",
                                handlaggare, str(grade), forvaltning, comment]))
    rows.sort(key=lambda row: row[0])  # a log is kept in the order the contacts were made
    return [[f"{year}-{number:03d}", *row] for number, (_, row) in enumerate(rows, start=1)]


def _answer(rng: np.random.Generator, calendar, sent: datetime, channel: str,
            step: int) -> datetime | None:
    days = _weighted(rng, ANSWER_DAYS[channel])
    if days is None:
        return None
    if days > 0 and rng.uniform() < 0.12 * step:
        days -= 1  # answers come a little faster every year
    day = calendar.deadline(sent.date(), days) if days else sent.date()
    hour = int(rng.integers(8, 17))
    if days == 0:
        hour = max(hour, sent.hour + 1)
    return datetime.combine(day, time(min(hour, 18), int(rng.choice([0, 10, 20, 40, 50]))))


def _moment(moment: datetime, swedish: bool) -> str:
    return moment.strftime("%Y-%m-%d kl. %H.%M" if swedish else "%Y-%m-%d %H:%M")


def write_contacts_file(year: int, path: Path, calendar) -> None:
    """A tester's log as CSV (`;`, UTF-8 with BOM) with a title row saying it is example data."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow([f"Testkontakter {year} – kommunens egen mätning (EXEMPELDATA, "
                         "påhittade kontakter)"])
        writer.writerow(CONTACT_HEADER)
        writer.writerows(generate_contact_rows(year, calendar))


def write_example_files(settings: Settings) -> list[Path]:
    """(Re)write every example file in data/demo/. Returns the paths written."""
    demo_dir = settings.data_dir / "demo"
    demo_dir.mkdir(parents=True, exist_ok=True)
    municipalities = [m["id"] for m in kolada_files.fetch_municipalities(settings.kolada_dir)
                      if m["type"] == "K"]
    examples = generate_kkik_examples(municipalities)
    real = pd.read_csv(settings.kolada_dir / "values.csv.gz", usecols=["kpi"], dtype=str)
    overlap = set(examples["kpi"]) & set(real["kpi"])
    if overlap:
        raise RuntimeError(f"Exempeldata får inte ersätta verkliga värden: {sorted(overlap)}")
    written = [demo_dir / EXAMPLE_KKIK_FILE]
    examples.to_csv(written[0], index=False, lineterminator="\n")
    for year in SURVEY_YEARS:
        path = demo_dir / survey_file_name(year)
        write_survey_file(year, path)
        written.append(path)
    calendar = swedish_calendar()
    for year in CONTACT_YEARS:
        path = demo_dir / contact_file_name(year)
        write_contacts_file(year, path, calendar)
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    from etl.settings import get_settings

    for written_path in write_example_files(get_settings()):
        print(written_path)


def build_demo(settings: Settings, progress=None) -> list[str]:
    """Build the demo database at settings.database_url from `data/`. Safe to run again."""
    from etl import db, imports

    def step(text: str) -> None:
        if progress:
            progress(text)

    url = settings.database_url
    db.upgrade(url)
    engine = db.engine_for(url)
    step("Katalog: kommuner, grupper och nyckeltal")
    imports.load_bundled_catalogue(engine, settings)
    step("Strategi: mål, mått och målvärden")
    imports.load_strategy_file(engine, settings)
    summaries = []
    step("Kolada: verkliga värden (uttag augusti 2024)")
    summaries.append(imports.import_value_file(
        engine, settings.kolada_dir / "values.csv.gz").summary())
    demo_dir = settings.data_dir / "demo"
    step("Exempeldata: KKiK 2012–2020")
    summaries.append(imports.import_value_file(
        engine, demo_dir / EXAMPLE_KKIK_FILE, is_example=True, kind="exempeldata").summary())
    from etl.followup import store

    strategy = store.strategy_info(engine, settings.municipality)
    if strategy.example_of:
        # The example survey and test contacts stand for the strategy's own municipality; for
        # another one they would be shown as its own. Left out, and said so.
        summaries.append(
            f"Exempelenkäten och testkontakterna hör till strategins kommun och läses inte in "
            f"för {strategy.place}: mål 3 och den egna mätningen saknar värden tills "
            f"{strategy.place} importerar sina egna.")
        return summaries
    for year in SURVEY_YEARS:
        step(f"Exempeldata: medarbetarenkät {year}")
        summaries.append(imports.import_survey_file(
            engine, demo_dir / survey_file_name(year), settings, year=year,
            is_example=True).summary())
    from etl import contacts

    for year in CONTACT_YEARS:
        step(f"Exempeldata: testkontakter {year}")
        result = contacts.import_contacts_file(engine, demo_dir / contact_file_name(year),
                                               settings, is_example=True)
        summaries.append(
            f"{contact_file_name(year)}: {result.counts.added} testkontakter sparade."
            if result.changed else f"{contact_file_name(year)}: inget att ändra "
            f"({result.counts.unchanged} testkontakter finns redan, oförändrade).")
    return summaries
