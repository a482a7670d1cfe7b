"""Alert e-mails: one per round and person, in Swedish, plain text and HTML.

A round reads the change log after the last change an earlier round told about, writes one
e-mail per subscriber who has something to hear of, and moves the cursor, all in one
transaction; sending is `mail.send_outbox`. Nothing changed (for the person): no e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from sqlalchemy import Engine

from dashboard.present import change_words, words
from dashboard.store import alerts as alert_store
from etl import alerts
from etl.changes import ValueChange
from etl.followup import build, store
from etl.followup.records import MeasureFollowUp, MeasureInfo
from etl.settings import Settings

NEWS_PATH = "/nytt"
LOCAL_ADDRESS = "http://127.0.0.1:8050"


@dataclass(frozen=True)
class Section:
    kind: str
    heading: str
    lines: tuple[tuple[str, tuple[str, ...]], ...]
    """(line, notes under it)."""


@dataclass(frozen=True)
class Alert:
    subject: str
    text: str
    html: str


@dataclass
class AlertRound:
    """What a round did: the changes it read and the e-mails it put in the outbox."""

    changes: list[ValueChange] = field(default_factory=list)
    messages: int = 0
    recipients: list[str] = field(default_factory=list)
    without_address: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.changes:
            return "Bevakningar: inga nya ändringar att meddela."
        text = (f"Bevakningar: {len(self.changes)} ändringar av strategins värden; "
                f"{self.messages} e-postmeddelanden i utkorgen")
        if self.without_address:
            text += (f" ({', '.join(self.without_address)} bevakar men saknar e-postadress; "
                     "«malbild user email NAMN ADRESS»)")
        return text + "."


def sections(changes_: list[ValueChange], infos: dict[str, MeasureInfo],
             items: dict[str, MeasureFollowUp], kinds: tuple[str, ...]) -> list[Section]:
    """What one person hears of, most important first: what touches a fastställd report or
    text, then new values, revisions and deletions (oldest change first within each)."""
    ordered = sorted(changes_, key=lambda c: c.id)
    found = []
    if "faststallt" in kinds:
        frozen = [c for c in ordered if c.touches_frozen]
        if frozen:
            found.append(Section("faststallt", "Ändrat sedan det fastställdes", tuple(
                (change_words.line(infos.get(c.measure_id), c),
                 tuple(change_words.touched(infos.get(c.measure_id), c))) for c in frozen)))
    listed = {
        "nya": ("new", "Nya värden"),
        "reviderade": ("revised", "Reviderade värden"),
        "borttagna": ("deleted", "Borttagna värden"),
    }
    for kind, (change_kind, heading) in listed.items():
        if kind not in kinds:
            continue
        chosen = [c for c in ordered if c.kind == change_kind]
        if chosen:
            found.append(Section(kind, heading, tuple(
                (_new_value_line(c, infos, items) if change_kind == "new"
                 else change_words.line(infos.get(c.measure_id), c),
                 tuple(change_words.touched(infos.get(c.measure_id), c)))
                for c in chosen)))
    return found


def _new_value_line(change: ValueChange, infos: dict[str, MeasureInfo],
                    items: dict[str, MeasureFollowUp]) -> str:
    """A new value with its interval and statuses, in the words of the pages."""
    item = items.get(change.measure_id)
    row = next((r for r in item.rows if r.year == change.year and r.has_value), None) \
        if item else None
    if item is None or row is None:
        return change_words.line(infos.get(change.measure_id), change)
    return f"{change_words.label(change)}: {words.summary(item, row)}"


def compose(found: list[Section], municipality: str, news_url: str) -> Alert:
    """The e-mail of one person: subject, plain text and HTML (every text escaped)."""
    frozen = next((s for s in found if s.kind == "faststallt"), None)
    count = sum(len(s.lines) for s in found)
    if frozen:
        subject = (f"Målbild: {len(frozen.lines)} "
                   f"{'värde' if len(frozen.lines) == 1 else 'värden'} bakom det fastställda "
                   f"har ändrats ({municipality})")
    else:
        subject = f"Målbild: {count} {'ändring' if count == 1 else 'ändringar'} ({municipality})"
    intro = (f"Kolada eller en import har ändrat värden som Målbild följer upp för "
             f"{municipality}.")
    text = [intro, ""]
    for section in found:
        heading = section.heading.upper() if section.kind == "faststallt" else section.heading
        text += [heading, "-" * len(heading)]
        for entry, notes in section.lines:
            text.append(f"* {entry}")
            text += [f"  ! {note}." for note in notes]
        text.append("")
    text += [f"Allt som ändrats, med länkar till måtten: {news_url}", "",
             "Du får det här meddelandet för att du bevakar ändringar i Målbild. Du ändrar "
             "bevakningen på sidan Bevakning när du är inloggad."]
    html = [f"<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(subject)}</title></head><body style=\"font-family:sans-serif\">",
            f"<p>{escape(intro)}</p>"]
    for section in found:
        style = (' style="border:3px solid #a4001d;padding:0.5em 1em;margin-bottom:1em"'
                 if section.kind == "faststallt" else "")
        html.append(f"<section{style}><h2>{escape(section.heading)}</h2><ul>")
        for entry, notes in section.lines:
            note_html = "".join(f"<br><strong>⚠ {escape(note)}.</strong>" for note in notes)
            html.append(f"<li>{escape(entry)}{note_html}</li>")
        html.append("</ul></section>")
    html += [f'<p><a href="{escape(news_url, quote=True)}">Allt som ändrats, med länkar till '
             "måtten</a></p>",
             "<p><small>Du får det här meddelandet för att du bevakar ändringar i Målbild. Du "
             "ändrar bevakningen på sidan Bevakning när du är inloggad.</small></p>",
             "</body></html>"]
    return Alert(subject, "\n".join(text) + "\n", "\n".join(html) + "\n")


def news_url(settings: Settings) -> str:
    return (settings.public_url or LOCAL_ADDRESS).rstrip("/") + NEWS_PATH


def prepare_alerts(engine: Engine, settings: Settings, home: str) -> AlertRound:
    """Read the changes of `home`'s values after the last round and put one e-mail per person
    in the outbox."""
    result = AlertRound()

    def write(found: list[ValueChange],
              people: list[alerts.Subscriber]) -> list[alert_store.NewMessage]:
        result.changes = found
        return _messages(engine, settings, result, people)

    recorded = alert_store.alert_round(engine, home, write)
    result.changes, result.messages = recorded.changes, recorded.messages
    return result


def _messages(engine: Engine, settings: Settings, result: AlertRound,
              people: list[alerts.Subscriber]) -> list[alert_store.NewMessage]:
    strategy = build.strategy(engine, settings)
    touched = sorted({c.measure_id for c in result.changes})
    infos = {i.id: i for i in store.measures(engine)}
    items = {item.info.id: item for item in build.followups(
        engine, settings, [infos[m] for m in touched if m in infos], strategy)}
    url = news_url(settings)
    messages = []
    for person in people:
        if person.disabled:
            continue
        found = sections(result.changes, infos, items, person.kinds)
        if not found:
            continue
        if not person.email:
            result.without_address.append(person.username)
            continue
        alert = compose(found, strategy.municipality, url)
        messages.append(alert_store.NewMessage(person.user_id, person.email, alert.subject,
                                               alert.text, alert.html))
        result.recipients.append(person.username)
    return messages

