"""One set of definitions: the README, the downloads and the report appendix say the same."""

from pathlib import Path

import pytest

from dashboard.present import definitions
from dashboard.present.export import method
from etl.followup.rules import ChangeWord, TargetCertainty, TargetStatus, VersusMean
from etl.followup.verdict import Verdict

README = Path(__file__).parents[2] / "README.md"
STABLE_ANCHORS = {"uppnatt", "pa-vag", "ej-uppnatt", "inom-felmarginalen", "trolig-plats",
                  "matkommunernas-medelvarde", "forandring", "bedomning", "felmarginal-okand",
                  "felmarginal", "sannolikhet", "n-tak", "egen-matning"}


def test_anchors_are_unique_and_stable():
    anchors = [d.anchor for d in definitions.definitions()]
    assert len(anchors) == len(set(anchors))
    assert set(anchors) >= STABLE_ANCHORS
    assert all(a == a.lower() and " " not in a and a.isascii() for a in anchors)


def test_the_readme_section_is_generated_from_the_definitions():
    text = README.read_text(encoding="utf-8")
    section = text.split("## Så läser du statusen\n", 1)[1].split("\n## ", 1)[0]
    assert definitions.readme_section() in section, (
        "README's «Så läser du statusen» differs from dashboard/present/definitions.py: paste the "
        "output of `python -m dashboard.present.definitions` into it.")


def test_downloads_and_report_take_the_same_definitions():
    notes = method.method_notes(5)
    assert notes == [(d.term, d.text) for d in definitions.definitions(5)]
    status = dict(notes)
    # The old statuses are gone: "på väg" needs a sure improvement, no quarter of the point rank.
    assert "säkert blivit bättre" in status["På väg"]
    assert "Vilken fjärdedel" not in " ".join(status.values())
    assert "0,9" in status["Antal svar som tak («n ≤ 390»)"]
    assert "inget slumpmässigt urval" in status["Egen mätning"]
    assert "ändlig population" in status["Felmarginal (95 %-intervall)"]


@pytest.mark.parametrize(("key", "anchor"), [
    ("pa-vag", "pa-vag"), (TargetStatus.UPPNATT, "uppnatt"),
    (TargetCertainty.INOM_FELMARGINAL, "inom-felmarginalen"),
    (TargetCertainty.OKAND, "felmarginal-okand"), (ChangeWord.INGEN_SAKERSTALLD, "forandring"),
    (VersusMean.I_NIVA, "matkommunernas-medelvarde"), (Verdict.DELVIS, "bedomning"),
    ("trolig-plats", "trolig-plats"),
])
def test_anchor_for_a_word(key, anchor):
    assert definitions.anchor_for(key) == anchor


def test_an_unknown_word_has_no_anchor():
    with pytest.raises(KeyError):
        definitions.anchor_for("okänt-ord")
