"""Times and days in the reader's language (the ``when`` and ``day`` template filters, and views' messages).

The conversion and the formats are models/clock.py's; this only adds who is reading.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import get_locale

from models import clock


def language() -> str:
    return str(get_locale() or "")


def when(at: dt.datetime | None) -> str:
    """A stored UTC timestamp as the plant's time, in the reader's format."""
    return clock.time_text(at, language())


def day(value: dt.date | dt.datetime | None) -> str:
    """A calendar day (or a stored timestamp's plant day), in the reader's format."""
    return clock.date_text(value, language())
