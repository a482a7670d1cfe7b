"""A contacts import (etl/contacts.py) told in Swedish, year by year: the admin page's preview
and the command line `malbild import contacts` say it in the same words.
"""

from __future__ import annotations

from pathlib import Path

from dashboard.present.formatting import count as fmt_count
from etl import contacts

YEAR_STATUS = {"new": "ny", "unchanged": "oförändrad", "replaced": "ersätter"}


def channel_counts(by_channel: dict[str, int]) -> str:
    """"e-post 45, telefon 40, brev 30" (the channels as the file names them)."""
    return ", ".join(f"{channel} {count}" for channel, count in by_channel.items())


def year_row(change: contacts.YearChange) -> dict:
    """One year of a contacts import, for the preview table."""
    return {"year": str(change.year), "status": YEAR_STATUS[change.status],
            "contacts": str(change.contacts), "channels": channel_counts(change.by_channel),
            "replaced": (f"{change.replaced_contacts} kontakter från {change.replaced_file}"
                         if change.replaced_file else "–")}


def contacts_summary(result: contacts.ContactImport) -> list[str]:
    """What an import of test contacts did (or would do), year by year, in Swedish."""
    name = Path(result.source).name
    years = ", ".join(str(y.year) for y in result.years)
    if not result.changed:
        lines = [f"{name}: inget att ändra; testkontakterna för {years} är redan inlästa "
                 f"({_contacts(result.counts.unchanged)}, oförändrade)."]
    else:
        saved = "skulle sparas" if result.dry_run else "sparades"
        replaced = "ersätts" if result.dry_run else "ersattes"
        lines = [f"{name}: {_contacts(result.counts.added, 'test')} {saved} för "
                 + ", ".join(str(y.year) for y in result.years if y.status != "unchanged")
                 + (f"; {_contacts(result.counts.removed, 'tidigare ')} {replaced}."
                    if result.counts.removed else ".")]
    for change in result.years:
        status = (f"ersätter {_contacts(change.replaced_contacts)} från {change.replaced_file}"
                  if change.replaced_file else YEAR_STATUS[change.status])
        lines.append(f"{change.year} ({status}): {_contacts(change.contacts)} – "
                     f"{channel_counts(change.by_channel)}.")
    return lines


def _contacts(count: int, prefix: str = "") -> str:
    """"1 kontakt", "3 testkontakter", "2 tidigare kontakter"."""
    return f"{fmt_count(count)} {prefix}kontakt{'' if count == 1 else 'er'}"
