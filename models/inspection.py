"""The county's half-yearly check (seed 000 四: 每半年抽查运行情况): how the scheme ran in one half year, in one
document the inspector takes away.

It gathers what the office otherwise copies by hand from five screens:

- **participation by department**: the people on the roster, who earned points, who reported a hazard by name
  (anonymous reports are nobody's and are counted apart);
- **reviews**: approvals and rejections in the half year on time (by the due day of their round, in working
  days; an objection starts a new round) or late, and the claims still waiting past their due day at its end;
  objections raised in notice. A hazard's reward claim, approved by its verification, is not a review;
- **redemptions and stock**: redemptions, points redeemed, goods handed out at value, goods bought, what is on
  the shelf now;
- **hazards**: reported, verified, closed, overdue (statistics.figures, as on the forms);
- **points outstanding** at the half year's end, in yuan, and the **budget** used by what was bought;
- **who ran the scheme**: the organisation on record in the half year;
- **the ledger's chain head** at the half year's end (the last entry written before it, as LC-<seq>-<hash>):
  ``mart ledger verify --checkpoint`` later proves the ledger still holds that entry unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import distinct, exists, func, select
from sqlalchemy.orm import Session

from . import clock, money, organisation, statistics
from .claims import Claim, ClaimAction, ClaimEvent, ClaimSource, ClaimStatus
from .errors import InvalidInput
from .hazards import Hazard, HazardSource
from .i18n import lazy_gettext as _l
from .ledger import EntryKind, LedgerEntry
from .people import Department, Employee
from .store import Goods


@dataclass(frozen=True)
class Half:
    year: int
    second: bool  # July to December

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, 7 if self.second else 1, 1)

    @property
    def last(self) -> dt.date:
        return dt.date(self.year, 12, 31) if self.second else dt.date(self.year, 6, 30)

    @property
    def key(self) -> str:
        return f"{self.year}-H{2 if self.second else 1}"

    @property
    def words(self) -> str:
        return f"{self.year}年{'下' if self.second else '上'}半年"


def parse_half(text: str, today: dt.date | None = None) -> Half:
    """``2026-H2`` (or ``2026-h1``); empty: the half year that ended last (the one an inspector asks about), or
    this one in its last month. One that has not begun is refused."""
    today = today or clock.today()
    text = (text or "").strip().upper()
    if not text:
        if today.month in (6, 12):
            return Half(today.year, today.month == 12)
        return Half(today.year, False) if today.month > 6 else Half(today.year - 1, True)
    match = re.fullmatch(r"(\d{4})-H([12])", text, flags=re.ASCII)
    if match is None or not 2000 <= int(match.group(1)) <= 2100:
        raise InvalidInput(_l("A half year is written like 2026-H1 or 2026-H2."))
    half = Half(int(match.group(1)), match.group(2) == "2")
    if half.first > today:
        raise InvalidInput(_l("That half year has not begun."))
    return half


@dataclass
class DepartmentRow:
    name: str
    people: int = 0  # on the roster at the end (working)
    earned: int = 0  # of everyone, who had an award in the half year
    reported: int = 0  # who reported a hazard by name

    @property
    def share(self) -> float:
        return round(100 * self.earned / self.people, 1) if self.people else 0.0


@dataclass
class Check:
    half: Half
    last: dt.date  # the last day counted (today, for the running half year)
    departments: list[DepartmentRow] = field(default_factory=list)
    anonymous_reports: int = 0
    reviewed_on_time: int = 0
    reviewed_late: int = 0
    waiting_late: int = 0  # pending past their due day at the end
    objections: int = 0
    figures: statistics.Figures | None = None
    bought_fen: int = 0
    handed_out_fen: int = 0
    uncosted_pieces: int = 0
    budget_yuan: int = 0
    year_bought_fen: int = 0  # the year to the half year's end, against the year's budget
    code_outstanding_points: int = 0  # still on anonymous reporters' claim codes at the end
    goods_on_offer: int = 0
    goods_low: int = 0
    stock_value_fen: int = 0
    members: list[organisation.OrgMember] = field(default_factory=list)
    chain_head: str = ""

    @property
    def people(self) -> int:
        return sum(d.people for d in self.departments)

    @property
    def earned(self) -> int:
        return sum(d.earned for d in self.departments)

    @property
    def reported(self) -> int:
        return sum(d.reported for d in self.departments)

    @property
    def on_time_rate(self) -> float:
        done = self.reviewed_on_time + self.reviewed_late
        return round(100 * self.reviewed_on_time / done, 1) if done else 0.0

    @property
    def budget_used(self) -> float | None:
        return round(self.year_bought_fen / self.budget_yuan, 1) if self.budget_yuan else None


def half_year_check(session: Session, half: Half, today: dt.date | None = None) -> Check:
    today = today or clock.today()
    last = min(half.last, today)
    found = Check(half, last)
    start, end = clock.day_start(half.first), clock.day_start(last + dt.timedelta(days=1))
    _participation(session, found, start, end)
    _reviews(session, found, start, end)
    found.figures = statistics.figures(session, half.first, last)
    year = money.year_of_money(session, half.year, today)
    in_half = [m for m in year.months if half.first <= m.last <= half.last]
    found.bought_fen = sum(m.bought_fen for m in in_half)
    found.handed_out_fen = sum(m.handed_out_fen for m in in_half)
    found.uncosted_pieces = sum(m.uncosted_pieces for m in in_half)
    found.code_outstanding_points = in_half[-1].code_outstanding_points if in_half else 0
    found.year_bought_fen = sum(m.bought_fen for m in year.months if m.last <= half.last)
    found.budget_yuan = year.budget_yuan
    found.stock_value_fen = year.stock_value_fen
    offered = select(Goods).where(Goods.active.is_(True))
    found.goods_on_offer = int(session.scalar(select(func.count()).select_from(offered.subquery())) or 0)
    found.goods_low = int(
        session.scalar(select(func.count()).select_from(offered.where(Goods.stock <= Goods.low_stock).subquery())) or 0
    )
    found.members = organisation.held_between(session, half.first, last)
    head = session.execute(
        select(LedgerEntry.seq, LedgerEntry.hash)
        .where(LedgerEntry.created_at < end)
        .order_by(LedgerEntry.seq.desc())
        .limit(1)
    ).first()
    found.chain_head = f"LC-{head.seq}-{head.hash[:20]}" if head else "LC-0"
    return found


def _participation(session: Session, found: Check, start: dt.datetime, end: dt.datetime) -> None:
    rows = {d_id: DepartmentRow(name) for d_id, name in session.execute(select(Department.id, Department.name))}
    # Everyone counts over the same people: those on the roster at the half year's end (who left before it is
    # not "on the roster", nor among who earned or reported).
    working = (Employee.created_at < end) & ((Employee.active.is_(True)) | (Employee.left_at >= end))
    for d_id, n in session.execute(
        select(Employee.department_id, func.count()).where(working).group_by(Employee.department_id)
    ):
        rows[d_id].people = int(n)
    for d_id, n in session.execute(
        select(Employee.department_id, func.count(distinct(LedgerEntry.employee_id)))
        .join(Employee, Employee.id == LedgerEntry.employee_id)
        .where(
            working,
            LedgerEntry.kind == EntryKind.award,
            LedgerEntry.created_at >= start,
            LedgerEntry.created_at < end,
            ~exists().where(  # an award found false by the end is left out of what was earned, so is its earner
                LedgerEntry.ref_type == "claim",
                Claim.id == LedgerEntry.ref_id,
                Claim.status == ClaimStatus.fraudulent,
                Claim.fraud_at < end,
            ),
        )
        .group_by(Employee.department_id)
    ):
        rows[d_id].earned = int(n)
    for d_id, n in session.execute(
        select(Employee.department_id, func.count(distinct(Hazard.reporter_id)))
        .join(Employee, Employee.id == Hazard.reporter_id)
        .where(working, Hazard.reported_at >= start, Hazard.reported_at < end)
        .group_by(Employee.department_id)
    ):
        rows[d_id].reported = int(n)
    found.anonymous_reports = int(
        session.scalar(
            select(func.count()).where(
                Hazard.reporter_id.is_(None),
                Hazard.source == HazardSource.report,
                Hazard.reported_at >= start,
                Hazard.reported_at < end,
            )
        )
        or 0
    )
    found.departments = sorted((r for r in rows.values() if r.people or r.earned or r.reported), key=lambda r: r.name)


# The steps that start a round of review (it waits) and those that end it (someone decided).
WAITS = (ClaimAction.submitted, ClaimAction.objected)
DECIDED = (ClaimAction.approved, ClaimAction.rejected)


def _reviews(session: Session, found: Check, start: dt.datetime, end: dt.datetime) -> None:
    """Every review (an approval or a rejection) in the half year against the due day of its own round (an
    objection starts a new round with a new due day); the claims whose round was still waiting at the end, past
    its due day. A hazard's reward claim is approved by its verification, not by a review: left out."""
    rows = session.execute(
        select(ClaimEvent.claim_id, ClaimEvent.action, ClaimEvent.at, ClaimEvent.due_on, Claim.due_on)
        .join(Claim, Claim.id == ClaimEvent.claim_id)
        .where(
            ClaimEvent.at < end,
            ClaimEvent.action.in_((*WAITS, *DECIDED)),
            Claim.source != ClaimSource.system,
            Claim.id.in_(select(ClaimEvent.claim_id).where(ClaimEvent.at >= start, ClaimEvent.at < end))
            | (Claim.status == ClaimStatus.pending)
            | (Claim.reviewed_at >= start),
        )
        .order_by(ClaimEvent.claim_id, ClaimEvent.id)
    )
    last_round: dict[int, tuple[ClaimAction, dt.date]] = {}
    for claim_id, action, at, step_due, claim_due in rows:
        due = step_due or claim_due  # a step written before due days were kept: the claim's own
        if action in DECIDED and at >= start:
            if clock.local_day(at) <= due:
                found.reviewed_on_time += 1
            else:
                found.reviewed_late += 1
        last_round[claim_id] = (action, due)
    found.waiting_late = sum(1 for action, due in last_round.values() if action in WAITS and due < found.last)
    found.objections = int(
        session.scalar(
            select(func.count()).where(
                ClaimEvent.action == ClaimAction.objected, ClaimEvent.at >= start, ClaimEvent.at < end
            )
        )
        or 0
    )
