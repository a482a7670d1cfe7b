"""A small Kolada-shaped HTTP server for the tests and the benchmark (127.0.0.1, random port).

It serves the real extract in `data/kolada/` as Kolada API v3 answers: metadata, values for every
municipality, Kolada-style group values (the unweighted mean of the members that reported, with
their count), paging with `per_page`/`page` and `next_url`, and `from_date` answers with
deletions. Tests script revisions and deletions (`KoladaState.revise`, `.delete`) and inject
faults (`KoladaServer.inject(Fault(...))`): 429 with Retry-After, 500, a slow answer, a dropped
connection, malformed JSON and a truncated page.

    python -m tests.kolada_server [--port N]     # serve until Ctrl+C; prints the base URL
    python -m tests.kolada_server --record DIR   # write the recorded answers for unit tests
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pandas as pd

from etl.settings import DEFAULT_DATA_DIR

EXTRACT_DATE = date(2024, 8, 15)  # when the extract was taken: the "changed" date of its values
MAX_PER_PAGE = 5000
MAX_IDS = 25
GENDER_ORDER = ("T", "K", "M")


# --- The data ------------------------------------------------------------------------------------


def utc_today() -> date:
    """Today as Kolada and Målbild date a change: in UTC, whatever the machine's time zone."""
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class Extract:
    """The bundled extract: metadata as Kolada lists it, values per KPI."""

    kpis: list[dict]
    municipalities: list[dict]
    municipality_groups: list[dict]
    kpi_groups: list[dict]
    # kpi -> (municipality, year) -> {gender: value}
    values: dict[str, dict[tuple[str, int], dict[str, float]]]

    @property
    def count(self) -> int:
        return sum(len(genders) for by_key in self.values.values() for genders in by_key.values())


@lru_cache
@lru_cache(maxsize=2)
def load_extract(kolada_dir: Path = DEFAULT_DATA_DIR / "kolada") -> Extract:
    """The bundled extract, read once per process (0,3 s; a server's state changes a copy of
    a KPI's values, never the extract)."""
    def read(name: str) -> list[dict]:
        return json.loads((kolada_dir / name).read_text(encoding="utf-8"))

    frame = pd.read_csv(kolada_dir / "values.csv.gz", dtype={"municipality": str, "kpi": str,
                                                             "gender": str})
    values: dict[str, dict[tuple[str, int], dict[str, float]]] = {}
    for kpi, municipality, year, gender, value in frame.itertuples(index=False):
        values.setdefault(kpi, {}).setdefault((municipality, int(year)), {})[gender] = float(value)
    return Extract(read("kpi.json"), read("municipality.json"), read("municipality_groups.json"),
                   read("kpi_groups.json"), values)


def _row(kpi: str, ident: str, year: int, genders: dict[str, float], count: int = 1) -> dict:
    return {"kpi": kpi, "municipality": ident, "period": year, "values": [
        {"gender": g, "count": count, "status": "", "value": genders[g]}
        for g in GENDER_ORDER if g in genders
    ]}


