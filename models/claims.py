"""Claims: the earning workflow of seed 000, section 三(一)2.

A claim asks for points under a rule of the catalogue. The safety department reviews it within
3 working days (a setting), approving a value inside the rule's range or rejecting it with a reason.
An approved claim stands in public notice for N days (a setting); anyone may object with a reason,
which sends it back to review. When the notice ends without objection, ``credit_due`` credits the
points to the ledger (or, for a rule of the negative list, deducts them), held to the yearly cap.

A claim found false is marked fraudulent (seed 000, 三(三)2): nothing is credited (what was already
credited is taken back), the employee may not redeem for the rest of that calendar month, and the case
is listed for the notice board.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    Date,
    DateTime,
    Enum,
    Exists,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    exists,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from . import clock, ledger, memos, people, workdays
from .base import Base, LabelledEnum, clean_text, get_or_404
from .clock import utcnow
from .errors import Forbidden, InactiveEmployee, InvalidInput, InvalidTransition, YearlyCapReached
from .i18n import Message
from .i18n import lazy_gettext as _l
from .people import Employee, Role, StaffUser
from .photos import Photo, photos_of, store_photos
from .rules import Rule, RuleKind
from .settings import get_setting
from .workdays import add_working_days


class ClaimAction(LabelledEnum):
    """The steps of a claim's history (its events)."""

    submitted = "submitted", _l("Submitted")
    approved = "approved", _l("Approved: in public notice")
    rejected = "rejected", _l("Rejected")
    objected = "objected", _l("Objected to: back to review")
    credited = "credited", _l("Credited")
    cap_refused = "cap_refused", _l("Not credited: over the yearly cap")
    fraud = "fraud", _l("Found false")


class ClaimStatus(LabelledEnum):
    pending = "pending", _l("Waiting for review")  # waiting for review (again, after an objection)
    approved = "approved", _l("In public notice")  # in public notice
    credited = "credited", _l("Credited")
    rejected = "rejected", _l("Rejected")
    fraudulent = "fraudulent", _l("False claim")
    cap_refused = (
        "cap_refused",
        _l("Over the yearly cap"),
    )  # approved, but nothing could be credited under the yearly cap


MAX_PHOTOS = 4


class ClaimSource(LabelledEnum):
    employee = "employee", _l("The employee")  # on their phone or at the kiosk
    supervisor = "supervisor", _l("A supervisor on the floor")
    office = "office", _l("The back office")
    system = "system", _l("The product (a verified hazard report)")


