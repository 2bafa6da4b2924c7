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

from .base import Base


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


def _calendar_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package does not know yet
        return day.weekday() < 5


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


def set_override(session: Session, day: dt.date, is_workday: bool, note: str = "") -> WorkdayOverride:
    row = session.get(WorkdayOverride, day)
    if row is None:
        row = WorkdayOverride(day=day, is_workday=is_workday, note=note)
        session.add(row)
    else:
        row.is_workday, row.note = is_workday, note
    session.flush()
    return row
