"""The status palette: semantic (good, neutral, bad, none), readable, never colour alone."""

import re
from pathlib import Path

import pytest

from dashboard.present import words
from etl.followup.rules import TargetStatus

CSS = (Path(__file__).resolve().parents[2] / "assets" / "style.css").read_text(encoding="utf-8")


def colour(name: str) -> str:
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS).group(1)


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("kind", ["good", "neutral", "bad", "none"])
def test_status_colours_are_readable(kind):
    assert contrast(colour(f"{kind}-ink"), colour(f"{kind}-bg")) >= 4.5  # text
    assert contrast(colour(f"{kind}-line"), colour(f"{kind}-bg")) >= 3.0  # the badge's edge
    assert contrast(colour(f"{kind}-line"), "#ffffff") >= 3.0


def test_good_results_never_look_like_warnings():
    assert words.target(TargetStatus.UPPNATT).css == "status-good"
    assert words.target(TargetStatus.PA_VAG).css != "status-bad"
    # Places whose plausible range lies in one quarter (without a range there is no word).
    best, second, third, worst = (words.peer(r, 100, q, "higher", (r, r)).css
                                  for r, q in ((1, 1), (30, 2), (60, 3), (90, 4)))
    assert best == second == "status-good"
    assert third == "status-neutral" and worst == "status-bad"
    used = {s.css for s in words.TARGET_WORDS.values()} | set(words.QUARTILE_CSS)
    assert "status-progress" not in used  # the amber warning look is not a status


def test_every_status_has_words_and_a_symbol():
    for state in [*words.TARGET_WORDS.values(), *words.VERDICT_WORDS.values()]:
        assert state.label and state.icon
