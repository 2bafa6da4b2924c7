"""Tries at a secret (a PIN, a claim code, a pairing code), counted so that every worker sees them.

A try is counted *before* the secret is checked, in one statement (an upsert that returns the new count),
and the count is kept although the request then fails (models/unit.py). Forty wrong tries sent at once
count as forty, and only the first ``limit`` of them are checked at all: the rest are refused as locked.
A right answer clears the count. When the lock has run out, counting starts again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import DateTime, Integer, String, case, delete, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, upsert_insert
from .clock import utcnow
from .errors import DomainError
from .unit import keep_so_far

T = TypeVar("T")


class Tries(Base):
    __tablename__ = "tries"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)  # "pin", "claim_code", "pairing"
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)  # whose secret: an employee id, ...
    failures: Mapped[int] = mapped_column(Integer)  # tries since the last right one (the current one included)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


def _refused(session: Session, scope: str, subject: str, *, limit: int, lock_minutes: int) -> bool:
    """Count one try; whether it is refused unchecked. The try that reaches the limit starts the lock."""
    now = utcnow()
    lock_ends = now + dt.timedelta(minutes=lock_minutes)
    table = Tries.__table__
    lapsed = table.c.locked_until <= now  # NULL (not locked) is not lapsed
    insert = upsert_insert(session, table).values(scope=scope, subject=subject, failures=1, locked_until=None)
    upsert = insert.on_conflict_do_update(
        index_elements=[table.c.scope, table.c.subject],
        set_={
            "failures": case((lapsed, 1), else_=table.c.failures + 1),
            "locked_until": case(
                (lapsed, None),
                (table.c.locked_until.is_(None) & (table.c.failures + 1 >= limit), lock_ends),
                else_=table.c.locked_until,
            ),
        },
    ).returning(table.c.failures, table.c.locked_until)
    row = session.execute(upsert).one()
    failures, locked_until = int(row[0]), row[1]
    # Refused: past the limit, or locked; a lock runs its time even if the limit is raised meanwhile. The try
    # that reached the limit (and started the lock, in this same statement) is still checked.
    started_now = failures == limit and locked_until == lock_ends
    return failures > limit or (locked_until is not None and locked_until > now and not started_now)


def attempt(
    session: Session,
    scope: str,
    subject: object,
    check: Callable[[], T],
    *,
    limit: int,
    lock_minutes: int,
    locked: DomainError,
    clears: bool = True,
) -> T:
    """Count a try at ``subject``'s secret, then ``check`` it unless the tries are used up (raise ``locked``).

    Returns what ``check`` returned; a falsy answer is a wrong try and stays counted. A right one clears the
    count; with ``clears`` False it only takes itself off (a count of a place, not of one secret: one right
    answer of the guesser's own must not wipe their wrong ones). Must run before the unit writes anything
    else (the count is kept when the unit fails).
    """
    key = str(subject)[:64]
    if _refused(session, scope, key, limit=limit, lock_minutes=lock_minutes):
        keep_so_far(session)
        raise locked
    answer = check()
    if answer and clears:
        session.execute(delete(Tries).where(Tries.scope == scope, Tries.subject == key))
    elif answer:  # only this right try is taken off the count: the wrong ones before it stay
        session.execute(
            update(Tries)
            .where(Tries.scope == scope, Tries.subject == key, Tries.failures > 0)
            .values(failures=Tries.failures - 1)
        )
    keep_so_far(session)
    return answer


def is_locked(session: Session, scope: str, subject: object) -> bool:
    """Whether ``subject`` is locked now (one read; for counts taken only after a wrong answer)."""
    row = session.get(Tries, (scope, str(subject)[:64]))
    return row is not None and row.locked_until is not None and row.locked_until > utcnow()


def count_wrong(session: Session, scope: str, subject: object, *, limit: int, lock_minutes: int) -> None:
    """Count a wrong answer after the fact, kept although the unit fails (a check that costs nothing to make
    and is no secret's: a card scanned at a kiosk). The ``limit``-th starts the lock."""
    _refused(session, scope, str(subject)[:64], limit=limit, lock_minutes=lock_minutes)
    keep_so_far(session)


def clear(session: Session, scope: str, subject: object) -> None:
    """Forget the tries at ``subject``'s secret (a new PIN lifts a lock)."""
    session.execute(delete(Tries).where(Tries.scope == scope, Tries.subject == str(subject)[:64]))


def counted(session: Session, scope: str, subject: object) -> int:
    """How many tries are counted now (for the back office and tests)."""
    row = session.get(Tries, (scope, str(subject)[:64]))
    return row.failures if row is not None else 0
