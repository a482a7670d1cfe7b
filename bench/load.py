"""Load: gunicorn with several workers on loopback, many simulated users, for a while.

Each simulated user opens a page the way a browser does (the HTML, then the page callback
that draws it), reads it for 1–3 seconds, and opens the next: the overview, the goal pages
(with survey years and förvaltningar) and explore views with peers. Prints requests per
second, p50/p95/p99 latency and errors per engine, and the resident memory of each worker.

    .venv/bin/python bench/load.py [--engine sqlite|postgresql|both] [--users 50]
                                   [--seconds 60] [--workers 4] [--redis redis://…]

PostgreSQL: MALBILD_BENCH_DATABASE_URL (default the local test server) gets a fresh schema.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from etl.demo import build_demo
from etl.settings import Settings

VIEWS = [
    ("/", ""), ("/mal/1", ""), ("/mal/2", ""), ("/mal/3", ""), ("/mal/3", "?ar=2019"),
    ("/mal/3", "?ar=2025&forv=Socialf%C3%B6rvaltningen"),
    ("/utforska", ""), ("/utforska", "?kpi=N00640&jmf=G37597&visa=kommuner&kon=1"),
    ("/utforska", "?kpi=N11008&jmf=G33621"), ("/utforska", "?kpi=U00200&fran=2014"),
    ("/utforska", "?kpi=N15428&jmf=G30826&ar=2019"),
]
POSTGRES = os.environ.get("MALBILD_BENCH_DATABASE_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def router(path: str, search: str) -> dict:
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname", "_pages_location.search"]}


@contextmanager
def database(engine: str):
    """A demo database on the engine, built for this run and removed after it."""
    if engine == "sqlite":
        directory = tempfile.mkdtemp(prefix="malbild-load-")
        yield f"sqlite:///{directory}/load.sqlite"
        return
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@contextmanager
def server(url: str, workers: int, redis: str | None):
    port = 18050 + random.randrange(1000)
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DATABASE_URL"] = url
    if redis:
        env["REDIS_URL"] = redis
    log = open(tempfile.mktemp(suffix=".log"), "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen([sys.executable, "-m", "dashboard", "serve", "--port", str(port),
                                "--workers", str(workers)], env=env,
                               stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()


async def user(client: httpx.AsyncClient, until: float, results: list, rng: random.Random
               ) -> None:
    while time.monotonic() < until:
        path, search = rng.choice(VIEWS)
        for kind, request in (("sida", client.build_request("GET", path + search)),
                              ("callback", client.build_request(
                                  "POST", "/_dash-update-component",
                                  json=router(path, search)))):
            started = time.perf_counter()
            try:
                response = await client.send(request)
                ok = response.status_code == 200
                worker = response.headers.get("X-Malbild-Worker")
            except httpx.HTTPError:
                ok, worker = False, None
            results.append((kind, (time.perf_counter() - started) * 1000, ok, worker))
        await asyncio.sleep(rng.uniform(1.0, 3.0))


async def run_load(base: str, users: int, seconds: float) -> list:
    results: list = []
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        until = time.monotonic() + seconds
        await asyncio.gather(*(user(client, until, results, random.Random(i))
                               for i in range(users)))
    return results


def rss_mb(pid: str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(engine: str, results: list, seconds: float, memory: dict) -> None:
    latencies = [ms for _, ms, _, _ in results]
    errors = sum(1 for *_, ok, _ in results if not ok)
    print(f"\n{engine}: {len(results)} anrop på {seconds:.0f} s = {len(results) / seconds:.1f} "
          f"anrop/s, fel: {errors}")
    print(f"  {'anrop':10} {'antal':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in ("sida", "callback", "alla"):
        chosen = latencies if kind == "alla" else [ms for k, ms, _, _ in results if k == kind]
        print(f"  {kind:10} {len(chosen):7d} {statistics.median(chosen):8.1f} "
              f"{percentile(chosen, 0.95):8.1f} {percentile(chosen, 0.99):8.1f}")
    sizes = ", ".join(f"{pid}: {mb:.0f} MB" for pid, mb in sorted(memory.items()) if mb)
    print(f"  minne per arbetsprocess (RSS) efter körningen: {sizes}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--redis", default=None)
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    print(f"{args.users} användare, {args.seconds:.0f} s, {args.workers} arbetsprocesser, "
          f"cache: {'Redis' if args.redis else 'per process'}; lästid 1–3 s mellan sidor")
    for engine in engines:
        with database(engine) as url:
            started = time.perf_counter()
            build_demo(Settings(database_url=url))
            print(f"\n{engine}: demodatabas byggd på {time.perf_counter() - started:.1f} s")
            with server(url, args.workers, args.redis) as base:
                asyncio.run(run_load(base, 10, 8))  # warm every worker's cache a little
                results = asyncio.run(run_load(base, args.users, args.seconds))
                pids = {w for *_, w in results if w}
                memory = {pid: rss_mb(pid) for pid in pids}
            report(engine, results, args.seconds, memory)


if __name__ == "__main__":
    main()
