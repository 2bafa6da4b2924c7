"""Times and days in the reader's language (the ``when`` and ``day`` template filters, and views' messages).

The conversion and the formats are models/clock.py's; this only adds who is reading.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import g, has_request_context
from flask_babel import get_locale

from app.extensions import db
from models import clock, memos, people


def language() -> str:
    return str(get_locale() or "")


def reader_language() -> str | None:
    """The reader's language in a request; None outside one (the CLI, the print worker: Chinese)."""
    return language() if has_request_context() else None


def when(at: dt.datetime | None) -> str:
    """A stored UTC timestamp as the plant's time, in the reader's format."""
    return clock.time_text(at, language())


_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?)?")


def logged(value: object) -> object:
    """A value the audit log kept: a stored time (UTC, ISO) is shown as the plant's, in the reader's format."""
    if isinstance(value, str) and _STAMP.fullmatch(value):
        stamp = dt.datetime.fromisoformat(value)
        return when(stamp) if "T" in value else day(stamp.date())
    return value


def day(value: dt.date | dt.datetime | None) -> str:
    """A calendar day (or a stored timestamp's plant day), in the reader's format."""
    return clock.date_text(value, language())


def who(actor: str | None) -> str:
    """Who did something, in words: the name behind "staff:wang", "employee:E00070" or "kiosk:3" (read once per
    request), "the system" for the product's own steps, "anonymous" for an anonymous reporter. The stored value
    is the record; a person reads the name."""
    if not actor:
        return ""
    names = g.setdefault("actor_names", {})
    if actor not in names:
        names[actor] = people.actor_name(db.session, actor)
    return names[actor]


def weekdays(days: str) -> str:
    """Stored opening days ("135") in the reader's words."""
    return clock.weekdays_text(str(days), language())


def memo(entry: object) -> str:
    """A ledger entry's memo in the reader's words (models/memos.py): the record stays as it was written."""
    return memos.in_words(entry.memo, entry.kind.value, language())  # type: ignore[attr-defined]


def signed(points: int) -> str:
    """Points with their sign, +20 or -5; a deduction of nothing (kept on record) reads 0."""
    return f"{points:+d}" if points else "0"
