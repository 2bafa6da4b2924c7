"""The declarative base every table shares, and small helpers for time."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# A naming convention lets Alembic name (and later drop) constraints the same way on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """Now, in UTC, without tzinfo and to the second: stored the same way on every database, so a
    timestamp read back hashes exactly as it was written."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def local_today() -> dt.date:
    """The plant's calendar day. The server is installed in the plant's time zone (Asia/Shanghai)."""
    return dt.datetime.now().date()


def plant_time(at: dt.datetime | None) -> dt.datetime | None:
    """A stored (naive UTC) timestamp as the plant's local time, naive, for exports people read."""
    return None if at is None else at.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


def utc_edge(day: dt.date) -> dt.datetime:
    """Midnight at the plant on ``day``, as the naive UTC timestamp the tables store."""
    return dt.datetime.combine(day, dt.time()).astimezone(dt.UTC).replace(tzinfo=None)


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry a translatable label: ``staff = "staff", _l("Staff")``.

    The value is what is stored; the label is what a person reads, in their language.
    """

    _label: Any

    def __new__(cls, value: str, label: Any) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        return str(self._label)


def clean_text(value: str, limit: int) -> str:
    """What a person typed, fit to keep: printable characters and line breaks only, trimmed, at most ``limit``."""
    return "".join(ch for ch in (value or "") if ch.isprintable() or ch == "\n").strip()[:limit]