class Claim(Base):
    __tablename__ = "claim"
    __table_args__ = (
        Index("ix_claim_status_due", "status", "due_on"),
        Index("ix_claim_employee_status", "employee_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    rule_id: Mapped[int] = mapped_column(ForeignKey("rule.id"))
    requested_points: Mapped[int] = mapped_column(Integer)
    approved_points: Mapped[int | None] = mapped_column(Integer)
    credited_points: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[ClaimSource] = mapped_column(Enum(ClaimSource, native_enum=False, length=16))
    origin: Mapped[str | None] = mapped_column(String(64))  # what made it, e.g. "hazard:12"
    status: Mapped[ClaimStatus] = mapped_column(
        Enum(ClaimStatus, native_enum=False, length=16), default=ClaimStatus.pending
    )
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    due_on: Mapped[dt.date] = mapped_column(Date)  # review due, in working days
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    review_note: Mapped[str | None] = mapped_column(String(500))
    notice_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    credited_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    fraud_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome_note: Mapped[str | None] = mapped_column(String(500))  # cap trimming, fraud reason ...
    # A deduction the balance could not cover: what is still to be taken from the next awards (when the
    # setting ``deduction_shortfall`` says so); None or 0: nothing owed.
    owed_points: Mapped[int | None] = mapped_column(Integer)

    employee: Mapped[Employee] = relationship()
    rule: Mapped[Rule] = relationship()
    events: Mapped[list[ClaimEvent]] = relationship(back_populates="claim", order_by="ClaimEvent.id")

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status is ClaimStatus.pending and (today or clock.today()) > self.due_on

    def photos(self, session: Session) -> list[Photo]:
        return photos_of(session, ("claim", self.id))

    @property
    def signed_points(self) -> int:
        """The points at stake, a deduction negative: as approved, else as requested."""
        points = self.approved_points or self.requested_points
        return -points if self.rule.kind is RuleKind.deduct else points

    @property
    def shown_points(self) -> int:
        """What the claim's owner sees: what was credited once it was (a yearly cap may have cut it), else the
        points at stake."""
        return self.credited_points if self.credited_points is not None else self.signed_points


class ClaimEvent(Base):
    """Every step of a claim: who, when, what. Objections are events with a reason."""

    __tablename__ = "claim_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[ClaimAction] = mapped_column(Enum(ClaimAction, native_enum=False, length=32))
    note: Mapped[str] = mapped_column(String(500), default="")
    # The review's due day as it stood at this step (an objection gives a new one): whether a review was on time
    # is read against the due day of its own round. None on steps written before it was kept.
    due_on: Mapped[dt.date | None] = mapped_column(Date)

    claim: Mapped[Claim] = relationship(back_populates="events")


# --------------------------------------------------------------------------- operations


def _event(session: Session, claim: Claim, actor: str, action: ClaimAction, note: str = "") -> None:
    session.add(ClaimEvent(claim=claim, actor=actor, action=action, note=note[:500], due_on=claim.due_on))


def submit_claim(
    session: Session,
    *,
    employee: Employee,
    rule: Rule,
    points: int,
    description: str,
    source: ClaimSource | str,
    actor: str,
    origin: str | None = None,
    today: dt.date | None = None,
    photos: Sequence[bytes] = (),
    photo_folder: Path | None = None,
) -> Claim:
    """File a claim for review. ``photos`` (at most 4) are checked, cleaned and kept in ``photo_folder``."""
    employee.ensure_active()
    rule.ensure_active()
    if ClaimSource(source) is ClaimSource.employee and rule.kind is RuleKind.deduct:
        # Deductions are reported by supervisors and the safety office, not claimed by the employee.
        raise InvalidInput(_l("Choose what the claim is for."))
    if rule.reports_hazard and not (origin or "").startswith("hazard:"):
        # A hazard found is rewarded once, after verification, through the hazard loop (hazards.report_from_claim).
        raise InvalidInput(_l("A hazard found is reported to the hazard ledger; its reward follows verification."))
    rule.check_value(points)
    if (
        ClaimSource(source) in (ClaimSource.supervisor, ClaimSource.office)
        and rule.kind is RuleKind.earn
        and people.actor_employee(session, actor) == employee.id
    ):
        # A supervisor's on-the-spot award, or an officer's filing, to themselves: they claim as any employee does.
        raise Forbidden(
            _l("You cannot award points to yourself; claim them as an employee, for someone else to review.")
        )
    description = clean_text(description, 2000)
    if not description:
        raise InvalidInput(_l("Describe what the claim is for."))
    claim = Claim(
        employee=employee,
        rule=rule,
        requested_points=points,
        description=description,
        source=ClaimSource(source),
        origin=origin,
        submitted_by=actor,
        due_on=add_working_days(session, today or clock.today(), get_setting(session, "review_working_days")),
    )
    session.add(claim)
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(_l("At most %(n)s photos."), n=MAX_PHOTOS)
    _event(session, claim, actor, ClaimAction.submitted, f"{rule.range_text}: {points}")
    session.flush()
    store_photos(session, photo_folder, photos, owner=("claim", claim.id), actor=actor)
    return claim


def source_for(staff: StaffUser) -> ClaimSource:
    """Where a claim a staff member files in the back office comes from: the safety office, or a supervisor
    on the floor (what the review and the statistics tell apart)."""
    return ClaimSource.office if staff.has_role(Role.safety_officer) else ClaimSource.supervisor


def get_claim(session: Session, claim_id: int, *, lock: bool = False) -> Claim:
    return get_or_404(session, Claim, claim_id, _l("No such claim."), lock=lock)


def _expect(claim: Claim, *states: ClaimStatus) -> None:
    if claim.status not in states:
        raise InvalidTransition(_l("This claim is %(status)s; it cannot take this step."), status=claim.status.label)


def reviewable_by(session: Session, actor: str) -> Callable[[Claim], Message | None]:
    """Separation of duties (seed 000: review by someone other than the claimant): what stops ``actor`` from
    reviewing or marking false a claim, or None. Nobody reviews a claim that is theirs, or one they filed
    themselves (a hazard's reward, filed by the system on verification, was reviewed by that verification)."""
    me = people.actor_employee(session, actor)
    filers: dict[str, int | None] = {}  # a list of claims has a few filers: each looked up once

    def filer(claim: Claim) -> int | None:
        if claim.submitted_by not in filers:
            filers[claim.submitted_by] = people.actor_employee(session, claim.submitted_by)
        return filers[claim.submitted_by]

    def conflict(claim: Claim) -> Message | None:
        if me is not None and claim.employee_id == me:
            return _l("This claim is yours: someone else reviews it.")
        if claim.source is not ClaimSource.system and (
            claim.submitted_by == actor or (me is not None and filer(claim) == me)
        ):
            return _l("You filed this claim: someone else reviews it.")
        return None

    return conflict


def ensure_independent(session: Session, claim: Claim, actor: str) -> None:
    reason = reviewable_by(session, actor)(claim)
    if reason is not None:
        raise Forbidden(reason)


def approve(session: Session, claim: Claim, points: int, *, actor: str, now: dt.datetime | None = None) -> Claim:
    """Approve with a value inside the rule's range; the claim goes into public notice."""
    _expect(claim, ClaimStatus.pending)
    ensure_independent(session, claim, actor)
    claim.rule.check_value(points)
    claim.employee.ensure_active()
    now = now or utcnow()
    until = notice_end(session, now)  # reads the calendar first: the approval is then one change of the row
    claim.status, claim.approved_points = ClaimStatus.approved, points
    claim.reviewed_by, claim.reviewed_at, claim.review_note = actor, now, None
    claim.notice_until = until
    _event(session, claim, actor, ClaimAction.approved, str(points))
    session.flush()
    return claim


def notice_end(session: Session, now: dt.datetime) -> dt.datetime:
    """When a notice that begins ``now`` ends: ``notice_days`` later, in working days (by default: a notice
    does not lapse over a holiday) or calendar days, at the same time of day at the plant."""
    begun = clock.local_day(now)
    working = get_setting(session, "notice_day_kind") == "working"
    last = workdays.add_days(session, begun, get_setting(session, "notice_days"), working=working)
    return clock.day_start(last) + (now - clock.day_start(begun))


def reject(session: Session, claim: Claim, reason: str, *, actor: str) -> Claim:
    _expect(claim, ClaimStatus.pending)
    ensure_independent(session, claim, actor)
    reason = clean_text(reason, 500)
    if not reason:
        raise InvalidInput(_l("Give the reason for the rejection."))
    claim.status = ClaimStatus.rejected
    claim.reviewed_by, claim.reviewed_at, claim.review_note = actor, utcnow(), reason
    _event(session, claim, actor, ClaimAction.rejected, reason)
    session.flush()
    return claim


def object_to(session: Session, claim: Claim, reason: str, *, actor: str, now: dt.datetime | None = None) -> Claim:
    """An objection during the public notice sends the claim back to review, due again in working days."""
    _expect(claim, ClaimStatus.approved)
    now = now or utcnow()
    if claim.notice_until is not None and claim.notice_until <= now:
        raise InvalidTransition(_l("The public notice of this claim has ended."))
    reason = clean_text(reason, 500)
    if not reason:
        raise InvalidInput(_l("Give the reason for the objection."))
    claim.status, claim.notice_until = ClaimStatus.pending, None
    claim.due_on = add_working_days(session, clock.today(), get_setting(session, "review_working_days"))
    _event(session, claim, actor, ClaimAction.objected, reason)
    session.flush()
    return claim


@dataclass(frozen=True)
class CreditOutcome:
    claim_id: int
    status: ClaimStatus
    points: int
    note: str = ""


def credit_due(session: Session, *, now: dt.datetime | None = None, actor: str = "system") -> list[CreditOutcome]:
    """Credit (or deduct) every approved claim whose public notice has ended. Safe to run at any time,
    as often as wanted: a claim is taken under a row lock and leaves the approved state when done."""
    now = now or utcnow()
    due_ids = session.scalars(
        select(Claim.id)
        .where(Claim.status == ClaimStatus.approved, Claim.notice_until <= now)
        .order_by(Claim.notice_until, Claim.id)
    ).all()
    outcomes = []
    for claim_id in due_ids:
        claim = get_claim(session, claim_id, lock=True)
        if claim.status is ClaimStatus.approved:  # another run may have taken it meanwhile
            outcomes.append(credit_due_one(session, claim, actor=actor, now=now))
    return outcomes


def credit_due_one(session: Session, claim: Claim, *, actor: str, now: dt.datetime) -> CreditOutcome:
    """Credit one approved claim at ``now`` (the end of its notice). ``credit_due`` calls it for each."""
    _expect(claim, ClaimStatus.approved)
    points = claim.approved_points or 0
    ref = ("claim", claim.id)
    # An event's award names the event in each person's history (models/events.py); any other, its rule.
    memo = (
        f"{claim.rule.name}：{claim.description}"[:200]
        if (claim.origin or "").startswith("event:")
        else claim.rule.name
    )
    note = ""
    if claim.rule.kind is RuleKind.deduct:
        taken = ledger.deduct(session, claim.employee_id, points, actor=actor, ref=ref, memo=memo, at=now)
        credited = -taken
        if taken < points:
            carried = get_setting(session, "deduction_shortfall") == "next_awards"
            claim.owed_points = points - taken if carried else None
            note = str(
                _l(
                    "%(points)s points due; the balance held %(taken)s. The rest is taken from the next awards.",
                    taken=taken,
                    points=points,
                )
                if carried
                else _l(
                    "%(points)s points due; the balance held %(taken)s, so only %(taken)s were taken.",
                    taken=taken,
                    points=points,
                )
            )
    else:
        try:
            result = ledger.award(session, claim.employee_id, points, actor=actor, ref=ref, memo=memo, at=now)
        except (YearlyCapReached, InactiveEmployee) as refused:
            # Recorded on the claim, so one claim that cannot be credited never holds up the others.
            status = ClaimStatus.cap_refused if isinstance(refused, YearlyCapReached) else ClaimStatus.rejected
            claim.status, claim.outcome_note = status, refused.message[:500]
            _event(session, claim, actor, ClaimAction(status.value), refused.message)
            session.flush()
            return CreditOutcome(claim.id, claim.status, 0, refused.message)
        credited = result.credited
        if result.trimmed:
            note = str(
                _l("Yearly cap: %(credited)s of %(points)s points credited.", credited=result.credited, points=points)
            )
        _take_owed(session, claim.employee_id, credited, actor=actor, now=now)
    claim.status, claim.credited_points, claim.credited_at = ClaimStatus.credited, credited, now
    claim.outcome_note = note or None
    _event(session, claim, actor, ClaimAction.credited, note or str(credited))
    session.flush()
    return CreditOutcome(claim.id, claim.status, credited, note)


MAX_TAKES = 500  # owed deductions one award can pay at most (each one a claim of its own)


def _take_owed(session: Session, employee_id: int, budget: int, *, actor: str, now: dt.datetime) -> None:
    """Deductions the balance could not cover, oldest first, taken from the ``budget`` points just awarded (never
    from a refund or from points held before): each is a deduction entry of its own claim, so the ranking, the
    department sheet and the statistics count it as the deduction it is."""
    if budget <= 0:
        return
    owed = session.scalars(
        select(Claim)
        .where(Claim.employee_id == employee_id, Claim.owed_points > 0)
        .order_by(Claim.id)
        .limit(MAX_TAKES)
        .with_for_update()
    ).all()
    for claim in owed:
        taken = min(claim.owed_points or 0, budget)
        if taken <= 0:
            break
        ledger.deduct(
            session,
            employee_id,
            taken,
            actor=actor,
            ref=("claim", claim.id),
            memo=f"{memos.OWED} {claim.rule.name}",
            at=now,
        )
        budget -= taken
        claim.owed_points = (claim.owed_points or 0) - taken
        claim.credited_points = (claim.credited_points or 0) - taken
        _event(session, claim, actor, ClaimAction.credited, str(_l("%(n)s points taken from a later award.", n=taken)))


def _takes_after(session: Session, given: ledger.LedgerEntry) -> list[ledger.LedgerEntry]:
    """The owed deductions an award paid: ``_take_owed`` writes them right after the award entry, in its
    transaction, which holds the chain's head, so they are the entries that follow it in the chain, up to the
    first that is not one (another award of the same run, even of the same second, is not this award's)."""
    following = session.scalars(
        select(ledger.LedgerEntry)
        .where(ledger.LedgerEntry.seq > given.seq)
        .order_by(ledger.LedgerEntry.seq)
        .limit(MAX_TAKES)
    ).all()
    takes: list[ledger.LedgerEntry] = []
    for entry in following:
        if (
            entry.seq != given.seq + len(takes) + 1
            or entry.employee_id != given.employee_id
            or entry.kind is not ledger.EntryKind.deduction
            or entry.ref_type != "claim"
            or not entry.memo.startswith(f"{memos.OWED} ")
            or not _deducted_before(session, entry.ref_id, given.seq)
        ):
            break
        takes.append(entry)
    return takes


def _deducted_before(session: Session, claim_id: int | None, seq: int) -> bool:
    """Whether the claim's own deduction was written before position ``seq`` in the chain: an owed take pays a
    deduction recorded earlier; a deduction of the same run that merely follows the award (its rule's name may
    begin with the same word) is its own claim's first entry."""
    first = session.scalar(
        select(func.min(ledger.LedgerEntry.seq)).where(
            ledger.LedgerEntry.ref_type == "claim", ledger.LedgerEntry.ref_id == claim_id
        )
    )
    return first is not None and first < seq


def _unpay_owed(session: Session, award: Claim, *, actor: str, now: dt.datetime | None) -> None:
    """False points pay nothing: what a false award paid of deductions owed (``_take_owed``, in the same
    transaction as its award entry) is owed again, as far as the balance cannot give the award back. Each is a
    compensating deduction entry of the claim it was owed for, so that claim's deductions add up to what real
    points covered."""
    employee = ledger.lock_employee(session, award.employee_id)
    short = (award.credited_points or 0) - employee.balance
    if short <= 0:
        return
    given = session.scalars(
        select(ledger.LedgerEntry).where(
            ledger.LedgerEntry.ref_type == "claim",
            ledger.LedgerEntry.ref_id == award.id,
            ledger.LedgerEntry.kind == ledger.EntryKind.award,
        )
    ).first()
    if given is None:
        return
    for entry in reversed(_takes_after(session, given)):
        back = min(-entry.amount, short)
        if back <= 0:
            break
        owed = session.get(Claim, entry.ref_id, with_for_update=True)
        if owed is None:
            continue
        ledger.post_entry(
            session,
            employee,
            back,
            ledger.EntryKind.deduction,
            actor=actor,
            ref=("claim", owed.id),
            memo=f"{memos.OWED_UNDONE}{owed.rule.name}",
            at=now,
        )
        owed.owed_points = (owed.owed_points or 0) + back
        owed.credited_points = (owed.credited_points or 0) + back
        _event(
            session,
            owed,
            actor,
            ClaimAction.credited,
            str(_l("%(n)s points owed again: the award that paid them was false.", n=back)),
        )
        short -= back


def mark_fraud(session: Session, claim: Claim, reason: str, *, actor: str, now: dt.datetime | None = None) -> Claim:
    """A false claim: nothing is credited, what was credited is taken back, redemption is suspended for
    the rest of the month, and the case goes on the notice board."""
    _expect(claim, ClaimStatus.pending, ClaimStatus.approved, ClaimStatus.credited, ClaimStatus.cap_refused)
    if claim.rule.kind is RuleKind.deduct:
        raise InvalidTransition(_l("Only a claim for points can be a false claim."))
    ensure_independent(session, claim, actor)
    reason = clean_text(reason, 500)
    if not reason:
        raise InvalidInput(_l("Give the reason why the claim is false."))
    if claim.status is ClaimStatus.credited and claim.credited_points:
        _unpay_owed(session, claim, actor=actor, now=now)
        ledger.deduct(
            session,
            claim.employee_id,
            claim.credited_points,
            actor=actor,
            ref=("claim", claim.id),
            memo=f"{memos.FALSE_POINTS} {claim.rule.name}",
            kind=ledger.EntryKind.adjustment,
            at=now,
        )
    claim.status, claim.fraud_at, claim.outcome_note = ClaimStatus.fraudulent, now or utcnow(), reason
    _event(session, claim, actor, ClaimAction.fraud, reason)
    session.flush()
    return claim


def suspended_query(employee_id: int, today: dt.date | None = None) -> Exists:
    """Whether a claim of the employee was found false this month (at the plant): no redemption until it ends."""
    start, end = clock.month(today or clock.today())
    return exists().where(
        Claim.employee_id == employee_id,
        Claim.status == ClaimStatus.fraudulent,
        Claim.fraud_at >= start,
        Claim.fraud_at < end,
    )


def redemption_suspended(session: Session, employee_id: int, today: dt.date | None = None) -> bool:
    return bool(session.scalar(select(suspended_query(employee_id, today))))


@dataclass(frozen=True)
class Standing:
    """What the kiosk's screen shows beside the balance."""

    entries: list[ledger.LedgerEntry]  # the last ones, newest first
    credited: int  # points credited this year: what the yearly cap counts
    suspended: bool  # a claim found false this month: no redemption until it ends


def standing(session: Session, employee_id: int, *, entries: int = 20, today: dt.date | None = None) -> Standing:
    """An employee's last ledger entries, the points credited this year and whether redemption is suspended,
    in one statement (each entry row carries the two figures); a second one only for someone with no entry."""
    today = today or clock.today()
    credited = ledger.credited_in_year_query(employee_id, today.year).scalar_subquery()
    suspended = suspended_query(employee_id, today)
    rows = session.execute(
        select(ledger.LedgerEntry, credited, suspended)
        .where(ledger.LedgerEntry.employee_id == employee_id)
        .order_by(ledger.LedgerEntry.seq.desc())
        .limit(entries)
    ).all()
    if not rows:
        figures = session.execute(select(credited, suspended)).one()
        return Standing([], int(figures[0] or 0), bool(figures[1]))
    return Standing([row[0] for row in rows], int(rows[0][1] or 0), bool(rows[0][2]))


def _listing() -> Select[Claim]:
    """Claims for a list: each with its employee, department and rule in the same query (no N+1)."""
    return select(Claim).options(joinedload(Claim.employee).joinedload(Employee.department), joinedload(Claim.rule))


def review_queue(session: Session, limit: int | None = None) -> list[Claim]:
    """Claims waiting for review, the earliest due first."""
    query = _listing().where(Claim.status == ClaimStatus.pending).order_by(Claim.due_on, Claim.id).limit(limit)
    return list(session.scalars(query))


def in_notice(session: Session, *, exclude_employee: int | None = None, limit: int | None = None) -> list[Claim]:
    query = (
        select(Claim)
        # the board shows the name, department and rule of each
        .options(joinedload(Claim.employee).joinedload(Employee.department), joinedload(Claim.rule))
        .where(Claim.status == ClaimStatus.approved)
        .order_by(Claim.notice_until, Claim.id)
    )
    if exclude_employee is not None:
        query = query.where(Claim.employee_id != exclude_employee)
    return list(session.scalars(query.limit(limit)))


def claims_of(session: Session, employee_id: int, *, days: int = 30) -> list[Claim]:
    """An employee's claims still open, and those decided in the last ``days``: what they want to know
    at the kiosk, including why a claim was rejected or cut by the yearly cap."""
    since = utcnow() - dt.timedelta(days=days)
    open_states = (ClaimStatus.pending, ClaimStatus.approved)
    return list(
        session.scalars(
            select(Claim)
            .options(joinedload(Claim.rule))  # the employee is the one asking
            .where(
                Claim.employee_id == employee_id,
                Claim.status.in_(open_states) | (Claim.submitted_at >= since),
            )
            .order_by(Claim.id.desc())
            .limit(20)
        )
    )


def fraud_cases(
    session: Session, limit: int = 20, window: tuple[dt.datetime, dt.datetime] | None = None
) -> list[Claim]:
    """Claims found false, the latest first (within ``window``: a past month's round)."""
    query = _listing().where(Claim.status == ClaimStatus.fraudulent)
    if window is not None:
        query = query.where(Claim.fraud_at >= window[0], Claim.fraud_at < window[1])
    return list(session.scalars(query.order_by(Claim.fraud_at.desc()).limit(limit)))


def noticed_in(session: Session, start: dt.datetime, end: dt.datetime, limit: int = 500) -> list[Claim]:
    """The claims a past round put in public notice: approved between ``start`` and ``end`` (whatever became of
    them since: credited, still in notice, or found false)."""
    return list(
        session.scalars(
            _listing()
            .where(Claim.reviewed_at >= start, Claim.reviewed_at < end, Claim.notice_until.is_not(None))
            .where(
                Claim.status.in_(
                    (ClaimStatus.approved, ClaimStatus.credited, ClaimStatus.cap_refused, ClaimStatus.fraudulent)
                )
            )
            .order_by(Claim.reviewed_at, Claim.id)
            .limit(limit)
        )
    )
