"""Results for appraisal (seeds 001 and 004: 考核、评优、晋升): per person and per department, for any period.

For each person: points earned by kind (the rule category of the claim that paid them; awards that came from no
claim as "other"), deducted, kept (earned less deducted); hazards reported, verified as valid, of which major;
claims rejected and found false; redemptions; and a rank by points kept. Points of a claim found false count
nowhere, as on the board. Departments add their people up, ranked by points kept per head.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from . import clock
from .claims import Claim, ClaimStatus
from .hazards import Hazard, HazardGrade, HazardVerdict
from .ledger import EntryKind, LedgerEntry
from .people import Department, Employee
from .rules import Rule, RuleCategory
from .store import UNDONE, Redemption

OTHER = "other"


@dataclass
class PersonResult:
    employee: Employee
    earned_by: dict[str, int] = field(default_factory=dict)  # RuleCategory value (or "other") -> points
    deducted: int = 0  # a positive number: what the negative list took
    reported: int = 0
    verified: int = 0
    major: int = 0
    rejected: int = 0
    false: int = 0
    redemptions: int = 0
    redeemed_points: int = 0
    rank: int = 0

    @property
    def earned(self) -> int:
        return sum(self.earned_by.values())

    @property
    def kept(self) -> int:
        return self.earned - self.deducted


@dataclass
class DepartmentResult:
    name: str
    people: list[PersonResult]
    rank: int = 0

    def total(self, name: str) -> int:
        return sum(getattr(person, name) for person in self.people)

    @property
    def per_head(self) -> float:
        return round(self.total("kept") / len(self.people), 1) if self.people else 0.0


@dataclass(frozen=True)
class Results:
    first: dt.date
    last: dt.date
    people: list[PersonResult]
    departments: list[DepartmentResult]


def results(session: Session, first: dt.date, last: dt.date, department_id: int | None = None) -> Results:
    """The results from ``first`` to ``last`` (both days in), of everyone on the roster then (a leaver with
    entries in the period too), or of one department."""
    start, end = clock.day_start(first), clock.day_start(last + dt.timedelta(days=1))
    query = select(Employee).options(joinedload(Employee.department))
    if department_id is not None:
        query = query.where(Employee.department_id == department_id)
    found = {e.id: PersonResult(e) for e in session.scalars(query)}
    window = (LedgerEntry.created_at >= start, LedgerEntry.created_at < end)
    awarded = session.execute(
        select(LedgerEntry.employee_id, Rule.category, func.sum(LedgerEntry.amount))
        .outerjoin(Claim, (LedgerEntry.ref_type == "claim") & (LedgerEntry.ref_id == Claim.id))
        .outerjoin(Rule, Claim.rule_id == Rule.id)
        .where(LedgerEntry.kind == EntryKind.award, *window)
        .where((Claim.id.is_(None)) | (Claim.status != ClaimStatus.fraudulent))
        .group_by(LedgerEntry.employee_id, Rule.category)
    )
    for employee_id, category, points in awarded:
        if employee_id in found:
            key = category.value if isinstance(category, RuleCategory) else (category or OTHER)
            by = found[employee_id].earned_by
            by[key] = by.get(key, 0) + int(points or 0)
    for employee_id, points in session.execute(
        select(LedgerEntry.employee_id, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.kind == EntryKind.deduction, *window)
        .group_by(LedgerEntry.employee_id)
    ):
        if employee_id in found:
            found[employee_id].deducted = -int(points or 0)
    _hazards(session, found, start, end)
    _claims(session, found, start, end)
    for holder, count, points in session.execute(
        select(Redemption.employee_id, func.count(), func.sum(Redemption.points))
        .where(Redemption.created_at >= start, Redemption.created_at < end, Redemption.status.not_in(UNDONE))
        .group_by(Redemption.employee_id)
    ):
        if holder is not None and holder in found:  # a claim code's redemptions are nobody's
            found[holder].redemptions, found[holder].redeemed_points = int(count), int(points or 0)
    people = [p for p in found.values() if p.employee.active or _took_part(p)]
    people.sort(key=lambda p: (-p.kept, -p.earned, p.employee.number))
    _rank(people, lambda p: p.kept)
    by_department: dict[str, list[PersonResult]] = defaultdict(list)
    for person in people:
        by_department[person.employee.department.name].append(person)
    departments = [DepartmentResult(name, members) for name, members in by_department.items()]
    departments.sort(key=lambda d: (-d.per_head, d.name))
    _rank(departments, lambda d: d.per_head)
    return Results(first, last, people, departments)


def _took_part(person: PersonResult) -> bool:
    return bool(person.earned or person.deducted or person.reported or person.redemptions or person.false)


def _rank(rows: list, key) -> None:  # type: ignore[no-untyped-def, type-arg]
    """Competition ranking (1, 2, 2, 4): equal figures share a rank."""
    previous, rank = None, 0
    for index, row in enumerate(rows, start=1):
        value = key(row)
        if value != previous:
            rank, previous = index, value
        row.rank = rank


def _hazards(session: Session, found: dict[int, PersonResult], start: dt.datetime, end: dt.datetime) -> None:
    """Reports made in the period by a named reporter (anonymous ones are nobody's), and which proved valid."""
    for reporter_id, verdict, grade, count in session.execute(
        select(Hazard.reporter_id, Hazard.verdict, Hazard.grade, func.count())
        .where(Hazard.reporter_id.is_not(None), Hazard.reported_at >= start, Hazard.reported_at < end)
        .group_by(Hazard.reporter_id, Hazard.verdict, Hazard.grade)
    ):
        person = found.get(reporter_id) if reporter_id is not None else None
        if person is None:
            continue
        person.reported += count
        if verdict == HazardVerdict.valid:
            person.verified += count
            person.major += count if grade == HazardGrade.major else 0


def _claims(session: Session, found: dict[int, PersonResult], start: dt.datetime, end: dt.datetime) -> None:
    """Claims rejected in the period (by their review) and found false in it (by the day they were)."""
    for status, when, figure in (
        (ClaimStatus.rejected, Claim.reviewed_at, "rejected"),
        (ClaimStatus.fraudulent, Claim.fraud_at, "false"),
    ):
        counted = session.execute(
            select(Claim.employee_id, func.count())
            .where(Claim.status == status, when >= start, when < end)
            .group_by(Claim.employee_id)
        )
        for employee_id, count in counted:
            if employee_id in found:
                setattr(found[employee_id], figure, int(count))


def departments_of(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.name)))
