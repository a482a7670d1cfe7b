"""Reading files of test contacts: formats people export, and every bad file refused clearly."""

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from etl.errors import InputError
from etl.extract.contacts import parse_moment, read_contacts
from etl.settings import DEFAULT_DATA_DIR

MAPPING = DEFAULT_DATA_DIR / "mappings" / "contact_headers.toml"
HEADER = "kanal;skickad;besvarad;handläggare;bemötande;förvaltning;enhet;kommentar"


def write(tmp_path: Path, text: str, name: str = "kontakter.csv", bom: bool = True) -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def read(path: Path):
    return read_contacts(path, mapping=MAPPING)


def refused(path: Path) -> str:
    with pytest.raises(InputError) as error:
        read(path)
    return str(error.value)


def test_semicolon_csv_with_bom_swedish_headers_and_times(tmp_path):
    path = write(tmp_path, f"{HEADER}\n"
                 "e-post;2024-05-08 10:00;2024-05-10 kl. 09.15;;4;Kommunledningsförvaltningen;"
                 "Kansli;\n"
                 "Telefon;2024-05-08 kl 14;;ja;3;;;ringde två gånger\n"
                 "BREV;2024-05-08;2024-05-13;;;Socialförvaltningen;;\n")
    table = read(path)
    first, call, letter = table.contacts
    assert (first.row, first.channel, first.grade) == (2, "e-post", 4)
    assert first.sent.at == datetime(2024, 5, 8, 10, 0) and first.sent.has_time
    assert first.answered.at == datetime(2024, 5, 10, 9, 15)
    assert (first.forvaltning, first.enhet) == ("Kommunledningsförvaltningen", "Kansli")
    assert call.channel == "telefon" and call.answered is None and call.reached_handlaggare
    assert call.sent.at == datetime(2024, 5, 8, 14, 0)
    assert letter.channel == "brev" and not letter.sent.has_time and letter.grade is None
    assert table.years == [2024]


def test_comma_csv_without_bom_english_headers_and_title_rows(tmp_path):
    path = write(tmp_path, "Test contacts 2025 (own measurement)\n\n"
                 "Channel,Sent,Answered,Reached caseworker,Grade,Department\n"
                 "email,2025-02-03T08:30,2025-02-04 16:00,,2,Social services\n"
                 "phone,2025-02-03,,no,,\n", bom=False)
    table = read(path)
    assert table.header_row == 3
    assert [(c.row, c.channel) for c in table.contacts] == [(4, "e-post"), (5, "telefon")]
    assert table.contacts[1].reached_handlaggare is False
    assert table.contacts[0].forvaltning == "Social services"


def test_excel_dates_as_date_cells_and_as_serial_numbers(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kontakter"
    sheet.append(["Kanal", "Skickad", "Besvarad", "Handläggare", "Bemötande"])
    sheet.append(["e-post", datetime(2024, 5, 8, 10, 0), datetime(2024, 5, 13, 8, 0), None, 4])
    sheet.append(["telefon", 45420, None, "Ja", 3.0])  # 45420 = 2024-05-08
    sheet.append(["brev", 45420.5, 45425, None, None])
    path = tmp_path / "kontakter.xlsx"
    workbook.save(path)
    table = read(path)
    assert table.sheet == "Kontakter"
    email, call, letter = table.contacts
    assert email.sent.at == datetime(2024, 5, 8, 10, 0)
    assert call.sent.at == datetime(2024, 5, 8) and not call.sent.has_time
    assert call.grade == 3
    assert letter.sent.at == datetime(2024, 5, 8, 12, 0) and letter.sent.has_time
    assert letter.answered.at == datetime(2024, 5, 13)


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-05-08", datetime(2024, 5, 8)),
    ("2024-05-08 10:00", datetime(2024, 5, 8, 10, 0)),
    ("2024-05-08 10:00:30", datetime(2024, 5, 8, 10, 0, 30)),
    ("2024-05-08 kl. 10.00", datetime(2024, 5, 8, 10, 0)),
    ("2024-5-8 kl 9.05", datetime(2024, 5, 8, 9, 5)),
    ("45420", datetime(2024, 5, 8)),
    ("45420,25", datetime(2024, 5, 8, 6, 0)),
])
def test_date_forms(text, expected):
    assert parse_moment(text).at == expected


def test_impossible_date_names_file_row_and_column(tmp_path):
    path = write(tmp_path, f"{HEADER}\ne-post;2024-02-30 10:00;;;;;;\n")
    message = refused(path)
    assert message.startswith("kontakter.csv, rad 2, kolumn «skickad»: datumet «2024-02-30 10:00» "
                              "finns inte.")
    assert "Ingenting har sparats" in message


def test_unreadable_date(tmp_path):
    message = refused(write(tmp_path, f"{HEADER}\ne-post;2024-05-08;igår;;;;;\n"))
    assert "rad 2, kolumn «besvarad»" in message and "känns inte igen som datum" in message
    assert "2024-05-08 kl. 10.00" in message


def test_unknown_channel_and_how_many_more_rows(tmp_path):
    path = write(tmp_path, f"{HEADER}\nfax;2024-05-08;;;;;;\ne-post;2024-05-08;;;;;;\n"
                 "sms;2024-05-09;;;;;;\nfax;2024-05-10;;;;;;\n")
    message = refused(path)
    assert "rad 2, kolumn «kanal»: kanalen «fax» är okänd." in message
    assert "Samma fel på 2 rader till (4, 5)." in message
    assert "e-post, telefon eller brev" in message


