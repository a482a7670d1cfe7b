"""The Kolada API (version 3): metadata and values, fetched and checked, never written.

`KoladaClient` does the HTTP: at most 5 000 rows a page, `next_url` (or the older `next_page`)
followed to the end, HTTP 429 and 5xx, dropped connections, timeouts and unreadable answers
retried with bounded exponential back-off (a `Retry-After` from Kolada is honoured). When it gives
up, the error names the URL and what happened.

The `fetch_*` functions turn answers into plain records and check every answer's shape before
anything uses it; an answer that is not what Kolada promises stops the sync with the URL and the
place in the answer. Nothing here touches the database.
"""

from __future__ import annotations

import functools
import json
import math
import re
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from etl import digits
from etl.errors import InputError, Location, SourceUnavailable
from etl.extract.kolada_records import (
    kpi_group_record,
    kpi_record,
    municipality_group_record,
    municipality_record,
)

DEFAULT_BASE_URL = "https://api.kolada.se/v3"
MAX_IDS_PER_SEGMENT = 25
MAX_PER_PAGE = 5000
MAX_PAGES = 10_000
GENDERS = ("T", "K", "M")
RETRY_STATUSES = {429, 500, 502, 503, 504}
DELETED_FLAGS = ("isdeleted", "is_deleted")


# --- Errors ---------------------------------------------------------------------------------------


class KoladaUnavailable(SourceUnavailable):
    """Kolada did not give a usable answer for `url`, even after retrying."""

    def __init__(self, url: str, what: str, attempts: int, hint: str = "") -> None:
        self.url, self.what, self.attempts, self.hint = url, what, attempts, hint
        super().__init__(self.explain())

    def explain(self) -> str:
        tries = f" (efter {self.attempts} försök)" if self.attempts > 1 else ""
        text = f"Kolada svarar inte som det ska: {self.url}: {self.what}{tries}."
        return f"{text} {self.hint}".strip()

    def __str__(self) -> str:
        return self.explain()


def bad_answer(url: str, problem: str) -> InputError:
    """An answer whose shape is not Kolada's: retrying would give the same."""
    return InputError(
        f"svaret har inte Koladas form: {problem}",
        Location(url),
        hint="Kontrollera adressen (--base-url eller KOLADA_BASE_URL); den ska gå till Kolada API "
        "version 3.",
    )


