"""Sending the alert outbox over SMTP, retrying, and never losing an e-mail.

An alert is written to the outbox (`alert_outbox`) in the same transaction that moves the
alerts' cursor past the changes it tells about; it is marked sent only after the SMTP server
has accepted it. A server that is down leaves every unsent e-mail in the outbox for the next
round (or the next `malbild sync`).

`MALBILD_SMTP_URL`: `smtp://host:port` (plain, port 25 by default), `smtp+starttls://host:587`
(or `?starttls=1`) for STARTTLS, `smtps://host:465` for TLS from the start; `user:password@`
before the host logs in (a password with special characters is %-encoded).
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import Engine

from dashboard.store import outbox
from etl.errors import InputError, Location
from etl.settings import Settings

DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
TRUE = {"1", "true", "ja", "yes", "on"}


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: bool  # TLS from the first byte (smtps)
    starttls: bool
    user: str | None
    password: str | None

    @property
    def shown(self) -> str:
        """The address without the password, for messages and logs."""
        who = f"{self.user}@" if self.user else ""
        scheme = "smtps" if self.tls else "smtp+starttls" if self.starttls else "smtp"
        return f"{scheme}://{who}{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpServer:
    """`smtp[+starttls|s]://[user:password@]host[:port][?starttls=1]` as an SmtpServer."""
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise InputError(f"MALBILD_SMTP_URL = «{_hide_password(url)}» är ingen SMTP-adress.",
                         Location("miljövariabler (eller .env)"),
                         hint="Skriv t.ex. smtp+starttls://användare:lösenord@smtp.kommun.se:587 "
                              "eller smtp://127.0.0.1:25.")
    query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    return SmtpServer(
        host=parts.hostname, port=parts.port or DEFAULT_PORTS[parts.scheme],
        tls=parts.scheme == "smtps",
        starttls=parts.scheme == "smtp+starttls" or query.get("starttls") in TRUE,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None)


def _hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def build_message(row: outbox.OutboxMessage, sender: str) -> EmailMessage:
    """The outbox row as a MIME e-mail with a plain text and an HTML part."""
    message = EmailMessage()
    message["Subject"] = row.subject
    message["From"] = sender
    message["To"] = row.address
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> ") or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to alerts
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    return message


def _connect(server: SmtpServer, timeout: float) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if server.tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout,
                                                context=context)
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=timeout)
        if server.starttls:
            client.starttls(context=context)
    if server.user:
        client.login(server.user, server.password or "")
    return client


@dataclass
class OutboxResult:
    """What one round of sending did: sent now, still waiting, and the last problem."""

    sent: int = 0
    waiting: int = 0
    problem: str = ""
    server: str = ""

    def summary(self) -> str:
        if not self.sent and not self.waiting:
            return "Inga e-postmeddelanden att skicka."
        text = f"{self.sent} e-postmeddelanden skickade"
        if self.waiting:
            text += (f"; {self.waiting} väntar i utkorgen och skickas vid nästa körning "
                     f"({self.problem})")
        return text + "."


def send_outbox(engine: Engine, settings: Settings, *,
                sleep: Callable[[float], None] = time.sleep) -> OutboxResult:
    """Send every unsent alert, oldest first. A message the server refuses, or a server that
    does not answer, is tried `smtp_attempts` times with a growing wait, then left for the
    next round with the reason kept (`last_error`)."""
    rows = outbox.unsent(engine)
    result = OutboxResult()
    if not rows:
        return result
    if not settings.smtp_url or not settings.mail_from:
        result.waiting = len(rows)
        result.problem = "MALBILD_SMTP_URL och MALBILD_MAIL_FROM är inte satta"
        return result
    server = parse_smtp_url(settings.smtp_url)
    result.server = server.shown
    client: smtplib.SMTP | None = None
    try:
        for index, row in enumerate(rows):
            problem, refused = "", False
            for attempt in range(1, settings.smtp_attempts + 1):
                try:
                    if client is None:
                        client = _connect(server, settings.smtp_timeout)
                    client.send_message(build_message(row, settings.mail_from))
                    problem = ""
                    break
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                    # This message only (an address the server does not take): the others go.
                    problem, refused = _problem(server, exc), True
                    break
                except (OSError, smtplib.SMTPException) as exc:
                    problem = _problem(server, exc)
                    _close(client)
                    client = None
                    if attempt < settings.smtp_attempts:
                        sleep(float(2 ** (attempt - 1)))
            outbox.record_attempt(engine, row.id, problem)
            if not problem:
                result.sent += 1
                continue
            result.waiting += 1
            result.problem = problem
            if not refused:
                # The server is down: the rest waits for the next round as well.
                result.waiting += len(rows) - index - 1
                outbox.mark_waiting(engine, [r.id for r in rows[index + 1:]], problem)
                break
    finally:
        _close(client)
    return result


def _problem(server: SmtpServer, exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        what = "inloggningen nekades; kontrollera användare och lösenord i MALBILD_SMTP_URL"
    elif isinstance(exc, smtplib.SMTPResponseException):
        what = f"servern svarade {exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        what = "servern tog inte emot mottagaren"
    else:
        what = f"kunde inte ansluta ({str(exc) or type(exc).__name__})"
    return f"SMTP {server.shown}: {what}".strip()[:500]


def _close(client: smtplib.SMTP | None) -> None:
    if client is None:
        return
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()
