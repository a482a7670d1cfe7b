"""Status rules: against the target (direction-aware), and their words."""

import pytest

from dashboard import words
from etl.followup.rules import TargetStatus as St
from etl.followup.rules import target_status


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
    peer = words.peer(54, 148, 2, "higher")
    assert (peer.label, peer.rank_text) == ("Näst bästa fjärdedelen", "plats 54 av 148")
    assert words.peer(1, 10, 1, "none").label == "Högsta fjärdedelen"
    assert words.peer(1, 10, 1, "none").css == "status-neutral"
    assert words.peer(None, 0, None, "higher").label == "Ingen jämförelse"
