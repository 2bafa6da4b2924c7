"""Form pieces shared by the kiosk and the back office."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from models.base import INT_LIMIT, countable_day, whole_number
from models.errors import InvalidInput
from models.i18n import lazy_gettext as _l


class ReasonForm(FlaskForm):
    """A reason, as a rejection, an objection or a false-claim finding needs."""

    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")), Length(max=500)])


def whole(value: object, message: Any) -> int:
    """A whole number as typed (spaces around it allowed), or a clear InvalidInput with ``message``: the one way
    views read numbers from a form or a query string besides WTForms."""
    number = whole_number(str(value if value is not None else ""))
    if number is None or abs(number) > INT_LIMIT:
        raise InvalidInput(message)
    return number


def clip(value: str | None, limit: int = 20) -> str:
    """A number or a date as typed, kept to ``limit`` characters for the form shown again; one typed longer is
    marked cut ("…"), so that it is refused, not read as its first characters."""
    text = value or ""
    return text if len(text) <= limit else text[:limit] + "…"


def row_id(value: object) -> int:
    """A row's id from a form or a query string (``request.args.get("x", type=row_id)``): a whole number an
    INTEGER column can hold, else ValueError (which Werkzeug's ``type=`` reads as "not given")."""
    number = int(str(value).strip())
    if not 0 <= number <= INT_LIMIT:
        raise ValueError(f"{number} is not a row id")
    return number


def whole_or_none(value: object, message: Any) -> int | None:
    """Like ``whole``, but nothing typed is None."""
    return None if value in (None, "") else whole(value, message)


def year(value: str | None, default: int, latest: int) -> int:
    """A year as typed in a query (``?year=2026``): four digits from 2000 to ``latest``; nothing typed is
    ``default``; anything else is refused in words."""
    text = (value or "").strip()
    if not text:
        return default
    if not re.fullmatch(r"\d{4}", text, flags=re.ASCII) or not 2000 <= int(text) <= latest:
        raise InvalidInput(_l("A year is written like 2026, and is not one to come."))
    return int(text)


def day(value: str | None, message: Any) -> dt.date | None:
    """A date as YYYY-MM-DD, nothing typed is None; anything else (or a year past 2999) is refused."""
    text = (value or "").strip()
    if text and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, flags=re.ASCII):  # as a date field sends it
        raise InvalidInput(message)
    try:
        found = dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidInput(message) from None
    if found is not None and not countable_day(found):
        raise InvalidInput(message)
    return found


def form_error(form: FlaskForm) -> InvalidInput:
    """The first validation error of ``form`` as a domain error: shown with a 400, nothing changed."""
    for field in form:
        if field.errors:
            return InvalidInput(_l("%(field)s: %(error)s"), field=field.label.text, error=field.errors[0])
    return InvalidInput()


def uploaded_photos(field: str = "photos", limit: int = 5) -> list[bytes]:
    """The files posted under ``field`` (at most ``limit``; more than a view allows is refused there), read
    and closed: a large upload is spooled to a temporary file, which must not wait for the collector."""
    from flask import request

    photos: list[bytes] = []
    for upload in request.files.getlist(field):
        try:
            if upload.filename and len(photos) < limit:
                photos.append(upload.read())
        finally:
            upload.close()
    return photos


def typed_twice(field: str, mismatch: object) -> str:
    """A secret typed twice (a new PIN, a new password): the form's ``field``, if ``field``_again matches it."""
    from flask import request

    value = request.form.get(field, "")
    if value != request.form.get(f"{field}_again", ""):
        raise InvalidInput(mismatch)
    return value
