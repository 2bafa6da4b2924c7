"""One unit of work: a request, a CLI command or a print job commits once, or changes nothing.

Operations in models/ flush and never commit. The boundary (app/extensions.py for a request, the ``mart``
commands, the print worker) calls :func:`finish` once: it commits when the work succeeded and rolls back
when it failed. The one exception is what must last although the work fails: a wrong PIN, claim code or
pairing code still counts. The operation that records such a try calls :func:`keep_so_far` right after
writing it, before anything else is written; a failing unit then rolls back to that point and commits the
try alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

AFTER = "mart.after"  # session.info: work outside the database to do once the unit has ended
# session.info keys named mart.tx.* belong to one database transaction and go when it ends.
KEPT = "mart.tx.kept"  # the savepoint after what lasts whatever happens next
WROTE = "mart.tx.wrote"  # this transaction has flushed changes
BULK = "mart.bulk"  # session.info: a build that stands or falls whole (the demo plant): nothing is kept apart


@event.listens_for(Session, "after_flush")
def _wrote(session: Session, _context: object) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the database transaction ended: nothing is written, kept or locked any more
        for key in [k for k in session.info if isinstance(k, str) and k.startswith("mart.tx.")]:
            del session.info[key]


def keep_so_far(session: Session) -> None:
    """Make what this transaction has written so far last even if the unit then fails.

    Only a record of a try may be kept, and it must be the first thing the unit writes: keeping anything
    else would commit half of a failed operation.
    """
    if session.info.get(BULK):
        return
    if session.info.get(WROTE) and KEPT not in session.info:
        raise RuntimeError("keep_so_far() after other changes: a failed unit would commit them")
    session.info[KEPT] = session.begin_nested()


def bulk(session: Session) -> None:
    """Mark ``session`` as one build that stands or falls whole (the demo plant): its tries are counted with
    the rest and kept only if the whole build commits."""
    session.info[BULK] = True


def after(session: Session, work: Callable[[], object], *, only_if_committed: bool = True) -> None:
    """Do ``work`` once the unit has ended: a file that must say what the database says is written only once
    the database has committed; a lock held for the unit is released whichever way it ended."""
    session.info.setdefault(AFTER, []).append((work, only_if_committed))


def finish(session: Session, *, ok: bool) -> None:
    """End the unit: commit it, or roll it back but for what it kept."""
    kept = session.info.pop(KEPT, None)
    waiting = session.info.pop(AFTER, [])
    committed = False
    try:
        if ok:
            session.commit()
            committed = True
        elif kept is None:
            session.rollback()
        else:
            if kept.is_active:
                kept.rollback()
            session.commit()
    finally:
        for work, only_if_committed in waiting:
            if committed or not only_if_committed:
                work()


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """``with unit_of_work(session):`` commits at the end, or rolls back if the block raises."""
    try:
        yield session
    except BaseException:
        finish(session, ok=False)
        raise
    finish(session, ok=True)
