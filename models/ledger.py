"""The points ledger: append-only, hash-chained, and the only writer of an employee's balance.

Every movement of points is one ``LedgerEntry``: award, deduction, redemption, refund, expiry or
adjustment. Entries are never updated or deleted; a mistake is put right by a compensating entry.
Each entry carries the SHA-256 of the entry before it (in one chain over the whole ledger, ordered by
``seq``) hashed into its own, and ``ledger_head`` holds the chain's last position and hash, so an
auditor's ``mart ledger verify`` finds any row changed, deleted or inserted behind the application's back.

Concurrency: an operation locks the employee row (``SELECT ... FOR UPDATE`` on PostgreSQL) before it
reads the balance, then the chain head, always in that order, so two kiosks or a kiosk and a reviewer
cannot both spend the same points, and writers never deadlock. On SQLite every transaction is a write
transaction (``BEGIN IMMEDIATE``, see app/extensions.py), which serialises writers the same way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import queue
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    column,
    delete,
    func,
    insert,
    select,
    table,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from . import clock, memos
from .base import AnySelect, Base, LabelledEnum, countable_day, upsert_insert, within_columns
from .clock import utcnow
from .errors import InsufficientPoints, InvalidInput, YearlyCapReached
from .i18n import lazy_gettext as _l
from .people import Employee, EmployeeNumberChange, employee_number
from .settings import get_setting, yearly_cap

GENESIS_HASH = "0" * 64


class EntryKind(LabelledEnum):
    award = "award", _l("Award")
    deduction = "deduction", _l("Deduction")
    redemption = "redemption", _l("Redemption")
    refund = "refund", _l("Refund")
    expiry = "expiry", _l("Year-end expiry")
    adjustment = "adjustment", _l("Adjustment")


class LedgerEntry(Base):
    __tablename__ = "ledger_entry"
    __table_args__ = (
        Index("ix_ledger_entry_employee_seq", "employee_id", "seq"),
        Index("ix_ledger_entry_employee_year_kind", "employee_id", "year", "kind"),
        Index("ix_ledger_entry_ref", "ref_type", "ref_id"),
        # Covering indexes for the figures over a whole year (dashboard, statistics, board rankings): the
        # database sums from the index alone instead of visiting a million rows.
        Index("ix_ledger_entry_year_kind", "year", "kind", "amount"),
        Index("ix_ledger_entry_kind_created", "kind", "created_at", "employee_id", "amount"),
        CheckConstraint("balance_after >= 0", name="balance_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)  # position in the chain, 1, 2, 3 ...
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    year: Mapped[int] = mapped_column(Integer)  # the calendar year the entry counts in
    kind: Mapped[EntryKind] = mapped_column(Enum(EntryKind, native_enum=False, length=16))
    amount: Mapped[int] = mapped_column(Integer)  # signed
    balance_after: Mapped[int] = mapped_column(Integer)
    ref_type: Mapped[str | None] = mapped_column(String(32))  # "claim", "redemption", "year" ...
    ref_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))  # "staff:wang", "kiosk:2", "system" ...
    memo: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The employee's department when the entry was written (0: none), for the figures by department. Not in the
    # hash: it is a copy of the roster for the day tally, which ``mart ledger tally`` rebuilds from it.
    department_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    employee: Mapped[Employee] = relationship()


class LedgerHead(Base):
    """One row: where the chain ends. Locked by every writer; checked by verify."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
    # HMAC of (seq, last_hash) under the ledger key, which the database does not hold (instance/ledger_key):
    # whoever rewrites the chain and its head in the database alone cannot seal the new head.
    seal: Mapped[str | None] = mapped_column(String(64))


class LedgerTally(Base):
    """The ledger summed by the plant's day, kind and department, kept by ``post_entry`` in the same transaction
    as the entry: the statistics, the dashboard and the board read a year from a few thousand rows instead of
    millions of entries. ``entries`` counts entries (a deduction of nothing, recorded, counts too); ``points``
    sums their amounts. The department is the employee's when the entry was written."""

    __tablename__ = "ledger_tally"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    points: Mapped[int] = mapped_column(BigInteger, default=0)


def _tally(session: Session, day: dt.date, kind: str, department_id: int, amount: int) -> None:
    table = LedgerTally.__table__
    added = upsert_insert(session, table).values(
        day=day, kind=kind, department_id=department_id, entries=1, points=amount
    )
    session.execute(
        added.on_conflict_do_update(
            index_elements=["day", "kind", "department_id"],
            set_={"entries": table.c.entries + 1, "points": table.c.points + amount},
        )
    )


