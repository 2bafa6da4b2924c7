"""Read-only figures for the dashboard and the notice board."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from . import clock, hazards, printing, statistics, store
from .claims import Claim, ClaimStatus
from .clock import utcnow
from .hazards import Hazard, HazardStatus
from .ledger import EntryKind, LedgerEntry, LedgerTally
from .people import Department, Employee


@dataclass(frozen=True)
class TodaysWork:
    to_review: int
    overdue: int
    in_notice: int
    due_to_credit: int
    credited_this_year: int
    redeemed_this_year: int
    low_stock: int
    print_trouble: int
    to_hand_out: int  # slips redeemed and not collected yet
    reports_to_verify: int
    hazards_overdue: int


def todays_work(session: Session, today: dt.date | None = None) -> TodaysWork:
    today = today or clock.today()
    by_status = dict(session.execute(select(Claim.status, func.count()).group_by(Claim.status)).all())
    overdue = session.scalar(select(func.count()).where(Claim.status == ClaimStatus.pending, Claim.due_on < today))
    due = session.scalar(
        select(func.count()).where(Claim.status == ClaimStatus.approved, Claim.notice_until <= utcnow())
    )
    sums = statistics.year_totals(session, today.year)
    return TodaysWork(
        to_review=by_status.get(ClaimStatus.pending, 0),
        overdue=overdue or 0,
        in_notice=by_status.get(ClaimStatus.approved, 0),
        due_to_credit=due or 0,
        credited_this_year=int(sums.get(EntryKind.award) or 0),
        redeemed_this_year=-int(sums.get(EntryKind.redemption) or 0),
        low_stock=len(store.low_stock(session)),
        print_trouble=len(printing.troubled(session)),
        to_hand_out=session.scalar(
            select(func.count()).where(store.Redemption.status == store.RedemptionStatus.confirmed)
        )
        or 0,
        reports_to_verify=session.scalar(select(func.count()).where(Hazard.status == HazardStatus.received)) or 0,
        hazards_overdue=len(hazards.overdue(session, today)),
    )


@dataclass(frozen=True)
class RankRow:
    name: str
    detail: str
    points: int  # what was kept: earned, less deductions
    earned: int = 0  # awards, claims found false left out


def _false_by_employee(session: Session, start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    """Points of claims credited between ``start`` and ``end`` and then found false, by employee: they count
    nowhere."""
    return {
        employee_id: int(points or 0)
        for employee_id, points in session.execute(
            select(Claim.employee_id, func.sum(Claim.credited_points))
            .where(
                Claim.status == ClaimStatus.fraudulent,
                Claim.credited_points > 0,
                Claim.credited_at >= start,
                Claim.credited_at < end,
            )
            .group_by(Claim.employee_id)
        )
    }


FAR = dt.datetime(9999, 1, 1)


def ranking(session: Session, since: dt.date, limit: int = 10, until: dt.date | None = None) -> list[RankRow]:
    """Top earners from ``since`` (up to ``until``, the day after the last; else to now) by what they kept
    (awards less deductions), with what they earned beside; points of claims found false count in neither."""
    start, end = clock.day_start(since), clock.day_start(until) if until else FAR
    earned = func.sum(case((LedgerEntry.kind == EntryKind.award, LedgerEntry.amount), else_=0))
    deducted = func.sum(case((LedgerEntry.kind == EntryKind.deduction, LedgerEntry.amount), else_=0))
    rows = session.execute(
        select(Employee.id, Employee.name, Department.name, earned, deducted)
        .join(Employee, LedgerEntry.employee_id == Employee.id)
        .join(Department, Employee.department_id == Department.id)
        .where(
            LedgerEntry.kind.in_((EntryKind.award, EntryKind.deduction)),
            LedgerEntry.created_at >= start,
            LedgerEntry.created_at < end,
        )
        .group_by(Employee.id, Employee.name, Department.name)
    ).all()
    false = _false_by_employee(session, start, end)
    ranked = []
    for employee_id, name, department, gross, taken in rows:
        gross = int(gross or 0) - false.get(employee_id, 0)
        if gross > 0:
            ranked.append(RankRow(name, department, gross + int(taken or 0), gross))
    ranked.sort(key=lambda r: (-r.points, -r.earned, r.name))
    return ranked[:limit]


def department_ranking(session: Session, since: dt.date) -> list[RankRow]:
    """Departments by points kept per head since ``since`` (from the ledger's day tally), earned beside."""
    heads = dict(
        session.execute(
            select(Employee.department_id, func.count())
            .where(Employee.active.is_(True))
            .group_by(Employee.department_id)
        ).all()
    )
    names = dict(session.execute(select(Department.id, Department.name)).all())
    totals: dict[int, list[int]] = {}
    for department_id, kind, points in session.execute(
        select(LedgerTally.department_id, LedgerTally.kind, func.sum(LedgerTally.points))
        .where(LedgerTally.day >= since, LedgerTally.kind.in_((EntryKind.award, EntryKind.deduction)))
        .group_by(LedgerTally.department_id, LedgerTally.kind)
    ):
        total = totals.setdefault(department_id, [0, 0])
        total[0 if kind == EntryKind.award else 1] += int(points or 0)
    start = clock.day_start(since)
    false = dict(  # under the department each false award was tallied in (its entry's), not today's
        session.execute(
            select(LedgerEntry.department_id, func.sum(LedgerEntry.amount))
            .join(Claim, LedgerEntry.ref_id == Claim.id)
            .where(
                LedgerEntry.ref_type == "claim",
                LedgerEntry.kind == EntryKind.award,
                Claim.status == ClaimStatus.fraudulent,
                Claim.credited_points > 0,
                Claim.credited_at >= start,
            )
            .group_by(LedgerEntry.department_id)
        ).all()
    )
    ranked = []
    for department_id, (gross, taken) in totals.items():
        if department_id not in names:
            continue
        head = max(1, heads.get(department_id, 0))
        gross -= int(false.get(department_id) or 0)
        ranked.append(
            RankRow(names[department_id], str(heads.get(department_id, 0)), (gross + taken) // head, gross // head)
        )
    return sorted(ranked, key=lambda r: (-r.points, r.name))


# Before claim codes became bearer vouchers, an anonymous report's reward was credited to whoever brought its
# code, with this memo: such entries never show in public (they would name the reporter).
OLD_ANONYMOUS_MEMO = "匿名举报隐患奖励"


def recent_entries(session: Session, kinds: tuple[EntryKind, ...], limit: int = 15) -> list[LedgerEntry]:
    return list(
        session.scalars(
            select(LedgerEntry)
            .options(joinedload(LedgerEntry.employee))
            .where(
                LedgerEntry.kind.in_(kinds),
                or_(LedgerEntry.memo.is_(None), LedgerEntry.memo != OLD_ANONYMOUS_MEMO),
            )
            .order_by(LedgerEntry.seq.desc())
            .limit(limit)
        )
    )


def mask_name(name: str) -> str:
    """A name as the public board shows it when names are masked: 张*三, 王*, A*****."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@dataclass(frozen=True)
class RedemptionRecord:
    name: str
    department: str
    goods: str
    points: int
    at: dt.datetime


def recent_redemptions(
    session: Session, *, masked: bool, limit: int = 15, window: tuple[dt.datetime, dt.datetime] | None = None
) -> list[RedemptionRecord]:
    """The latest redemptions that stand (not cancelled), for the public board (within ``window``: a past
    month's round). What a claim code paid for is never shown: its time on a public screen would point at
    whoever stood at the counter then."""
    start, end = window or (dt.datetime(2000, 1, 1), FAR)
    found = session.scalars(
        select(store.Redemption)
        .options(
            joinedload(store.Redemption.employee).joinedload(Employee.department),
            selectinload(store.Redemption.lines),
        )
        .where(
            store.Redemption.status.not_in(store.UNDONE),
            store.Redemption.employee_id.is_not(None),
            store.Redemption.created_at >= start,
            store.Redemption.created_at < end,
        )
        .order_by(store.Redemption.id.desc())
        .limit(limit)
    )
    return [
        RedemptionRecord(
            mask_name(r.employee.name) if masked else r.employee.name,
            r.employee.department.name,
            "、".join(f"{line.name}×{line.quantity}" for line in r.lines),
            r.points,
            r.created_at,
        )
        for r in found
        if r.employee is not None
    ]


def closed_hazards(session: Session, since: dt.date, limit: int = 30, until: dt.date | None = None) -> list[Hazard]:
    """Hazards closed (re-inspected and signed off) from ``since`` (to ``until``, the day after), newest first."""
    end = clock.day_start(until) if until else FAR
    return list(
        session.scalars(
            select(Hazard)
            .options(joinedload(Hazard.place))
            .where(
                Hazard.status == HazardStatus.closed,
                Hazard.closed_at >= clock.day_start(since),
                Hazard.closed_at < end,
            )
            .order_by(Hazard.closed_at.desc())
            .limit(limit)
        )
    )
