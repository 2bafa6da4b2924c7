"""Read-only figures for the dashboard and the notice board."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from . import clock, hazards, printing, store
from .claims import Claim, ClaimStatus
from .clock import utcnow
from .hazards import Hazard, HazardStatus
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
    today = today or clock.today()
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
        reports_to_verify=session.scalar(select(func.count()).where(Hazard.status == HazardStatus.received)) or 0,
        hazards_overdue=len(hazards.overdue(session, today)),
    )


@dataclass(frozen=True)
class RankRow:
    name: str
    detail: str
    points: int


def ranking(session: Session, since: dt.date, limit: int = 10) -> list[RankRow]:
    """Top earners by points awarded since ``since`` (deductions do not lower a ranking of earning)."""
    start = clock.day_start(since)
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
    start = clock.day_start(since)
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


def recent_redemptions(session: Session, *, masked: bool, limit: int = 15) -> list[RedemptionRecord]:
    """The latest redemptions that stand (not cancelled), for the public board. What a claim code paid for is
    never shown: its time on a public screen would point at whoever stood at the counter then."""
    found = session.scalars(
        select(store.Redemption)
        .options(
            joinedload(store.Redemption.employee).joinedload(Employee.department),
            selectinload(store.Redemption.lines),
        )
        .where(store.Redemption.status.not_in(store.UNDONE), store.Redemption.employee_id.is_not(None))
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


def closed_hazards(session: Session, since: dt.date, limit: int = 30) -> list[Hazard]:
    """Hazards closed (re-inspected and signed off) since ``since``, newest first."""
    return list(
        session.scalars(
            select(Hazard)
            .options(joinedload(Hazard.place))
            .where(Hazard.status == HazardStatus.closed, Hazard.closed_at >= clock.day_start(since))
            .order_by(Hazard.closed_at.desc())
            .limit(limit)
        )
    )
