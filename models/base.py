"""The declarative base every table shares, labelled enums and cleaning of typed text (time: models/clock.py)."""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Any, TypeAlias, TypeVar

from sqlalchemy import FromClause, MetaData, Select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session

from .errors import NotFound

T = TypeVar("T")

# A naming convention lets Alembic name (and later drop) constraints the same way on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# A select of any columns (a query handed to another function to page, filter or export).
AnySelect: TypeAlias = Select[*tuple[Any, ...]]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry a translatable label: ``staff = "staff", _l("Staff")``.

    The value is what is stored; the label is what a person reads, in their language.
    """

    _label: Any

    # ``label`` has a default only for the type checker: ``Role("admin")`` looks a member up by its value
    # (Enum's metaclass never calls __new__ for that); members are always defined with their label.
    def __new__(cls, value: str, label: Any = None) -> LabelledEnum:
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


def get_or_404(session: Session, entity: type[T], ident: object, message: Any = None, *, lock: bool = False) -> T:
    """The row of ``entity`` whose primary key is ``ident``, or NotFound (404) with ``message``. ``lock``: read
    afresh and locked for update (the operation that follows changes it)."""
    found = session.get(entity, ident, with_for_update=lock or None, populate_existing=lock)
    if found is None:
        raise NotFound(message) if message is not None else NotFound()
    return found


# Digits, point and signs as a Chinese input method types them in full width, read as their ASCII twins (and
# nothing else: NFKC would also read "①" and "¹²" as numbers).
_HALF_WIDTH = str.maketrans("０１２３４５６７８９．－＋　", "0123456789.-+ ")


def half_width(text: str) -> str:
    return text.translate(_HALF_WIDTH)


def whole_number(text: str) -> int | None:
    """A whole number as typed (spaces around it allowed, full-width digits read), else None: not "1_000",
    "1e3", "①" or more than twelve digits."""
    text = half_width(text).strip()
    return int(text) if re.fullmatch(r"[+-]?\d{1,12}", text, flags=re.ASCII) else None


INT_LIMIT = 2**31 - 1  # what an INTEGER column holds (PostgreSQL refuses more; SQLite would keep it silently)
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)  # days the product can count to and from


def within_columns(number: int) -> bool:
    return -INT_LIMIT <= number <= INT_LIMIT


def countable_day(day: dt.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def upsert_insert(session: Session, table: FromClause) -> Any:
    """An INSERT on ``table`` that can say ON CONFLICT (PostgreSQL's or SQLite's, by the session's database)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