Tally = dict[tuple[dt.date, str, int], tuple[int, int]]  # (the plant's day, kind, department) -> (entries, points)


def sum_by_day(rows: Iterable[Any]) -> Tally:
    """Entries as (created_at, kind, department_id, amount) summed into the day tally's rows: (the plant's day,
    kind, department) -> (entries, points). Also what the migrations fill the tally with."""
    totals: dict[tuple[dt.date, str, int], list[int]] = {}
    days: dict[dt.datetime, dt.date] = {}  # a zone's offset is a whole number of quarter hours
    for at, kind, department_id, amount in rows:
        quarter = at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)
        day = days.get(quarter)
        if day is None:
            day = days[quarter] = clock.local_day(quarter)
        total = totals.setdefault((day, str(kind), department_id or 0), [0, 0])
        total[0] += 1
        total[1] += amount
    return {key: (n, points) for key, (n, points) in totals.items()}


def tally_rows(totals: Tally) -> list[dict[str, Any]]:
    return [
        {"day": day, "kind": kind, "department_id": dept, "entries": n, "points": points}
        for (day, kind, dept), (n, points) in totals.items()
    ]


def _expected_tally(session: Session) -> Tally:
    """The day tally as the ledger itself gives it."""
    return sum_by_day(
        session.execute(
            select(
                LedgerEntry.created_at, LedgerEntry.kind, LedgerEntry.department_id, LedgerEntry.amount
            ).execution_options(yield_per=20_000)
        )
    )


def _stored_tally(session: Session) -> Tally:
    rows = session.execute(
        select(LedgerTally.day, LedgerTally.kind, LedgerTally.department_id, LedgerTally.entries, LedgerTally.points)
    )
    return {(day, kind, dept): (int(n), int(points)) for day, kind, dept, n, points in rows}


def tally_misfits(session: Session, limit: int = 20) -> list[str]:
    """Where the day tally does not fit the ledger, day by day (empty: it fits). Reads every entry."""
    expected, stored = _expected_tally(session), _stored_tally(session)
    misfits = []
    for key in sorted(expected.keys() | stored.keys()):
        want, have = expected.get(key, (0, 0)), stored.get(key, (0, 0))
        if want != have:
            day, kind, dept = key
            misfits.append(
                f"{day} {kind} department {dept}: the ledger has {want[0]} entries of {want[1]} points, "
                f"the tally {have[0]} of {have[1]}"
            )
            if len(misfits) >= limit:
                break
    return misfits


def tally_total_misfit(session: Session) -> str | None:
    """A quick check for ``verify``: the tally sums to the ledger kind by kind, department by department, over
    all time (the database does the sums; ``tally_misfits`` checks each day)."""
    stored = {
        (str(kind), int(dept)): (int(n or 0), int(points or 0))
        for kind, dept, n, points in session.execute(
            select(
                LedgerTally.kind, LedgerTally.department_id, func.sum(LedgerTally.entries), func.sum(LedgerTally.points)
            ).group_by(LedgerTally.kind, LedgerTally.department_id)
        )
    }
    ledger = {
        (str(kind), int(dept or 0)): (int(n or 0), int(points or 0))
        for kind, dept, n, points in session.execute(
            select(LedgerEntry.kind, LedgerEntry.department_id, func.count(), func.sum(LedgerEntry.amount)).group_by(
                LedgerEntry.kind, LedgerEntry.department_id
            )
        )
    }
    for key in sorted(ledger.keys() | stored.keys()):
        want, have = ledger.get(key, (0, 0)), stored.get(key, (0, 0))
        if want != have:
            kind, dept = key
            return (
                f"the day tally of the figures holds {have[0]} {kind} entries of {have[1]} points for department "
                f"{dept}, the ledger {want[0]} of {want[1]}: `mart ledger tally --rebuild` sums it afresh"
            )
    return None


def rebuild_tally(session: Session) -> int:
    """Sum the whole ledger into ``ledger_tally`` afresh (after a bulk load, or when ``tally_misfits`` finds a
    misfit), each entry under the department it was written with; returns the tally's rows."""
    totals = _expected_tally(session)
    session.execute(delete(LedgerTally))
    if totals:
        session.execute(insert(LedgerTally), tally_rows(totals))
    session.flush()
    return len(totals)


class YearClose(Base):
    """A year that has been closed, and how: the marker that makes ``close_year`` idempotent."""

    __tablename__ = "year_close"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    people: Mapped[int] = mapped_column(Integer, default=0)
    points: Mapped[int] = mapped_column(Integer, default=0)


