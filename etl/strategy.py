"""The strategy file (`data/strategy.toml`): goals, measures, KPI lineage and targets, validated.

Problems are reported with the line of the file they stand on, so that an administrator who
edits the file can find them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tomllib
from collections.abc import Collection, Mapping
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from etl.decision import DecisionRef, clean_paragraph
from etl.errors import Location, StrategyError

Direction = Literal["higher", "lower", "none"]
# The own measurement (test contacts): channels as written in the contacts file, and the series
# computed from them that a measure can be fed by (`own_series`).
Channel = Literal["e-post", "telefon", "brev"]
CHANNELS: tuple[Channel, ...] = ("e-post", "telefon", "brev")
OwnSeries = Literal[
    "epost-inom-regel", "telefon-inom-regel", "brev-inom-regel", "telefon-handlaggare",
    "epost-gott-bemotande", "telefon-gott-bemotande", "brev-gott-bemotande",
    "alla-gott-bemotande",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LineageLink(_Model):
    """A KPI that measures the measure from `first_year` to `last_year` (open-ended if None)."""

    kpi: str
    first_year: int
    last_year: int | None = None
    method: str = ""

    def covers(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


class Target(_Model):
    year: int
    value: float
    decision: str
    is_example: bool
    reference: DecisionRef = DecisionRef()


class TargetDecision(_Model):
    """A decision that set target values for some years (as written in the file).

    `decision` is the citation ("KS 2021-12-14 §201"); `body`, `date`, `paragraph` and
    `diarienummer` may be given separately and then take precedence over what it says.
    """

    decision: str | None = None
    body: str | None = None
    date: dt.date | None = None  # the field's name in the file; hence `dt.date`
    paragraph: str | None = None
    diarienummer: str | None = None
    example: bool | None = None
    # The unit the values are in, where it is not the measure's: "index" for targets on the
    # scale of an index KPI (a target "85" on N00673 is no per cent).
    unit: str | None = None
    values: dict[int, float]

    def reference(self, default: str) -> DecisionRef:
        cited = DecisionRef.parse(self.decision or default)
        return DecisionRef(
            self.body if self.body is not None else cited.body,
            self.date if self.date is not None else cited.date,
            clean_paragraph(self.paragraph) if self.paragraph is not None else cited.paragraph,
            self.diarienummer if self.diarienummer is not None else cited.diarienummer,
        )

    @field_validator("values", mode="before")
    @classmethod
    def _years_as_keys(cls, raw: dict) -> dict:
        return {int(year): value for year, value in raw.items()}


class Measure(_Model):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    goal: int
    name: str
    question: str = ""
    purpose: str = ""
    source: Literal["kkik", "survey"]
    unit: str
    scale: tuple[float, float]
    direction: Direction
    decimals: int = Field(1, ge=0, le=3)
    lineage: list[LineageLink] = Field(default_factory=list)
    targets: list[TargetDecision] = Field(default_factory=list)
    benchmark_kpi: str | None = None
    survey_question_pattern: str | None = None
    own_series: OwnSeries | None = None
    # Years between measurements: a value is current for the follow-up this many years.
    cadence: int = Field(1, ge=1, le=5)

    def kpi_for(self, year: int) -> str | None:
        """The KPI that measures this measure in `year`, if any."""
        return next((link.kpi for link in self.lineage if link.covers(year)), None)

    @property
    def kpi_ids(self) -> list[str]:
        return [link.kpi for link in self.lineage]


class Goal(_Model):
    number: int = Field(ge=1)
    title: str
    description: str = ""


class OwnMeasurement(_Model):
    """The strategy's service rules that the municipality measures itself with test contacts.

    `response_days`: per channel, the working days (excluding the arrival day) within which an
    answer is within the rule; `good_grade_min`: the lowest bemötande grade (1–4) that counts
    as good.
    """

    response_days: dict[Channel, int]
    good_grade_min: int = Field(ge=1, le=4)

    @field_validator("response_days")
    @classmethod
    def _every_channel(cls, days: dict[str, int]) -> dict[str, int]:
        missing = [c for c in CHANNELS if c not in days]
        if missing:
            raise ValueError(f"svarstid saknas för {', '.join(missing)}")
        if any(not 0 <= d <= 30 for d in days.values()):
            raise ValueError("svarstiden ska vara 0–30 arbetsdagar")
        return days


class StrategyHeader(_Model):
    name: str
    municipality: str = Field(pattern=r"^[0-9]{4}$")
    adopted: date | None = None
    decision: str = ""
    follow_up: str = ""
    targets_are_examples: bool = False


class Strategy(_Model):
    strategy: StrategyHeader
    goals: list[Goal]
    measures: list[Measure]
    own_measurement: OwnMeasurement | None = None
    source_file: str = ""

    def targets(self, measure: Measure) -> list[Target]:
        """The measure's targets, with each decision's reference and example flag filled in."""
        result = []
        for group in measure.targets:
            reference = group.reference(self.strategy.decision)
            for year, value in sorted(group.values.items()):
                result.append(
                    Target(
                        year=year,
                        value=value,
                        decision=reference.text,
                        reference=reference,
                        is_example=(
                            self.strategy.targets_are_examples
                            if group.example is None
                            else group.example
                        ),
                    )
                )
        return result

    def measure(self, measure_id: str) -> Measure:
        for measure in self.measures:
            if measure.id == measure_id:
                return measure
        known = ", ".join(m.id for m in self.measures)
        raise KeyError(f"Okänt mått «{measure_id}». Måtten i strategin: {known}.")

    @property
    def kpi_ids(self) -> set[str]:
        ids = {kpi for m in self.measures for kpi in m.kpi_ids}
        ids |= {m.benchmark_kpi for m in self.measures if m.benchmark_kpi}
        return ids


class _LineFinder:
    """Finds the line of the file that a problem in a measure, goal or target stands on."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def _block_start(self, section: str, item_id: str | int | None) -> int:
        """Line index of `[[section]]` whose `id`/`number` is item_id (or the first one)."""
        starts = [i for i, line in enumerate(self.lines)
                  if line.strip() in (f"[[{section}]]", f"[{section}]")]
        if item_id is None:
            return starts[0] if starts else 0
        key = "id" if section == "measures" else "number"
        wanted = re.compile(rf'^\s*{key}\s*=\s*"?{re.escape(str(item_id))}"?\s*(#.*)?$')
        for start in starts:
            for line in self.lines[start + 1 : start + 6]:
                if wanted.match(line):
                    return start
        return starts[0] if starts else 0

    def find(self, section: str, item_id: str | int | None, *needles: str) -> int:
        """1-based line of the first needle after the block start, else the block start."""
        start = self._block_start(section, item_id)
        end = len(self.lines)
        for i in range(start + 1, len(self.lines)):
            if self.lines[i].strip() == f"[[{section}]]":
                end = i
                break
        for needle in needles:
            pattern = re.compile(needle)
            for i in range(start, end):
                if pattern.search(self.lines[i].split("#", 1)[0]):
                    return i + 1
        return start + 1


