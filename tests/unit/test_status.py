"""Status rules: against the target (direction-aware), and their words."""

import pytest

from dashboard.present import words
from etl.followup.records import YearRow
from etl.followup.rules import ChangeWord, target_status
from etl.followup.rules import TargetStatus as St


@pytest.mark.parametrize(("value", "target", "direction", "previous", "expected"), [
    (85.0, 85.0, "higher", None, St.UPPNATT),
    (84.96, 85.0, "higher", None, St.UPPNATT),  # shown as 85,0 — compared as shown
    (84.9, 85.0, "higher", 80.0, St.EJ_UPPNATT),  # better, but not surely: no "på väg"
    (84.9, 85.0, "higher", 86.0, St.EJ_UPPNATT),
    (84.9, 85.0, "higher", None, St.EJ_UPPNATT),
    (20.0, 30.0, "lower", None, St.UPPNATT),
    (35.0, 30.0, "lower", 40.0, St.EJ_UPPNATT),
    (45.0, 30.0, "lower", 40.0, St.EJ_UPPNATT),
    (None, 30.0, "higher", None, St.INGEN_MATNING),
    (float("nan"), 30.0, "higher", None, St.INGEN_MATNING),
    (50.0, None, "higher", None, St.INGET_MAL),
    (50.0, 40.0, "none", None, St.INGEN_BEDOMNING),
])
def test_target_status(value, target, direction, previous, expected):
    assert target_status(value, target, direction, previous=previous) is expected


def test_every_status_has_words_and_an_icon():
    for status in St:
        state = words.target(status)
        assert state.key == status and state.label and state.icon and state.css


def test_peer_status_words_and_rank():
    peer = words.peer(54, 148, 2, "higher", (40, 60))
    assert (peer.label, peer.rank_text) == ("Näst bästa fjärdedelen",
                                            "plats 54 av 148, trolig plats 40–60")
    assert words.peer(1, 10, 1, "none", (1, 2)).label == "Högsta fjärdedelen"
    assert words.peer(1, 10, 1, "none", (1, 2)).css == "status-neutral"
    assert words.peer(None, 0, None, "higher").label == "Ingen jämförelse"


def test_without_a_margin_the_place_has_no_quarter_word():
    # HME 2023: n unknown. No "Näst bästa fjärdedelen", only the place and why.
    peer = words.peer(47, 129, 2, "higher")
    assert peer.text == "plats 47 av 129 (felmarginal okänd)"
    assert "fjärdedel" not in peer.text and "hälft" not in peer.text
    assert peer.css == "status-none"


def _row(**fields) -> YearRow:
    base = {"year": 2022, "kpi_id": "N00640", "segment": 0, "method": "", "value": 80.0,
            "unit": "%", "is_example": False, "source": None, "comparison_mean": 83.73,
            "comparison_n": 137, "peer_rank": 111, "quartile": 4, "target": 85.0,
            "target_decision": None, "target_is_example": False,
            "target_status": St.EJ_UPPNATT}
    return YearRow(**{**base, **fields})


def test_change_phrase_says_no_more_than_its_interval():
    # N00640 2021 → 2022: −3,0 (−8,40–2,38).
    row = _row(previous_year=2021, previous_value=83.0, change=-3.0, change_ci_low=-8.4006,
               change_ci_high=2.3823, change_word=ChangeWord.INGEN_SAKERSTALLD,
               n_is_bound=True, sample_n=390)
    assert words.change_phrase(row) == ("ingen säkerställd förändring sedan 2021 "
                                        "(−3,0 procentenheter, 95\u00a0%-intervall "
                                        "−8,40–2,38)")
    # N00652: +7,0 with 0,15–13,77 at n ≤ 390, but not sure at 0,9 × n.
    web = _row(value=46.2, previous_year=2021, previous_value=39.2, change=7.0,
               change_ci_low=0.1467, change_ci_high=13.7684,
               change_word=ChangeWord.INGEN_SAKERSTALLD, n_is_bound=True, sample_n=390)
    assert words.change_phrase(web).startswith(
        "ingen säkerställd förändring sedan 2021 (+7,0 procentenheter, 95\u00a0%-intervall "
        "0,15–13,77; säker bara om alla")
    sure = _row(value=41.6, previous_year=2021, previous_value=25.3, change=16.3,
                change_ci_low=9.81, change_ci_high=22.61, change_word=ChangeWord.OKAT)
    assert words.change_phrase(sure) == ("ökat med 16,3 procentenheter sedan 2021 "
                                         "(95\u00a0%-intervall 9,81–22,61)")
    unknown = _row(value=85.0, previous_year=2019, previous_value=83.0, change=2.0,
                   change_word=ChangeWord.KAN_INTE_BEDOMAS)
    text = words.change_phrase(unknown)
    assert "ökat" not in text and "på väg" not in text
    assert text == ("+2,0 procentenheter sedan 2019; förändringen kan inte bedömas "
                    "(felmarginal okänd)")


def test_probability_and_a_bound_n_in_words():
    row = _row(value=41.6, target=40.0, p_target=0.7304, n_is_bound=True, sample_n=390,
               ci_low=36.8, ci_high=46.6)
    assert words.probability_phrase(row) == "sannolikhet att målet är nått: 73\u00a0%"
    assert words.n_text(row) == "n ≤ 390"
    assert words.probability_phrase(_row(p_target=0.001)).endswith("under 1\u00a0%")
    assert words.probability_phrase(_row()) == ""