def entry_hash(
    seq: int,
    employee_id: int,
    year: int,
    kind: str,
    amount: int,
    balance_after: int,
    ref_type: str | None,
    ref_id: int | None,
    actor: str,
    memo: str,
    created: str,
    prev_hash: str,
) -> str:
    """The SHA-256 of one entry's fields and the previous entry's hash. ``created`` is ``stamp(created_at)``.

    Written as one f-string because ``mart ledger verify`` calls it for every entry of the ledger.
    """
    text = (
        f"{seq}\x1f{employee_id}\x1f{year}\x1f{kind}\x1f{amount}\x1f{balance_after}\x1f{ref_type or ''}\x1f"
        f"{'' if ref_id is None else ref_id}\x1f{actor}\x1f{memo}\x1f{created}\x1f{prev_hash}"
    )
    return hashlib.sha256(text.encode()).hexdigest()


def stamp(at: dt.datetime) -> str:
    """A timestamp as hashed: to the second (entries are written without fractions of a second)."""
    return at.isoformat(sep=" ", timespec="seconds")


# The hash joins fields with the ASCII unit separator (0x1F); a memo, the only free text, cannot hold it.
def _clean_memo(memo: str) -> str:
    return "".join(ch for ch in memo if ch.isprintable())[:200]


# --------------------------------------------------------------------------- locking and posting


LOCKED = "mart.tx.locked_employees"  # session.info: employees this transaction holds locked (models/unit.py)


def locked(session: Session, employee: Employee) -> None:
    """Record that ``employee`` was just loaded locked for update (with a fresh balance) in this transaction."""
    session.info.setdefault(LOCKED, set()).add(employee.id)


def lock_employee(session: Session, employee_id: int) -> Employee:
    """Load the employee row locked for this transaction, with a fresh balance (no second statement when this
    transaction has locked it already)."""
    if employee_id in session.info.get(LOCKED, ()):
        held = session.get(Employee, employee_id)
        if held is not None:
            return held
    employee = session.scalars(
        select(Employee).where(Employee.id == employee_id).with_for_update().execution_options(populate_existing=True)
    ).one_or_none()
    if employee is None:
        raise InvalidInput(_l("No such employee."))
    locked(session, employee)
    return employee


