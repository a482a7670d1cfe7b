"""Signed orders for background callbacks: who may ask is checked in the web request, and
the job (on a Celery worker or in a process of its own, with no request) trusts only what the
server signed there: the person, the year, the file's ticket.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

from dashboard.web import auth
from etl.errors import InputError
from etl.settings import Settings

SALT = "malbild-bakgrundsjobb"
MAX_AGE_SECONDS = 15 * 60  # an order is carried out at once; an old one is refused


def sign(settings: Settings, **fields) -> str:
    return URLSafeTimedSerializer(auth.secret_key(settings), salt=SALT).dumps(fields)


def read(settings: Settings, order: object) -> dict:
    """The order's fields if the server signed it lately; else an InputError in Swedish."""
    try:
        return URLSafeTimedSerializer(auth.secret_key(settings), salt=SALT).loads(
            str(order), max_age=MAX_AGE_SECONDS)
    except BadSignature:
        raise InputError("beställningen kom inte från Målbild eller är för gammal.",
                         hint="Ladda om sidan och försök igen.") from None
