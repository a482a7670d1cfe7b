"""The Kolada API client against recorded answers (tests/fixtures/kolada/): no network at all.

The recordings are real v3-shaped answers from `tests/kolada_server.py --record` (N00640 for
Åstorp and neighbours; one revised and one deleted value in the `from_date` answer).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from etl.errors import InputError
from etl.extract import kolada, kolada_files
from etl.kolada_sync import parse_kpis, parse_since, parse_years
from tests.kolada_server import RECORDINGS

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kolada"
BASE = "http://kolada.test/v3"
ASTORP_N00640 = {("1277", 2021, "T"): 83.0, ("1277", 2022, "T"): 80.0}


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _route(request: httpx.Request) -> str:
    """A request as the recordings name it: path and query, without per_page=5000."""
    url = urlsplit(str(request.url))
    query = "&".join(p for p in url.query.split("&") if p and p != "per_page=5000")
    return url.path + (f"?{query}" if query else "")


def replay(requests: list[str] | None = None):
    """A transport answering from the recordings (404 for anything else)."""
    answers = {path: name for name, path in RECORDINGS.items()}

    def handle(request: httpx.Request) -> httpx.Response:
        route = _route(request)
        if requests is not None:
            requests.append(route)
        if route in answers:
            return httpx.Response(200, content=(FIXTURES / answers[route]).read_bytes())
        return httpx.Response(404, json={"error": "not recorded"})

    return httpx.MockTransport(handle)


def scripted(*answers, requests: list[str] | None = None):
    """A transport giving these answers in turn (the last one repeats): httpx.Response, an
    exception, or JSON."""
    queue = list(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        if requests is not None:
            requests.append(str(request.url))
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, dict | list):
            return httpx.Response(200, json=answer)
        return answer

    return httpx.MockTransport(handle)


def client(transport, *, per_page: int = kolada.MAX_PER_PAGE, attempts: int = 3,
           sleeps: list[float] | None = None) -> kolada.KoladaClient:
    waits = sleeps if sleeps is not None else []
    return kolada.KoladaClient(BASE, transport=transport, per_page=per_page,
                               retry=kolada.RetryPolicy(attempts, backoff=0.5, max_wait=30),
                               sleep=waits.append)


EMPTY = {"count": 0, "values": [], "next_url": ""}


# --- Metadata -----------------------------------------------------------------------------------


def test_metadata_from_recorded_answers():
    with client(replay()) as api:
        kpis = list(kolada.fetch_kpis(api, ["N00647", "N00640"]))
        municipalities = list(kolada.fetch_municipalities(api))
        groups = list(kolada.fetch_kpi_groups(api))
    assert [k["id"] for k in kpis] == ["N00640", "N00647"]
    assert kpis[0]["title"].startswith("Medborgarundersökningen - Bra bemötande")
    assert {"id": "1277", "title": "Åstorp", "type": "K"} in municipalities
    assert {"id": "0000", "title": "Riket", "type": "L"} in municipalities
    assert len([m for m in municipalities if m["type"] == "K"]) == 290
    kkik = next(g for g in groups if g["id"] == "GKPI118")
    assert len(kkik["members"]) == 40 and "N00640" in kkik["members"]


def test_municipality_groups_with_members():
    answer = {"values": [{"id": "G33621", "title": "Skåne läns kommuner (ovägt medel)",
                          "members": [{"member_id": "1277", "member_title": "Åstorp"},
                                      {"member_id": "1260", "member_title": "Bjuv"}]}]}
    with client(scripted(answer)) as api:
        groups = list(kolada.fetch_municipality_groups(api))
    assert groups == [{"id": "G33621", "title": "Skåne läns kommuner (ovägt medel)",
                       "members": ["1277", "1260"]}]


@pytest.mark.parametrize(("answer", "expected"), [
    ({"values": [{"title": "utan id"}]}, "values[0].id är None"),
    ({"values": [{"id": "1277", "title": "Åstorp", "type": "Kommun"}]}, "values[0].type"),
    ({"values": [{"id": "G1", "title": "x", "members": "1277"}]}, "members är inte en lista"),
])
def test_bad_metadata_names_url_and_place(answer, expected):
    fetchers = {"values[0].id är None": kolada.fetch_municipalities,
                "values[0].type": kolada.fetch_municipalities,
                "members är inte en lista": kolada.fetch_municipality_groups}
    with client(scripted(answer)) as api, pytest.raises(InputError) as error:
        list(fetchers[expected](api))
    assert expected in str(error.value)
    assert "http://kolada.test/v3/" in str(error.value)


def test_bundled_catalogue_files_are_mapped_as_the_api_answers(tmp_path):
    """The same Kolada objects give the same records from a file as from the API."""
    answers = {"kpi.json": "kpi_N00640_N00647.json", "municipality.json": "municipality.json",
               "kpi_groups.json": "kpi_groups.json"}
    for file_name, recording in answers.items():
        (tmp_path / file_name).write_bytes((FIXTURES / recording).read_bytes())
    with client(replay()) as api:
        assert list(kolada_files.fetch_kpis(tmp_path)) == list(
            kolada.fetch_kpis(api, ["N00640", "N00647"]))
        assert list(kolada_files.fetch_municipalities(tmp_path)) == list(
            kolada.fetch_municipalities(api))
        assert list(kolada_files.fetch_kpi_groups(tmp_path)) == list(kolada.fetch_kpi_groups(api))


def test_bad_catalogue_file_names_file_and_place(tmp_path):
    (tmp_path / "kpi.json").write_text(json.dumps({"values": [
        {"id": "N00640", "title": "Bra bemötande"}, {"id": "N00647", "title": " "}]}))
    with pytest.raises(InputError) as error:
        list(kolada_files.fetch_kpis(tmp_path))
    assert error.value.where.source == str(tmp_path / "kpi.json")
    assert error.value.explain().startswith(
        "kpi.json: filen har inte Koladas form: values[1].title är ' ', väntade text.")


# --- Values, paging and batching ----------------------------------------------------------------


def test_pages_are_followed_to_the_end():
    requests: list[str] = []
    with client(replay(requests), per_page=3) as api:
        pages = list(kolada.fetch_values(api, ["N00640"], [2021, 2022],
                                         municipality_ids=["1277", "0114", "1280", "0000"]))
    assert len(pages) == 3 and len(requests) == 3
    assert requests[0].endswith("year/2021,2022?per_page=3")
    assert requests[2].endswith("per_page=3&page=3")
    rows = {(r[1], r[2], r[3]): r[4] for page in pages for r in page.rows}
    assert {key: rows[key] for key in ASTORP_N00640} == ASTORP_N00640
    assert rows[("0000", 2021, "T")] == 81.4  # Riket (stored, never part of the mean)
    assert all(page.deleted == [] for page in pages)


def test_older_answers_say_next_page():
    first = {"count": 1, "next_page": f"{BASE}/data/kpi/N00640/year/2022?page=2",
             "values": [{"kpi": "N00640", "municipality": "1277", "period": 2022,
                         "values": [{"gender": "T", "count": 1, "status": "", "value": 80.0}]}]}
    second = {"count": 1, "next_page": None,
              "values": [{"kpi": "N00640", "municipality": "1260", "period": 2022,
                          "values": [{"gender": "T", "count": 1, "status": "", "value": 84.0}]}]}
    requests: list[str] = []
    with client(scripted(first, second, requests=requests)) as api:
        pages = list(kolada.fetch_values(api, ["N00640"], [2022]))
    assert [r[:5] for p in pages for r in p.rows] == [("N00640", "1277", 2022, "T", 80.0),
                                                      ("N00640", "1260", 2022, "T", 84.0)]
    assert requests[1] == f"{BASE}/data/kpi/N00640/year/2022?page=2"


def test_a_next_url_that_loops_is_refused():
    looping = {"values": [], "next_url": f"{BASE}/data/kpi/N00640/year/2022?per_page=5000"}
    with client(scripted(looping)) as api, pytest.raises(InputError, match="tillbaka"):
        list(kolada.fetch_values(api, ["N00640"], [2022]))


def test_long_lists_are_split_into_25_ids_per_path_part():
    requests: list[str] = []
    kpis = [f"N{n:05d}" for n in range(60)]
    years = list(range(1990, 2027))
    with client(scripted(EMPTY, requests=requests)) as api:
        list(kolada.fetch_values(api, kpis, years, municipality_ids=["G2328"]))
    assert len(requests) == 3 * 2  # 60 KPIs in 3 requests, 37 years in 2
    for url in requests:
        parts = urlsplit(url).path.split("/")
        assert all(len(parts[i].split(",")) <= 25 for i in (4, 6, 8))
        assert "per_page=5000" in url
    asked = {k for url in requests for k in urlsplit(url).path.split("/")[4].split(",")}
    assert asked == set(kpis)


def test_group_values_carry_their_count():
    with client(replay()) as api:
        pages = list(kolada.fetch_values(api, ["N00640"], [2021, 2022],
                                         municipality_ids=["G2328", "G33621"]))
    rows = {(r[1], r[2], r[3]): (round(r[4], 1), r[5]) for p in pages for r in p.rows}
    assert rows[("G2328", 2021, "T")] == (81.1, 148)  # the README's real figures


def test_from_date_answer_has_revisions_and_deletions():
    with client(replay()) as api:
        pages = list(kolada.fetch_values(api, ["N00640"], [2021, 2022],
                                         municipality_ids=["1277", "0114"],
                                         from_date=date(2026, 1, 10)))
    rows = [r for p in pages for r in p.rows]
    deleted = [d for p in pages for d in p.deleted]
    assert ("N00640", "1277", 2022, "T", 80.5, 1) in rows
    assert deleted == [("N00640", "0114", 2021, "T")]


@pytest.mark.parametrize("flag", ["isdeleted", "is_deleted"])
def test_both_spellings_of_deleted(flag):
    values = [
        {"kpi": "N00640", "municipality": "1277", "period": 2021, flag: True},
        {"kpi": "N00640", "municipality": "1280", "period": 2021, "values": [
            {"gender": "K", "value": None, flag: True},
            {"gender": "T", "count": 1, "value": 79.0}]},
        {"kpi": "N00640", "municipality": "0114", "period": 2021, flag: False, "values": [
            {"gender": "T", "count": 1, "value": 85.5}]},
    ]
    rows, deleted = kolada.parse_data_page("u", values, ["N00640"])
    assert deleted == [("N00640", "1277", 2021, None), ("N00640", "1280", 2021, "K")]
    assert [r[1:5] for r in rows] == [("1280", 2021, "T", 79.0), ("0114", 2021, "T", 85.5)]


def test_null_value_is_no_data_not_zero():
    values = [{"kpi": "N00640", "municipality": "1277", "period": 2020,
               "values": [{"gender": "T", "count": 0, "status": "", "value": None}]}]
    assert kolada.parse_data_page("u", values, ["N00640"]) == ([], [])


def _row(**change) -> dict:
    row = {"kpi": "N00640", "municipality": "1277", "period": 2021,
           "values": [{"gender": "T", "count": 1, "status": "", "value": 83.0}]}
    entry = {k: change.pop(k) for k in ("gender", "value", "count") if k in change}
    row["values"][0].update(entry)
    row.update(change)
    return row


@pytest.mark.parametrize(("answer", "expected"), [
    ([], "väntade ett objekt med «values», fick en lista"),
    ({"count": 1}, "«values» saknas"),
    ({"values": [_row()], "count": "två"}, "«count» är 'två'"),
    ({"values": [_row(period="tjugotjugoett")]}, "values[0].period är 'tjugotjugoett'"),
    ({"values": [_row(gender="X")]}, "values[0].values[0].gender är 'X'"),
    ({"values": [_row(value="83,0")]}, "values[0].values[0].value är '83,0'"),
    ({"values": [_row(count=1.5)]}, "values[0].values[0].count är 1.5"),
    ({"values": [_row(kpi="N99999")]}, "values[0].kpi är 'N99999', som inte efterfrågades"),
    ({"values": [_row(municipality=1277)]}, "values[0].municipality är 1277"),
    ({"values": [_row(values={"gender": "T"})]}, "values[0].values är ett objekt"),
    ({"values": [_row()], "next_url": 7}, "«next_url» är 7"),
])
def test_answers_of_the_wrong_shape_name_url_and_place(answer, expected):
    with client(scripted(answer)) as api, pytest.raises(InputError) as error:
        list(kolada.fetch_values(api, ["N00640"], [2021]))
    message = str(error.value)
    assert message.startswith(f"{BASE}/data/kpi/N00640/year/2021?per_page=5000: svaret har "
                              "inte Koladas form")
    assert expected in message
    assert "--base-url" in message


# --- Retries ------------------------------------------------------------------------------------


def test_429_honours_retry_after_then_succeeds():
    sleeps: list[float] = []
    busy = httpx.Response(429, headers={"Retry-After": "7"})
    with client(scripted(busy, EMPTY), sleeps=sleeps) as api:
        assert next(kolada.fetch_values(api, ["N00640"], [2021])).rows == []
        assert (api.log.requests, api.log.retries) == (2, 1)
    assert sleeps == [7.0]


def test_retry_after_as_an_http_date():
    now = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=42), usegmt=True)
    assert kolada.retry_after_seconds(header, now=now) == 42
    assert kolada.retry_after_seconds("120") == 120
    assert kolada.retry_after_seconds("snart") is None


def test_a_retry_after_longer_than_we_wait_fails_at_once():
    sleeps: list[float] = []
    busy = httpx.Response(429, headers={"Retry-After": "3600"})
    with client(scripted(busy), sleeps=sleeps) as api, pytest.raises(kolada.KoladaUnavailable
                                                                      ) as error:
        list(kolada.fetch_values(api, ["N00640"], [2021]))
    assert "paus på 3600 s" in str(error.value) and sleeps == []


def test_server_errors_back_off_exponentially():
    sleeps: list[float] = []
    answers = (httpx.Response(500), httpx.Response(503), EMPTY)
    with client(scripted(*answers), sleeps=sleeps) as api:
        list(kolada.fetch_values(api, ["N00640"], [2021]))
    assert sleeps == [0.5, 1.0]


def test_back_off_is_bounded():
    policy = kolada.RetryPolicy(attempts=10, backoff=1.0, max_wait=8.0)
    assert [policy.wait(a) for a in range(1, 7)] == [1, 2, 4, 8, 8, 8]
    assert policy.wait(1, retry_after=20) == 20


@pytest.mark.parametrize(("failure", "expected"), [
    (httpx.Response(500), "HTTP 500 Internal Server Error (efter 3 försök)"),
    (httpx.ReadTimeout("timed out"), "inget svar inom tidsgränsen (efter 3 försök)"),
    (httpx.ConnectError("Connection refused"), "kunde inte ansluta (Connection refused)"),
    (httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
     "förbindelsen bröts (peer closed connection"),
    (httpx.Response(200, content=b'{"values": [{"kpi": "N00640",'),
     "svaret är inte giltig JSON"),
])
def test_persistent_failures_name_the_url_and_what_happened(failure, expected):
    sleeps: list[float] = []
    with client(scripted(failure), sleeps=sleeps) as api, pytest.raises(
            kolada.KoladaUnavailable) as error:
        list(kolada.fetch_values(api, ["N00640"], [2021]))
    message = str(error.value)
    assert message.startswith("Kolada svarar inte som det ska: "
                              f"{BASE}/data/kpi/N00640/year/2021?per_page=5000: ")
    assert expected in message
    assert len(sleeps) == 2


@pytest.mark.parametrize("failure", [
    httpx.ReadTimeout("timed out"), httpx.RemoteProtocolError("Server disconnected"),
    httpx.Response(200, content=b"<html>Bad gateway</html>"), httpx.Response(502),
])
def test_passing_failures_are_retried(failure):
    with client(scripted(failure, EMPTY)) as api:
        assert len(list(kolada.fetch_values(api, ["N00640"], [2021]))) == 1
        assert api.log.retries == 1


def test_not_found_is_not_retried():
    sleeps: list[float] = []
    with client(scripted(httpx.Response(404)), sleeps=sleeps) as api, pytest.raises(
            kolada.KoladaUnavailable, match=r"HTTP 404 Not Found.*--base-url"):
        list(kolada.fetch_kpis(api, ["N00640"]))
    assert sleeps == []


# --- Options of the command line ----------------------------------------------------------------


def test_years_kpis_and_since_from_the_command_line():
    assert parse_years("2012-2015") == [2012, 2013, 2014, 2015]
    assert parse_years("2022") == [2022]
    assert parse_years("2019,2021, 2022") == [2019, 2021, 2022]
    assert parse_years("2020–2021") == [2020, 2021]
    assert parse_kpis(["n00640", "N00647,N00640"]) == ["N00640", "N00647"]
    assert parse_since("2026-01-10") == date(2026, 1, 10)


@pytest.mark.parametrize(("parse", "text", "expected"), [
    (parse_years, "2025-2012", "--years: «2025-2012» är inget år"),
    (parse_years, "förra året", "--years: «förra året» är inga år"),
    (lambda t: parse_kpis([t]), "1277", "--kpi: «1277» är inget Kolada-id"),
    (parse_since, "10/1 2026", "--since: «10/1 2026» är inget datum"),
    (parse_since, "2999-01-01", "--since: 2999-01-01 ligger i framtiden"),
])
def test_bad_options_say_what_to_write(parse, text, expected):
    with pytest.raises(InputError) as error:
        parse(text)
    assert str(error.value).startswith(expected)