def _lock_head(session: Session) -> LedgerHead:
    head = session.scalars(
        select(LedgerHead).where(LedgerHead.id == 1).with_for_update().execution_options(populate_existing=True)
    ).one_or_none()
    if head is None:
        head = LedgerHead(id=1, seq=0, last_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    return head


_ledger_key: list[bytes] = []


def use_key(key: bytes) -> None:
    """The key the chain's head is sealed with (app/config.instance_secret("ledger_key"), set in create_app)."""
    _ledger_key[:] = [key]


def seal_of(seq: int, last_hash: str) -> str:
    if not _ledger_key:
        raise RuntimeError("ledger.use_key() was not called")
    return hmac.new(_ledger_key[0], f"ledger-head:{seq}:{last_hash}".encode(), hashlib.sha256).hexdigest()


CHECKPOINT = re.compile(r"LC-(\d{1,12})-([0-9a-f]{20,64})")


def checkpoint(session: Session) -> str:
    """Where the chain stands now, short enough to print and copy by hand: LC-<seq>-<first 20 of its hash>.
    Printed on the board's sheet and written beside every backup; ``mart ledger verify --checkpoint`` checks
    that the ledger still holds that entry with that hash, which no rewrite in the database alone can keep."""
    head = session.get(LedgerHead, 1)
    seq, last = (head.seq, head.last_hash) if head is not None else (0, GENESIS_HASH)
    return f"LC-{seq}-{last[:20]}"


def post_entry(
    session: Session,
    employee: Employee,
    amount: int,
    kind: EntryKind,
    *,
    actor: str,
    ref: tuple[str, int] | None = None,
    memo: str = "",
    at: dt.datetime | None = None,
) -> LedgerEntry:
    """Append one entry. ``employee`` must have been locked with ``lock_employee`` in this transaction.

    Refuses a zero amount (except a deduction from an empty balance, kept on record) and anything that would
    take the balance below zero.
    """
    if not isinstance(amount, int) or isinstance(amount, bool) or (amount == 0 and kind is not EntryKind.deduction):
        raise InvalidInput(_l("An amount is a whole number other than zero."))
    new_balance = employee.balance + amount
    if new_balance < 0:
        raise InsufficientPoints(
            _l("Not enough points: %(balance)s available, %(needed)s needed."),
            balance=employee.balance,
            needed=-amount,
        )
    at = (at or utcnow()).replace(microsecond=0)
    head = _lock_head(session)
    seq = head.seq + 1
    memo = _clean_memo(memo)
    ref_type, ref_id = ref if ref else (None, None)
    year = clock.local_year(at)
    digest = entry_hash(
        seq, employee.id, year, kind, amount, new_balance, ref_type, ref_id, actor, memo, stamp(at), head.last_hash
    )
    entry = LedgerEntry(
        seq=seq,
        employee_id=employee.id,
        year=year,
        kind=kind,
        amount=amount,
        balance_after=new_balance,
        ref_type=ref_type,
        ref_id=ref_id,
        actor=actor,
        memo=memo,
        created_at=at,
        prev_hash=head.last_hash,
        hash=digest,
        department_id=employee.department_id or 0,
    )
    session.add(entry)
    head.seq, head.last_hash, head.seal = seq, digest, seal_of(seq, digest)
    employee.balance = new_balance
    session.flush()
    _tally(session, clock.local_day(at), kind.value, entry.department_id, amount)
    return entry


# --------------------------------------------------------------------------- operations


@dataclass(frozen=True)
class AwardResult:
    requested: int
    credited: int
    entry: LedgerEntry | None

    @property
    def trimmed(self) -> int:
        return self.requested - self.credited


# The claims table as the ledger needs it (models/claims.py imports this module, not the other way round).
_claim = table(
    "claim",
    column("employee_id", Integer),
    column("status", String),
    column("credited_points", Integer),
    column("credited_at", DateTime),
)


def false_credited_query(start: dt.datetime, end: dt.datetime, employee_id: int | None = None) -> Select[int]:
    """Points of claims found false after they were credited between ``start`` and ``end``: their award stays in
    the chain (taken back by a later entry as far as the balance allowed), and every figure of what was earned
    leaves them out (seed 000, 三(三)2: false points count nowhere)."""
    query = select(func.coalesce(func.sum(_claim.c.credited_points), 0)).where(
        _claim.c.status == "fraudulent", _claim.c.credited_at >= start, _claim.c.credited_at < end
    )
    return query if employee_id is None else query.where(_claim.c.employee_id == employee_id)


def credited_in_year_query(employee_id: int, year: int) -> Select[int]:
    """Points credited by awards in ``year``, less those of claims found false: what the yearly cap counts (a
    query, to ask with others)."""
    start, end = clock.year(year)
    awarded = select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.employee_id == employee_id,
        LedgerEntry.year == year,
        LedgerEntry.kind == EntryKind.award,
    )
    false = false_credited_query(start, end, employee_id)
    return select(awarded.scalar_subquery() - false.scalar_subquery())


def credited_in_year(session: Session, employee_id: int, year: int) -> int:
    """Points credited by awards in ``year``: what the yearly cap counts."""
    return int(session.scalar(credited_in_year_query(employee_id, year)) or 0)


def award(
    session: Session,
    employee_id: int,
    points: int,
    *,
    actor: str,
    ref: tuple[str, int] | None = None,
    memo: str = "",
    at: dt.datetime | None = None,
) -> AwardResult:
    """Credit ``points``, held to the yearly cap.

    Over the cap, the setting ``cap_mode`` decides: ``trim`` credits what is left (the result says how
    much was cut), ``refuse`` credits nothing. Either way nothing is dropped silently: a refused or fully
    trimmed award raises ``YearlyCapReached`` with a message for the employee and the reviewer.
    """
    _positive(points)
    employee = lock_employee(session, employee_id)
    employee.ensure_active()
    at = at or utcnow()
    cap = yearly_cap(session, employee.kind.value)
    year = clock.local_year(at)
    left = max(0, cap - credited_in_year(session, employee.id, year))
    if points > left:
        if get_setting(session, "cap_mode") == "refuse" or left == 0:
            raise YearlyCapReached(
                _l("Yearly cap of %(cap)s points: %(left)s left this year, %(points)s asked. Nothing was credited."),
                cap=cap,
                left=left,
                points=points,
            )
        entry = post_entry(
            session,
            employee,
            left,
            EntryKind.award,
            actor=actor,
            ref=ref,
            at=at,
            memo=memos.capped(memo, points, left),
        )
        return AwardResult(points, left, entry)
    entry = post_entry(session, employee, points, EntryKind.award, actor=actor, ref=ref, memo=memo, at=at)
    return AwardResult(points, points, entry)


