"""Survey aggregation and small-group protection, against hand calculations."""

import pandas as pd
import pytest

from etl.survey import ENHET, FORVALTNING, KOMMUN, aggregate_respondents, suppress


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
