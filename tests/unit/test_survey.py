"""Survey aggregation and small-group protection, against hand calculations."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.survey import ENHET, FORVALTNING, KOMMUN, aggregate, aggregate_respondents, suppress


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