def deduct(
    session: Session,
    employee_id: int,
    points: int,
    *,
    actor: str,
    ref: tuple[str, int] | None = None,
    memo: str = "",
    at: dt.datetime | None = None,
    kind: EntryKind = EntryKind.deduction,
) -> int:
    """Take ``points`` away (a violation; with ``kind`` adjustment, points taken back); never below zero.
    Returns what was actually taken. A violation is always on record: from an empty balance it is an entry of
    0 whose memo says what was due."""
    _positive(points)
    employee = lock_employee(session, employee_id)
    taken = min(points, employee.balance)
    if taken == 0 and kind is not EntryKind.deduction:
        return 0
    if taken < points:
        memo = memos.short(memo, points, taken)
    post_entry(session, employee, -taken, kind, actor=actor, ref=ref, memo=memo, at=at)
    return taken


def spend(
    session: Session,
    employee_id: int,
    points: int,
    *,
    actor: str,
    ref: tuple[str, int],
    memo: str = "",
    kind: EntryKind = EntryKind.redemption,
) -> LedgerEntry:
    """Take ``points`` for goods; refuses with the fresh balance when there are not enough."""
    _positive(points)
    employee = lock_employee(session, employee_id)
    employee.ensure_active()
    return post_entry(session, employee, -points, kind, actor=actor, ref=ref, memo=memo)


def refund(
    session: Session,
    employee_id: int,
    points: int,
    *,
    actor: str,
    ref: tuple[str, int],
    memo: str,
) -> LedgerEntry:
    """Give points back by a compensating entry (a cancelled redemption)."""
    _positive(points)
    employee = lock_employee(session, employee_id)
    return post_entry(session, employee, points, EntryKind.refund, actor=actor, ref=ref, memo=memo)


def adjust(session: Session, employee_id: int, amount: int, *, actor: str, memo: str) -> LedgerEntry:
    """A correction by an administrator, with a reason; it does not count towards the yearly cap."""
    if not memo.strip():
        raise InvalidInput(_l("Say why the balance is adjusted."))
    employee = lock_employee(session, employee_id)
    return post_entry(session, employee, amount, EntryKind.adjustment, actor=actor, memo=memo)


def _positive(points: object) -> None:
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise InvalidInput(_l("Points are a whole number above zero."))


def history(session: Session, employee_id: int, limit: int = 20) -> list[LedgerEntry]:
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.employee_id == employee_id)
            .order_by(LedgerEntry.seq.desc())
            .limit(limit)
        )
    )


# --------------------------------------------------------------------------- year end


@dataclass(frozen=True)
class YearCloseResult:
    year: int
    mode: str
    already_closed: bool
    people: int
    points: int


def close_year(session: Session, year: int, *, actor: str, today: dt.date | None = None) -> YearCloseResult:
    """Close ``year`` by the ``year_end`` setting: expire unspent points, or carry them over.

    Expiry takes, for each person, what was unspent at 31 December less what they spent since (points
    spent in January come out of last year's balance first), as one entry. A year closed once is not
    closed again: the second run reports what the first did and changes nothing.
    """
    today = today or clock.today()
    if not isinstance(year, int) or not 2000 <= year <= 2999:
        raise InvalidInput(_l("%(year)s is not a year."), year=year)
    if year >= today.year:
        raise InvalidInput(_l("Year %(year)s is not over yet."), year=year)
    _lock_head(session)  # one close at a time, and no ledger writes while it runs
    done = session.get(YearClose, year)
    if done is not None:
        return YearCloseResult(year, done.mode, True, done.people, done.points)
    mode = get_setting(session, "year_end")
    # Carried over, but only up to the carry_limit setting (0: all of it): what is above it expires.
    kept = get_setting(session, "carry_limit") if mode == "carry" else 0
    people = points = 0
    if mode == "expire" or kept > 0:
        memo = memos.year_end(year) if mode == "expire" else memos.carry_cut(year, kept)
        for employee_id, end_balance, spent_since in _unspent_at_year_end(session, year):
            employee = lock_employee(session, employee_id)
            expire = min(employee.balance, end_balance - spent_since - kept)
            if expire > 0:
                post_entry(session, employee, -expire, EntryKind.expiry, actor=actor, ref=("year", year), memo=memo)
                people += 1
                points += expire
    session.add(YearClose(year=year, mode=mode, actor=actor, people=people, points=points))
    session.flush()
    return YearCloseResult(year, mode, False, people, points)


@dataclass(frozen=True)
class YearEndPreview:
    """Who would lose how much if ``year`` were closed now (for a year not over yet: if it ended today)."""

    year: int
    mode: str
    kept: int  # what each person carries at most (0: all, or nothing when points expire)
    rows: list[tuple[Employee, int]]
    closed: YearClose | None

    @property
    def points(self) -> int:
        return sum(amount for _employee, amount in self.rows)


