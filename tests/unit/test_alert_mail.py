"""The alert e-mail without a database: escaped HTML, the fastställd report first, Swedish."""

from datetime import datetime

from dashboard.tasks.alerts import Section, compose, sections
from etl.changes import TouchedReport, ValueChange

WHEN = datetime(2026, 12, 7, 6, 0)


def change(kind: str, old: float | None, new: float | None, *, name: str = "Gott bemötande",
           reports: tuple = (), change_id: int = 1) -> ValueChange:
    return ValueChange(change_id, kind, "N00640", "Bra bemötande", "1277", 2022, "T", old, new,
                       WHEN, 7, "telefon-bemotande", name, 1, reports)


def test_markup_in_names_is_escaped_and_the_frozen_report_comes_first():
    frozen = TouchedReport(2022, 1, datetime(2026, 11, 1), 80.0)
    found = sections([change("new", None, 81.0, change_id=2),
                      change("revised", 80.0, 80.5, name="<script>x</script>",
                             reports=(frozen,))], {}, {}, ("faststallt", "nya", "reviderade"))
    assert [s.kind for s in found] == ["faststallt", "nya", "reviderade"]
    alert = compose(found, "Åstorp", "https://malbild.astorp.se/nytt?a=1&b=2")
    assert "<script>" not in alert.html and "&lt;script&gt;x&lt;/script&gt;" in alert.html
    assert 'href="https://malbild.astorp.se/nytt?a=1&amp;b=2"' in alert.html
    assert alert.subject == "Målbild: 1 värde bakom det fastställda har ändrats (Åstorp)"
    text = alert.text
    assert text.index("ÄNDRAT SEDAN DET FASTSTÄLLDES") < text.index("Nya värden")
    assert "Fastställd rapport 2022, version 1, bygger på det gamla värdet." in text


def test_a_person_hears_only_of_the_kinds_they_follow():
    deleted = change("deleted", 80.0, None)
    assert sections([deleted], {}, {}, ("nya",)) == []
    [only] = sections([deleted], {}, {}, ("borttagna",))
    assert only == Section("borttagna", "Borttagna värden", (
        ("Gott bemötande (N00640) 2022: 80,0 → borttaget", ()),))