PERCENT_UNITS = frozenset({"%", "procent"})


# Pydantic's error types in Swedish: what is wrong, and what to write instead.
_WHOLE = ("ska vara ett heltal", "Skriv ett heltal utan decimaler och citattecken.")
_NUMBER = ("ska vara ett tal", "Skriv talet med punkt som decimaltecken, t.ex. 72.5.")
_BOOLEAN = ("ska vara true eller false", "Skriv true eller false utan citattecken.")
_DATE = ("ska vara ett datum", "Skriv datumet som ÅÅÅÅ-MM-DD utan citattecken.")
_LIST = ("ska vara en lista", "Skriv en lista inom hakparenteser: [ … ].")
_TABLE = ("ska vara en tabell", "Skriv en tabell inom klammerparenteser: { … }.")
_FIELD_PROBLEMS = {
    "missing": ("saknas", "Lägg till fältet."),
    "extra_forbidden": ("finns inte i en strategifil",
                        "Kontrollera stavningen eller ta bort fältet."),
    "string_type": ("ska vara en text", 'Skriv texten inom citattecken: "…".'),
    "int_type": _WHOLE, "int_parsing": _WHOLE, "int_from_float": _WHOLE,
    "float_type": _NUMBER, "float_parsing": _NUMBER,
    "bool_type": _BOOLEAN, "bool_parsing": _BOOLEAN,
    "date_type": _DATE, "date_parsing": _DATE, "date_from_datetime_parsing": _DATE,
    "list_type": _LIST, "tuple_type": _LIST,
    "dict_type": _TABLE, "model_type": _TABLE,
    "too_short": ("har för få värden", "Se kommentaren överst i filen för vad fältet tar."),
    "too_long": ("har för många värden", "Se kommentaren överst i filen för vad fältet tar."),
}
_PATTERNS = {
    r"^[0-9]{4}$": ("ska vara en kommunkod med fyra siffror",
                    'Skriv koden inom citattecken, t.ex. "1260".'),
    r"^[a-z0-9]+(-[a-z0-9]+)*$": (
        "ska bestå av små bokstäver a–z, siffror och bindestreck",
        'Skriv t.ex. "epost-svar" (inga å, ä, ö, mellanslag eller versaler).'),
}


