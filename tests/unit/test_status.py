"""Status rules: against the target (direction-aware) and against the others."""

import pytest

from dashboard import status as st


@pytest.mark.parametrize(("value", "target", "direction", "previous", "expected"), [
    (85.0, 85.0, "higher", None, st.UPPNATT),
    (84.96, 85.0, "higher", None, st.UPPNATT),  # shown as 85,0 — compared as shown
    (84.9, 85.0, "higher", 80.0, st.PA_VAG),
    (84.9, 85.0, "higher", 86.0, st.EJ_UPPNATT),
    (84.9, 85.0, "higher", None, st.EJ_UPPNATT),
    (20.0, 30.0, "lower", None, st.UPPNATT),
    (35.0, 30.0, "lower", 40.0, st.PA_VAG),
    (45.0, 30.0, "lower", 40.0, st.EJ_UPPNATT),
    (None, 30.0, "higher", None, st.INGEN_MATNING),
    (float("nan"), 30.0, "higher", None, st.INGEN_MATNING),
    (50.0, None, "higher", None, st.INGET_MAL),
    (50.0, 40.0, "none", None, st.INGEN_BEDOMNING),
])
def test_target_status(value, target, direction, previous, expected):
    assert st.target_status(value, target, direction, previous=previous) is expected


def test_every_status_has_words_and_an_icon():
    for state in st.TARGET_STATUSES:
        assert state.label and state.icon and state.css


def test_peer_status_words_and_rank():
    peer = st.peer_status(54, 148, 2, "higher")
    assert (peer.label, peer.rank_text) == ("Näst bästa fjärdedelen", "plats 54 av 148")
    assert st.peer_status(1, 10, 1, "none").label == "Högsta fjärdedelen"
    assert st.peer_status(1, 10, 1, "none").css == "status-neutral"
    assert st.peer_status(None, 0, None, "higher").label == "Ingen jämförelse"
