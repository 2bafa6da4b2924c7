"""Read-only figures for the dashboard and the notice board."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from . import hazards, printing, store
from .base import local_today, utcnow
from .claims import Claim, ClaimStatus
from .hazards import Hazard, Status
from .ledger import EntryKind, LedgerEntry
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
    reports_to_verify: int
    hazards_overdue: int


def todays_work(session: Session, today: dt.date | None = None) -> TodaysWork:
    today = today or local_today()
    by_status = dict(session.execute(select(Claim.status, func.count()).group_by(Claim.status)).all())
    overdue = session.scalar(select(func.count()).where(Claim.status == ClaimStatus.pending, Claim.due_on < today))
    due = session.scalar(
        select(func.count()).where(Claim.status == ClaimStatus.approved, Claim.notice_until <= utcnow())
    )
    sums = dict(
        session.execute(
            select(LedgerEntry.kind, func.sum(LedgerEntry.amount))
            .where(LedgerEntry.year == today.year)
            .group_by(LedgerEntry.kind)
        ).all()
    )
    return TodaysWork(
        to_review=by_status.get(ClaimStatus.pending, 0),
        overdue=overdue or 0,
        in_notice=by_status.get(ClaimStatus.approved, 0),
        due_to_credit=due or 0,
        credited_this_year=int(sums.get(EntryKind.award) or 0),
        redeemed_this_year=-int(sums.get(EntryKind.redemption) or 0),
        low_stock=len(store.low_stock(session)),
        print_trouble=len(printing.troubled(session)),
        reports_to_verify=session.scalar(select(func.count()).where(Hazard.status == Status.received.value)) or 0,
        hazards_overdue=len(hazards.overdue(session, today)),
    )


@dataclass(frozen=True)
class RankRow:
    name: str
    detail: str
    points: int


def ranking(session: Session, since: dt.date, limit: int = 10) -> list[RankRow]:
    """Top earners by points awarded since ``since`` (deductions do not lower a ranking of earning)."""
    start = dt.datetime.combine(since, dt.time())
    rows = session.execute(
        select(Employee.name, Department.name, func.sum(LedgerEntry.amount).label("points"))
        .join(Employee, LedgerEntry.employee_id == Employee.id)
        .join(Department, Employee.department_id == Department.id)
        .where(LedgerEntry.kind == EntryKind.award, LedgerEntry.created_at >= start)
        .group_by(Employee.id, Employee.name, Department.name)
        .order_by(func.sum(LedgerEntry.amount).desc(), Employee.name)
        .limit(limit)
    ).all()
    return [RankRow(name, dept, int(points)) for name, dept, points in rows]


def department_ranking(session: Session, since: dt.date) -> list[RankRow]:
    """Departments by points awarded per head since ``since``."""
    start = dt.datetime.combine(since, dt.time())
    heads = dict(
        session.execute(
            select(Employee.department_id, func.count())
            .where(Employee.active.is_(True))
            .group_by(Employee.department_id)
        ).all()
    )
    rows = session.execute(
        select(Department.id, Department.name, func.sum(LedgerEntry.amount))
        .join(Employee, LedgerEntry.employee_id == Employee.id)
        .join(Department, Employee.department_id == Department.id)
        .where(LedgerEntry.kind == EntryKind.award, LedgerEntry.created_at >= start)
        .group_by(Department.id, Department.name)
    ).all()
    ranked = [
        RankRow(name, str(heads.get(dept_id, 0)), int(total) // max(1, heads.get(dept_id, 0)))
        for dept_id, name, total in rows
    ]
    return sorted(ranked, key=lambda r: -r.points)


def recent_entries(session: Session, kinds: tuple[EntryKind, ...], limit: int = 15) -> list[LedgerEntry]:
    return list(
        session.scalars(
            select(LedgerEntry)
            .options(joinedload(LedgerEntry.employee))
            .where(LedgerEntry.kind.in_(kinds))
            .order_by(LedgerEntry.seq.desc())
            .limit(limit)
        )
    )
