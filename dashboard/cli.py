"""The `malbild` command line. It only chains fetchers, checks and writers from the packages.

Every failure prints what went wrong, where and what to do, and exits non-zero.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from etl import clock, db
from etl.errors import InputError, MalbildError
from etl.settings import DEFAULT_DATA_DIR, Settings, get_settings

app = typer.Typer(help="Målbild: uppföljning av kommunikationsstrategins mätbara mål.",
                  no_args_is_help=True, add_completion=False,
                  pretty_exceptions_show_locals=False)
etl_app = typer.Typer(help="Importera data (Kolada, filer, medarbetarenkät, testkontakter).",
                      no_args_is_help=True)
db_app = typer.Typer(help="Databasen: schema, säkerhetskopior.", no_args_is_help=True)
strategy_app = typer.Typer(help="Strategifilen (mål, mått, målvärden).", no_args_is_help=True)
export_app = typer.Typer(help="Exportera uppföljningen.", no_args_is_help=True)
user_app = typer.Typer(help="Användare och roller (läsare, administratör).",
                       no_args_is_help=True)
targets_app = typer.Typer(help="Målvärden med beslutsreferens, som fil (CSV).",
                          no_args_is_help=True)
audit_app = typer.Typer(help="Ändringsloggen: vem ändrade vad och när.", no_args_is_help=True)
archive_app = typer.Typer(help="Fastställda årsrapporter: sparade byte för byte, och vad som "
                          "reviderats sedan.", no_args_is_help=True)
app.add_typer(etl_app, name="etl")
app.add_typer(db_app, name="db")
app.add_typer(strategy_app, name="strategy")
app.add_typer(export_app, name="export")
app.add_typer(user_app, name="user")
app.add_typer(targets_app, name="targets")
app.add_typer(audit_app, name="audit")
alerts_app = typer.Typer(help="Bevakningar: e-post när värden kommer, revideras eller tas bort.",
                         no_args_is_help=True)
app.add_typer(archive_app, name="archive")
app.add_typer(alerts_app, name="alerts")

console = Console(stderr=True)
EXIT_INPUT = 2


def settings() -> Settings:
    return get_settings()


def progress_bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}"
                    "/{task.total}"), TimeElapsedColumn(), console=console, transient=True)


def data_changed(engine=None) -> None:
    """After a write: the follow-up model built and stored for the new data, so that no page
    request builds it (`etl.followup.refresh`)."""
    from dashboard.tasks import jobs

    jobs.data_changed(engine or db.engine_for(settings().database_url), settings())


def ready_engine():
    """The engine for DATABASE_URL, with the schema brought up to date."""
    url = settings().database_url
    db.upgrade(url)
    return db.engine_for(url)


def reading_engine():
    """The engine for a command that only reads: as `ready_engine`, but a SQLite file that
    does not exist is an error (a mistyped DATABASE_URL), not a new, empty database."""
    path = db.sqlite_file(settings().database_url)
    if path is not None and not path.exists():
        raise InputError(f"databasen {path} finns inte.",
                         hint="Bygg demodatabasen med «malbild demo --no-serve», eller sätt "
                              "DATABASE_URL till databasen som ska läsas.")
    return ready_engine()


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
        task = progress.add_task("Demodatabas", total=14)

        def step(text: str) -> None:
            progress.update(task, description=text, advance=1)

        summaries = build_demo(settings(), step)
    data_changed()
    for line in summaries:
        console.print(f"  {line}")
    console.print(f"[green]Demodatabasen är klar[/] ({time.perf_counter() - started:.1f} s): "
                  f"{settings().database_url}")
    from etl import users

    if not users.all_users(db.engine_for(settings().database_url)):
        console.print("Ingen användare finns ännu. Administratören läggs till med "
                      "«malbild user add NAMN --role admin».")
    if serve_after:
        serve(host=host, port=port, workers=workers)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8050,
          workers: Annotated[int, typer.Option(help="Antal arbetsprocesser (gunicorn).")] = 2,
          threads: Annotated[int, typer.Option(help="Trådar per arbetsprocess.")] = 4,
          ) -> None:
    """Visa dashboarden över DATABASE_URL (gunicorn)."""
    from dashboard.web.server import run

    engine_url = settings().database_url
    if not db.is_current(engine_url):
        raise MalbildError(f"Databasen {engine_url} saknar Målbilds tabeller. Kör «malbild demo "
                           "--no-serve» eller «malbild db upgrade» och importera data först.")
    console.print(f"Målbild: http://{host}:{port}/  (Ctrl+C avslutar)")
    run(host=host, port=port, workers=workers, threads=threads)


@app.command()
def worker(
    beat: Annotated[bool, typer.Option(
        "--beat", help="Kör också schemaläggaren (Celery beat). Bara en process i hela "
                       "installationen får göra det.")] = False,
    concurrency: Annotated[int, typer.Option(help="Antal samtidiga uppgifter.")] = 2,
    loglevel: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING …")] = "INFO",
) -> None:
    """Starta en arbetsprocess (Celery) för synkronisering, rapporter och importer."""
    from dashboard.worker import start

    start(beat=beat, concurrency=concurrency, loglevel=loglevel)


# --- Database and strategy ----------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Skapa eller uppdatera databasens tabeller (Alembic) och läs in den medföljande katalogen."""
    from etl import imports

    engine = ready_engine()
    changed = imports.load_bundled_catalogue(engine, settings())
    data_changed(engine)
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
    data_changed()
    console.print(f"Återställd från {path} (gjord {manifest['created_at']}, "
                  f"{sum(manifest['rows'].values())} rader).")


