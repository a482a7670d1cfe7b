"""The scheduled cycle with alerts by e-mail: the Kolada-shaped test server, a local SMTP server
on 127.0.0.1 (aiosmtpd) and a revision under a fastställd report.

Exactly one e-mail per subscriber and cycle names the revision and the report; no e-mail when
nothing changed; an SMTP server that is down loses nothing (the e-mails wait in the outbox and go
with the next cycle, once).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from dashboard.tasks import cycle, mail
from etl import alerts, analysis, archive, db, kolada_sync, schema, users
from tests.cli import run_cli
from tests.conftest import dump
from tests.kolada_server import Fault, KoladaServer, KoladaState, load_extract

PASSWORD = "blå kanot under trappan"
REVISION = "Gott bemötande vid telefonkontakt (N00640) 2022: 80,0\u00a0% → 80,5\u00a0%"
FROZEN = "Fastställd rapport 2022, version 1, bygger på det gamla värdet"


class Inbox:
    """What the SMTP server received: one parsed e-mail per recipient and message."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        for _recipient in envelope.rcpt_tos:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def take(self) -> list:
        taken, self.messages = self.messages, []
        return taken


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalSmtp:
    """aiosmtpd on 127.0.0.1 that can go down and come back on the same port."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox, self.port, self.controller = inbox, free_port(), None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[tuple[LocalSmtp, Inbox]]:
    inbox = Inbox()
    server = LocalSmtp(inbox)
    server.start()
    yield server, inbox
    server.stop()


@pytest.fixture
def kolada_server() -> Iterator[KoladaServer]:
    with KoladaServer(KoladaState(load_extract())) as server:
        yield server


def cycle_settings(settings, port: int):
    return settings.model_copy(update={
        "smtp_url": f"smtp://127.0.0.1:{port}", "mail_from": "Målbild <malbild@astorp.se>",
        "public_url": "https://malbild.astorp.se", "smtp_attempts": 2, "smtp_timeout": 5.0,
        "kolada_attempts": 2, "kolada_backoff": 0.0})


def parts(message) -> tuple[str, str]:
    return (message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


def test_one_email_per_subscriber_names_the_revision_and_the_frozen_report(
        catalogue_db, kolada_server, smtp):
    controller, inbox = smtp
    settings = cycle_settings(catalogue_db, controller.port)
    engine = db.engine_for(settings.database_url)
    home, kpis = kolada_sync.strategy_kpis(settings)
    kolada_sync.sync(engine, settings, kpis=kpis, base_url=kolada_server.url)
    archive.freeze(engine, 2022, {"pdf": b"%PDF-1.7 fastst\xc3\xa4lld"}, kpi_ids=kpis,
                   municipality_id=home, actor="anna")
    analysis.save_analysis(engine, "telefon-bemotande", 2022, "Bemötandet <b>håller</b> nivån.",
                           "fastställd", actor="anna")
    with engine.begin() as connection:
        for name, email in (("anna", "anna@astorp.se"), ("bo", "bo@astorp.se"),
                            ("cilla", "cilla@astorp.se")):
            users.add_user(connection, name, "viewer", PASSWORD, actor="test")
            alerts.set_email(connection, name, email, actor="test")
        alerts.subscribe(connection, "anna", list(alerts.KINDS), actor="test")
        alerts.subscribe(connection, "bo", ["faststallt"], actor="test")

    # Nothing changed in Kolada: no e-mail.
    quiet = cycle.run_cycle(engine, settings, kolada_server.url)
    assert quiet.ok, quiet.problems
    assert quiet.changes == [] and inbox.take() == []

    # Kolada revises Åstorp's 2022 value behind the fastställd report.
    kolada_server.state.revise("N00640", home, 2022, 80.5)
    revised = cycle.run_cycle(engine, settings, kolada_server.url)
    assert revised.ok, revised.problems
    assert [(c.kind, c.kpi_id, c.year, c.old_value, c.new_value) for c in revised.changes] == [
        ("revised", "N00640", 2022, 80.0, 80.5)]
    received = inbox.take()
    assert sorted(m["To"] for m in received) == ["anna@astorp.se", "bo@astorp.se"]
    for message in received:
        text, html = parts(message)
        assert "fastställda har ändrats" in message["Subject"]
        assert REVISION in text and FROZEN in text
        # The fastställd report comes first, before any other section.
        assert text.index(FROZEN) < text.index("https://malbild.astorp.se/nytt")
        assert "Fastställd analystext 2022" in text
        assert REVISION in html and FROZEN in html and "<b>" not in html
        assert 'href="https://malbild.astorp.se/nytt"' in html
    anna = next(m for m in received if m["To"] == "anna@astorp.se")
    assert "Reviderade värden" in parts(anna)[0]  # anna follows every kind, bo the frozen only
    assert "Reviderade värden" not in parts(next(m for m in received if m is not anna))[0]

    # The same again: nothing new, no e-mail.
    assert cycle.run_cycle(engine, settings, kolada_server.url).ok
    assert inbox.take() == []

    # The SMTP server is down: the e-mails wait, the cycle says so, nothing is lost.
    controller.stop()
    kolada_server.state.revise("N00640", home, 2022, 81.0)
    down = cycle.run_cycle(engine, settings, kolada_server.url)
    assert not down.ok and down.outbox.waiting == 2 and down.outbox.sent == 0
    assert f"127.0.0.1:{controller.port}" in down.problems[0]
    assert "skickas vid nästa körning" in down.problems[0]
    waiting = {row["address"] for row in _outbox(engine) if row["sent_at"] is None}
    assert waiting == {"anna@astorp.se", "bo@astorp.se"}

    # Back up: the next cycle sends them, once, and nothing else.
    controller.start()
    back = cycle.run_cycle(engine, settings, kolada_server.url)
    assert back.ok, back.problems
    assert back.alerts.messages == 0 and back.outbox.sent == 2
    received = inbox.take()
    assert sorted(m["To"] for m in received) == ["anna@astorp.se", "bo@astorp.se"]
    assert all("80,5\u00a0% → 81,0\u00a0%" in parts(m)[0] for m in received)
    assert cycle.run_cycle(engine, settings, kolada_server.url).ok
    assert inbox.take() == []
    assert all(row["sent_at"] is not None for row in _outbox(engine))

    # A new value, behind no fastställd report: only anna, who follows new values, hears of it,
    # with the value's statuses in the words of the pages.
    kolada_server.state.revise("N00640", home, 2023, 82.0)
    assert cycle.run_cycle(engine, settings, kolada_server.url).ok
    [news] = inbox.take()
    text = parts(news)[0]
    assert news["To"] == "anna@astorp.se" and "Nya värden" in text
    assert "Gott bemötande vid telefonkontakt (N00640) 2023: Åstorp 82,0\u00a0% 2023" in text
    assert "mätkommunernas medelvärde" in text and "Fastställd rapport" not in text


def _outbox(engine) -> list[dict]:
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(schema.AlertOutbox)).mappings()]


def test_a_failing_kolada_is_retried_then_reported_and_nothing_is_half_imported(
        catalogue_db, kolada_server, smtp):
    controller, inbox = smtp
    settings = cycle_settings(catalogue_db, controller.port)
    engine = db.engine_for(settings.database_url)
    before = dump(settings.database_url)
    kolada_server.inject(Fault("500", times=None))
    report = cycle.run_cycle(engine, settings, kolada_server.url)
    assert report.sync is None and not report.ok
    assert report.problems[0].startswith(f"Kolada: Kolada svarar inte som det ska: "
                                         f"{kolada_server.url}/")
    assert "HTTP 500" in report.problems[0] and "databasen är oförändrad" in report.problems[0]
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(schema.ImportRun)) == 0
    after = dump(settings.database_url)
    assert {t: r for t, r in after.items() if t != "alert_run"} == {
        t: r for t, r in before.items() if t != "alert_run"}
    assert inbox.take() == []


def test_the_sync_command_prints_the_changes_and_fails_clearly(catalogue_db, kolada_server,
                                                               smtp):
    controller, _inbox = smtp
    url = catalogue_db.database_url
    env = {"MALBILD_KOLADA_ATTEMPTS": "2", "MALBILD_KOLADA_BACKOFF": "0",
           "MALBILD_SMTP_URL": f"smtp://127.0.0.1:{controller.port}"}
    first = run_cli("sync", "--base-url", kolada_server.url, url=url, env=env)
    assert first.returncode == 0, first.stderr
    assert "fullständig hämtning" in first.stderr and "Första hämtningen" in first.stderr
    kolada_server.state.revise("N00640", "1277", 2022, 80.5)
    second = run_cli("sync", "--base-url", kolada_server.url, url=url, env=env)
    assert second.returncode == 0, second.stderr
    assert "Ändrat för strategins mått" in second.stderr and "Reviderat" in second.stderr
    assert "Gott bemötande vid telefonkontakt (N00640)" in second.stderr
    kolada_server.inject(Fault("500", times=None))
    failed = run_cli("sync", "--base-url", kolada_server.url, url=url, env=env)
    message = " ".join(failed.stderr.split())
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert f"Fel: Kolada: Kolada svarar inte som det ska: {kolada_server.url}/" in message


def test_smtp_addresses():
    assert mail.parse_smtp_url("smtp://127.0.0.1:2525") == mail.SmtpServer(
        "127.0.0.1", 2525, False, False, None, None)
    server = mail.parse_smtp_url("smtp+starttls://malbild%40astorp.se:hemligt%21@smtp.astorp.se")
    assert (server.port, server.starttls, server.user, server.password) == (
        587, True, "malbild@astorp.se", "hemligt!")
    assert mail.parse_smtp_url("smtp://smtp.astorp.se:587?starttls=1").starttls
    assert mail.parse_smtp_url("smtps://smtp.astorp.se").tls
    assert "hemligt" not in server.shown


def test_addresses_and_subscriptions_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'malbild.sqlite'}"
    added = run_cli("user", "add", "anna", "--email", "anna@astorp.se", url=url,
                    input=PASSWORD + "\n")
    assert added.returncode == 0 and "med e-post anna@astorp.se" in added.stderr
    assert run_cli("user", "add", "bo", url=url, input=PASSWORD + "\n").returncode == 0
    bad = run_cli("user", "email", "bo", "bo(at)astorp.se", url=url)
    assert bad.returncode == 2 and "är ingen e-postadress" in bad.stderr
    unknown = run_cli("alerts", "subscribe", "bo", "--kind", "allt", url=url)
    assert unknown.returncode == 2 and "faststallt, nya, reviderade, borttagna" in unknown.stderr
    subscribed = run_cli("alerts", "subscribe", "bo", "--kind", "fastställt", "--kind", "nya",
                         url=url)
    assert "bo bevakar: faststallt, nya." in subscribed.stderr
    assert "bo har ingen e-postadress ännu" in subscribed.stderr
    assert run_cli("user", "email", "bo", "bo@astorp.se", url=url).returncode == 0
    run_cli("alerts", "subscribe", "anna", url=url)
    listed = run_cli("alerts", "list", url=url).stdout.splitlines()
    assert listed == ["anna\tanna@astorp.se\tfaststallt,nya,reviderade,borttagna",
                      "bo\tbo@astorp.se\tfaststallt,nya"]
    assert "bevakar ingenting" in run_cli("alerts", "unsubscribe", "anna", url=url).stderr
    assert "anna@astorp.se" in run_cli("user", "list", url=url).stdout
