"""`malbild serve` with several gunicorn workers: every worker serves every page and bundle,
/healthz tells the truth, and no worker shows stale data after an import by another process."""

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from etl.settings import Settings
from tests.cli import run_cli
from tests.conftest import copy_of
from tests.e2e.conftest import free_port

REDIS_URL = os.environ.get("MALBILD_TEST_REDIS_URL")
# The module's server is started once per engine, in one test process.
pytestmark = pytest.mark.xdist_group("test_serve")


@contextmanager
def serving(settings, log: Path, workers: int = 2, threads: int = 4, **env_extra):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(DATABASE_URL=settings.database_url, **env_extra)
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "serve", "--port", str(port), "--workers",
             str(workers), "--threads", str(threads)], env=env, stdout=subprocess.DEVNULL,
            stderr=log_file)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            with httpx.Client(timeout=2) as client:
                while time.monotonic() < deadline:
                    try:
                        if client.get(url + "/healthz").status_code == 200:
                            break
                    except httpx.HTTPError:
                        time.sleep(0.3)
                else:
                    pytest.fail("servern startade inte: " + log.read_text()[-2000:])
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


@dataclass(frozen=True)
class Served:
    url: str
    settings: Settings
    log: Path


@pytest.fixture(scope="module")
def served(demo_settings, tmp_path_factory) -> Iterator[Served]:
    """The module's one `malbild serve` per engine (starting one takes seconds): two workers
    with one thread each, so that requests sent several at a time reach both, over a private
    copy of the demo database, which the import test changes (what the other tests look at,
    the bundles and /healthz, stays as it was)."""
    directory = tmp_path_factory.mktemp("serve")
    with copy_of(demo_settings, directory) as settings, \
            serving(settings, directory / "serve.log", threads=1) as url:
        yield Served(url, settings, directory / "serve.log")


def test_every_worker_serves_the_script_bundles(served):
    index = httpx.get(served.url + "/").text
    bundles = re.findall(r'src="(/_dash-component-suites/[^"]+)"', index)
    assert bundles
    with httpx.Client(base_url=served.url, timeout=10) as client:
        # New connections spread over both workers.
        for _ in range(6):
            for bundle in bundles:
                response = client.get(bundle, headers={"Connection": "close"})
                assert response.status_code == 200, bundle
                # Which server software answers is nobody's business (issue 23).
                assert "gunicorn" not in response.headers.get("Server", "").lower()
            assert client.get("/_dash-layout").status_code == 200


def test_healthz_reports_database_and_freshness(served):
    response = httpx.get(served.url + "/healthz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok", body
    assert body["database"]["reachable"] is True
    assert body["data"]["newest_kolada_year"] == 2022
    assert body["data"]["last_import"] and body["data"]["version"] > 0


def test_healthz_says_503_without_a_database():
    from dashboard.web.app import app_for
    from tests.conftest import make_settings

    app = app_for(make_settings("postgresql+psycopg://nobody@127.0.0.1:1/none"
                                   "?connect_timeout=1"))
    response = app.server.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"]["reachable"] is False


def router(path: str) -> dict:
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname", "_pages_location.search"]}


def page_text_by_worker(url: str, path: str, rounds: int = 60) -> dict[str, str]:
    """The page as each worker draws it. Requests go out several at a time to a server whose
    workers have one thread each, so a busy worker leaves the next to the other."""

    def ask(_: int) -> tuple[str, str]:
        # A new connection each time (Connection: close), from one client: a client of its
        # own per request would build an SSL context each time, 15 ms of CPU.
        response = client.post(url + "/_dash-update-component", json=router(path),
                               headers={"Connection": "close"})
        assert response.status_code == 200
        text = json.dumps(response.json(), ensure_ascii=False).replace("\u00a0", " ")
        return response.headers["X-Malbild-Worker"], text

    seen: dict[str, str] = {}
    with httpx.Client(timeout=30) as client, ThreadPoolExecutor(max_workers=6) as pool:
        for _ in range(rounds):
            for worker, text in pool.map(ask, range(6)):
                seen.setdefault(worker, text)
            if len(seen) >= 2:
                break
    assert len(seen) >= 2, "bara en arbetsprocess svarade"
    return seen


@pytest.fixture(params=["lokal", "redis"])
def cache_server(request, demo_settings, tmp_path) -> Iterator[Served]:
    """The module's server (each worker its own page cache), or one of its own whose workers
    share the page cache in Redis (both over the engine's copy of the demo database)."""
    if request.param == "lokal":
        yield request.getfixturevalue("served")
        return
    if not REDIS_URL:
        if os.environ.get("MALBILD_REQUIRE_DATABASE") == "1":
            pytest.fail("Redis krävs (MALBILD_TEST_REDIS_URL)")
        pytest.skip("Redis saknas (sätt MALBILD_TEST_REDIS_URL)")
    demo_copy = request.getfixturevalue("demo_copy")
    log = tmp_path / "serve.log"
    with serving(demo_copy, log, threads=1, REDIS_URL=REDIS_URL) as url:
        yield Served(url, demo_copy, log)


def test_two_workers_see_an_import_made_by_a_third_process(cache_server, tmp_path):
    sentence = "Åstorp {} % 2022 (95 %-intervall"
    revised_sentence = "Åstorp {} % 2022 (reviderat "
    url = cache_server.url
    before = page_text_by_worker(url, "/mal/1")  # both workers have cached the page
    assert all(sentence.format("80,0") in text for text in before.values())
    revised = tmp_path / "reviderat.csv"
    revised.write_text("kpi,municipality,period,gender,value\nN00640,1277,2022,T,79.5\n",
                       encoding="utf-8")
    imported = run_cli("etl", "file", str(revised), url=cache_server.settings.database_url)
    assert imported.returncode == 0, imported.stderr
    after = page_text_by_worker(url, "/mal/1")
    for text in after.values():
        assert revised_sentence.format("79,5") in text
        assert sentence.format("80,0") not in text
    log = [json.loads(line) for line in cache_server.log.read_text().splitlines()
           if line.startswith("{")]
    assert any(entry["event"] == "request" and entry["path"] == "/_dash-update-component"
               for entry in log)
