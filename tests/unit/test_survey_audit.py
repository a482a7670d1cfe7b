"""The exact audit of a survey year's shown cells, and the re-imports that drop or move a unit."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.survey import KOMMUN, ShownVersion, aggregate, suppress
from tests.survey_disclosure import revealed, worked_out

THRESHOLD = 5
# The review's example: A (3) and B (10) hidden in Förvaltning Ett beside C (12); Två has X, Y.
FIRST = [("Ett", "A", 3), ("Ett", "B", 10), ("Ett", "C", 12), ("Två", "X", 20), ("Två", "Y", 20)]
WITHOUT_B = [u for u in FIRST if u[1] != "B"]
B_MOVED = [("Två", "B", 10) if u[1] == "B" else u for u in FIRST]


def results(units):
    """Every level's aggregate; each unit's answers sum to 3·n + 1 so that means differ."""
    return aggregate(pd.DataFrame([{"forvaltning": f, "enhet": e, "respondents": n,
                                    "total": 3 * n + 1} for f, e, n in units]))


def shown_version(visible, hidden):
    return ShownVersion({r.key: r.respondents for r in visible}, frozenset(hidden))


def versions(*files):
    """Import the files in turn as versions of one year, as `etl survey --replace` does: a
    version whose kommun is hidden is refused. The views a reader gets, and what was refused."""
    history, views, refused = [], [], []
    for number, units in enumerate(files, start=1):
        visible, hidden = suppress(results(units), THRESHOLD, history)
        if (KOMMUN, "", "") in hidden:
            refused.append(number)
            continue
        history.append(shown_version(visible, hidden))
        views.append(({r.key for r in visible}, [(f, e) for f, e, _ in units]))
    return views, refused


def test_the_first_version_hides_a_and_b():
    views, _ = versions(FIRST)
    assert views[0][0] == {("kommun", "", ""), ("förvaltning", "Ett", ""), ("enhet", "Ett", "C"),
                           ("förvaltning", "Två", ""), ("enhet", "Två", "X"),
                           ("enhet", "Två", "Y")}


def test_a_reimport_without_b_reveals_nothing():
    """Ett (15) − C (12) would be A; the kommun then − now would be B. Nothing shown in the new
    version can be hidden to prevent the second, so the import is refused."""
    views, refused = versions(FIRST, WITHOUT_B)
    assert refused == [2]
    assert revealed(views) == set()


def test_a_reimport_that_moves_b_keeps_b_hidden_and_reveals_nothing():
    views, refused = versions(FIRST, B_MOVED)
    assert refused == []
    assert not any("B" in key for key in views[1][0])
    assert revealed(views) == set()


def test_a_unit_shown_before_may_move():
    """Moving C (shown) to Två reveals nothing; what can be shown of Två stays shown."""
    moved = [("Två", "C", 12) if u[1] == "C" else u for u in FIRST]
    views, refused = versions(FIRST, moved)
    assert refused == [] and revealed(views) == set()
    assert ("förvaltning", "Två", "") in views[1][0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.booleans(), min_size=6, max_size=6), min_size=1, max_size=8))
def test_exact_elimination_agrees_with_ranks(rows):
    from etl.survey_audit import determined

    cells = [frozenset(f"u{i}" for i, bit in enumerate(row) if bit) for row in rows]
    assert determined(cells) == worked_out([set(c) for c in cells])


def test_reading_a_leaking_version_stored_before_the_audit_shows_nothing_of_it():
    """A database where the export without B was accepted before this rule: its stored rows
    (Förvaltning Ett 15 = A + C) are read again against the first version. Whatever of it is
    shown, the kommun gives A away (kommun − C − X − Y), so nothing of the year is shown."""
    from etl.survey_history import showable_keys

    visible1, hidden1 = suppress(results(FIRST), THRESHOLD)
    leaked = [r for r in results(WITHOUT_B) if r.enhet != "A"]
    stored = [{"level": r.level, "forvaltning": r.forvaltning, "enhet": r.enhet,
               "respondents": r.respondents, "mean": r.mean, "import_run_id": 2}
              for r in leaked]
    history = [ShownVersion({r.key: r.respondents for r in visible1}, frozenset(hidden1), 1),
               ShownVersion({r.key: r.respondents for r in leaked},
                            frozenset({("enhet", "Ett", "A")}), 2)]
    assert showable_keys(stored, THRESHOLD, history) == set()
    # The first version read again is still shown as it was.
    first = [{"level": r.level, "forvaltning": r.forvaltning, "enhet": r.enhet,
              "respondents": r.respondents, "mean": r.mean, "import_run_id": 1}
             for r in visible1]
    assert showable_keys(first, THRESHOLD, history[:1]) == {r.key for r in visible1}
