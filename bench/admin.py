"""How long the administrator waits: logging in, previewing and importing an upload, saving a
target, and drawing the administration pages.

    python bench/admin.py [--repeat 5]

Works in a temporary folder: a database with the catalogue and the strategy only (for the
upload of the whole bundled Kolada extract, 211 806 values), and the demo database (for the
survey and the pages). Prints the median (and the slowest) of `--repeat` runs.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.web import uploads
from etl import db, imports, targets, users
from etl.decision import DecisionRef
from etl.demo import build_demo, survey_file_name
from etl.settings import DEFAULT_DATA_DIR, Settings

PASSWORD = "ett långt lösenord för mätningen"


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s".replace(".", ",")


def report(name: str, times: list[float]) -> None:
    print(f"{name:<66} {seconds(statistics.median(times)):>8}  (högst {seconds(max(times))})",
          flush=True)


def data_url(path: Path) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(path.read_bytes()).decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    repeat = range(args.repeat)

    with tempfile.TemporaryDirectory(prefix="malbild-bench-") as directory:
        folder = Path(directory)
        print("Bygger databaserna …", flush=True)
        demo = Settings(database_url=f"sqlite:///{folder / 'demo.sqlite'}",
                        data_dir=DEFAULT_DATA_DIR, secret_key="bench" * 10)
        build_demo(demo)
        engine = db.engine_for(demo.database_url)
        with engine.begin() as connection:
            users.add_user(connection, "admin", "admin", PASSWORD, actor="bench")

        report("Inloggning (Argon2-kontroll av lösenordet)",
               [timed(lambda: users.authenticate(engine, "admin", PASSWORD, "10.0.0.1"))
                for _ in repeat])

        extract = DEFAULT_DATA_DIR / "kolada" / "values.csv.gz"
        content = data_url(extract)
        previews, imports_ = [], []
        for number in repeat:
            empty = Settings(database_url=f"sqlite:///{folder / f'tom{number}.sqlite'}",
                             data_dir=DEFAULT_DATA_DIR)
            db.upgrade(empty.database_url)
            empty_engine = db.engine_for(empty.database_url)
            imports.load_bundled_catalogue(empty_engine, empty)
            imports.load_strategy_file(empty_engine, empty)
            shown = []
            previews.append(timed(lambda settings=empty, engine=empty_engine, shown=shown:
                                  shown.append(uploads.preview(engine, settings, "kolada",
                                                               content, extract.name))))
            imports_.append(timed(lambda settings=empty, engine=empty_engine, shown=shown:
                                  uploads.confirm(engine, settings, shown[0].ticket, content,
                                                  extract.name, actor="admin")))
            empty_engine.dispose()
        report(f"Förhandsgranskning, hela Kolada-uttaget ({extract.stat().st_size / 1e6:.1f} MB, "
               "211 806 värden)", previews)
        report("Import efter bekräftelse, samma fil", imports_)

        survey = DEFAULT_DATA_DIR / "demo" / survey_file_name(2025)
        survey_content = data_url(survey)
        kommun = next(u for u in uploads.preview(engine, demo, "enkat", survey_content,
                                                 survey.name).units if u["level"] == "kommun")
        report(f"Förhandsgranskning, medarbetarenkät ({survey.stat().st_size / 1e3:.0f} kB "
               f"Excel, {kommun['respondents']} svar på frågan)",
               [timed(lambda: uploads.preview(engine, demo, "enkat", survey_content,
                                              survey.name)) for _ in repeat])

        decision = DecisionRef("KS", date(2025, 12, 9), "214")
        report("Spara ett mål (med ändringslogg)",
               [timed(lambda value=value: targets.set_target(
                   engine, "telefon-svar", 2027, 70 + value, decision, actor="admin"))
                for value in repeat])
        out = folder / "mal.csv"
        report("Mål: export och import tillbaka (ingen ändring)",
               [timed(lambda: (targets.export_targets(engine, out),
                               targets.import_targets(engine, out, actor="admin")))
                for _ in repeat])

        from dashboard.web.app import app_for

        client = app_for(demo).server.test_client()
        client.post("/logga-in", data={"anvandare": "admin", "losenord": PASSWORD})
        for path in ("/admin", "/admin/import", "/admin/mal", "/admin/analys",
                     "/admin/anvandare", "/admin/logg"):
            body = {"output": ".._pages_content.children..._pages_store.data..",
                    "outputs": [{"id": "_pages_content", "property": "children"},
                                {"id": "_pages_store", "property": "data"}],
                    "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                               {"id": "_pages_location", "property": "search", "value": ""}],
                    "changedPropIds": ["_pages_location.pathname"], "state": []}
            drawn = client.post("/_dash-update-component", json=body)
            assert drawn.status_code == 200 and "Inloggning krävs" not in drawn.text
            report(f"Sidan {path} (serverns del)",
                   [timed(lambda body=body: client.post("/_dash-update-component", json=body))
                    for _ in repeat])


if __name__ == "__main__":
    main()
