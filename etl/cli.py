"""The `malbild` command line. It only chains fetchers, checks and writers from the packages.

Every failure prints what went wrong, where and what to do, and exits non-zero.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from etl import db, imports
from etl.errors import InputError, MalbildError
from etl.settings import Settings, get_settings

app = typer.Typer(help="Målbild: uppföljning av kommunikationsstrategins mätbara mål.",
                  no_args_is_help=True, add_completion=False,
                  pretty_exceptions_show_locals=False)
etl_app = typer.Typer(help="Importera data (Kolada, filer, medarbetarenkät).",
                      no_args_is_help=True)
db_app = typer.Typer(help="Databasen: schema, säkerhetskopior.", no_args_is_help=True)
strategy_app = typer.Typer(help="Strategifilen (mål, mått, målvärden).", no_args_is_help=True)
export_app = typer.Typer(help="Exportera uppföljningen.", no_args_is_help=True)
app.add_typer(etl_app, name="etl")
app.add_typer(db_app, name="db")
app.add_typer(strategy_app, name="strategy")
app.add_typer(export_app, name="export")

console = Console(stderr=True)
EXIT_INPUT = 2


def settings() -> Settings:
    return get_settings()


def progress_bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}"
                    "/{task.total}"), TimeElapsedColumn(), console=console, transient=True)


def ready_engine():
    """The engine for DATABASE_URL, with the schema brought up to date."""
    url = settings().database_url
    db.upgrade(url)
    return db.engine_for(url)


# --- Serving ------------------------------------------------------------------------------------


@app.command()
def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve",
                                              help="Starta webbservern efteråt.")] = True,
    host: str = "127.0.0.1",
    port: int = 8050,
    workers: int = 2,
) -> None:
    """Bygg demodatabasen från data/ (verkliga Kolada-värden och märkt exempeldata) och visa den."""
    from etl.demo import build_demo

    started = time.perf_counter()
    with progress_bar() as progress:
        task = progress.add_task("Demodatabas", total=11)

        def step(text: str) -> None:
            progress.update(task, description=text, advance=1)

        summaries = build_demo(settings(), step)
    for line in summaries:
        console.print(f"  {line}")
    console.print(f"[green]Demodatabasen är klar[/] ({time.perf_counter() - started:.1f} s): "
                  f"{settings().database_url}")
    if serve_after:
        serve(host=host, port=port, workers=workers)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8050,
          workers: Annotated[int, typer.Option(help="Antal arbetsprocesser (gunicorn).")] = 2
          ) -> None:
    """Visa dashboarden över DATABASE_URL (gunicorn)."""
    from dashboard.server import run

    engine_url = settings().database_url
    if not db.is_current(engine_url):
        raise MalbildError(f"Databasen {engine_url} saknar Målbilds tabeller. Kör «malbild demo "
                           "--no-serve» eller «malbild db upgrade» och importera data först.")
    console.print(f"Målbild: http://{host}:{port}/  (Ctrl+C avslutar)")
    run(host=host, port=port, workers=workers)


# --- Database and strategy ----------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Skapa eller uppdatera databasens tabeller (Alembic) och läs in den medföljande katalogen."""
    engine = ready_engine()
    changed = imports.load_bundled_catalogue(engine, settings())
    console.print(f"Databasen är uppdaterad ({changed} ändringar i katalogen).")


@db_app.command("backup")
def db_backup(path: Annotated[Path, typer.Argument(help="Zip-fil att skriva.")]) -> None:
    """Säkerhetskopiera hela databasen till en zip-fil (fungerar för SQLite och PostgreSQL)."""
    from etl import backup

    with progress_bar() as progress:
        task = progress.add_task("Säkerhetskopierar", total=None)
        manifest = backup.backup(settings().database_url, path,
                                 lambda name: progress.update(task, description=name))
    console.print(f"Säkerhetskopia skriven: {path} ({sum(manifest['rows'].values())} rader).")