def test_answer_before_sent(tmp_path):
    path = write(tmp_path, f"{HEADER}\ne-post;2024-05-08 10:00;2024-05-08 09:00;;;;;\n")
    message = refused(path)
    assert "rad 2, kolumn «besvarad»" in message and "före skickad" in message


def test_answer_on_the_same_date_without_time_is_not_before(tmp_path):
    path = write(tmp_path, f"{HEADER}\ne-post;2024-05-08 10:00;2024-05-08;;;;;\n")
    assert read(path).contacts[0].answered is not None


@pytest.mark.parametrize("grade", ["0", "5", "3,5", "bra"])
def test_grade_outside_1_to_4(tmp_path, grade):
    message = refused(write(tmp_path, f"{HEADER}\ntelefon;2024-05-08;;ja;{grade};;;\n"))
    assert f"rad 2, kolumn «bemötande»: bemötandet «{grade}» ligger utanför skalan 1–4." \
        in message


def test_yes_no_that_is_neither(tmp_path):
    message = refused(write(tmp_path, f"{HEADER}\ntelefon;2024-05-08;;kanske;;;;\n"))
    assert "rad 2, kolumn «handläggare»: «kanske» är varken ja eller nej." in message


def test_missing_required_column(tmp_path):
    message = refused(write(tmp_path, "kanal;besvarad;bemötande\ne-post;2024-05-08;3\n"))
    assert message.startswith("kontakter.csv, rad 1: kolumnen «skickad» saknas")
    assert "«kanal», «besvarad», «bemötande»" in message
    assert "contact_headers.toml" in message


def test_no_header_at_all(tmp_path):
    message = refused(write(tmp_path, "a;b;c\n1;2;3\n"))
    assert "hittar ingen rubrikrad med kolumnerna kanal, skickad och besvarad" in message


def test_telephone_contacts_need_the_handlaggare_column(tmp_path):
    message = refused(write(tmp_path, "kanal;skickad;besvarad\ntelefon;2024-05-08;\n"))
    assert "rad 1" in message and "ingen kolumn «handläggare»" in message


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n ; ;\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "tom.csv"
    path.write_bytes(content)
    message = refused(path)
    assert message.startswith("tom.csv") and "filen är tom." in message


def test_header_without_contacts(tmp_path):
    message = refused(write(tmp_path, f"{HEADER}\n;;;;;;;\n"))
    assert "rad 1" in message and "inga testkontakter" in message


def test_duplicate_row(tmp_path):
    row = "e-post;2024-05-08 10:00;2024-05-09;;4;Socialförvaltningen;;"
    message = refused(write(tmp_path, f"{HEADER}\n{row}\ntelefon;2024-05-08;;ja;;;;\n{row}\n"))
    assert message.startswith("kontakter.csv, rad 4: raden är en dubblett av rad 2")


def test_duplicate_id(tmp_path):
    path = write(tmp_path, "id;kanal;skickad;besvarad\n7;e-post;2024-05-08;\n"
                 "7;e-post;2024-05-09;\n")
    message = refused(path)
    assert "rad 3, kolumn «id»: kontakten «7» står två gånger (rad 2 och rad 3)." in message


def test_identical_rows_with_different_ids_are_two_contacts(tmp_path):
    path = write(tmp_path, "nr;kanal;skickad;besvarad\n1;e-post;2024-05-08;\n"
                 "2;e-post;2024-05-08;\n")
    assert len(read(path).contacts) == 2


def test_sheet_is_named_in_errors_of_excel_files(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Mätning 2024"
    sheet.append(["Kanal", "Skickad", "Besvarad"])
    sheet.append(["e-post", "2024-13-01", None])
    path = tmp_path / "kontakter.xlsx"
    workbook.save(path)
    message = refused(path)
    assert message.startswith("kontakter.xlsx, blad «Mätning 2024», rad 2, kolumn «Skickad»")


def test_excel_date_cells_without_time_compare_by_date(tmp_path):
    """A date cell reads as midnight; an answer that day is not "before" a morning contact."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Kanal", "Skickad", "Besvarad", "Handläggare", "Bemötande"])
    sheet.append(["e-post", datetime(2024, 5, 8, 10, 0), datetime(2024, 5, 8), None,
                  "4 – mycket gott"])
    path = tmp_path / "kontakter.xlsx"
    workbook.save(path)
    contact = read(path).contacts[0]
    assert not contact.answered.has_time and contact.grade == 4


def test_words_for_nothing_are_empty_cells(tmp_path):
    path = write(tmp_path, f"{HEADER}\ne-post;2024/05/08;ej besvarad;-;–;;;\n")
    contact = read(path).contacts[0]
    assert contact.answered is None and contact.reached_handlaggare is None
    assert contact.grade is None and contact.sent.at == datetime(2024, 5, 8)


def test_headers_with_explanations_are_recognised(tmp_path):
    path = write(tmp_path, "Kanal (e-post/telefon/brev);Skickad (datum och tid);Datum besvarad;"
                 "Nådde handläggare (ja/nej);Bemötande (1–4);Svarstid\n"
                 "telefon;2024-05-08 10:00;;Ja;4;0\n")
    table = read(path)
    assert set(table.columns) == {"kanal", "skickad", "besvarad", "handlaggare", "bemotande"}
    assert table.contacts[0].reached_handlaggare and table.contacts[0].grade == 4


def test_a_date_in_the_future_is_refused(tmp_path):
    message = refused(write(tmp_path, f"{HEADER}\ne-post;2024-05-08;2099-05-09;;;;;\n"))
    assert "rad 2, kolumn «besvarad»: datumet «2099-05-09» ligger i framtiden." in message