class KoladaState:
    """What the server holds: the extract plus scripted revisions and deletions."""

    def __init__(self, extract: Extract | None = None, *, deleted_flag: str = "isdeleted") -> None:
        self.extract = extract or load_extract()
        self.values = dict(self.extract.values)  # per KPI, shared with the extract until changed
        self.changed: dict[tuple[str, str, int], date] = {}
        self.tombstones: dict[tuple[str, str, int], tuple[date, set[str]]] = {}
        self.deleted_flag = deleted_flag
        self.members = {g["id"]: {m["member_id"] for m in g["members"]}
                        for g in self.extract.municipality_groups}
        self.groups_of: dict[str, list[str]] = {}
        for group, members in self.members.items():
            for member in members:
                self.groups_of.setdefault(member, []).append(group)
        self.version = 0
        self.lock = threading.RLock()
        self._rows: dict[str, list[tuple[str, int, dict]]] = {}
        self._group_rows: dict[str, list[tuple[str, int, dict | None, date]]] = {}
        self._answers: dict[tuple, list[dict]] = {}

    @property
    def count(self) -> int:
        return sum(len(genders) for by_key in self.values.values() for genders in by_key.values())

    def value(self, kpi: str, municipality: str, year: int, gender: str = "T") -> float | None:
        return self.values.get(kpi, {}).get((municipality, year), {}).get(gender)

    def _changing(self, kpi: str) -> dict:
        if self.values.get(kpi) is self.extract.values.get(kpi):
            self.values[kpi] = {k: dict(v) for k, v in self.extract.values[kpi].items()}
        self.values.setdefault(kpi, {})
        self._rows.pop(kpi, None)
        self._group_rows.pop(kpi, None)
        self._answers.clear()
        self.version += 1
        return self.values[kpi]

    def revise(self, kpi: str, municipality: str, year: int, value: float, gender: str = "T",
               on: date | None = None) -> None:
        """Kolada publishes a new (or first) value."""
        with self.lock:
            self._changing(kpi).setdefault((municipality, year), {})[gender] = value
            self.changed[(kpi, municipality, year)] = on or utc_today()

    def delete(self, kpi: str, municipality: str, year: int, gender: str | None = None,
               on: date | None = None) -> None:
        """Kolada removes a value (`gender` None: every gender of that year)."""
        with self.lock:
            by_key = self._changing(kpi)
            genders = by_key.get((municipality, year), {})
            gone = set(genders) if gender is None else {gender}
            for g in gone:
                genders.pop(g, None)
            if not genders:
                by_key.pop((municipality, year), None)
            self.tombstones[(kpi, municipality, year)] = (on or utc_today(), gone)

    # --- answers ----------------------------------------------------------------------------

    def rows(self, kpi: str) -> list[tuple[str, int, dict]]:
        if kpi not in self._rows:
            by_key = self.values.get(kpi, {})
            self._rows[kpi] = [(m, y, _row(kpi, m, y, by_key[(m, y)]))
                               for m, y in sorted(by_key)]
        return self._rows[kpi]

    def group_rows(self, kpi: str) -> list[tuple[str, int, dict | None, date]]:
        """Kolada's group values: the unweighted mean of the members that reported."""
        if kpi not in self._group_rows:
            sums: dict[tuple[str, int], dict[str, list[float]]] = {}
            changed: dict[tuple[str, int], date] = {}
            for (municipality, year), genders in self.values.get(kpi, {}).items():
                when = self.changed.get((kpi, municipality, year), EXTRACT_DATE)
                for group in self.groups_of.get(municipality, ()):
                    by_gender = sums.setdefault((group, year), {})
                    for gender, value in genders.items():
                        by_gender.setdefault(gender, []).append(value)
                    changed[(group, year)] = max(changed.get((group, year), when), when)
            for (t_kpi, municipality, year), (when, _g) in self.tombstones.items():
                for group in self.groups_of.get(municipality, ()) if t_kpi == kpi else ():
                    changed[(group, year)] = max(changed.get((group, year), when), when)
            rows = []
            for (group, year), when in sorted(changed.items()):
                by_gender = sums.get((group, year))
                row = None
                if by_gender:
                    row = {"kpi": kpi, "municipality": group, "period": year, "values": [
                        {"gender": g, "count": len(by_gender[g]), "status": "",
                         "value": sum(by_gender[g]) / len(by_gender[g])}
                        for g in GENDER_ORDER if g in by_gender]}
                rows.append((group, year, row, when))
            self._group_rows[kpi] = rows
        return self._group_rows[kpi]

    def data(self, kpis: list[str], years: set[int] | None, ids: set[str] | None,
             from_date: date | None) -> list[dict]:
        """Every row of a /data answer (before paging)."""
        key = (tuple(kpis), tuple(sorted(years)) if years else None,
               tuple(sorted(ids)) if ids is not None else None, from_date)
        with self.lock:
            if key in self._answers:
                return self._answers[key]
            out: list[dict] = []
            groups = {i for i in ids if i in self.members} if ids else set()
            for kpi in kpis:
                for municipality, year, row in self.rows(kpi):
                    if ((years is None or year in years)
                            and (ids is None or municipality in ids)
                            and (from_date is None or self.changed.get(
                                (kpi, municipality, year), EXTRACT_DATE) >= from_date)):
                        out.append(row)
                if from_date is not None:
                    for (t_kpi, municipality, year), (when, genders) in sorted(
                            self.tombstones.items()):
                        if (t_kpi == kpi and when >= from_date
                                and (years is None or year in years)
                                and (ids is None or municipality in ids)):
                            out.append(self._deleted_row(kpi, municipality, year, genders))
                for group, year, row, when in (self.group_rows(kpi) if groups else ()):
                    if (group in groups and (years is None or year in years)
                            and (from_date is None or when >= from_date)):
                        if row is not None:
                            out.append(row)
                        elif from_date is not None:
                            out.append(self._deleted_row(kpi, group, year, set(GENDER_ORDER)))
            self._answers[key] = out
            return out

    def _deleted_row(self, kpi: str, ident: str, year: int, genders: set[str]) -> dict:
        return {"kpi": kpi, "municipality": ident, "period": year, self.deleted_flag: True,
                "values": [{"gender": g, "count": 0, "status": "", "value": None}
                           for g in GENDER_ORDER if g in genders]}


