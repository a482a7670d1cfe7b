"""Exact audit of a survey year's published figures: could anyone work out a unit never shown?

Every figure shown for a unit, a förvaltning or the kommun (n, the sum of the answers, the count
of each answer) is the sum of the same figure over the smallest units it covers. All cells
shown in all versions of a year are therefore linear equations over the smallest units' true
figures, one 0/1 row per cell, the same rows for every kind of figure. A unit can be worked out
by any chain of additions and subtractions exactly when its unit vector lies in the row space of
those rows; that is decided here with exact rational arithmetic (`fractions.Fraction`), as
statistical disclosure-control tools audit tables.

A smallest unit is known by its name within the year (its identity), so that a unit moved to
another förvaltning in a corrected export is still the same unknown. Only where one version has
the same name at two places is the förvaltning part of the identity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

KOMMUN, FORVALTNING, ENHET = "kommun", "förvaltning", "enhet"

Key = tuple[str, str, str]  # (level, förvaltning, enhet)
Identity = str


def leaves(keys: Iterable[Key]) -> set[Key]:
    """The smallest units among one version's keys: enheter, and förvaltningar without any."""
    keys = set(keys)
    with_enheter = {forvaltning for level, forvaltning, _ in keys if level == ENHET}
    return {k for k in keys if k[0] == ENHET
            or (k[0] == FORVALTNING and k[1] not in with_enheter)}


def _name(key: Key) -> str:
    return key[2] if key[0] == ENHET else key[1]


def ambiguous_names(versions: Iterable[Iterable[Key]]) -> set[str]:
    """Names that some version of the year uses for two different smallest units."""
    ambiguous = set()
    for keys in versions:
        seen: set[str] = set()
        for key in leaves(keys):
            name = _name(key)
            if name in seen:
                ambiguous.add(name)
            seen.add(name)
    return ambiguous


def identity(key: Key, ambiguous: set[str]) -> Identity:
    """A smallest unit's identity within the year: its name (with its förvaltning only when the
    name alone is ambiguous)."""
    name = _name(key)
    return f"{key[1]}/{name}" if name in ambiguous else name


def coverage(shown: Mapping[Key, int], hidden: Iterable[Key], ambiguous: set[str],
             version: object) -> dict[Key, frozenset[Identity]]:
    """The smallest units each shown cell of one version adds up.

    A shown parent with no hidden child recorded and more respondents than its shown children
    (a version stored before hidden names were recorded) also covers a remainder of its own,
    an unknown named by `version` and the parent, that no other cell can pin down.
    """
    keys = set(shown) | set(hidden)
    smallest = leaves(keys)
    hidden = set(hidden)
    covers: dict[Key, set[Identity]] = {k: {identity(k, ambiguous)} for k in smallest}
    children_of: dict[Key, list[Key]] = {}
    for key in keys:
        if key[0] != KOMMUN:
            parent = (FORVALTNING, key[1], "") if key[0] == ENHET else (KOMMUN, "", "")
            children_of.setdefault(parent, []).append(key)
    for level in (FORVALTNING, KOMMUN):  # bottom up
        for parent in (k for k in keys if k[0] == level and k not in smallest):
            children = children_of.get(parent, [])
            covers[parent] = set().union(*(covers.get(k, set()) for k in children))
            rest = (shown[parent] - sum(shown[k] for k in children)
                    if parent in shown and all(k in shown for k in children) else 0)
            if rest > 0 and not hidden & set(children):
                covers[parent].add(f"rest {version} {parent}")
    return {k: frozenset(covers[k]) for k in shown if k in covers}


def determined(cells: Iterable[frozenset[Identity]]) -> set[Identity]:
    """The identities whose figures the sums over `cells` determine exactly.

    Identities that every cell covers together (or not at all) form one column: their sum may
    be determined, never one of them, unless it is alone in its column.
    """
    cells = sorted({c for c in cells if c}, key=len)  # small cells first: fewer fill-ins
    signatures: dict[Identity, list[int]] = {}
    for i, cell in enumerate(cells):
        for unit in cell:
            signatures.setdefault(unit, []).append(i)
    columns: dict[tuple[int, ...], list[Identity]] = {}
    for unit in sorted(signatures):
        columns.setdefault(tuple(signatures[unit]), []).append(unit)
    members = list(columns.values())
    column_of = {unit: j for j, group in enumerate(members) for unit in group}
    pivots = _row_reduce({column_of[u]: 1 for u in cell} for cell in cells)
    return {members[column][0] for column, row in pivots.items()
            if len(row) == 1 and len(members[column]) == 1}


def _row_reduce(rows: Iterable[dict[int, int]]) -> dict[int, dict[int, Fraction | int]]:
    """The reduced row echelon form of sparse rows, as pivot column → row (pivot entry 1).

    Entries stay Python integers while they are whole (nearly always, for 0/1 rows of nested
    units) and become exact fractions only where a division needs one.
    """
    pivots: dict[int, dict[int, Fraction | int]] = {}
    for original in rows:
        row = {c: _whole(v) for c, v in original.items()}
        for column in [c for c in row if c in pivots]:
            factor = row.get(column)
            if factor:
                for c, value in pivots[column].items():
                    row[c] = row.get(c, 0) - factor * value
        row = {c: _whole(v) for c, v in row.items() if v}
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        if scale != 1:
            row = {c: _whole(Fraction(v) / scale) for c, v in row.items()}
        for other in pivots.values():  # keep every pivot column zero in the other rows
            factor = other.get(pivot)
            if factor:
                for c, value in row.items():
                    other[c] = _whole(other.get(c, 0) - factor * value)
                for c in [c for c, v in other.items() if not v]:
                    del other[c]
        pivots[pivot] = row
    return pivots


def _whole(value: Fraction | int) -> Fraction | int:
    """A whole fraction as an integer (integer arithmetic is much quicker)."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return value.numerator
    return value
