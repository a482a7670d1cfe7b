"""The installed `malbild` command as its own process, once.

Every other test of the command line runs it in the test process (`tests/cli.py`), through the
same `dashboard.cli.run`; this one shows that the entry point people type is installed, writes
the same as the in-process runs, and exits with Målbild's codes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import COLUMNS, run_cli


def installed_malbild() -> str:
    beside_python = Path(sys.executable).parent / "malbild"
    found = str(beside_python) if beside_python.exists() else shutil.which("malbild")
    assert found, "malbild är inte installerat (kör make install)"
    return found


def test_the_installed_command_runs(sqlite_demo, tmp_path):
    env = {**os.environ, "DATABASE_URL": sqlite_demo.database_url, "COLUMNS": COLUMNS}
    args = ["export", "data", "--measure", "telefon-bemotande", "--out", "-"]
    exported = subprocess.run([installed_malbild(), *args], capture_output=True, text=True,
                              env=env, timeout=120)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == run_cli(*args, url=sqlite_demo.database_url).stdout
    assert "1,telefon-bemotande,N00640,1277,2021,83.0," in exported.stdout

    refused = subprocess.run([installed_malbild(), "export", "chart", "telefon-bemotande",
                              "--format", "gif", "--out", str(tmp_path / "x.gif")],
                             capture_output=True, text=True, env=env, timeout=120)
    assert refused.returncode == 2
    assert " ".join(refused.stderr.split()) == (
        "Fel: bildformatet «gif» finns inte. Ange --format png, svg eller pdf.")
    assert not (tmp_path / "x.gif").exists()


def test_a_mistyped_command_is_a_usage_error_not_a_crash():
    result = run_cli("exprot", "data")
    assert result.returncode == 2
    assert "No such command 'exprot'" in result.stderr and "Traceback" not in result.stderr
    assert run_cli("export").returncode == 2  # a group without its command: help, code 2


def test_a_reading_command_without_its_database_says_what_to_do(tmp_path):
    """A mistyped SQLite path is refused (and not made into a new, empty database); a database
    without a strategy says how to get one; both as one line with exit code 2."""
    missing = tmp_path / "finns-inte.sqlite"
    for args in (("export", "data"), ("export", "goals", "--year", "2022"),
                 ("report", "--year", "2022", "--out", str(tmp_path / "r.pdf")),
                 ("audit", "export")):
        result = run_cli(*args, url=f"sqlite:///{missing}")
        assert result.returncode == 2, (args, result.stderr)
        assert f"databasen {missing} finns inte" in " ".join(result.stderr.split())
        assert not missing.exists()
    empty = tmp_path / "tom.sqlite"
    empty.touch()
    for args in (("export", "data"), ("report", "--year", "2022", "--out",
                                      str(tmp_path / "r.pdf"))):
        result = run_cli(*args, url=f"sqlite:///{empty}")
        assert result.returncode == 2, (args, result.stderr)
        assert "Databasen saknar strategi. Kör «malbild demo»" in " ".join(result.stderr.split())
        assert "Traceback" not in result.stderr


@pytest.mark.browser
def test_the_installed_command_writes_the_report_and_ends(sqlite_demo, tmp_path,
                                                          chart_renderer):
    """`malbild report` ends as soon as its exit handlers have run (no teardown of Python's
    modules): the file is whole and the message is out, also when the command fails."""
    env = {**os.environ, "DATABASE_URL": sqlite_demo.database_url, "COLUMNS": COLUMNS}
    for name in ("arsrapport.pdf", "arsrapport.docx"):
        out = tmp_path / name
        written = subprocess.run([installed_malbild(), "report", "--year", "2022", "--out",
                                  str(out)], capture_output=True, text=True, env=env,
                                 timeout=180)
        assert written.returncode == 0, written.stderr
        assert f"Årsrapporten 2022 är skriven till {out}" in " ".join(written.stderr.split())
        assert out.read_bytes()[:4] == (b"%PDF" if out.suffix == ".pdf" else b"PK\x03\x04")
    refused = subprocess.run([installed_malbild(), "report", "--year", "1990", "--out",
                              str(tmp_path / "x.pdf")], capture_output=True, text=True, env=env,
                             timeout=180)
    assert refused.returncode == 2
    assert "Fel: året 1990 går inte att följa upp." in refused.stderr


def test_the_browser_thread_starts_on_modules_the_command_line_does_not_load_at_once():
    """`malbild report`, `export chart` and `archive freeze` start the browser in a thread while
    the command line loads (dashboard/launch.py). Two threads importing the same module at once
    can each be handed the other's half-made module: a half-made `zoneinfo` ended a refused
    command with "No time zone found with key Europe/Stockholm". The renderer's module loads
    only the standard library and small modules of its own."""
    shared = ("etl.clock", "etl.db", "etl.settings", "zoneinfo", "sqlalchemy", "pandas",
              "plotly", "dash", "pydantic")
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, dashboard.present.export.images; "
         f"print(sorted({{n.split('.')[0] if n.split('.')[0] != 'etl' else n for n in "
         f"sys.modules}} & set({shared!r})))"],
        capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