def field_problem(error: Mapping) -> tuple[str, str]:
    """A pydantic validation error as a Swedish problem and what to do (never its English)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return (f"har värdet «{error.get('input')}», som inte är tillåtet",
                "Skriv ett av: " + ", ".join(f"«{a}»" for a in allowed) + ".")
    if kind == "string_pattern_mismatch":
        return _PATTERNS.get(ctx.get("pattern"), ("har fel form",
                                                  "Se kommentaren överst i filen."))
    bounds = {"greater_than_equal": ("ska vara minst", "ge"),
              "less_than_equal": ("ska vara högst", "le"),
              "greater_than": ("ska vara större än", "gt"),
              "less_than": ("ska vara mindre än", "lt")}
    if kind in bounds:
        words, key = bounds[kind]
        return f"{words} {ctx.get(key)}", "Ändra värdet."
    if kind == "value_error":  # our own validators speak Swedish already
        return f"är fel: {ctx.get('error', '')}", "Ändra värdet."
    return _FIELD_PROBLEMS.get(kind, ("har ett värde som inte går att använda",
                                      "Se kommentaren överst i filen för vilka värden som "
                                      "gäller."))


def _field_errors(exc: ValidationError, raw: dict, finder: _LineFinder, error
                  ) -> list[StrategyError]:
    found = []
    for problem in exc.errors():
        loc = problem["loc"]
        section = str(loc[0]) if loc else "strategy"
        item = None
        if section in {"measures", "goals"} and len(loc) > 1 and isinstance(loc[1], int):
            items = raw.get(section, [])
            if loc[1] < len(items) and isinstance(items[loc[1]], dict):
                item = items[loc[1]].get("id" if section == "measures" else "number")
        fields = [p for p in reversed(loc) if isinstance(p, str) and not p.startswith("[")]
        line = finder.find(section, item, *(rf"^\s*{re.escape(f)}\s*=" for f in fields),
                           *(re.escape(f) for f in fields))
        what, hint = field_problem(problem)
        found.append(error(f"fältet «{'.'.join(str(p) for p in loc)}» {what}.", line, hint))
    return found


def load_strategy(path: Path, known_kpis: Collection[str] | None = None,
                  kpi_units: Mapping[str, str] | None = None) -> Strategy:
    """Read and validate the strategy file. `known_kpis`: KPI ids the catalogue knows;
    `kpi_units`: their units, so that no target in per cent is set on an index KPI.

    Every problem is reported at once (the file's form first: a file whose fields do not
    validate cannot be checked further), each with its line and what to do."""
    text = path.read_text(encoding="utf-8")
    finder = _LineFinder(text)

    def error(problem: str, line: int, hint: str = "") -> StrategyError:
        return StrategyError(problem, Location(str(path), line=line), hint=hint)

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise error(
            f"filen är inte giltig TOML ({exc}).",
            int(match.group(1)) if match else 1,
            "Kontrollera citattecken, hakparenteser och likhetstecken på raden.",
        ) from None
    try:
        strategy = Strategy.model_validate({**raw, "source_file": str(path)})
    except ValidationError as exc:
        raise all_of(_field_errors(exc, raw, finder, error)) from None
    problems: list[StrategyError] = []

    def report(problem: str, line: int, hint: str = "") -> None:
        problems.append(error(problem, line, hint))

    _check(strategy, finder, report, known_kpis)
    _check_target_units(strategy, finder, report, kpi_units or {})
    if problems:
        raise all_of(problems)
    return strategy


def all_of(problems: list[StrategyError]) -> StrategyError:
    """One error, or one that lists them all in the order of the file's lines."""
    if len(problems) == 1:
        return problems[0]
    problems = sorted(problems, key=lambda p: p.where.line or 0)
    return StrategyError(
        f"strategifilen har {len(problems)} fel:", Location(problems[0].where.source),
        more=[f"\n– {p.explain()}" for p in problems], problems=problems)


