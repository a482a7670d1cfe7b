"""How long the staff-survey import and the goal-3 page take, on files of a realistic size.

    .venv/bin/python bench/survey_import.py [--respondents 20000]

Prints figures; asserts nothing (speed is measured here, never in timed tests).
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from etl import db, imports
from etl.errors import InputError
from etl.settings import DEFAULT_DATA_DIR, Settings

QUESTIONS = [f"Fråga {i}: påstående om arbetsmiljön" for i in range(1, 30)]
GOAL3 = "Den interna kommunikationen i kommunen fungerar bra"


def rows(respondents: int, seed: int = 1) -> tuple[list[str], list[list]]:
    rng = np.random.default_rng(seed)
    header = ["Respondent-ID", "Förvaltning", "Enhet", "Kön", "Ålder", *QUESTIONS, GOAL3]
    units = [(f"Förvaltning {f}", f"Enhet {f}.{e}") for f in range(12) for e in range(25)]
    which = rng.integers(len(units), size=respondents)
    answers = rng.integers(1, 6, size=(respondents, len(QUESTIONS) + 1))
    body = [[i + 1, *units[w], "Kvinna", "40-49", *a] for i, (w, a) in enumerate(
        zip(which, answers.tolist(), strict=True))]
    return header, body


def timed(label: str, function, repeat: int = 1):
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    print(f"{label:<58} {best:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=20_000)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="malbild-bench-"))
    settings = Settings(database_url=f"sqlite:///{directory / 'bench.sqlite'}",
                        data_dir=DEFAULT_DATA_DIR, upload_max_bytes=200 * 1024 * 1024)
    db.upgrade(settings.database_url)
    engine = db.engine_for(settings.database_url)
    imports.load_bundled_catalogue(engine, settings)
    imports.load_strategy_file(engine, settings)

    header, body = rows(args.respondents)
    csv_path = directory / "enkat_2023.csv"
    with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Medarbetarenkät 2023"])
        writer.writerow(header)
        writer.writerows(body)
    xlsx_path = directory / "enkat_2025.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Svar")
    sheet.append(["Medarbetarenkät 2025"])
    sheet.append(header)
    for row in body:
        sheet.append(row)
    workbook.save(xlsx_path)
    print(f"{args.respondents} svarande, {len(header)} kolumner, 12 förvaltningar, 300 enheter")
    print(f"CSV {csv_path.stat().st_size / 1e6:.1f} MB, Excel {xlsx_path.stat().st_size / 1e6:.1f}"
          " MB")

    result = timed("import CSV (läs, kontrollera, sammanställ, dölj, spara)",
                   lambda: imports.import_survey_file(engine, csv_path, settings))
    print("   ", result.summary())
    timed("samma CSV igen (inget ändras)",
          lambda: imports.import_survey_file(engine, csv_path, settings), repeat=3)
    timed("import Excel", lambda: imports.import_survey_file(engine, xlsx_path, settings))

    big = directory / "enorm.csv"
    with big.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    small_limit = settings.model_copy(update={"upload_max_bytes": 20 * 1024 * 1024})

    def refuse() -> None:
        try:
            imports.import_survey_file(engine, big, small_limit)
        except InputError as exc:
            return exc
        raise AssertionError("100 MB-filen togs emot")

    timed("avvisa en fil på 100 MB", refuse, repeat=3)

    from dashboard.web.app import app_for

    client = app_for(settings).server.test_client()
    client.get("/")

    def goal3(search: str = "") -> None:
        answer = client.post("/_dash-update-component", json={
            "output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/mal/3"},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []})
        assert answer.status_code == 200

    timed("sidan /mal/3 (serverns svar, 300 enheter)", goal3, repeat=3)
    timed("sidan /mal/3?ar=2023&forv=Förvaltning 3", lambda: goal3(
        "?ar=2023&forv=Förvaltning 3"), repeat=3)


if __name__ == "__main__":
    main()
