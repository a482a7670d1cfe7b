"""An independent check, for tests, of what a reader of several versions of a survey year can
work out: floating-point ranks with numpy, not the exact elimination of `etl.survey_audit`.

A version is its smallest units as (förvaltning, enhet) pairs ("" as enhet when the förvaltning
is the unit); a shown cell (level, förvaltning, enhet) adds up the smallest units under it. A
unit is known by its name (the tests give every unit its own name), so a moved unit is the same
unknown in every version.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

Key = tuple[str, str, str]
Leaf = tuple[str, str]


def name(leaf: Leaf) -> str:
    return leaf[1] or leaf[0]


def covered(key: Key, leaves: Iterable[Leaf]) -> set[str]:
    """The names of the smallest units a shown cell of a version with `leaves` adds up."""
    level, forvaltning, enhet = key
    if level == "kommun":
        return {name(leaf) for leaf in leaves}
    if level == "förvaltning":
        return {name(leaf) for leaf in leaves if leaf[0] == forvaltning}
    return {enhet} if (forvaltning, enhet) in set(leaves) else set()


def worked_out(cells: list[set[str]]) -> set[str]:
    """The units whose figures the sums over `cells` determine: e_u in the row space."""
    cells = [c for c in cells if c]
    if not cells:
        return set()
    units = sorted(set().union(*cells))
    matrix = np.array([[1.0 if u in c else 0.0 for u in units] for c in cells])
    rank = np.linalg.matrix_rank(matrix)
    return {unit for i, unit in enumerate(units)
            if np.linalg.matrix_rank(np.vstack([matrix, np.eye(len(units))[i]])) == rank}


def revealed(views: Iterable[tuple[Iterable[Key], Iterable[Leaf]]]) -> set[str]:
    """Units never shown in any view but worked out from all of them together. A view is the
    keys a reader saw of one version, with that version's smallest units."""
    views = [(set(keys), list(leaves)) for keys, leaves in views]
    cells = [covered(key, leaves) for keys, leaves in views for key in keys]
    shown = {name(leaf) for keys, leaves in views for leaf in leaves
             if (("enhet", *leaf) if leaf[1] else ("förvaltning", leaf[0], "")) in keys}
    return worked_out(cells) - shown