def _check_target_units(strategy: Strategy, finder: _LineFinder, report,
                        kpi_units: Mapping[str, str]) -> None:
    """A target in per cent (the measure's unit, unless its decision says another) in a year
    an index KPI measures would judge an index as if it were a share."""
    for measure in strategy.measures:
        for group in measure.targets:
            unit = group.unit or measure.unit
            if unit not in PERCENT_UNITS:
                continue
            for year, value in group.values.items():
                kpi = measure.kpi_for(year)
                kpi_unit = kpi_units.get(kpi, "") if kpi else ""
                if kpi_unit and kpi_unit not in PERCENT_UNITS:
                    report(
                        f"måttet «{measure.id}»: målet {value:g} för {year} är i procent, men "
                        f"{kpi}, som mäter måttet {year}, är ett {kpi_unit} och ingen andel.",
                        finder.find("measures", measure.id, rf"\b{year}\s*="),
                        f"Sätt unit = \"{kpi_unit}\" på målbeslutet om målet gäller "
                        f"{kpi_unit}ets skala, eller ange målet för ett år som mäts i procent.")


def _check(strategy: Strategy, finder: _LineFinder, report, known_kpis) -> None:
    """Every problem of the content goes to `report(problem, line, hint)`."""
    goal_numbers = [g.number for g in strategy.goals]
    for number in goal_numbers:
        if goal_numbers.count(number) > 1:
            report(f"mål {number} finns två gånger.", finder.find("goals", number),
                   "Ge varje mål ett eget nummer.")
    seen: set[str] = set()
    for measure in strategy.measures:
        if measure.own_series and strategy.own_measurement is None:
            report(
                f"måttet «{measure.id}» har own_series men filen saknar avsnittet "
                "[own_measurement] med reglerna för den egna mätningen.",
                finder.find("measures", measure.id, r"^\s*own_series\s*="),
                "Lägg till [own_measurement] med response_days och good_grade_min.")
        where = lambda *needles, m=measure: finder.find("measures", m.id, *needles)  # noqa: E731
        if measure.id in seen:
            report(f"måttet «{measure.id}» finns två gånger.", where(),
                   "Ge varje mått ett eget id.")
        seen.add(measure.id)
        if measure.goal not in goal_numbers:
            report(
                f"måttet «{measure.id}» hör till mål {measure.goal}, som inte finns.",
                where(r"^\s*goal\s*="),
                "Ange numret på ett av målen under [[goals]], eller lägg till målet.",
            )
        low, high = measure.scale
        if low >= high:
            report(f"måttet «{measure.id}»: skalans början måste vara lägre än slutet.",
                   where(r"^\s*scale\s*="), "Skriv skalan som [lägst, högst], t.ex. [0, 100].")
        if measure.source == "kkik" and not measure.lineage:
            report(f"måttet «{measure.id}» hämtas från KKiK men saknar lineage (nyckeltal).",
                   where(), "Lägg till lineage = [ { kpi = \"N00640\", first_year = 2021 } ] "
                   "med måttets nyckeltal.")
        kpis = [(link.kpi, "lineage") for link in measure.lineage]
        if measure.benchmark_kpi:
            kpis.append((measure.benchmark_kpi, "benchmark_kpi"))
        for kpi, _field in kpis:
            if known_kpis is not None and kpi not in known_kpis:
                report(
                    f"måttet «{measure.id}»: nyckeltalet «{kpi}» är okänt.",
                    where(rf'"{re.escape(kpi)}"'),
                    "Kontrollera id:t i Kolada (kolada.se) eller hämta katalogen med "
                    "«malbild etl kolada».",
                )
        links = sorted(measure.lineage, key=lambda link: link.first_year)
        for link in links:
            if link.last_year is not None and link.last_year < link.first_year:
                report(
                    f"måttet «{measure.id}»: {link.kpi} slutar ({link.last_year}) "
                    f"före det börjar ({link.first_year}).",
                    where(rf'"{re.escape(link.kpi)}"'),
                    "Rätta first_year eller last_year så att last_year kommer sist.",
                )
        for earlier, later in itertools.pairwise(links):
            if earlier.last_year is None or earlier.last_year >= later.first_year:
                report(
                    f"måttet «{measure.id}»: åren för {earlier.kpi} och {later.kpi} överlappar "
                    f"({earlier.kpi} till {earlier.last_year or 'tills vidare'}, "
                    f"{later.kpi} från {later.first_year}).",
                    where(rf'"{re.escape(later.kpi)}"'),
                    "Varje år får mätas av högst ett nyckeltal; sätt last_year på det äldre.",
                )
        years: set[int] = set()
        for group in measure.targets:
            for year, value in group.values.items():
                line = where(rf"\b{year}\s*=")
                if year in years:
                    report(f"måttet «{measure.id}»: mål för {year} anges två gånger.", line,
                           "Ta bort det ena målvärdet för året.")
                years.add(year)
                if not low <= value <= high:
                    report(
                        f"måttet «{measure.id}»: målet {value:g} för {year} ligger utanför "
                        f"skalan {low:g}–{high:g}.",
                        line,
                        f"Ange ett målvärde mellan {low:g} och {high:g}, eller rätta scale.",
                    )
        if measure.source == "survey" and measure.survey_question_pattern:
            try:
                re.compile(measure.survey_question_pattern)
            except re.error as exc:
                report(
                    f"måttet «{measure.id}»: survey_question_pattern är inget giltigt mönster "
                    f"({exc}).",
                    where(r"survey_question_pattern"),
                    "Skriv ett reguljärt uttryck (Python), t.ex. \"intern kommunikation\".",
                )