@db_app.command("restore")
def db_restore(
    path: Annotated[Path, typer.Argument(help="Zip-fil från «malbild db backup».")],
    yes: Annotated[bool, typer.Option("--yes", help="Fråga inte först.")] = False,
) -> None:
    """Ersätt databasens innehåll med en säkerhetskopia (allt eller inget)."""
    from etl import backup

    if not yes:
        typer.confirm(f"Allt i {settings().database_url} ersätts med {path}. Fortsätta?",
                      abort=True)
    with progress_bar() as progress:
        task = progress.add_task("Återställer", total=None)
        manifest = backup.restore(path, settings().database_url,
                                  lambda name: progress.update(task, description=name))
    console.print(f"Återställd från {path} (gjord {manifest['created_at']}, "
                  f"{sum(manifest['rows'].values())} rader).")


@strategy_app.command("load")
def strategy_load(path: Annotated[Path | None, typer.Argument(help="Strategifil (TOML).")] = None
                  ) -> None:
    """Läs in strategifilen (mål, mått, nyckeltal och målvärden) i databasen."""
    engine = ready_engine()
    imports.load_bundled_catalogue(engine, settings())
    changes = imports.load_strategy_file(engine, settings(), path)
    console.print(f"Strategin är inläst ({changes} ändringar).")


