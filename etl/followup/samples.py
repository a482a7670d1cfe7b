"""Which sample a KPI's value rests on, from the rules in data/sample_sizes.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from etl.errors import InputError


@dataclass(frozen=True)
class SampleRule:
    name: str
    kpis: frozenset[str]
    title_starts_with: str
    exclude: frozenset[str]
    n_from_kpi: str | None
    statistic: str  # "share" or "none"
    note: str

    def applies_to(self, kpi_id: str, title: str) -> bool:
        if kpi_id in self.exclude:
            return False
        return kpi_id in self.kpis or bool(
            self.title_starts_with and (title or "").startswith(self.title_starts_with))


@lru_cache
def load_rules(path: Path) -> tuple[SampleRule, ...]:
    if not path.exists():
        return ()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path.name} går inte att läsa: {exc}.",
                         hint="Rätta filen (TOML) och försök igen.") from exc
    rules = []
    for number, rule in enumerate(raw.get("rule", []), start=1):
        statistic = rule.get("statistic", "share")
        if statistic not in ("share", "none"):
            raise InputError(f"{path.name}, regel {number}: statistic «{statistic}» finns inte.",
                             hint="Ange «share» eller «none».")
        rules.append(SampleRule(rule.get("name", f"regel {number}"),
                                frozenset(rule.get("kpis", [])),
                                rule.get("title_starts_with", ""),
                                frozenset(rule.get("exclude", [])), rule.get("n_from_kpi"),
                                statistic, rule.get("note", "")))
    return tuple(rules)


def rule_for(rules: tuple[SampleRule, ...], kpi_id: str, title: str) -> SampleRule | None:
    return next((rule for rule in rules if rule.applies_to(kpi_id, title)), None)


def sample_kpis(rules: tuple[SampleRule, ...]) -> set[str]:
    """The KPIs that hold sample sizes (fetched from Kolada with the strategy's KPIs)."""
    return {rule.n_from_kpi for rule in rules if rule.n_from_kpi}


def gives_interval(rules: tuple[SampleRule, ...], kpi_id: str, title: str) -> bool:
    """Whether a KPI's values can carry an interval: a share with a known sample size."""
    rule = rule_for(rules, kpi_id, title)
    return rule is not None and rule.statistic == "share" and bool(rule.n_from_kpi)