# --- A starting file for another municipality (`malbild strategy new`) --------------------------

_HEADER_VALUES = {
    "name": lambda place, code: f'name = "Kommunikationsstrategi för {place}"',
    "municipality": lambda place, code: f'municipality = "{code}"  # kommunkod ({place})',
    "adopted": lambda place, code: "# adopted = ÅÅÅÅ-MM-DD  # dagen strategin antogs",
    "decision": lambda place, code: 'decision = ""  # beslutet som antog strategin, t.ex. '
                                    '"KS 2024-05-07 §82"',
    "targets_are_examples": lambda place, code: "targets_are_examples = true  # false när "
                                                "målvärdena nedan är era beslutade",
}


def starting_file(template: str, code: str, place: str, today: date) -> str:
    """The shipped strategy as a commented starting file for municipality `code` ("Bjuvs
    kommun"): its name and code in [strategy], no adoption date or decision, every target an
    example, and a note on top saying what is still another municipality's."""
    from_name = re.search(r'^name = "(.*)"', template, re.M)
    note = [
        f"# Startfil för {place} ({code}), skriven av «malbild strategy new» {today:%Y-%m-%d}.",
        "#",
        "# Målen, måtten, nyckeltalen och målvärdena nedan är ett exempel, hämtat ur «"
        + (from_name.group(1) if from_name else "den medföljande strategin") + "».",
        f"# Skriv in {place}s egna (se förklaringen av fälten nedan), sätt adopted och",
        "# decision, och beslutsreferensen på varje målbeslut. Kontrollera filen med",
        "# «malbild strategy check FIL» och läs in den med «malbild strategy load FIL».",
        "",
    ]
    lines, in_header = [], False
    for line in template.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_header = stripped == "[strategy]"
        key = stripped.split("=", 1)[0].strip() if "=" in stripped else ""
        if in_header and not stripped.startswith("#") and key in _HEADER_VALUES:
            line = _HEADER_VALUES[key](place, code)
        elif in_header and stripped.startswith("# Demons målvärden"):
            line = "# Målvärdena nedan är exempel tills ni skriver in era beslutade."
        lines.append(line)
    return "\n".join(note + lines) + "\n"
