"""Working days in China: official holidays and make-up working days.

The chinese-calendar package knows each year once the State Council has published it (each December
for the next year). Dates it does not know, or where the enterprise works differently, come from an
override table the admin can edit; beyond both, Monday to Friday are working days.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from sqlalchemy import Boolean, Date, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import clock
from .base import Base, clean_text, countable_day
from .errors import InvalidInput, NotFound
from .i18n import lazy_gettext as _l


class WorkdayOverride(Base):
    __tablename__ = "workday_override"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100), default="")


def _overrides(session: Session, start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    rows = session.execute(
        select(WorkdayOverride.day, WorkdayOverride.is_workday).where(WorkdayOverride.day.between(start, end))
    )
    return {day: flag for day, flag in rows}


# The public holidays on fixed dates (元旦, 劳动节, 国庆): days off whatever the State Council's calendar for the
# year adds around them, so a notice does not lapse over them while that calendar is not in yet.
FIXED_HOLIDAYS = ((1, 1), (5, 1), (10, 1), (10, 2), (10, 3))


def knows_year(year: int) -> bool:
    """Whether the chinese-calendar package has the State Council's calendar for ``year``."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _calendar_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package does not know yet
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def calendar_missing(session: Session, today: dt.date) -> int | None:
    """The year whose official calendar must be entered by hand, or None: from 1 December, next year when the
    package does not know it and no day of it is entered yet (the State Council publishes it late in the year)."""
    year = today.year + 1
    if today.month < 12 or knows_year(year):
        return None
    entered = session.scalar(
        select(WorkdayOverride.day).where(WorkdayOverride.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    )
    return None if entered is not None else year


def is_workday(session: Session, day: dt.date) -> bool:
    override = _overrides(session, day, day).get(day)
    return _calendar_workday(day) if override is None else override


def add_working_days(session: Session, start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count).

    A claim submitted on a Friday before National Day with 3 working days to review is due on the
    third working day after the holiday, make-up Saturdays counted.
    """
    # Look the overrides up once: the longest Chinese holiday is 8 days, so 3x the span is plenty.
    horizon = start + dt.timedelta(days=days * 3 + 30)
    overrides = _overrides(session, start, horizon)
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        flag = overrides.get(day)
        if flag is None:
            flag = _calendar_workday(day)
        if flag:
            left -= 1
    return day


def add_days(session: Session, start: dt.date, days: int, *, working: bool) -> dt.date:
    """``days`` working days after ``start``, or calendar days when ``working`` is false."""
    return add_working_days(session, start, days) if working else start + dt.timedelta(days=days)


def set_override(session: Session, day: dt.date, is_workday: bool, note: str = "") -> WorkdayOverride:
    row = session.get(WorkdayOverride, day)
    if row is None:
        row = WorkdayOverride(day=day, is_workday=is_workday, note=note)
        session.add(row)
    else:
        row.is_workday, row.note = is_workday, note
    session.flush()
    return row


_KINDS = {"休": False, "rest": False, "off": False, "班": True, "work": True}


def _span(text: str) -> tuple[dt.date, dt.date] | None:
    """ "2027-10-01" or "2027-10-01..2027-10-07" as its first and last day; None if it is neither (or a range
    longer than a month)."""
    first_text, _, last_text = text.partition("..")
    try:
        first = dt.date.fromisoformat(first_text)
        last = dt.date.fromisoformat(last_text) if last_text else first
    except ValueError:
        return None
    if not (countable_day(first) and countable_day(last)):  # the product's years, as the one-day form
        return None
    return (first, last) if first <= last and (last - first).days < 31 else None


def parse_year_list(text: str, today: dt.date | None = None) -> list[tuple[dt.date, bool, str]]:
    """A year's list as an administrator types or pastes it, one day or range a line: "2027-01-01 休 元旦",
    "2027-02-06..2027-02-12 休 春节", "2027-02-14 班 春节调休" (休/rest: a day off, 班/work: a working day).

    Every line is checked before anything is kept: a line that is not understood is refused, with its number;
    so is a list of more than one year (one paste is one year's notice), and a day already past (the due days
    and notices counted over it stay as they were counted).
    """
    today = today or clock.today()
    year: int | None = None
    days: dict[dt.date, tuple[bool, str]] = {}
    lines = text.splitlines()
    if len(lines) > 400:
        raise InvalidInput(_l("At most %(n)s lines at once."), n=400)
    for number, line in enumerate(lines, start=1):
        words = line.split(None, 2)
        if not words:
            continue
        span = _span(words[0])
        kind = _KINDS.get(words[1].lower()) if len(words) > 1 else None
        if span is None or kind is None:
            raise InvalidInput(
                _l(
                    "Line %(n)s is not understood: write a date or a range, then 休 or 班, "
                    "e.g. 2027-10-01..2027-10-07 休 国庆."
                ),
                n=number,
            )
        first, last = span
        if year is None:
            year = first.year
        if first.year != year or last.year != year:
            message = _l("Line %(n)s is not in %(year)s: paste one year's list at a time.")
            raise InvalidInput(message, n=number, year=year)
        if first < today:
            raise InvalidInput(
                _l("Line %(n)s: %(day)s is past; a day gone by is not changed."), n=number, day=first.isoformat()
            )
        note = clean_text(words[2] if len(words) > 2 else "", 100)
        day = first
        while day <= last:
            days[day] = (kind, note)
            day += dt.timedelta(days=1)
    if not days:
        raise InvalidInput(_l("Enter at least one day."))
    return [(day, kind, note) for day, (kind, note) in sorted(days.items())]


def ensure_ahead(day: dt.date, today: dt.date | None = None) -> dt.date:
    """A day whose kind may still change: today or later. Due days and notices were counted over the days gone
    by; changing one would move them after the fact."""
    if day < (today or clock.today()):
        raise InvalidInput(_l("%(day)s is past; a day gone by is not changed."), day=day.isoformat())
    return day


def remove_override(session: Session, day: dt.date) -> WorkdayOverride:
    """Take an override away (typed by mistake): the day is as the calendar package and the weekends say. Only
    for a day still to come (``ensure_ahead``)."""
    ensure_ahead(day)
    row = session.get(WorkdayOverride, day)
    if row is None:
        raise NotFound(_l("No override on %(day)s."), day=day.isoformat())
    session.delete(row)
    session.flush()
    return row


def set_year_list(session: Session, text: str) -> int:
    """Keep every day of a year's list (see ``parse_year_list``); returns how many days were kept."""
    entries = parse_year_list(text)
    for day, kind, note in entries:
        set_override(session, day, kind, note)
    return len(entries)