# --- HTTP -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: waits `backoff`, 2×`backoff`, 4×… up to `max_wait`."""

    attempts: int = 5
    backoff: float = 1.0
    max_wait: float = 60.0

    def wait(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before try number `attempt + 1` (Kolada's Retry-After wins if longer)."""
        wait = min(self.backoff * 2 ** (attempt - 1), self.max_wait)
        return max(wait, retry_after or 0.0)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """The Retry-After header as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if digits.is_digits(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class RequestLog:
    """What the client did, for the summary and the tests."""

    requests: int = 0
    retries: int = 0
    waits: list[float] = field(default_factory=list)


@functools.cache
def _tls() -> ssl.SSLContext:
    """httpx's default TLS settings, made once per process: loading the certificate bundle
    takes about 20 ms of CPU, for every client otherwise."""
    return httpx.create_ssl_context()


class KoladaClient:
    """A small HTTP client for Kolada's v3 API (use it as a context manager)."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *, timeout: float = 30.0,
                 retry: RetryPolicy | None = None, per_page: int = MAX_PER_PAGE,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be 1–{MAX_PER_PAGE}")
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.per_page = per_page
        self.sleep = sleep
        self.log = RequestLog()
        self.http = httpx.Client(
            base_url=self.base_url + "/", timeout=timeout, transport=transport,
            follow_redirects=True, verify=_tls(),
            headers={"Accept": "application/json", "User-Agent": "malbild (KKiK follow-up)"},
        )

    def __enter__(self) -> KoladaClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def url_for(self, path: str, params: dict | None = None) -> str:
        return str(self.http.build_request("GET", path, params=params).url)

    def get_json(self, path: str, params: dict | None = None) -> Any:
        """GET one answer as JSON, retrying what may pass (429, 5xx, network, broken JSON)."""
        url = self.url_for(path, params)
        problem = ""
        for attempt in range(1, self.retry.attempts + 1):
            retry_after = None
            self.log.requests += 1
            try:
                response = self.http.get(url)
            except httpx.TimeoutException:
                problem = "inget svar inom tidsgränsen"
            except httpx.ConnectError as exc:
                problem = f"kunde inte ansluta ({_transport_problem(exc)})"
            except httpx.TransportError as exc:
                problem = f"förbindelsen bröts ({_transport_problem(exc)})"
            else:
                if response.status_code == 200:
                    try:
                        return json.loads(response.content)
                    except json.JSONDecodeError as exc:
                        problem = f"svaret är inte giltig JSON ({exc.msg}, tecken {exc.pos})"
                    except UnicodeDecodeError:
                        problem = "svaret är inte giltig JSON (inte UTF-8)"
                elif response.status_code in RETRY_STATUSES:
                    problem = f"HTTP {response.status_code} {response.reason_phrase}".strip()
                    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                    if retry_after is not None and retry_after > self.retry.max_wait:
                        raise KoladaUnavailable(
                            url, f"{problem}; Kolada ber om en paus på {retry_after:.0f} s",
                            attempt, hint="Försök igen senare.")
                else:
                    raise KoladaUnavailable(
                        url, f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                        attempt, hint=_status_hint(response.status_code))
            if attempt < self.retry.attempts:
                wait = self.retry.wait(attempt, retry_after)
                self.log.retries += 1
                self.log.waits.append(wait)
                self.sleep(wait)
        raise KoladaUnavailable(url, problem, self.retry.attempts,
                                hint="Försök igen om en stund.")

    def pages(self, path: str, params: dict | None = None) -> Iterator[tuple[str, list]]:
        """Every page of a listing: (URL, values), following `next_url`/`next_page` to the end."""
        url: str | None = self.url_for(path, {**(params or {}), "per_page": self.per_page})
        seen: set[str] = set()
        while url:
            if url in seen or len(seen) >= MAX_PAGES:
                raise bad_answer(url, "nästa sida pekar tillbaka på en sida som redan hämtats.")
            seen.add(url)
            payload = self.get_json(url)
            values, url_next = page_values(url, payload)
            yield url, values
            url = url_next


def _transport_problem(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


def _status_hint(status: int) -> str:
    if status == 404:
        return ("Adressen finns inte: kontrollera --base-url / KOLADA_BASE_URL (Kolada API v3, "
                "t.ex. https://api.kolada.se/v3) och nyckeltalens id.")
    if status in (401, 403):
        return "Kolada nekar åtkomst; kontrollera om en proxy kräver inloggning."
    return "Kontrollera adressen och frågan."


def page_values(url: str, payload: Any) -> tuple[list, str | None]:
    """The `values` of one page and the URL of the next page (None at the end)."""
    if not isinstance(payload, dict):
        raise bad_answer(url, f"väntade ett objekt med «values», fick {_kind(payload)}.")
    values = payload.get("values")
    if not isinstance(values, list):
        raise bad_answer(url, f"«values» saknas eller är inte en lista ({_kind(values)}).")
    count = payload.get("count")
    if count is not None and (type(count) is not int or count < 0):
        raise bad_answer(url, f"«count» är {count!r}, väntade ett heltal.")
    next_url = payload.get("next_url", payload.get("next_page"))
    if next_url in (None, ""):
        return values, None
    if not isinstance(next_url, str):
        raise bad_answer(url, f"«next_url» är {next_url!r}, väntade en adress.")
    return values, str(httpx.URL(url).join(next_url))


def _kind(value: Any) -> str:
    return {dict: "ett objekt", list: "en lista", str: "text", type(None): "inget"}.get(
        type(value), type(value).__name__)


def batched(items: Sequence, size: int = MAX_IDS_PER_SEGMENT) -> Iterator[list]:
    """Kolada takes at most 25 ids in each part of a path."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# --- Metadata -------------------------------------------------------------------------------------


def fetch_kpis(client: KoladaClient, kpi_ids: Iterable[str]) -> Iterator[dict]:
    """Metadata of the KPIs asked for (ids Kolada does not know are simply not returned)."""
    for batch in batched(sorted(set(kpi_ids))):
        for url, values in client.pages(f"kpi/{','.join(batch)}"):
            yield from _records(url, values, kpi_record)


def fetch_municipalities(client: KoladaClient) -> Iterator[dict]:
    """Every kommun (type K), region and Riket (type L) Kolada knows."""
    for url, values in client.pages("municipality"):
        yield from _records(url, values, municipality_record)


def fetch_municipality_groups(client: KoladaClient) -> Iterator[dict]:
    """Kolada's municipality groups with their members."""
    for url, values in client.pages("municipality_groups"):
        yield from _records(url, values, municipality_group_record)


def fetch_kpi_groups(client: KoladaClient) -> Iterator[dict]:
    """Kolada's KPI groups (GKPI118 is KKiK) with their member KPIs."""
    for url, values in client.pages("kpi_groups"):
        yield from _records(url, values, kpi_group_record)


def _records(url: str, values: list, record) -> Iterator[dict]:
    def problem(text: str) -> InputError:
        return bad_answer(url, text)

    for index, item in enumerate(values):
        yield record(item, index, problem)


# --- Values ---------------------------------------------------------------------------------------


@dataclass
class ValuePage:
    """One page of a data answer, checked: values, and the keys Kolada says are deleted.

    `rows` are (kpi, municipality or group id, year, gender, value, count); `deleted` are
    (kpi, id, year, gender), where gender None means every gender of that year.
    """

    url: str
    batch: int
    batches: int
    kpis: list[str]
    rows: list[tuple]
    deleted: list[tuple]


def _year(url: str, value: Any, where: str) -> int:
    if type(value) is int and 1900 <= value <= 2100:
        return value
    if isinstance(value, str) and re.fullmatch(r"(19|20)[0-9]{2}", value):
        return int(value)
    raise bad_answer(url, f"{where}.period är {value!r}, väntade ett årtal.")


def _is_deleted(item: dict) -> bool:
    return any(item.get(flag) for flag in DELETED_FLAGS)


def parse_data_page(url: str, values: list, kpis: Iterable[str]) -> tuple[list[tuple], list[tuple]]:
    """Check one page of `/data/...` and flatten it to value rows and deleted keys.

    The loop runs once per value of a full sync (200 000 times), so the checks are plain type
    tests and the error text is only built when something is wrong.
    """
    asked = set(kpis)
    rows: list[tuple] = []
    deleted: list[tuple] = []
    numbers = (int, float)
    for index, item in enumerate(values):
        if type(item) is not dict:
            raise bad_answer(url, f"values[{index}] är {_kind(item)}, väntade ett objekt.")
        kpi, municipality, year = item.get("kpi"), item.get("municipality"), item.get("period")
        if kpi not in asked:
            raise bad_answer(url, f"values[{index}].kpi är {kpi!r}, som inte efterfrågades "
                             f"({', '.join(sorted(asked))}).")
        if type(municipality) is not str or not municipality:
            raise bad_answer(url, f"values[{index}].municipality är {municipality!r}, väntade "
                             "ett id som text (t.ex. «1277»).")
        if type(year) is not int or not 1900 <= year <= 2100:
            year = _year(url, year, f"values[{index}]")
        row_deleted = _is_deleted(item)
        genders = item.get("values")
        if type(genders) is not list:
            if genders is None and row_deleted:
                deleted.append((kpi, municipality, year, None))
                continue
            raise bad_answer(url, f"values[{index}].values är {_kind(genders)}, väntade en "
                             "lista.")
        if row_deleted and not genders:
            deleted.append((kpi, municipality, year, None))
        for position, entry in enumerate(genders):
            if type(entry) is not dict:
                raise bad_answer(url, f"values[{index}].values[{position}] är {_kind(entry)}, "
                                 "väntade ett objekt.")
            gender = entry.get("gender")
            if gender not in GENDERS:
                raise bad_answer(url, f"values[{index}].values[{position}].gender är "
                                 f"{gender!r}, väntade T, K eller M.")
            if row_deleted or _is_deleted(entry):
                deleted.append((kpi, municipality, year, gender))
                continue
            value = entry.get("value")
            if value is None:
                continue  # Kolada's "no data": missing is not zero
            count = entry.get("count")
            if (type(value) not in numbers or not math.isfinite(value)
                    or (count is not None and type(count) is not int)):
                raise bad_answer(url, _bad_value(entry, index, position))
            rows.append((kpi, municipality, year, gender, float(value), count))
    return rows, deleted


def _bad_value(entry: dict, index: int, position: int) -> str:
    spot = f"values[{index}].values[{position}]"
    value, count = entry.get("value"), entry.get("count")
    if type(value) not in (int, float) or not math.isfinite(value):
        return f"{spot}.value är {value!r}, väntade ett tal eller null."
    return f"{spot}.count är {count!r}, väntade ett heltal."


def fetch_values(client: KoladaClient, kpi_ids: Sequence[str], years: Sequence[int], *,
                 municipality_ids: Sequence[str] | None = None,
                 from_date: date | None = None) -> Iterator[ValuePage]:
    """Values of the KPIs and years for every municipality (or the given ids, e.g. groups).

    Long lists are split into requests of at most 25 ids per path part; with `from_date` only
    what changed since that date comes back, deletions included.
    """
    kpi_batches = list(batched(list(kpi_ids)))
    year_batches = list(batched([str(y) for y in years]))
    id_batches: list[list[str] | None] = (
        list(batched(list(municipality_ids))) if municipality_ids is not None else [None])
    params = {"from_date": from_date.isoformat()} if from_date else {}
    for number, kpis in enumerate(kpi_batches, start=1):
        for ids in id_batches:
            for year_batch in year_batches:
                path = f"data/kpi/{','.join(kpis)}"
                if ids is not None:
                    path += f"/municipality/{','.join(ids)}"
                path += f"/year/{','.join(year_batch)}"
                for url, values in client.pages(path, params):
                    rows, deleted = parse_data_page(url, values, kpis)
                    yield ValuePage(url, number, len(kpi_batches), kpis, rows, deleted)