@strategy_app.command("check")
def strategy_check(path: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Kontrollera strategifilen utan att spara något."""
    from etl.strategy import load_strategy

    known = {k["id"] for k in imports.catalogue_kpis(settings())}
    strategy = load_strategy(path or settings().strategy_path, known_kpis=known)
    console.print(f"[green]Strategin är giltig:[/] {len(strategy.goals)} mål, "
                  f"{len(strategy.measures)} mått.")


# --- Imports ------------------------------------------------------------------------------------


@etl_app.command("file")
def etl_file(
    paths: Annotated[list[Path], typer.Argument(help="En eller flera filer med Kolada-värden.")],
    layout: Annotated[str | None, typer.Option(
        help="tidy (en rad per värde: nyckeltal, kommun, år, kön, värde) eller wide (en rad "
             "per kommun, år som kolumner, t.ex. från kolada.se); annars känns formatet igen."
    )] = None,
) -> None:
    """Importera Kolada-värden från fil. Samma fil två gånger ändrar ingenting."""
    engine = ready_engine()
    imports.load_bundled_catalogue(engine, settings())
    for path in paths:
        with progress_bar() as progress:
            task = progress.add_task(path.name, total=None)

            def report(stage: str, done: int, total: int, task=task, progress=progress,
                       name=path.name) -> None:
                progress.update(task, description=f"{name}: {stage}", completed=done,
                                total=total)

            result = imports.import_value_file(engine, path, layout=layout, progress=report)
        console.print(result.summary())


@etl_app.command("kolada")
def etl_kolada(
    municipality: Annotated[str | None, typer.Option(
        help="Hemkommunens kod med fyra siffror (standard: strategins, t.ex. 1277).")] = None,
    kpi: Annotated[list[str] | None, typer.Option(
        "--kpi", help="Bara dessa nyckeltal (id; upprepa eller skriv N00640,N00647). "
        "Standard: strategins nyckeltal, HME och KKiK (GKPI118).")] = None,
    years: Annotated[str | None, typer.Option(
        help="År, t.ex. 2012-2025 eller 2022 (standard: alla år).")] = None,
    since: Annotated[str | None, typer.Option(
        help="Hämta det som ändrats sedan detta datum (ÅÅÅÅ-MM-DD); standard: sedan förra "
        "hämtningen.")] = None,
    base_url: Annotated[str | None, typer.Option(
        "--base-url", help="Kolada API (standard: KOLADA_BASE_URL, https://api.kolada.se/v3).")
    ] = None,
    full: Annotated[bool, typer.Option(
        "--full", help="Hämta allt på nytt i stället för bara ändringarna.")] = False,
) -> None:
    """Hämta nyckeltal från Kolada API: alla kommuner och Koladas grupper, bara ändringar."""
    from rich.progress import MofNCompleteColumn

    from etl import kolada_sync

    options = {
        "municipality": municipality,
        "kpis": kolada_sync.parse_kpis(kpi) if kpi else None,
        "years": kolada_sync.parse_years(years) if years else None,
        "since": kolada_sync.parse_since(since) if since else None,
    }
    engine = ready_engine()
    bars = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True)
    with bars:
        tasks: dict[str, int] = {}

        def report(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stage, total=total)
            bars.update(tasks[stage], completed=done, total=total)

        result = kolada_sync.sync(engine, settings(), base_url=base_url, full=full,
                                  progress=report, **options)
    console.print(result.summary(), highlight=False)


@etl_app.command("survey")
def etl_survey(
    path: Annotated[Path, typer.Argument(help="Export från enkätverktyget (Excel eller CSV).")],
    year: Annotated[int | None, typer.Option(help="Enkätår, om det inte står i filen.")] = None,
    replace: Annotated[bool, typer.Option(help="Ersätt ett år som redan är inläst.")] = False,
    employees: Annotated[Path | None, typer.Option(
        help="Fil med antal anställda per enhet (för svarsfrekvensen), om exporten inte har "
             "det.")] = None,
) -> None:
    """Importera medarbetarenkäten (bara sammanställningar sparas; små grupper döljs)."""
    engine = ready_engine()
    result = imports.import_survey_file(engine, path, settings(), year=year, replace=replace,
                                        employees=employees)
    console.print(result.summary())


# --- Exports ------------------------------------------------------------------------------------


@export_app.command("data")
def export_data(
    goal: Annotated[int | None, typer.Option(help="Bara ett mål.")] = None,
    measure: Annotated[str | None, typer.Option(help="Bara ett mått (id).")] = None,
    out: Annotated[str, typer.Option(help="Fil (.csv eller .xlsx) eller - för standard ut."
                                     )] = "-",
) -> None:
    """Uppföljningstabellen som CSV (eller Excel efter filändelsen)."""
    from dashboard.export import data as export

    engine = db.engine_for(settings().database_url)
    table = export.followup_table(engine, settings(), goal=goal, measure=measure)
    if out == "-":
        sys.stdout.write(export.to_csv_text(table))
        return
    path = Path(out)
    export.write_table(table, path)
    console.print(f"{len(table)} rader skrivna till {path}")


@export_app.command("chart")
def export_chart(
    measure: Annotated[str, typer.Argument(help="Måttets id (t.ex. telefon-bemotande) eller en "
                                                "diagramnyckel (intern-kommunikation/"
                                                "fordelning/2021).")],
    out: Annotated[Path, typer.Option(help="Bildfil (.png, .svg eller .pdf).")],
    image_format: Annotated[str | None, typer.Option(
        "--format", help="png, svg eller pdf; annars efter filändelsen.")] = None,
) -> None:
    """Ett diagram som bild, precis som på skärmen (16 cm brett; PNG i 300 dpi)."""
    from dashboard import charts
    from dashboard.export import images

    chosen = (image_format or out.suffix.lstrip(".")).lower()
    if chosen not in images.FORMATS:
        raise InputError(f"bildformatet «{chosen or out.name}» finns inte.",
                         hint="Ange --format png, svg eller pdf.")
    engine = db.engine_for(settings().database_url)
    view = charts.chart_view(engine, settings(), measure)
    out.write_bytes(images.chart_image(view.figure, chosen))
    console.print(f"{view.title} skrivet till {out}")


@app.command()
def report(
    year: Annotated[int, typer.Option(help="Uppföljningsåret.")],
    out: Annotated[Path, typer.Option(help="Rapportfil: .docx (Word) eller .pdf.")],
) -> None:
    """Årsrapporten till kommunstyrelsen som Word (DOCX) eller tillgänglig PDF."""
    from dashboard.export import report as yearly

    engine = db.engine_for(settings().database_url)
    started = time.perf_counter()
    with console.status(f"Årsrapport {year}: diagram och dokument"):
        yearly.write_report(engine, settings(), year, out)
    console.print(f"Årsrapporten {year} är skriven till {out} "
                  f"({time.perf_counter() - started:.1f} s).")


def main() -> None:
    """Entry point: run the app and turn Målbild's errors into one clear paragraph."""
    try:
        app(standalone_mode=False)
    except MalbildError as exc:
        console.print(f"[bold red]Fel:[/] {exc.explain()}", highlight=False, soft_wrap=True)
        sys.exit(EXIT_INPUT)
    except KeyError as exc:
        console.print(f"[bold red]Fel:[/] {exc.args[0] if exc.args else exc}", highlight=False)
        sys.exit(EXIT_INPUT)
    except (typer.Abort, KeyboardInterrupt):
        console.print("Avbrutet.")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click's usage errors carry their own exit code
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