def year_end_preview(session: Session, year: int) -> YearEndPreview:
    """What ``close_year`` would take from each person, largest first, without taking it."""
    mode = get_setting(session, "year_end")
    kept = get_setting(session, "carry_limit") if mode == "carry" else 0
    rows: list[tuple[Employee, int]] = []
    if mode == "expire" or kept > 0:
        found = {emp: end - spent - kept for emp, end, spent in _unspent_at_year_end(session, year)}
        people = session.scalars(select(Employee).where(Employee.id.in_([e for e, n in found.items() if n > 0])))
        rows = [(e, min(e.balance, found[e.id])) for e in people if min(e.balance, found[e.id]) > 0]
    rows.sort(key=lambda row: (-row[1], row[0].number))
    return YearEndPreview(year, mode, kept, rows, session.get(YearClose, year))


def year_end_warning(session: Session, today: dt.date | None = None) -> str | None:
    """The notice on the board and the kiosk in the last ``year_end_notice_days`` days of the year, when unspent
    points will expire (all, or what is above the carry limit); None otherwise."""
    today = today or clock.today()
    left = (dt.date(today.year, 12, 31) - today).days
    notice_days = get_setting(session, "year_end_notice_days")
    if not notice_days or left >= notice_days:
        return None
    mode, kept = get_setting(session, "year_end"), get_setting(session, "carry_limit")
    last = clock.date_text(dt.date(today.year, 12, 31))
    if mode == "expire":
        return str(_l("Points not spent by %(day)s expire at the year's end (days left: %(n)s).", day=last, n=left + 1))
    if kept:
        return str(
            _l(
                "Each person carries at most %(kept)s points into next year; what is above it expires after %(day)s "
                "(days left: %(n)s).",
                kept=kept,
                day=last,
                n=left + 1,
            )
        )
    return None


def year_end_at_stake(session: Session, employee: Employee) -> int:
    """How many of an employee's points this year's end would take, as their balance stands today."""
    mode, kept = get_setting(session, "year_end"), get_setting(session, "carry_limit")
    if mode == "carry" and not kept:
        return 0
    return max(0, employee.balance - (kept if mode == "carry" else 0))


def _unspent_at_year_end(session: Session, year: int) -> Iterable[tuple[int, int, int]]:
    """(employee, balance at the end of ``year``, points taken out in later years) for everyone whose
    balance at the end of ``year`` was above zero."""
    last_seq = (
        select(LedgerEntry.employee_id, func.max(LedgerEntry.seq).label("seq"))
        .where(LedgerEntry.year <= year)
        .group_by(LedgerEntry.employee_id)
        .subquery()
    )
    end_balances = session.execute(
        select(LedgerEntry.employee_id, LedgerEntry.balance_after)
        .join(last_seq, LedgerEntry.seq == last_seq.c.seq)
        .where(LedgerEntry.balance_after > 0)
        .order_by(LedgerEntry.employee_id)
    ).all()
    spent = dict(
        session.execute(
            select(LedgerEntry.employee_id, -func.sum(LedgerEntry.amount))
            .where(LedgerEntry.year > year, LedgerEntry.amount < 0)
            .group_by(LedgerEntry.employee_id)
        ).all()
    )
    return [(emp, bal, int(spent.get(emp, 0) or 0)) for emp, bal in end_balances]


# --------------------------------------------------------------------------- verification


