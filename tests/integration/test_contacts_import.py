"""Test contacts in the store: whole file or nothing, the same file twice changes nothing,
--replace replaces the file's years and keeps the old contacts in the log; on every engine,
from the command line and the browser upload too."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard.web import uploads
from etl import audit, db, schema
from etl.contacts import import_contacts_file
from etl.errors import InputError
from etl.followup.own import own_values
from tests.cli import run_cli
from tests.conftest import dump

HEADER = "Kanal;Skickad;Besvarad;Handläggare;Bemötande;Förvaltning"
GOOD_2024 = (f"{HEADER}\n"
             "e-post;2024-05-08 10:00;2024-05-13 08:00;;4;Socialförvaltningen\n"
             "e-post;2024-05-08 10:05;2024-05-14 08:00;;2;Socialförvaltningen\n"
             "e-post;2024-05-11 09:00;;;;\n"
             "telefon;2024-05-08 kl. 11.00;;ja;3;\n"
             "telefon;2024-05-08 kl. 11.30;2024-05-10 kl. 09.00;nej;1;\n"
             "brev;2024-12-20;2024-12-27;;;\n")


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


@pytest.fixture
def store(settings):
    """An empty database with the schema, and the 2024 contacts loaded from one file."""
    db.upgrade(settings.database_url)
    return settings


def engine_of(settings):
    return db.engine_for(settings.database_url)


def contacts_in(settings) -> list[dict]:
    with engine_of(settings).connect() as connection:
        return [dict(r) for r in connection.execute(
            select(schema.Contact).order_by(schema.Contact.sent)).mappings()]


def test_a_file_is_stored_with_its_run_and_the_measures_follow(store, tmp_path):
    path = write(tmp_path, "kontakter 2024.csv", GOOD_2024)
    result = import_contacts_file(engine_of(store), path, store, requested_by="anna")
    assert [(y.year, y.status, y.by_channel) for y in result.years] == [
        (2024, "new", {"e-post": 3, "telefon": 2, "brev": 1})]
    rows = contacts_in(store)
    assert len(rows) == 6 and {r["year"] for r in rows} == {2024}
    assert rows[0]["channel"] == "e-post" and rows[0]["grade"] == 4
    assert not any(r["is_example"] for r in rows)
    with engine_of(store).connect() as connection:
        run = connection.execute(select(schema.ImportRun)).one()
    assert (run.kind, run.added, run.requested_by) == ("kontakter-fil", 6, "anna")
    assert run.file_sha256 and Path(run.location).name == "kontakter 2024.csv"
    assert {r["import_run_id"] for r in rows} == {run.id}
    events = audit.events(engine_of(store), group="import")
    assert [e["action"] for e in events] == ["import.contacts"]

    values = own_values(engine_of(store), store)
    email = values.value("epost-inom-regel", 2024)
    assert (email.n, email.successes) == (3, 1)  # over Ascension; day 3; never answered
    assert (round(email.ci_low, 1), round(email.ci_high, 1)) == (6.1, 79.2)
    reached = values.value("telefon-handlaggare", 2024)
    assert (reached.n, reached.successes) == (2, 1)
    assert values.value("brev-inom-regel", 2024).successes == 1  # over Christmas
    assert values.value("telefon-inom-regel", 2024).n == 1
    assert values.by_forvaltning == []  # Socialförvaltningen has 2 < 5


def test_the_same_file_twice_changes_nothing(store, tmp_path):
    path = write(tmp_path, "kontakter.csv", GOOD_2024)
    import_contacts_file(engine_of(store), path, store)
    before = dump(store.database_url)
    again = import_contacts_file(engine_of(store), path, store)
    assert not again.changed and again.run_id is None
    assert [y.status for y in again.years] == ["unchanged"]
    copy = write(tmp_path, "kopia.csv", GOOD_2024)  # the same contacts under another name
    assert not import_contacts_file(engine_of(store), copy, store).changed
    assert dump(store.database_url) == before


def test_a_year_from_another_file_needs_replace(store, tmp_path):
    engine = engine_of(store)
    import_contacts_file(engine, write(tmp_path, "första.csv", GOOD_2024), store)
    other = write(tmp_path, "andra.csv", f"{HEADER}\ne-post;2024-09-02;2024-09-02;;4;\n"
                  "e-post;2025-01-08;;;;\n")
    before = dump(store.database_url)
    with pytest.raises(InputError) as error:
        import_contacts_file(engine, other, store)
    message = str(error.value)
    assert message.startswith("andra.csv: testkontakterna för 2024 är redan inlästa från en "
                              "annan fil (första.csv, ")
    assert "--replace" in message and "Ingenting har sparats" in message
    assert dump(store.database_url) == before  # 2025 was not stored either

    result = import_contacts_file(engine, other, store, replace=True, requested_by="anna")
    assert [(y.year, y.status, y.replaced_file, y.replaced_contacts) for y in result.years] == [
        (2024, "replaced", "första.csv", 6), (2025, "new", None, 0)]
    assert [(r["year"], r["channel"]) for r in contacts_in(store)] == [(2024, "e-post"),
                                                                        (2025, "e-post")]
    events = audit.events(engine, group="import")
    replaced = next(e for e in events if e["action"] == "import.contacts.replaced")
    kept = json.loads(replaced["before"])
    assert len(kept) == 6 and {k["location"] for k in kept} == {str(tmp_path / "första.csv")}
    assert replaced["object_id"] == "2024" and replaced["actor"] == "anna"
    assert not import_contacts_file(engine, other, store, replace=True).changed


def test_example_contacts_are_marked(store, tmp_path):
    import_contacts_file(engine_of(store), write(tmp_path, "exempel.csv", GOOD_2024), store,
                         is_example=True)
    assert all(r["is_example"] for r in contacts_in(store))
    with engine_of(store).connect() as connection:
        assert connection.scalar(select(schema.ImportRun.is_example))
    assert own_values(engine_of(store), store).value("epost-inom-regel", 2024).is_example


BAD_FILES = {
    "impossible date": (f"{HEADER}\ne-post;2024-05-08;;;;\ne-post;2024-02-30;;;;\n",
                        "dålig.csv, rad 3, kolumn «Skickad»: datumet «2024-02-30» finns inte."),
    "unknown channel": (f"{HEADER}\nfax;2024-05-08;;;;\n",
                        "dålig.csv, rad 2, kolumn «Kanal»: kanalen «fax» är okänd."),
    "answer before sent": (f"{HEADER}\nbrev;2024-05-08;2024-05-07;;;\n",
                           "dålig.csv, rad 2, kolumn «Besvarad»: besvarad (2024-05-07) är före "
                           "skickad (2024-05-08)."),
    "grade outside 1-4": (f"{HEADER}\ntelefon;2024-05-08;;ja;5;\n",
                          "dålig.csv, rad 2, kolumn «Bemötande»: bemötandet «5» ligger utanför "
                          "skalan 1–4."),
    "missing column": ("Kanal;Besvarad\ne-post;2024-05-08\n",
                       "dålig.csv, rad 1: kolumnen «skickad» saknas"),
    "empty file": ("", "dålig.csv: filen är tom."),
    "duplicate row": (f"{HEADER}\ne-post;2024-05-08 10:00;;;;\ne-post;2024-05-08 10:00;;;;\n",
                      "dålig.csv, rad 3: raden är en dubblett av rad 2"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_each_bad_file_is_refused_with_the_database_unchanged(store, tmp_path, case):
    import_contacts_file(engine_of(store), write(tmp_path, "bra.csv", GOOD_2024), store)
    text, expected = BAD_FILES[case]
    path = tmp_path / "dålig.csv"
    path.write_bytes(text.encode("utf-8"))
    before = dump(store.database_url)
    with pytest.raises(InputError) as error:
        import_contacts_file(engine_of(store), path, store, replace=True)
    assert str(error.value).startswith(expected), str(error.value)
    assert dump(store.database_url) == before


def test_command_line(store, tmp_path):
    url = store.database_url
    good = write(tmp_path, "kontakter.csv", GOOD_2024)
    dry = run_cli("etl", "contacts", str(good), "--dry-run", url=url)
    assert dry.returncode == 0, dry.stderr
    assert "Förhandsgranskning (inget sparat): kontakter.csv: 6 testkontakter skulle sparas " \
        "för 2024." in dry.stderr
    assert contacts_in(store) == []
    done = run_cli("etl", "contacts", str(good), url=url)
    assert done.returncode == 0, done.stderr
    assert "kontakter.csv: 6 testkontakter sparades för 2024." in done.stderr
    assert "2024 (ny): 6 kontakter – e-post 3, telefon 2, brev 1." in done.stderr
    before = dump(url)
    again = run_cli("etl", "contacts", str(good), url=url)
    assert "inget att ändra" in again.stderr and dump(url) == before
    bad = tmp_path / "fel.csv"
    bad.write_text(f"{HEADER}\ne-post;2024-05-08;;;7;\n", encoding="utf-8")
    refused = run_cli("etl", "contacts", str(bad), url=url)
    assert refused.returncode == 2
    assert " ".join(refused.stderr.split()).startswith(
        "Fel: fel.csv, rad 2, kolumn «Bemötande»: bemötandet «7» ligger utanför skalan 1–4.")
    assert "Traceback" not in refused.stderr and dump(url) == before


def test_browser_upload_previews_then_imports(store, tmp_path):
    engine = engine_of(store)
    import_contacts_file(engine, write(tmp_path, "gammal.csv", GOOD_2024), store)
    content = f"{HEADER}\ntelefon;2024-09-02 10:00;;ja;4;\n".encode()
    contents = "data:text/csv;base64," + base64.b64encode(content).decode()
    before = dump(store.database_url)
    shown = uploads.preview(engine, store, "kontakter", contents, "nya kontakter.csv")
    assert dump(store.database_url) == before
    assert shown.counts == {"nya": 1, "oförändrade": 0, "borttagna": 6}
    assert shown.replaces == "gammal.csv"
    assert shown.years == [{"year": "2024", "status": "ersätter", "contacts": "1",
                            "channels": "telefon 1",
                            "replaced": "6 kontakter från gammal.csv"}]
    summary = uploads.confirm(engine, store, shown.ticket, contents, "nya kontakter.csv",
                              actor="anna")
    assert summary.startswith("nya kontakter.csv: 1 testkontakt sparades för 2024; 6 tidigare "
                              "kontakter ersattes.")
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(schema.Contact)) == 1
    with pytest.raises(InputError, match="filtypen går inte att läsa som testkontakter"):
        uploads.preview(engine, store, "kontakter", contents, "kontakter.pdf")


def test_demo_has_example_contacts_for_three_years(demo_engine, demo_settings):
    values = own_values(demo_engine, demo_settings)
    email = values.series("epost-inom-regel")
    assert [v.year for v in email] == [2023, 2024, 2025]
    assert all(v.is_example and 30 <= v.n <= 60 for v in email)
    assert values.by_forvaltning and values.hidden_forvaltningar


def test_the_strategy_says_which_measures_own_series_feed(settings):
    from etl.followup.own import own_series_by_measure

    assert own_series_by_measure(settings) == {
        "epost-svar": "epost-inom-regel", "telefon-svar": "telefon-handlaggare",
        "telefon-bemotande": "telefon-gott-bemotande"}
