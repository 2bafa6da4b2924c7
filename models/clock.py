"""The one clock: the plant's time zone, and every conversion between what is stored and what people read.

Tables store naive UTC timestamps, to the second. A day, month, quarter or year is the plant's, cut in the
plant's zone (``MART_TIMEZONE``, default Asia/Shanghai) and turned into a half-open UTC range before it
meets a query. Every time a person reads (screens, slips, exports, PDFs, the audit log) is shown in the
plant's zone, in one format per language. The server's own system zone is never read: a rented server
runs on UTC, the plant does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"

_zone = ZoneInfo(DEFAULT_ZONE)


def _nobody() -> str | None:
    return None


_reader: Callable[[], str | None] = _nobody  # the language of whoever reads (set by the app: app/l10n.py)


def read_in(language: Callable[[], str | None]) -> None:
    """Where the language of the reader comes from, for the times a message of the domain carries."""
    global _reader
    _reader = language


def set_zone(name: str) -> None:
    """Use ``name`` (an IANA zone such as ``Asia/Shanghai``) as the plant's zone; refuse one that is unknown."""
    global _zone
    try:
        _zone = ZoneInfo(str(name).strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"MART_TIMEZONE={name!r} is not a time zone (use a name such as Asia/Shanghai)") from None


def zone() -> ZoneInfo:
    return _zone


# --------------------------------------------------------------------------- now


def utcnow() -> dt.datetime:
    """Now, in UTC, without tzinfo and to the second: stored the same way on every database, so a
    timestamp read back hashes exactly as it was written."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def now() -> dt.datetime:
    """Now at the plant, as a naive local wall-clock time (for store hours and what a person reads)."""
    return to_local(utcnow())


def today() -> dt.date:
    """The plant's calendar day."""
    return now().date()


# --------------------------------------------------------------------------- stored <-> local


def to_local(at: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) timestamp as the plant's wall-clock time, naive."""
    return at.replace(tzinfo=dt.UTC).astimezone(_zone).replace(tzinfo=None)


def local_or_none(at: dt.datetime | None) -> dt.datetime | None:
    return None if at is None else to_local(at)


def to_utc(local: dt.datetime) -> dt.datetime:
    """A plant wall-clock time (naive) as the naive UTC timestamp the tables store."""
    return local.replace(tzinfo=_zone).astimezone(dt.UTC).replace(tzinfo=None)


def local_day(at: dt.datetime) -> dt.date:
    """The plant's calendar day of a stored timestamp."""
    return to_local(at).date()


def local_year(at: dt.datetime) -> int:
    """The plant's calendar year of a stored timestamp (the ledger's year, the slip number's year)."""
    return to_local(at).year


# --------------------------------------------------------------------------- edges


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the plant on ``day``, as the naive UTC timestamp the tables store."""
    return to_utc(dt.datetime.combine(day, dt.time()))


def days(first: dt.date | None, last: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The UTC range [start, end) of the plant's days ``first`` to ``last``, both included; None stays open."""
    start = day_start(first) if first is not None else None
    end = day_start(last + dt.timedelta(days=1)) if last is not None else None
    return start, end


def month_first(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def month(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC range [start, end) of the plant's month that holds ``day``."""
    return day_start(month_first(day)), day_start(next_month(day))


def quarter_first(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def year(number: int) -> tuple[dt.datetime, dt.datetime]:
    """The UTC range [start, end) of the plant's calendar year ``number``."""
    return day_start(dt.date(number, 1, 1)), day_start(dt.date(number + 1, 1, 1))


# --------------------------------------------------------------------------- what people read

# One date format and one date-and-time format per language, across screens, slips, exports and PDFs.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _english(language: str | None) -> bool:
    language = language if language is not None else _reader()
    return bool(language) and str(language).startswith("en")


def date_text(day: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """A calendar day as people read it: 2026-12-01 in Chinese, 1 Dec 2026 in English. A datetime is a
    stored UTC timestamp and is shown as the plant's day."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = local_day(day)
    if _english(language):
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return day.isoformat()


def time_text(at: dt.datetime | None, language: str | None = None) -> str:
    """A stored UTC timestamp as the plant's time: 2026-12-01 18:33 in Chinese, 1 Dec 2026 18:33 in English."""
    if at is None:
        return ""
    local = to_local(at)
    return f"{date_text(local.date(), language)} {local:%H:%M}"


def local_time_text(local: dt.datetime, language: str | None = None) -> str:
    """A plant wall-clock time (already local, naive) in the same format as ``time_text``."""
    return f"{date_text(local.date(), language)} {local:%H:%M}"


_WEEKDAYS = {False: "一二三四五六日", True: ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def weekdays_text(days: str, language: str | None = None) -> str:
    """ISO weekdays as stored ("135", "1234567") as people read them: 周一、周三、周五 / 每天; Mon, Wed, Fri."""
    english = _english(language)
    picked = sorted({int(d) for d in days if d in "1234567"})
    if len(picked) == 7:
        return "every day" if english else "每天"
    if picked and picked == list(range(picked[0], picked[-1] + 1)) and len(picked) >= 3:
        first, last = picked[0] - 1, picked[-1] - 1
        if english:
            return f"{_WEEKDAYS[True][first]}–{_WEEKDAYS[True][last]}"
        return f"周{_WEEKDAYS[False][first]}至周{_WEEKDAYS[False][last]}"
    if english:
        return ", ".join(_WEEKDAYS[True][d - 1] for d in picked)
    return "、".join(f"周{_WEEKDAYS[False][d - 1]}" for d in picked)