def _raw_entries(session: Session, batch: int) -> Iterator[tuple[Any, ...]]:
    """Every entry in chain order, as the database holds it, straight from the driver.

    Verification reads a million rows, so it skips the ORM and SQLAlchemy's type processing: kinds come as
    the stored text (whatever the enum says) and timestamps as text, 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
    On PostgreSQL a named (server-side) cursor streams the rows instead of loading them all.
    """
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    created = "created_at::text" if postgres else "created_at"
    sql = (
        "SELECT seq, employee_id, year, kind, amount, balance_after, ref_type, ref_id, actor, memo, "
        f"{created}, prev_hash, hash FROM ledger_entry ORDER BY seq"
    )
    raw = connection.connection.dbapi_connection
    cursor = raw.cursor(name="ledger_verify") if postgres else raw.cursor()  # type: ignore[union-attr]
    if not postgres:  # SQLite builds rows holding the GIL: a reader thread would only contend for it
        try:
            cursor.execute(sql)
            while rows := cursor.fetchmany(batch):
                yield from rows
        finally:
            cursor.close()
        return
    # On PostgreSQL a second thread fetches the next batch while this one hashes: psycopg waits for the
    # server without holding the GIL, so reading and hashing overlap. Only that thread touches the cursor.
    batches: queue.Queue[list[tuple[Any, ...]] | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def fetch() -> None:
        try:
            cursor.execute(sql)
            while not stop.is_set() and (rows := cursor.fetchmany(batch)):
                batches.put(list(rows))
            batches.put(None)
        except BaseException as err:  # handed to the reader, which raises it
            batches.put(err)

    reader = threading.Thread(target=fetch, name="ledger-verify-fetch", daemon=True)
    reader.start()
    try:
        while (rows := batches.get()) is not None:
            if isinstance(rows, BaseException):
                raise rows
            yield from rows
    finally:  # also when the walk stops early at a bad entry
        stop.set()
        while reader.is_alive():
            with contextlib.suppress(queue.Empty):
                batches.get(timeout=0.1)
        cursor.close()


@dataclass
class VerifyReport:
    entries: int = 0
    employees: int = 0
    head_hash: str = GENESIS_HASH
    problem: str | None = None
    first_bad_seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_ledger(
    session: Session, batch: int = 20_000, checkpoints: Sequence[str] = (), *, require_seal: bool = True
) -> VerifyReport:
    """Walk the whole chain in order and check every hash, the order, each running balance, the chain
    head and its seal, every cached balance, and each checkpoint given (LC-<seq>-<hash>, from a board
    sheet or a backup). Stops at the first thing that does not fit and names it."""
    report = VerifyReport()
    prev_hash, expected_seq = GENESIS_HASH, 1
    running: dict[int, int] = {}
    wanted: dict[int, tuple[str, str]] = {}
    for given in checkpoints:
        match = CHECKPOINT.fullmatch(given.strip())
        if match is None:
            return VerifyReport(problem=f"{given!r} is not a checkpoint (LC-<entry>-<hash>)")
        wanted[int(match.group(1))] = (match.group(2), given.strip())

    def fail(seq: int | None, problem: str) -> VerifyReport:
        report.first_bad_seq, report.problem = seq, problem
        return report

    sha256 = hashlib.sha256
    for row in _raw_entries(session, batch):
        seq, emp, year, kind, amount, after, ref_type, ref_id, actor, memo, created, prev, digest = row
        if seq != expected_seq:
            return fail(seq, f"entry #{seq} follows #{expected_seq - 1}: entries are missing or inserted")
        if prev != prev_hash:
            return fail(seq, f"entry #{seq} does not point to the hash of entry #{seq - 1}")
        # entry_hash() inlined: this loop runs once per entry of the whole ledger. The tests check that
        # what post_entry() writes verifies, so the two cannot drift apart unnoticed.
        text = (
            f"{seq}\x1f{emp}\x1f{year}\x1f{kind}\x1f{amount}\x1f{after}\x1f{ref_type or ''}\x1f"
            f"{'' if ref_id is None else ref_id}\x1f{actor}\x1f{memo}\x1f{created[:19]}\x1f{prev}"
        )
        if sha256(text.encode()).hexdigest() != digest or created[19:] not in ("", ".000000"):
            return fail(seq, f"entry #{seq} was changed after it was written (hash mismatch)")
        balance = running.get(emp, 0) + amount
        if balance != after or balance < 0:
            return fail(seq, f"entry #{seq}: running balance {balance} does not match {after}")
        running[emp] = balance
        if seq in wanted and not digest.startswith(wanted[seq][0]):
            return fail(
                seq,
                f"entry #{seq} is not the one checkpoint {wanted[seq][1]} recorded (its hash is now {digest[:20]}): "
                f"the ledger was rewritten at or before entry #{seq} since that checkpoint",
            )
        prev_hash, expected_seq = digest, seq + 1
    report.entries = expected_seq - 1
    report.head_hash = prev_hash
    beyond = [n for n in wanted if n > report.entries]
    if beyond:
        return fail(
            report.entries + 1,
            f"the ledger ends at entry #{report.entries}, but checkpoint {wanted[max(beyond)][1]} recorded entry "
            f"#{max(beyond)}: entries were removed from the end since",
        )
    head = session.get(LedgerHead, 1)
    head_seq, head_hash = (head.seq, head.last_hash) if head else (0, GENESIS_HASH)
    if head_seq != report.entries or head_hash != prev_hash:
        return fail(
            min(head_seq, report.entries) + 1,
            f"the chain ends at entry #{report.entries} (hash {prev_hash[:20]}) but the head says #{head_seq} "
            f"(hash {head_hash[:20]}): entries were deleted from the end or inserted",
        )
    if require_seal and report.entries and (head is None or head.seal != seal_of(head_seq, head_hash)):
        return fail(
            None,
            f"the head (entry #{head_seq}, hash {head_hash[:20]}) is not sealed with this server's ledger key: the "
            "chain and its head were rewritten in the database, outside the product"
            + (" (no seal at all: `mart db upgrade` seals an old ledger)" if head and not head.seal else ""),
        )
    for emp, cached in session.execute(select(Employee.id, Employee.balance)):
        report.employees += 1
        if cached != running.get(emp, 0):
            return fail(
                None, f"employee id {emp}: cached balance {cached} is not the sum of entries {running.get(emp, 0)}"
            )
    if (misfit := tally_total_misfit(session)) is not None:
        return fail(None, misfit)
    return report


def seal_unsealed_head(session: Session) -> bool:
    """Seal a head written before heads were sealed, once the whole chain has verified (``mart db upgrade``)."""
    head = session.get(LedgerHead, 1)
    if head is None or head.seal or head.seq == 0:
        return False
    if not verify_ledger(session, require_seal=False).ok:
        return False  # a broken chain is not sealed over: `mart ledger verify` says what is wrong
    head.seal = seal_of(head.seq, head.last_hash)
    session.flush()
    return True


# --------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class LedgerFilter:
    """Which entries to list or export: an employee's number, a department, a kind, a period (dates)."""

    number: str = ""
    department_id: int | None = None
    kind: str = ""
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive

    def query(self, *, big_department: bool = False) -> AnySelect:
        """The filtered entries. ``big_department``: the department holds a large share of the people (see
        ``is_big_department``), so walking the ledger newest first finds a page at once."""
        from .people import Department

        query = (
            select(
                LedgerEntry.seq,
                LedgerEntry.created_at,
                Employee.number,
                Employee.name,
                Department.name.label("department"),
                LedgerEntry.kind,
                LedgerEntry.amount,
                LedgerEntry.balance_after,
                LedgerEntry.memo,
                LedgerEntry.actor,
            )
            .join(Employee, LedgerEntry.employee_id == Employee.id)
            .join(Department, Employee.department_id == Department.id)
        )
        if self.number:  # the number they have, or one they had before it was corrected
            wanted = employee_number(self.number)
            had = select(EmployeeNumberChange.employee_id).where(EmployeeNumberChange.old == wanted)
            query = query.where((Employee.number == wanted) | Employee.id.in_(had))
        if self.department_id and big_department:
            # A large department: walk the ledger newest first and stop at a page, rather than gather its
            # every entry employee by employee and sort them (``+ 0`` keeps the database off that path).
            members = select(Employee.id).where(Employee.department_id == self.department_id)
            query = query.where((LedgerEntry.employee_id + 0).in_(members))
        elif self.department_id:  # a small one: its people's entries, found through their own index
            query = query.where(Employee.department_id == self.department_id)
        if self.kind:
            query = query.where(LedgerEntry.kind == EntryKind(self.kind))
        start, end = clock.days(self.since, self.until)
        if start is not None:
            query = query.where(LedgerEntry.created_at >= start)
        if end is not None:
            query = query.where(LedgerEntry.created_at < end)
        return query


BIG_DEPARTMENT_SHARE = 0.05


def is_big_department(session: Session, department_id: int | None) -> bool:
    """Whether a department holds at least 5 % of the employees (which way its ledger page is read fastest)."""
    if not department_id:
        return False
    total = session.scalar(select(func.count()).select_from(Employee)) or 0
    members = session.scalar(select(func.count()).where(Employee.department_id == department_id)) or 0
    return members >= total * BIG_DEPARTMENT_SHARE


def parse_filter(args: Mapping[str, str]) -> LedgerFilter:
    """A filter from a query string; anything that does not parse is refused with a message."""
    try:
        department = int(args["department"]) if args.get("department") else None
        since = dt.date.fromisoformat(args["since"]) if args.get("since") else None
        until = dt.date.fromisoformat(args["until"]) if args.get("until") else None
    except (ValueError, TypeError):
        raise InvalidInput(_l("The filter is not valid: dates are YYYY-MM-DD.")) from None
    if (department is not None and not within_columns(department)) or not all(
        countable_day(d) for d in (since, until) if d is not None
    ):
        raise InvalidInput(_l("The filter is not valid: dates are YYYY-MM-DD."))
    kind = args.get("kind") or ""
    if kind and kind not in EntryKind.__members__:
        raise InvalidInput(_l("The filter is not valid: choose a kind of entry from the list."))
    return LedgerFilter((args.get("number") or "").strip()[:32], department, kind, since, until)
