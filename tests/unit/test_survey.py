"""Survey aggregation and small-group protection, against hand calculations."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.survey import (
    ENHET,
    FORVALTNING,
    KOMMUN,
    ShownVersion,
    aggregate,
    aggregate_respondents,
    suppress,
)


def answers(rows: list[tuple[str, str, list]]) -> pd.DataFrame:
    records = [(f, e, a) for f, e, values in rows for a in values]
    return pd.DataFrame(records, columns=["forvaltning", "enhet", "answer"]).astype(
        {"answer": "float"})


def test_hand_calculated_aggregates():
    frame = answers([("A", "a1", [5, 4, 3, 2, 1, None]), ("A", "a2", [4, 4, 4, 4, 5]),
                     ("B", "b1", [1, 2, 3, 4, 5, 5])])
    results = {r.key: r for r in aggregate_respondents(frame)}
    kommun = results[(KOMMUN, "", "")]
    assert kommun.respondents == 16  # the blank answer does not count
    assert kommun.mean == pytest.approx((15 + 21 + 20) / 16)
    assert kommun.answers == (2, 2, 2, 6, 4)
    assert kommun.share_positive == pytest.approx(100 * 10 / 16)
    a1 = results[(ENHET, "A", "a1")]
    assert (a1.respondents, a1.mean, a1.answers) == (5, 3.0, (1, 1, 1, 1, 1))
    assert results[(FORVALTNING, "A", "")].respondents == 10


def test_small_unit_hidden_and_its_smallest_sibling_too():
    frame = answers([("A", "small", [4, 4, 4]), ("A", "mid", [3] * 6), ("A", "big", [5] * 20),
                     ("B", "b", [2] * 8)])
    visible, hidden = suppress(aggregate_respondents(frame), threshold=5)
    assert (ENHET, "A", "small") in hidden
    # A − big − mid would reveal "small": the smallest shown sibling ("mid") is hidden as well.
    assert (ENHET, "A", "mid") in hidden
    assert (ENHET, "A", "big") not in hidden
    assert (FORVALTNING, "A", "") not in hidden
    # The hidden answers still count in the parent.
    forvaltning = next(r for r in visible if r.key == (FORVALTNING, "A", ""))
    assert forvaltning.respondents == 29


def test_two_small_units_that_together_are_still_small():
    frame = answers([("A", "s1", [1, 1]), ("A", "s2", [5, 5]), ("A", "big", [3] * 30),
                     ("B", "b", [4] * 9)])
    _, hidden = suppress(aggregate_respondents(frame), threshold=5)
    assert {(ENHET, "A", "s1"), (ENHET, "A", "s2"), (ENHET, "A", "big")} <= hidden


def test_small_forvaltning_hides_a_sibling_forvaltning_and_its_enheter():
    frame = answers([("Liten", "x", [2, 2, 2]), ("A", "a", [4] * 12), ("B", "b1", [3] * 6),
                     ("B", "b2", [3] * 6)])
    _, hidden = suppress(aggregate_respondents(frame), threshold=5)
    assert (FORVALTNING, "Liten", "") in hidden
    assert (FORVALTNING, "A", "") in hidden  # smallest shown förvaltning
    assert (ENHET, "A", "a") in hidden  # else it would reveal förvaltning A
    assert (KOMMUN, "", "") not in hidden


def test_threshold_below_three_is_refused():
    with pytest.raises(ValueError, match="lägre än 3"):
        suppress([], threshold=2)


# --- Suppression as a property: nothing hidden can be worked out by subtraction ----------------

organisations = st.lists(                       # förvaltningar
    st.lists(st.integers(1, 40), min_size=0, max_size=5),  # their enheter's n (none = no enheter)
    min_size=1, max_size=6)


def results_of(organisation: list[list[int]]) -> list:
    units = pd.DataFrame(
        [(f"F{f}", f"E{e}" if sizes else "", n, 3 * n)
         for f, sizes in enumerate(organisation) for e, n in enumerate(sizes or [7 + f])],
        columns=["forvaltning", "enhet", "respondents", "total"])
    return aggregate(units)


def assert_nothing_derivable(results: list, shown_keys: set, threshold: int) -> None:
    """Shown units are big enough, and the part of a shown parent that is not shown is either
    nothing or at least two units with at least `threshold` respondents together."""
    by_key = {r.key: r for r in results}
    for result in results:
        if result.key in shown_keys:
            assert result.respondents >= threshold
            if result.parent_key:
                assert result.parent_key in shown_keys, "a shown unit under a hidden parent"
    for parent_key in shown_keys:
        kids = [r for r in results if r.parent_key == parent_key]
        hidden = [k for k in kids if k.key not in shown_keys]
        hidden_n = by_key[parent_key].respondents - sum(
            k.respondents for k in kids if k.key in shown_keys)
        if kids:
            assert hidden_n == sum(k.respondents for k in hidden)
            assert not hidden or (len(hidden) >= 2 and hidden_n >= threshold), parent_key


@settings(max_examples=300, deadline=None)
@given(organisations, st.integers(3, 9), st.integers(0, 6))
def test_no_hidden_unit_can_be_worked_out(organisation, threshold, raise_by):
    results = results_of(organisation)
    visible, hidden = suppress(results, threshold)
    shown = {r.key for r in visible}
    assert shown.isdisjoint(hidden) and shown | hidden == {r.key for r in results}
    assert_nothing_derivable(results, shown, threshold)
    # What is stored, suppressed again at the same threshold, is unchanged ...
    again, _ = suppress(visible, threshold)
    assert {r.key for r in again} == shown
    # ... and at a higher threshold it is as safe as if the file were imported again.
    higher, _ = suppress(visible, threshold + raise_by)
    assert_nothing_derivable(results, {r.key for r in higher}, threshold + raise_by)


def test_raised_threshold_hides_a_stored_unit_and_its_smallest_sibling():
    frame = answers([("A", "a", [4] * 6), ("A", "b", [2] * 9), ("A", "c", [5] * 20),
                     ("B", "d", [3] * 12)])
    stored, hidden = suppress(aggregate_respondents(frame), threshold=5)
    assert not hidden
    shown, hidden = suppress(stored, threshold=7)
    # "a" (6) is under 7 now; "b" would reveal it (A − b − c), so it goes too.
    assert hidden == {(ENHET, "A", "a"), (ENHET, "A", "b")}
    assert (FORVALTNING, "A", "") in {r.key for r in shown}


def test_answers_of_hidden_units_still_count_in_the_parent():
    frame = answers([("A", "liten", [1, 1, 1]), ("A", "stor", [5] * 10), ("B", "b", [3] * 8)])
    visible, _ = suppress(aggregate_respondents(frame), threshold=5)
    kommun = next(r for r in visible if r.level == KOMMUN)
    assert (kommun.respondents, kommun.answers) == (21, (3, 0, 8, 0, 10))


def test_threshold_setting_is_never_below_three(monkeypatch):
    from etl.errors import InputError
    from etl.settings import Settings, get_settings

    assert Settings(anonymity_threshold=3).anonymity_threshold == 3
    monkeypatch.setenv("MALBILD_ANONYMITY_THRESHOLD", "2")
    get_settings.cache_clear()
    try:
        with pytest.raises(InputError, match=r"MALBILD_ANONYMITY_THRESHOLD = «2»: får inte vara "
                                             r"lägre än 3"):
            get_settings()
    finally:
        get_settings.cache_clear()


# --- Two versions of a year (a corrected re-import) ---------------------------------------------


def _results(units: dict[str, int], others: int = 30) -> list:
    """A förvaltning F with enheter of these sizes (every answer 3, the unit's index + 1 for
    the first one so means differ), beside a förvaltning G of `others`."""
    rows = [("F", name, [1 + i % 5] + [3] * (n - 1)) for i, (name, n) in enumerate(units.items())]
    return aggregate_respondents(answers([*rows, ("G", "g", [4] * others)]))


def _shown_version(visible, hidden) -> ShownVersion:
    return ShownVersion({r.key: r.respondents for r in visible}, frozenset(hidden))


def _subtractions(first, second, threshold: int) -> list[str]:
    """Every parent of one version minus the children of F shown in another version that also
    existed in the first, and every unit's change between versions: groups under the
    threshold that a reader with both versions could work out."""
    found = []
    for (shown_a, exists_a), (shown_b, _) in ((first, second), (second, first),
                                              (first, first), (second, second)):
        parent = shown_a.get((FORVALTNING, "F", ""))
        if parent is not None:
            kids = [n for key, n in shown_b.items()
                    if key[:2] == (ENHET, "F") and key in exists_a]
            rest = parent - sum(kids)
            if 0 < rest < threshold:
                found.append(f"F − enheter = {rest}")
    for key in first[0].keys() & second[0].keys():
        if 0 < abs(first[0][key] - second[0][key]) < threshold:
            found.append(f"{key} ändras med {first[0][key] - second[0][key]}")
    return found


def test_a_corrected_reimport_never_reveals_a_unit_hidden_before():
    """The review's attack: units of 3, 10, 12 and 20; the first version hides the 3 and
    (complementary) the 10. A corrected export adds a unit of 6. Suppressed alone, it hides
    the 3 and the 6 and shows the 10: F then (45) − 10 − 12 − 20 = 3, the hidden unit."""
    threshold = 5
    first = _results({"a3": 3, "b10": 10, "c12": 12, "d20": 20})
    visible1, hidden1 = suppress(first, threshold)
    assert {(ENHET, "F", "a3"), (ENHET, "F", "b10")} <= hidden1

    second = _results({"a3": 3, "b10": 10, "c12": 12, "d20": 20, "e6": 6})
    alone, _ = suppress(second, threshold)  # as before the fix: the attack works
    before = ({r.key: r.respondents for r in visible1}, {r.key for r in first})
    naive = ({r.key: r.respondents for r in alone}, {r.key for r in second})
    assert "F − enheter = 3" in _subtractions(before, naive, threshold)

    visible2, hidden2 = suppress(second, threshold, [_shown_version(visible1, hidden1)])
    assert {(ENHET, "F", "a3"), (ENHET, "F", "b10")} <= hidden2  # hidden once, hidden always
    now = ({r.key: r.respondents for r in visible2}, {r.key for r in second})
    assert _subtractions(before, now, threshold) == []
    assert (FORVALTNING, "F", "") not in hidden2 and (ENHET, "F", "e6") not in hidden2


def test_a_change_under_the_threshold_between_versions_is_hidden():
    """One late respondent in the hidden part of F: F then − F now is one person. F (and so its
    enheter) is hidden; the kommun changes by one too, and the kommun cannot be hidden."""
    threshold = 5
    first = _results({"a3": 3, "b10": 10, "c12": 12, "d20": 20})
    visible1, hidden1 = suppress(first, threshold)
    second = _results({"a3": 4, "b10": 10, "c12": 12, "d20": 20})
    _, hidden2 = suppress(second, threshold, [_shown_version(visible1, hidden1)])
    assert (FORVALTNING, "F", "") in hidden2
    assert (KOMMUN, "", "") in hidden2  # an import refuses this; a page shows nothing


def test_a_unit_moving_between_hidden_units_changes_nothing_shown():
    threshold = 5
    first = _results({"a3": 3, "b10": 10, "c12": 12, "d20": 20})
    visible1, hidden1 = suppress(first, threshold)
    second = _results({"a3": 4, "b10": 9, "c12": 12, "d20": 20})  # one person moved a → b
    visible2, _ = suppress(second, threshold, [_shown_version(visible1, hidden1)])
    assert {r.key for r in visible2} == {r.key for r in visible1}


def test_a_hidden_part_changing_a_little_while_a_unit_is_added_is_refused():
    """A late respondent in the hidden a3, and a new unit e6. Shown, e6 lets F − the shown
    enheter change by one (the late respondent); hidden, e6 is F now − F then (and the kommun
    now − the kommun then), a unit never shown. Nothing can be hidden to help: the kommun is
    hidden, which an import refuses. Without the late respondent e6 is simply shown."""
    threshold = 5
    first = _results({"a3": 3, "b10": 10, "c12": 12, "d20": 20}, others=40)
    visible1, hidden1 = suppress(first, threshold)
    history = [_shown_version(visible1, hidden1)]
    late = _results({"a3": 4, "b10": 10, "c12": 12, "d20": 20, "e6": 6}, others=40)
    _, hidden2 = suppress(late, threshold, history)
    assert (KOMMUN, "", "") in hidden2
    on_time = _results({"a3": 3, "b10": 10, "c12": 12, "d20": 20, "e6": 6}, others=40)
    visible2, hidden2 = suppress(on_time, threshold, history)
    assert hidden2 == hidden1
    before = ({r.key: r.respondents for r in visible1}, {r.key for r in first})
    now = ({r.key: r.respondents for r in visible2}, {r.key for r in on_time})
    assert _subtractions(before, now, threshold) == []
