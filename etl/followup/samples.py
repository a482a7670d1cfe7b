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
    # Whether n counts every answer to the survey, an upper bound of one question's n; then a
    # claim must still hold at valid_share × n (per KPI, else the rule's, else DEFAULT).
    n_is_bound: bool = False
    valid_share: float = 1.0
    valid_share_by_kpi: tuple[tuple[str, float], ...] = ()

    def share_valid(self, kpi_id: str) -> float:
        """The lowest share of n that may have answered the KPI's question (1 when n is
        exact)."""
        if not self.n_is_bound:
            return 1.0
        return dict(self.valid_share_by_kpi).get(kpi_id, self.valid_share)

    def claim_n(self, kpi_id: str, n: int | None) -> int | None:
        """The n at which a claim about the KPI's value must still hold."""
        if n is None:
            return None
        return max(1, int(self.share_valid(kpi_id) * n))

    def applies_to(self, kpi_id: str, title: str) -> bool:
        if kpi_id in self.exclude:
            return False
        return kpi_id in self.kpis or bool(
            self.title_starts_with and (title or "").startswith(self.title_starts_with))


DEFAULT_VALID_SHARE = 0.9


def _share(path: Path, number: int, what: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise InputError(f"{path.name}, regel {number}: {what} «{value}» är ingen andel.",
                         hint="Ange ett tal större än 0 och högst 1, till exempel 0.9.")
    return float(value)


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
        by_kpi = rule.get("valid_share_by_kpi", {})
        rules.append(SampleRule(
            rule.get("name", f"regel {number}"), frozenset(rule.get("kpis", [])),
            rule.get("title_starts_with", ""), frozenset(rule.get("exclude", [])),
            rule.get("n_from_kpi"), statistic, rule.get("note", ""),
            n_is_bound=bool(rule.get("n_is_bound", False)),
            valid_share=_share(path, number, "valid_share",
                               rule.get("valid_share", DEFAULT_VALID_SHARE)),
            valid_share_by_kpi=tuple(sorted(
                (kpi, _share(path, number, f"valid_share_by_kpi.{kpi}", share))
                for kpi, share in by_kpi.items()))))
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