# --- Faults ---------------------------------------------------------------------------------------


@dataclass
class Fault:
    """A fault for requests whose path contains `path`: after letting `skip` pass, the next
    `times` requests (None: all) get it.

    kinds: "429" (with Retry-After), "500", "slow" (answers after `delay` s), "drop" (closes
    the connection without answering), "malformed" (invalid JSON), "truncated" (closes halfway
    through the body).
    """

    kind: str
    path: str = "/data/"
    skip: int = 0
    times: int | None = 1
    retry_after: str | None = "1"
    delay: float = 2.0
    hits: int = field(default=0, init=False)
    seen: int = field(default=0, init=False)

    def applies(self, path: str) -> bool:
        if self.path not in path:
            return False
        self.seen += 1
        if self.seen <= self.skip or (self.times is not None and self.hits >= self.times):
            return False
        self.hits += 1
        return True


# --- HTTP --------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The head and the body go out in two writes: without TCP_NODELAY the body waits for the
    # client's delayed acknowledgement of the head (40 ms a request on Linux).
    disable_nagle_algorithm = True
    server: _HTTPServer

    def log_message(self, *_args) -> None:  # quiet in tests
        return None

    def do_GET(self) -> None:
        kolada = self.server.kolada
        fault = kolada.fault_for(self.path)
        try:
            if fault and fault.kind == "drop":
                self.close_connection = True
                return
            if fault and fault.kind == "slow":
                time.sleep(fault.delay)
            if fault and fault.kind in ("429", "500"):
                status = int(fault.kind)
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                body = json.dumps({"error": "Too Many Requests" if status == 429 else
                                   "Internal Server Error"}).encode()
                self._send(status, body, headers)
                return
            status, body = kolada.answer(self.path, self.headers.get("Host", ""))
            if fault and fault.kind == "malformed":
                body = body[: len(body) // 2] + b',,}'
            if fault and fault.kind == "truncated":
                self._send(status, body[: len(body) // 2], {}, length=len(body))
                self.close_connection = True
                return
            self._send(status, body, {})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a slow answer)

    def _send(self, status: int, body: bytes, headers: dict, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(length if length is not None else len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    kolada: KoladaServer

    def handle_error(self, request, client_address) -> None:  # a client that went away
        return None


class KoladaServer:
    """Kolada API v3 on 127.0.0.1 for tests: `with KoladaServer() as server: server.url`."""

    def __init__(self, state: KoladaState | None = None, *, next_key: str = "next_url",
                 port: int = 0) -> None:
        self.state = state or KoladaState()
        self.next_key = next_key
        self.faults: list[Fault] = []
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._http = _HTTPServer(("127.0.0.1", port), _Handler)
        self._http.kolada = self
        # Polling for shutdown every 0,05 s (not 0,5): each test's server stops at once.
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/v3"

    def start(self) -> KoladaServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._http.shutdown()
        self._http.server_close()

    def __enter__(self) -> KoladaServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def inject(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def fault_for(self, path: str) -> Fault | None:
        with self._lock:
            self.requests.append(path)
            return next((f for f in self.faults if f.applies(path)), None)

    def data_requests(self) -> list[str]:
        return [r for r in self.requests if "/data/" in r]

    # --- routing --------------------------------------------------------------------------

    def answer(self, raw_path: str, host: str) -> tuple[int, bytes]:
        split = urlsplit(raw_path)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        path = split.path.rstrip("/")
        if not path.startswith("/v3/"):
            return _error(404, "Not found (this is Kolada API v3: /v3/...)")
        parts = path[len("/v3/"):].split("/")
        try:
            per_page = int(query.get("per_page", MAX_PER_PAGE))
            page = int(query.get("page", 1))
            from_date = date.fromisoformat(query["from_date"]) if "from_date" in query else None
        except ValueError:
            return _error(400, "Bad per_page, page or from_date")
        if not (1 <= per_page <= MAX_PER_PAGE) or page < 1:
            return _error(400, f"per_page must be 1–{MAX_PER_PAGE}")
        segments = parts[2::2] if parts[0] == "data" else parts[1:2]
        if any(len(ids.split(",")) > MAX_IDS for ids in segments):
            return _error(400, f"At most {MAX_IDS} ids in a path segment")
        extract = self.state.extract
        if parts[0] == "kpi":
            items = extract.kpis if len(parts) == 1 else [
                k for k in extract.kpis if k["id"] in set(parts[1].split(","))]
        elif parts == ["municipality"]:
            items = extract.municipalities
        elif parts == ["municipality_groups"]:
            items = extract.municipality_groups
        elif parts == ["kpi_groups"]:
            items = extract.kpi_groups
        elif parts[0] == "data" and len(parts) in (5, 7) and parts[1] == "kpi":
            named = dict(zip(parts[1::2], parts[2::2], strict=True))
            if set(named) - {"kpi", "municipality", "year"}:
                return _error(404, "Unknown data path")
            try:
                years = ({int(y) for y in named["year"].split(",")} if "year" in named
                         else None)
            except ValueError:
                return _error(400, "Years are four digits")
            ids = set(named["municipality"].split(",")) if "municipality" in named else None
            items = self.state.data(named["kpi"].split(","), years, ids, from_date)
        else:
            return _error(404, f"Unknown path {split.path}")
        chunk = items[(page - 1) * per_page : page * per_page]
        next_url = ""
        if page * per_page < len(items):
            next_url = f"http://{host}{split.path}?{urlencode({**query, 'page': page + 1})}"
        body = {"count": len(chunk), "values": chunk, self.next_key: next_url}
        return 200, json.dumps(body, ensure_ascii=False).encode("utf-8")


def _error(status: int, message: str) -> tuple[int, bytes]:
    return status, json.dumps({"error": message}).encode()


# --- Recorded answers for the unit tests ----------------------------------------------------------

RECORDINGS = {
    "kpi_N00640_N00647.json": "/v3/kpi/N00640,N00647",
    "municipality.json": "/v3/municipality",
    "kpi_groups.json": "/v3/kpi_groups",
    "data_N00640_page1.json": "/v3/data/kpi/N00640/municipality/1277,0114,1280,0000/year/2021,2022"
                              "?per_page=3",
    "data_N00640_page2.json": "/v3/data/kpi/N00640/municipality/1277,0114,1280,0000/year/2021,2022"
                              "?per_page=3&page=2",
    "data_N00640_page3.json": "/v3/data/kpi/N00640/municipality/1277,0114,1280,0000/year/2021,2022"
                              "?per_page=3&page=3",
    "data_N00640_groups.json": "/v3/data/kpi/N00640/municipality/G2328,G33621/year/2021,2022",
    "data_N00640_from_date.json": "/v3/data/kpi/N00640/municipality/1277,0114/year/2021,2022"
                                  "?from_date=2026-01-10",
}


def record(directory: Path) -> None:
    """Write small real answers (Åstorp and neighbours, N00640) as JSON files for unit tests.

    The `from_date` answer comes after one revision and one deletion dated 2026-01-12.
    """
    state = KoladaState()
    server = KoladaServer(state)
    directory.mkdir(parents=True, exist_ok=True)
    for name, path in RECORDINGS.items():
        if "from_date" in path:
            state.revise("N00640", "1277", 2022, 80.5, on=date(2026, 1, 12))
            state.delete("N00640", "0114", 2021, on=date(2026, 1, 12))
        status, body = server.answer(path, "kolada.test")
        assert status == 200, (path, body)
        text = json.dumps(json.loads(body), ensure_ascii=False, indent=1)
        (directory / name).write_text(text + "\n", encoding="utf-8")
    server.stop()


def main() -> None:  # pragma: no cover - a tool for people
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record", type=Path, help="write recorded answers to this folder")
    args = parser.parse_args()
    if args.record:
        record(args.record)
        return
    with KoladaServer(port=args.port) as server:
        print(server.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":  # pragma: no cover
    main()