@strategy_app.command("load")
def strategy_load(path: Annotated[Path | None, typer.Argument(help="Strategifil (TOML).")] = None
                  ) -> None:
    """Läs in strategifilen (mål, mått, nyckeltal och målvärden) i databasen."""
    from etl import imports

    engine = ready_engine()
    imports.load_bundled_catalogue(engine, settings())
    changes = imports.load_strategy_file(engine, settings(), path)
    data_changed(engine)
    console.print(f"Strategin är inläst ({changes} ändringar).")


@strategy_app.command("check")
def strategy_check(path: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Kontrollera strategifilen utan att spara något."""
    from etl import imports
    from etl.strategy import load_strategy

    catalogue = imports.catalogue_kpis(settings())
    strategy = load_strategy(path or settings().strategy_path,
                             known_kpis={k["id"] for k in catalogue},
                             kpi_units={k["id"]: k.get("unit") or "" for k in catalogue})
    console.print(f"[green]Strategin är giltig:[/] {len(strategy.goals)} mål, "
                  f"{len(strategy.measures)} mått.")


@strategy_app.command("new")
def strategy_new(
    municipality: Annotated[str, typer.Option(help="Kommunkoden med fyra siffror, t.ex. 1260.")],
    out: Annotated[Path, typer.Option(help="Filen att skriva (skrivs inte över).")],
) -> None:
    """Skriv en kommenterad startfil för en kommuns strategi."""

    from etl.extract import kolada_files
    from etl.followup.records import place_name
    from etl.strategy import starting_file

    code = municipality.strip()
    title = next((m["title"] for m in kolada_files.fetch_municipalities(settings().kolada_dir)
                  if m["id"] == code and m["type"] == "K"), None)
    if title is None:
        raise InputError(f"kommunkoden «{code}» finns inte i katalogen.",
                         hint="Ange en kommunkod med fyra siffror, t.ex. --municipality 1260 "
                              "för Bjuv.")
    if out.exists():
        raise InputError(f"{out} finns redan.", hint="Välj ett annat filnamn; ingenting har "
                                                     "skrivits.")
    template = DEFAULT_DATA_DIR / "strategy.toml"  # the shipped, commented strategy
    out.write_text(starting_file(template.read_text(encoding="utf-8"), code,
                                 place_name(title), clock.today()), encoding="utf-8")
    console.print(f"Startfilen för {place_name(title)} är skriven: {out}. Skriv in strategins "
                  f"mål, mått och målvärden och kontrollera med «malbild strategy check {out}».")


# --- Imports ------------------------------------------------------------------------------------


@etl_app.command("file")
def etl_file(
    paths: Annotated[list[Path], typer.Argument(help="En eller flera filer med Kolada-värden.")],
    layout: Annotated[str | None, typer.Option(
        help="tidy (en rad per värde: nyckeltal, kommun, år, kön, värde) eller wide (en rad "
             "per kommun, år som kolumner, t.ex. från kolada.se); annars känns formatet igen."
)] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Visa vad som skulle ändras, utan att spara.")] = False,
    skip_invalid: Annotated[bool, typer.Option(
        "--skip-invalid", help="Läs in de giltiga raderna och lista de avvisade, i stället "
                               "för att stoppa vid första felet.")] = False,
) -> None:
    """Importera Kolada-värden från fil. Samma fil två gånger ändrar ingenting."""
    from etl import audit, imports

    engine = ready_engine()
    imports.load_bundled_catalogue(engine, settings())
    for path in paths:
        with progress_bar() as progress:
            task = progress.add_task(path.name, total=None)

            def report(stage: str, done: int, total: int, task=task, progress=progress,
                       name=path.name) -> None:
                progress.update(task, description=f"{name}: {stage}", completed=done,
                                total=total)

            result = imports.import_value_file(
                engine, path, layout=layout, progress=report, dry_run=dry_run,
                skip_invalid=skip_invalid, requested_by=audit.command_line_actor())
        if result.rejected:
            for rejected in result.rejected.rows[:50]:
                console.print(f"  avvisad: rad {rejected.row}, kolumn «{rejected.column}»: "
                              f"{rejected.reason}", highlight=False)
            if result.rejected.total > 50:
                console.print(f"  … och {result.rejected.total - 50} rader till.")
        console.print(("Förhandsgranskning (inget sparat): " if dry_run else "")
                      + result.summary())
    if not dry_run:
        data_changed(engine)


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
    data_changed(engine)
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
    from etl import audit, imports

    engine = ready_engine()
    result = imports.import_survey_file(engine, path, settings(), year=year, replace=replace,
                                        employees=employees,
                                        requested_by=audit.command_line_actor())
    data_changed(engine)
    console.print(result.summary())


@etl_app.command("contacts")
def etl_contacts(
    paths: Annotated[list[Path], typer.Argument(
        help="En eller flera filer med testkontakter (Excel eller CSV), en rad per kontakt.")],
    replace: Annotated[bool, typer.Option(
        help="Ersätt år som redan är inlästa från en annan fil.")] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Visa vad som skulle sparas, utan att spara.")] = False,
) -> None:
    """Importera kommunens egen mätning med testkontakter (e-post, telefon, brev).

    Varje fil läses in hel eller inte alls. Samma fil två gånger ändrar ingenting.
    """
    from dashboard.present.contact_words import contacts_summary
    from etl import audit, contacts

    engine = ready_engine()
    for path in paths:
        result = contacts.import_contacts_file(engine, path, settings(), replace=replace,
                                               dry_run=dry_run,
                                               requested_by=audit.command_line_actor())
        first, *years = contacts_summary(result)
        console.print(("Förhandsgranskning (inget sparat): " if dry_run else "") + first,
                      highlight=False)
        for line in years:
            console.print(f"  {line}", highlight=False)
    if not dry_run:
        data_changed(engine)


# --- Users, targets and the audit log -----------------------------------------------------------


def read_password(confirm: bool = True) -> str:
    """A password from a hidden prompt, or the first line of standard input when piped; never
    from an argument (it would be seen in the process list and the shell history)."""
    import getpass

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Lösenord: ")
    if confirm and getpass.getpass("Samma lösenord igen: ") != first:
        raise InputError("lösenorden är inte lika.", hint="Försök igen.")
    return first


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Användarnamn, t.ex. anna.andersson.")],
    role: Annotated[str, typer.Option(help="viewer (läsare) eller admin (administratör).")
                    ] = "viewer",
    email: Annotated[str | None, typer.Option(
        help="E-postadress för bevakningar (kan ändras med «malbild user email»).")] = None,
    display_name: Annotated[str | None, typer.Option(
        help="Namnet som visas vid det personen ändrat, t.ex. \"Anna Andersson\" (annars "
        "användarnamnet; kan ändras med «malbild user name»).")] = None,
) -> None:
    """Lägg till en användare. Lösenordet frågas efter (eller läses från standard in)."""
    from dashboard.store import accounts
    from etl import alerts, audit

    if email:
        alerts.check_email(email)
    password = read_password()
    user = accounts.add_user(ready_engine(), name, role, password, email,
                             actor=audit.command_line_actor(), display_name=display_name)
    console.print(f"{user.username} är tillagd som {user.role_label}"
                  + (f" med e-post {email.strip()}." if email else "."), highlight=False)


@user_app.command("email")
def user_email(
    name: str,
    address: Annotated[str, typer.Argument(help="E-postadressen; \"\" tar bort den.")],
) -> None:
    """Ge en användare en e-postadress för bevakningar (eller ta bort den)."""
    from dashboard.store import accounts
    from etl import audit, users

    changed = accounts.set_email(ready_engine(), name, address, actor=audit.command_line_actor())
    shown = address.strip() or "ingen e-postadress"
    console.print(f"{users.normalise_username(name)}: "
                  + (f"{shown}." if changed else "redan så; inget ändrat."), highlight=False)


@user_app.command("name")
def user_name(
    name: str,
    display_name: Annotated[str, typer.Argument(
        help="Visningsnamnet, t.ex. \"Anna Andersson\"; \"\" tar bort det.")],
) -> None:
    """Ge en användare ett visningsnamn: det står vid mål och analyser personen har ändrat."""
    _update_user(name, display_name=display_name)


@user_app.command("list")
def user_list() -> None:
    """Visa användarna med roll och senaste inloggning."""
    from etl import users

    for row in users.all_users(ready_engine()):
        last = f"{row['last_login_at']:%Y-%m-%d}" if row["last_login_at"] else "aldrig"
        state = "avstängd" if row["disabled"] else "aktiv"
        sys.stdout.write(f"{row['username']}\t{row['role']}\t{state}\tsenast inloggad {last}"
                         f"\t{row['email'] or 'ingen e-post'}"
                         f"\t{row['display_name'] or 'inget visningsnamn'}\n")


def _update_user(name: str, **changes) -> None:
    from dashboard.store import accounts
    from etl import audit, users

    changed = accounts.update_user(ready_engine(), name, actor=audit.command_line_actor(),
                                   **changes)
    console.print(f"{users.normalise_username(name)}: "
                  + ("ändrad." if changed else "redan så; inget ändrat."))


@user_app.command("role")
def user_role(name: str, role: Annotated[str, typer.Argument(help="viewer eller admin")]) -> None:
    """Ändra en användares roll."""
    _update_user(name, role=role)


@user_app.command("password")
def user_password(name: str) -> None:
    """Byt lösenord (frågas efter, eller läses från standard in). Gamla inloggningar upphör."""
    _update_user(name, password=read_password())


@user_app.command("disable")
def user_disable(name: str) -> None:
    """Stäng av ett konto (det loggas ut direkt)."""
    _update_user(name, disabled=True)


@user_app.command("enable")
def user_enable(name: str) -> None:
    """Öppna ett avstängt konto igen."""
    _update_user(name, disabled=False)


@user_app.command("unlock")
def user_unlock(name: str) -> None:
    """Häv spärren efter misslyckade inloggningar för NAMN (från alla adresser)."""
    from dashboard.store import accounts
    from etl import audit, users

    forgotten = accounts.unlock(ready_engine(), name, actor=audit.command_line_actor())
    console.print(f"{users.normalise_username(name)}: spärren är hävd "
                  f"({forgotten} misslyckade inloggningar glömda).")


@targets_app.command("export")
def targets_export(path: Annotated[str, typer.Argument(help="CSV-fil, eller - för standard ut.")]
                   ) -> None:
    """Skriv gällande mål per mått och år: CSV för svenskt Excel, eller Excel för .xlsx."""
    from etl import targets

    engine = ready_engine()
    if path == "-":
        sys.stdout.write(targets.export_text(engine))
        return
    count = targets.export_targets(engine, Path(path))
    console.print(f"{count} mål skrivna till {path}")


@targets_app.command("import")
def targets_import(
    path: Annotated[Path, typer.Argument(help="CSV eller Excel med kolumnerna som export ger.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Visa vad som skulle ändras.")
                       ] = False,
) -> None:
    """Läs in mål från fil. Bara mål som skiljer sig från de gällande sparas (som nya beslut)."""
    from etl import audit, targets

    engine = ready_engine()
    changes = targets.import_targets(engine, path, actor=audit.command_line_actor(),
                                     dry_run=dry_run)
    if changes and not dry_run:
        data_changed(engine)
    for change in changes:
        before = targets.number_text(change.before["value"]) if change.before else "–"
        after = targets.number_text(change.after["value"]) or "inget mål"
        console.print(f"  {change.measure_id} {change.year}: {before or 'inget mål'} → {after} "
                      f"({change.after['decision']})", highlight=False)
    prefix = "Förhandsgranskning (inget sparat): " if dry_run else ""
    console.print(prefix + (f"{len(changes)} mål ändrade." if changes else
                            "Inga mål ändrade; filen stämmer med databasen."))


@audit_app.command("export")
def audit_export(out: Annotated[str, typer.Option(help="Fil (.csv eller .xlsx) eller -.")] = "-"
                 ) -> None:
    """Hela ändringsloggen som CSV (eller Excel efter filändelsen)."""
    from dashboard.present.export import data, downloads

    table = data.audit_table(reading_engine())
    if out == "-":
        sys.stdout.write(downloads.csv_bytes(table).decode("utf-8-sig"))
        return
    path = Path(out)
    path.write_bytes(downloads.workbook_bytes([table]) if path.suffix == ".xlsx"
                     else downloads.csv_bytes(table))
    console.print(f"{len(table.frame)} händelser skrivna till {path}")


# --- Exports ------------------------------------------------------------------------------------


@export_app.command("data")
def export_data(
    goal: Annotated[int | None, typer.Option(help="Bara ett mål.")] = None,
    measure: Annotated[str | None, typer.Option(help="Bara ett mått (id).")] = None,
    out: Annotated[str, typer.Option(help="Fil (.csv eller .xlsx) eller - för standard ut."
                                     )] = "-",
) -> None:
    """Uppföljningstabellen som CSV (eller Excel efter filändelsen)."""
    from dashboard.present.export import data as export

    engine = reading_engine()
    _write_out(export.followup_table(engine, settings(), goal=goal, measure=measure), out,
               "rader")


def _write_out(table, out: str, rows: str) -> None:
    """A table to standard out as CSV (`-`), or to a .csv or .xlsx file."""
    from dashboard.present.export import data as export

    if out == "-":
        sys.stdout.write(export.to_csv_text(table))
        return
    path = Path(out)
    export.write_table(table, path)
    console.print(f"{len(table)} {rows} skrivna till {path}")


@export_app.command("goals")
def export_goals(
    year: Annotated[int, typer.Option(help="Uppföljningsåret.")],
    out: Annotated[str, typer.Option(help="Fil (.csv eller .xlsx) eller - för standard ut."
                                     )] = "-",
) -> None:
    """Bedömningen per mål för ett år: uppnått, delvis, ej uppnått eller kan inte bedömas."""
    from dashboard.present.export import data as export

    engine = reading_engine()
    _write_out(export.goals_table(engine, settings(), year), out, "mål")


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
    from dashboard.present import charts
    from dashboard.present.export import images

    chosen = (image_format or out.suffix.lstrip(".")).lower()
    if chosen not in images.FORMATS:
        raise InputError(f"bildformatet «{chosen or out.name}» finns inte.",
                         hint="Ange --format png, svg eller pdf.")
    engine = reading_engine()
    view = charts.chart_view(engine, settings(), measure)
    out.write_bytes(images.chart_image(view.figure, chosen))
    console.print(f"{view.title} skrivet till {out}")


@app.command()
def report(
    year: Annotated[int, typer.Option(help="Uppföljningsåret.")],
    out: Annotated[Path, typer.Option(
        help="Rapportfil: .docx (Word), .pdf eller .pptx (bilder till sammanträdet).")],
    arende: Annotated[str, typer.Option(help="Ärendets rubrik, på försättsbladet.")] = "",
    diarienummer: Annotated[str, typer.Option(help="Ärendets diarienummer.")] = "",
    handlaggare: Annotated[str, typer.Option(help="Handläggarens namn.")] = "",
) -> None:
    """Årsrapporten till kommunstyrelsen som Word (DOCX), tillgänglig PDF eller PowerPoint."""
    from dashboard.present.export import report_files as yearly
    from dashboard.present.export.report import CaseFacts

    engine = reading_engine()
    started = time.perf_counter()
    with progress_bar() as progress:
        task = progress.add_task(f"Årsrapport {year}", total=None)

        def step(done: int, total: int, text: str) -> None:
            progress.update(task, description=f"Årsrapport {year}: {text}", completed=done,
                            total=total)

        yearly.write_report(engine, settings(), year, out, progress=step,
                            case=CaseFacts(arende, diarienummer, handlaggare))
    console.print(f"Årsrapporten {year} är skriven till {out} "
                  f"({time.perf_counter() - started:.1f} s).")


@archive_app.command("freeze")
def archive_freeze(
    year: Annotated[int, typer.Option(help="Uppföljningsåret.")],
    arende: Annotated[str, typer.Option(help="Ärendets rubrik, på försättsbladet.")] = "",
    diarienummer: Annotated[str, typer.Option(help="Ärendets diarienummer.")] = "",
    handlaggare: Annotated[str, typer.Option(help="Handläggarens namn.")] = "",
) -> None:
    """Fastställ årsrapporten: PDF och Word sparas med dataversion, tid och användare."""
    from dashboard.present.export import archive as archived
    from dashboard.present.export.report import CaseFacts
    from etl import audit

    engine = ready_engine()
    started = time.perf_counter()
    with console.status(f"Årsrapport {year}: skapar och arkiverar PDF och Word"):
        frozen = archived.freeze_report(engine, settings(), year, audit.command_line_actor(),
                                        case=CaseFacts(arende, diarienummer, handlaggare))
    sizes = ", ".join(f"{f.upper()} {n} byte" for f, n in sorted(frozen.sizes.items()))
    console.print(f"Rapporten för {year} är fastställd som version {frozen.version} "
                  f"({sizes}; dataversion {frozen.data_version}; "
                  f"{time.perf_counter() - started:.1f} s).")


@archive_app.command("get")
def archive_get(
    year: Annotated[int, typer.Option(help="Uppföljningsåret.")],
    out: Annotated[Path, typer.Option(help="Fil att skriva.")],
    file_format: Annotated[str | None, typer.Option(
        "--format", help="pdf eller docx; annars efter filändelsen.")] = None,
    version: Annotated[int | None, typer.Option(help="Version (standard: den senaste).")
                       ] = None,
) -> None:
    """Skriv en fastställd rapport precis som den arkiverades."""
    from etl import archive

    chosen = (file_format or out.suffix.lstrip(".")).lower()
    content = archive.get(ready_engine(), year, chosen, version)
    out.write_bytes(content)
    console.print(f"Rapporten för {year} ({chosen.upper()}) skriven till {out} "
                  f"({len(content)} byte).")


@archive_app.command("revisions")
def archive_revisions(
    year: Annotated[int, typer.Option(help="Uppföljningsåret.")],
    version: Annotated[int | None, typer.Option(help="Version (standard: den senaste).")
                       ] = None,
) -> None:
    """Värden i den fastställda rapporten som Kolada eller en import har ändrat sedan."""
    from dashboard.present.export import archive as archived
    from etl import archive

    engine = ready_engine()
    report = archive.find(engine, year, version)
    table = archived.revision_table(engine, year, report.version)
    console.print(f"Rapporten för {year}, version {report.version}, fastställd "
                  f"{report.created_at:%Y-%m-%d %H:%M} av {report.created_by}: "
                  f"{len(table)} reviderade värden.", highlight=False)
    if len(table):
        sys.stdout.write("\t".join(table.columns) + "\n")
        for row in table.itertuples(index=False):
            sys.stdout.write("\t".join(str(v) for v in row).replace("\u00a0", " ") + "\n")


# --- The scheduled cycle and alerts ------------------------------------------------------------


@app.command()
def sync(
    base_url: Annotated[str | None, typer.Option(
        "--base-url", help="Kolada API (standard: KOLADA_BASE_URL, https://api.kolada.se/v3).")
    ] = None,
) -> None:
    """En schemalagd körning: hämta det som ändrats i Kolada för strategins nyckeltal, följ
    upp ändringen och skicka bevakningarna. Kör den från cron (eller låt Celery beat göra det)."""
    from rich.table import Table

    from dashboard.present import change_words
    from dashboard.tasks import cycle
    from etl.followup import store

    engine = ready_engine()
    with console.status("Hämtar ändringar från Kolada"):
        report = cycle.run_cycle(engine, settings(), base_url)
    if report.sync is not None:
        console.print(report.sync.summary(), highlight=False)
    if report.changes:
        infos = {i.id: i for i in store.measures(engine)}
        table = Table(title="Ändrat för strategins mått", title_justify="left")
        for column in ("Mått", "År", "Ändring", "Tidigare → nytt", "Berör"):
            table.add_column(column)
        for change in report.changes:
            info = infos.get(change.measure_id)
            table.add_row(f"{change.measure_name} ({change.kpi_id})", str(change.year),
                          change_words.KIND_WORDS[change.kind],
                          change_words.old_to_new(info, change),
                          "\n".join(change_words.touched(info, change)) or "–")
        console.print(table)
    elif report.sync is not None and report.sync.from_date is None:
        console.print("Första hämtningen: värdena finns nu i databasen; ändringar visas från "
                      "nästa körning.")
    elif report.sync is not None:
        console.print("Inga av strategins värden har ändrats.")
    if report.alerts is not None:
        console.print(report.alerts.summary(), highlight=False)
    if report.outbox is not None and (report.outbox.sent or report.outbox.waiting):
        console.print(f"E-post: {report.outbox.summary()}", highlight=False)
    if report.problems:
        for problem in report.problems:
            console.print(f"[bold red]Fel:[/] {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_INPUT)


@alerts_app.command("subscribe")
def alerts_subscribe(
    name: str,
    kind: Annotated[list[str] | None, typer.Option(
        "--kind", help="faststallt, nya, reviderade, borttagna eller alla (standard); "
        "upprepa för flera.")] = None,
) -> None:
    """Bevaka ändringar: användaren får ett e-postmeddelande per körning när något ändrats."""
    from dashboard.store import accounts
    from etl import alerts, audit

    kinds = alerts.parse_kinds(kind)
    subscribed = accounts.subscribe(ready_engine(), name, kinds, actor=audit.command_line_actor())
    user = subscribed.user
    console.print(f"{user.username} bevakar: {', '.join(subscribed.kinds)}.", highlight=False)
    if not subscribed.email:
        console.print(f"{user.username} har ingen e-postadress ännu: «malbild user email "
                      f"{user.username} ADRESS».", highlight=False)


@alerts_app.command("unsubscribe")
def alerts_unsubscribe(
    name: str,
    kind: Annotated[list[str] | None, typer.Option(
        "--kind", help="Bara dessa sorter (standard: alla).")] = None,
) -> None:
    """Sluta bevaka (allt, eller bara vissa sorters ändringar)."""
    from dashboard.store import accounts
    from etl import alerts, audit, users

    kinds = alerts.parse_kinds(kind) if kind else None
    left = accounts.unsubscribe(ready_engine(), name, kinds, actor=audit.command_line_actor())
    console.print(f"{users.normalise_username(name)} bevakar "
                  + (f"nu: {', '.join(left)}." if left else "ingenting."), highlight=False)


@alerts_app.command("list")
def alerts_list() -> None:
    """Vem som bevakar vad, med e-postadress, och e-post som väntar i utkorgen."""
    from dashboard.store import alerts, outbox

    engine = ready_engine()
    people = alerts.subscribers(engine)
    for person in people:
        state = " (avstängd)" if person.disabled else ""
        sys.stdout.write(f"{person.username}{state}\t{person.email or 'ingen e-post'}\t"
                         f"{','.join(person.kinds)}\n")
    if not people:
        console.print("Ingen bevakar något ännu («malbild alerts subscribe NAMN»).")
    for row in outbox.waiting(engine):
        console.print(f"Väntar: {row['address']}: {row['subject']} ({row['attempts']} försök"
                      + (f"; {row['last_error']}" if row["last_error"] else "") + ")",
                      highlight=False)


def run(args: Sequence[str] | None = None, prog_name: str | None = None) -> int:
    """Run the command line with `args` (default: the process's) and return the exit code;
    Målbild's errors become one clear paragraph on standard error, not a traceback."""
    try:
        result = app(args=None if args is None else list(args), prog_name=prog_name,
                     standalone_mode=False)
    except MalbildError as exc:
        console.print(f"[bold red]Fel:[/] {exc.explain()}", highlight=False, soft_wrap=True)
        return EXIT_INPUT
    except KeyError as exc:
        console.print(f"[bold red]Fel:[/] {exc.args[0] if exc.args else exc}", highlight=False)
        return EXIT_INPUT
    except (typer.Abort, KeyboardInterrupt):
        console.print("Avbrutet.")
        return 130
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors (typer's own click) carry their code
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            console.print(f"[bold red]Fel:[/] {exc.format_message()}", highlight=False)
        return exc.exit_code
    # Without standalone mode click returns the code of a typer.Exit (or --help) instead.
    return result if isinstance(result, int) else 0


def main() -> None:
    """Entry point of the installed `malbild` command."""
    sys.exit(run())
