"""Hazard reports and the closed rectification loop (seeds 001 and 004; DOMAIN.md).

A report comes from a phone behind a place's QR poster, by name or anonymously. The safety officer
verifies it (valid, duplicate, already known, not a hazard), grades a valid one general or major, and the
reward follows: for a named reporter a claim in public notice (the spine's workflow), for an anonymous one
points on the claim code, a bearer voucher spent at the kiosk without a card. Then the loop: assign an owner,
measures and a deadline in working days (for a major hazard also funds, contingency plan and acceptance
standard: 五定一验收), the owner records the rectification with after-photos, the officer re-inspects and
closes it (销号) or sends it back. Every step is an event.

Anonymity: an anonymous report keeps no link to a person. Its claim code is shown once and only its hash
is stored. Its reward is never credited to anyone's account: the code pays for goods at the kiosk like a
voucher, and what was spent is filed under a keyed hash of the code with no time, no person and no link
to the redemption (see "the claim code as a bearer voucher" below).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Boolean, Date, DateTime, Enum, ForeignKey, Index, Integer, String, Text, func, select, update
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from . import claims, clock, people, tries
from .base import Base, LabelledEnum, clean_text, get_or_404
from .clock import utcnow
from .errors import (
    Conflict,
    Forbidden,
    InsufficientPoints,
    InvalidInput,
    InvalidTransition,
    NotFound,
    TooManyTries,
    WrongPin,
)
from .i18n import Message
from .i18n import lazy_gettext as _l
from .people import Department, Employee, Role, StaffUser, actor_name, employee_number
from .photos import Photo, photos_of, store_photos
from .places import Place
from .rules import Rule
from .settings import get_setting
from .workdays import add_working_days

MAX_PHOTOS = 4
CODE_TRIES, CODE_TRY_LIMIT = "claim_code", 5  # wrong claim codes one card may try before a lock
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a phone and typed at a kiosk
ANONYMOUS = "anonymous"


class HazardCategory(LabelledEnum):
    act = "act", _l("Unsafe act of a person")
    state = "state", _l("Unsafe state of equipment or material")
    environment = "environment", _l("Unsafe environment")
    management = "management", _l("Management defect")


class HazardSource(LabelledEnum):
    """Where a hazard came from (DOMAIN.md: the ledger's "source"). Only an internal report is rewarded: a
    hazard the enterprise's own checks or an inspection found earns nobody a reward."""

    report = "report", _l("Internal report")
    self_check = "self_check", _l("Self-check")
    inspection = "inspection", _l("Inspection")
    regulator = "regulator", _l("Regulator's inspection")


class HazardChannel(LabelledEnum):
    """How an internal report arrived (seed 004: many channels, posted to all)."""

    poster = "poster", _l("QR poster (phone)")
    telephone = "telephone", _l("By telephone")
    paper = "paper", _l("On paper")
    in_person = "in_person", _l("In person")
    kiosk = "kiosk", _l("At the kiosk")
    supervisor = "supervisor", _l("Through a supervisor")
    office = "office", _l("To the safety office")


# The channels by which staff enter a report someone else made (a phone report enters itself).
STAFF_CHANNELS = (HazardChannel.telephone, HazardChannel.paper, HazardChannel.in_person)


class HazardStatus(LabelledEnum):
    received = "received", _l("Received")
    verified = "verified", _l("Verified")
    assigned = "assigned", _l("Being rectified")
    rectified = "rectified", _l("Rectified, awaiting re-inspection")
    closed = "closed", _l("Closed")
    dismissed = "dismissed", _l("Not taken up")


class HazardVerdict(LabelledEnum):
    valid = "valid", _l("Valid")
    duplicate = "duplicate", _l("Duplicate of an earlier report")
    known = "known", _l("Already known")
    not_hazard = "not_hazard", _l("Not a hazard")


class HazardGrade(LabelledEnum):
    general = "general", _l("General hazard")
    major = "major", _l("Major hazard")


class HazardAction(LabelledEnum):
    """The steps of a hazard's history (its events)."""

    reported = "reported", _l("Reported")
    me_too = "me_too", _l("Seen again by another reporter")
    verified = "verified", _l("Verified")
    assigned = "assigned", _l("Assigned for rectification")
    reassigned = "reassigned", _l("Handed to another owner")
    rectified = "rectified", _l("Rectification recorded")
    sent_back = "sent_back", _l("Sent back after re-inspection")
    closed = "closed", _l("Re-inspected and closed")
    reward_collected = "reward_collected", _l("Reward collected with the claim code")
    major_record = "major_record", _l("Major hazard: supervision and regulator")


class HazardReward(LabelledEnum):
    none = "none", _l("No reward")
    claim = "claim", _l("In public notice, then credited")
    waiting = "waiting", _l("On its claim code: spent at the kiosk without a card")
    collected = "collected", _l("Collected")


OPEN = (HazardStatus.received, HazardStatus.verified, HazardStatus.assigned, HazardStatus.rectified)
RULE_OF_GRADE = {HazardGrade.general: "H01", HazardGrade.major: "H02"}


class Hazard(Base):
    __tablename__ = "hazard"
    __table_args__ = (Index("ix_hazard_place_status", "place_id", "status"), Index("ix_hazard_status", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"))
    source: Mapped[HazardSource] = mapped_column(
        Enum(HazardSource, native_enum=False, length=16), default=HazardSource.report
    )
    category: Mapped[HazardCategory] = mapped_column(Enum(HazardCategory, native_enum=False, length=16))
    description: Mapped[str] = mapped_column(Text)
    checklist: Mapped[str] = mapped_column(Text, default="")  # the place's checklist items ticked
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))  # None: anonymous
    claim_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    follow_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    verify_due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[HazardStatus] = mapped_column(
        Enum(HazardStatus, native_enum=False, length=16), default=HazardStatus.received
    )
    me_too: Mapped[int] = mapped_column(Integer, default=0)
    # Verification
    verdict: Mapped[HazardVerdict | None] = mapped_column(Enum(HazardVerdict, native_enum=False, length=16))
    verified_by: Mapped[str | None] = mapped_column(String(64))
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    verify_note: Mapped[str | None] = mapped_column(String(500))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("hazard.id"))
    grade: Mapped[HazardGrade | None] = mapped_column(Enum(HazardGrade, native_enum=False, length=8))
    within_duties: Mapped[bool] = mapped_column(Boolean, default=False)
    # Reward
    reward_points: Mapped[int | None] = mapped_column(Integer)
    reward: Mapped[HazardReward] = mapped_column(
        Enum(HazardReward, native_enum=False, length=16), default=HazardReward.none
    )
    reward_claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"))
    reward_collected_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Rectification (五定一验收)
    # Who rectifies it, as an actor: a staff account ("staff:wang") or any employee ("employee:E00070"), who then
    # records the rectification on their phone.
    owner: Mapped[str | None] = mapped_column(String(64))
    measures: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    funds: Mapped[str | None] = mapped_column(String(100))
    contingency_plan: Mapped[str | None] = mapped_column(Text)
    acceptance_standard: Mapped[str | None] = mapped_column(Text)
    assigned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    rectified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    rectification_note: Mapped[str | None] = mapped_column(Text)
    reinspected_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Where it came from beyond the poster, who entered it, whose unit it is
    channel: Mapped[HazardChannel | None] = mapped_column(Enum(HazardChannel, native_enum=False, length=16))
    found_by: Mapped[str | None] = mapped_column(String(100))  # who found it in a check, or which regulator
    entered_by: Mapped[str | None] = mapped_column(String(64))  # the staff account that entered it
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))  # the responsible unit
    # A major hazard: listed for supervision (挂牌督办) and reported to the regulator
    supervised: Mapped[bool] = mapped_column(Boolean, default=False)
    regulator_reported_on: Mapped[dt.date | None] = mapped_column(Date)

    place: Mapped[Place] = relationship()
    reporter: Mapped[Employee | None] = relationship()
    duplicate_of: Mapped[Hazard | None] = relationship(remote_side=[id])
    reward_claim: Mapped[claims.Claim | None] = relationship()
    department: Mapped[Department | None] = relationship()
    events: Mapped[list[HazardEvent]] = relationship(back_populates="hazard", order_by="HazardEvent.id")
    acceptance: Mapped[HazardAcceptance | None] = relationship(back_populates="hazard", uselist=False)

    @property
    def anonymous(self) -> bool:
        """An internal report that names nobody (a self-check or an inspection has no reporter to hide)."""
        return self.reporter_id is None and self.source == HazardSource.report

    @property
    def is_major(self) -> bool:
        return self.grade == HazardGrade.major

    def sent_back_because(self) -> str | None:
        """Why the last re-inspection sent the work back, while it waits for its owner again; else None."""
        if self.status != HazardStatus.assigned:
            return None
        for event in reversed(self.events):
            if event.action == HazardAction.sent_back:
                return event.note
            if event.action in (HazardAction.assigned, HazardAction.rectified):
                return None
        return None

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Verification late, or rectification past its deadline."""
        today = today or clock.today()
        if self.status == HazardStatus.received:
            return today > self.verify_due_on
        if self.status in (HazardStatus.verified, HazardStatus.assigned) and self.deadline is not None:
            return today > self.deadline
        return False

    def photos(self, session: Session, *, after: bool = False) -> list[Photo]:
        return photos_of(session, ("hazard-after" if after else "hazard", self.id))


class HazardEvent(Base):
    """Every step of a hazard: who, when, what. An anonymous reporter's steps say "anonymous"."""

    __tablename__ = "hazard_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[HazardAction] = mapped_column(Enum(HazardAction, native_enum=False, length=32))
    note: Mapped[str] = mapped_column(String(500), default="")

    hazard: Mapped[Hazard] = relationship(back_populates="events")


class HazardAcceptance(Base):
    """The acceptance (验收) of a major hazard's rectification, a record of its own (五定一验收): who accepted
    it, when, against which standard, and their conclusion. Written when a major hazard is closed."""

    __tablename__ = "hazard_acceptance"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard.id"), unique=True)
    accepted_by: Mapped[str] = mapped_column(String(200))  # the people of the acceptance, as they sign
    accepted_on: Mapped[dt.date] = mapped_column(Date)
    standard: Mapped[str] = mapped_column(Text)  # the acceptance standard set at assignment
    conclusion: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    hazard: Mapped[Hazard] = relationship(back_populates="acceptance")


# --------------------------------------------------------------------------- helpers


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """A claim code as typed: case, spaces and dashes do not matter; O/I/L are read as 0/1/1 and refused."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:32]


def new_claim_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))  # 31^12 ≈ 2^59
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def _event(session: Session, hazard: Hazard, actor: str, action: HazardAction, note: str = "") -> None:
    session.add(HazardEvent(hazard=hazard, actor=actor, action=action, note=note[:500]))


def _expect(hazard: Hazard, *states: HazardStatus) -> None:
    if hazard.status not in states:
        raise InvalidTransition(
            _l("This hazard is %(status)s; it cannot take this step."), status=HazardStatus(hazard.status).label
        )


# --------------------------------------------------------------------------- reporting


@dataclass(frozen=True)
class Receipt:
    """What a reporter gets back: the hazard, the follow token for its status page, and for an anonymous
    report the claim code (shown once, never stored)."""

    hazard: Hazard
    follow_token: str
    claim_code: str | None


def report(
    session: Session,
    place: Place,
    *,
    category: str,
    description: str,
    reporter: Employee | None,
    checklist: Sequence[str] = (),
    photos: Sequence[bytes] = (),
    photo_folder: Path | None = None,
    today: dt.date | None = None,
    channel: HazardChannel = HazardChannel.poster,
    entered_by: str | None = None,
) -> Receipt:
    """A hazard report from a place's poster (or, with ``channel`` and ``entered_by``, one that staff took down
    from a telephone call, a paper slip or a word in person). ``reporter`` None makes it anonymous."""
    ticked = [item for item in place.checklist_items if item in set(checklist)]
    if reporter is not None:
        reporter.ensure_active()
    claim_code = None if reporter is not None else new_claim_code()
    channel = HazardChannel(channel)
    actor = ANONYMOUS if reporter is None else f"employee:{reporter.number}"
    hazard, follow_token = _new_hazard(
        session,
        place,
        category=category,
        description=description,
        ticked=ticked,
        photos=photos,
        photo_folder=photo_folder,
        today=today,
        actor=actor,  # the report is the reporter's (or anonymous): who took it down is ``entered_by``
        reporter=reporter,
        source=HazardSource.report,
        channel=channel,
        claim_code_hash=_hash(normalise_code(claim_code)) if claim_code else None,
        entered_by=entered_by,
    )
    return Receipt(hazard, follow_token, claim_code)


def finds_hazard(rule: Rule) -> bool:
    """A rule that rewards finding a hazard (marked in the catalogue: the seed's D03, H01, H02 and any the
    enterprise marks): its points come from the hazard loop, never from a claim. A retired rule is refused here
    as a claim would refuse it."""
    rule.ensure_active()
    return rule.reports_hazard


def report_from_claim(
    session: Session,
    *,
    employee: Employee,
    category: str,
    description: str,
    hazard_number: str = "",
    channel: HazardChannel,
    entered_by: str | None = None,
    photos: Sequence[bytes] = (),
    photo_folder: Path | None = None,
) -> Hazard:
    """A claim for finding a hazard (at the kiosk, by a supervisor, in the back office) goes through the hazard
    loop: it becomes a report in the hazard ledger, verified and graded like any other, and the reward follows
    verification, once. Naming a hazard already in the ledger adds nothing: a hazard is rewarded once, to its
    first reporter."""
    number = (hazard_number or "").strip()
    if number:
        known = by_number(session, number)
        if known.reporter_id == employee.id:
            raise Conflict(
                _l("%(number)s is already in the hazard ledger under your name: its reward follows its verification."),
                number=known.number,
            )
        raise Conflict(
            _l("%(number)s is already in the hazard ledger: only its first reporter is rewarded."), number=known.number
        )
    top = session.scalar(
        select(Place).where(Place.parent_id.is_(None), Place.active.is_(True)).order_by(Place.id).limit(1)
    )
    if top is None:
        raise InvalidInput(_l("The plant has no places yet: the safety office sets them up first."))
    return report(
        session,
        top,
        category=category,
        description=description,
        reporter=employee,
        photos=photos,
        photo_folder=photo_folder,
        channel=channel,
        entered_by=entered_by,
    ).hazard


def record_found(
    session: Session,
    place: Place,
    *,
    source: str,
    category: str,
    description: str,
    found_by: str,
    entered_by: str,
    department_id: int | None = None,
    photos: Sequence[bytes] = (),
    photo_folder: Path | None = None,
    today: dt.date | None = None,
) -> Hazard:
    """A hazard found by the enterprise's own check (自查), an inspection or the regulator, entered by staff into
    the same ledger, numbering and loop as the reports. It names no reporter and earns no reward."""
    if source not in HazardSource.__members__ or source == HazardSource.report:
        raise InvalidInput(_l("Choose where the hazard was found: self-check, inspection or the regulator."))
    found_by = clean_text(found_by, 100)
    if not found_by:
        raise InvalidInput(_l("Say who found it (the check, the inspector or the authority)."))
    hazard, _token = _new_hazard(
        session,
        place,
        category=category,
        description=description,
        ticked=[],
        photos=photos,
        photo_folder=photo_folder,
        today=today,
        actor=entered_by,
        reporter=None,
        source=HazardSource(source),
        channel=None,
        claim_code_hash=None,
        entered_by=entered_by,
    )
    hazard.found_by = found_by
    if department_id is not None:
        hazard.department = session.get(Department, department_id)
        if hazard.department is None:
            raise InvalidInput(_l("Choose the department from the list."))
    session.flush()
    return hazard


def _new_hazard(
    session: Session,
    place: Place,
    *,
    category: str,
    description: str,
    ticked: list[str],
    photos: Sequence[bytes],
    photo_folder: Path | None,
    today: dt.date | None,
    actor: str,
    reporter: Employee | None,
    source: HazardSource,
    channel: HazardChannel | None,
    claim_code_hash: str | None,
    entered_by: str | None,
) -> tuple[Hazard, str]:
    """One new row of the hazard ledger, numbered YH-<year>-<id>, with its first event and its photos."""
    if category not in HazardCategory.__members__:
        raise InvalidInput(_l("Choose what kind of hazard it is."))
    description = clean_text(description, 2000)
    if not description and not ticked:
        raise InvalidInput(_l("Describe the hazard."))
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(_l("At most %(n)s photos."), n=MAX_PHOTOS)
    follow_token = secrets.token_urlsafe(16)
    now = utcnow()
    hazard = Hazard(
        place=place,
        category=HazardCategory(category),
        description=description or "；".join(ticked),
        checklist="\n".join(ticked),
        reporter=reporter,
        source=source,
        channel=channel,
        entered_by=entered_by,
        claim_code_hash=claim_code_hash,
        follow_hash=_hash(follow_token),
        reported_at=now.replace(microsecond=0),
        verify_due_on=add_working_days(
            session, today or clock.today(), get_setting(session, "hazard_verify_working_days")
        ),
    )
    session.add(hazard)
    session.flush()
    hazard.number = f"YH-{clock.local_year(hazard.reported_at)}-{hazard.id:06d}"
    note = HazardCategory(category).label
    if channel is not None and channel is not HazardChannel.poster:
        note = f"{note}（{channel.label}）"
    elif source is not HazardSource.report:
        note = f"{note}（{source.label}）"
    _event(session, hazard, actor, HazardAction.reported, note)
    store_photos(session, photo_folder, photos, owner=("hazard", hazard.id), actor=entered_by or actor)
    session.flush()
    return hazard, follow_token


def open_at(session: Session, place: Place, limit: int = 10) -> list[Hazard]:
    """Open hazards already reported at this place (shown before the form, for "me too")."""
    return list(
        session.scalars(
            select(Hazard)
            .where(Hazard.place_id == place.id, Hazard.status.in_(OPEN))
            .order_by(Hazard.id.desc())
            .limit(limit)
        )
    )


def me_too(session: Session, hazard: Hazard, *, reporter: Employee | None) -> Hazard:
    """Another reporter saw the same open hazard: counted, no new report, no reward (the first one's)."""
    _expect(hazard, *OPEN)
    hazard.me_too += 1
    _event(session, hazard, ANONYMOUS if reporter is None else f"employee:{reporter.number}", HazardAction.me_too)
    session.flush()
    return hazard


def get_hazard(session: Session, hazard_id: int, *, lock: bool = False) -> Hazard:
    return get_or_404(session, Hazard, hazard_id, _l("No such hazard."), lock=lock)


def by_number(session: Session, number: str) -> Hazard:
    hazard = session.scalar(select(Hazard).where(Hazard.number == (number or "").strip().upper()[:20]))
    if hazard is None:
        raise NotFound(_l("No hazard with number %(number)s."), number=(number or "")[:20])
    return hazard


def followed(session: Session, follow_token: str) -> Hazard:
    """The hazard whose status page this token opens; any other token learns nothing."""
    hazard = session.scalar(select(Hazard).where(Hazard.follow_hash == _hash((follow_token or "")[:64])))
    if hazard is None:
        raise NotFound(_l("No report is followed with this link."))
    return hazard


def reported_by(session: Session, employee: Employee, limit: int = 20) -> list[Hazard]:
    return list(
        session.scalars(select(Hazard).where(Hazard.reporter_id == employee.id).order_by(Hazard.id.desc()).limit(limit))
    )


# --------------------------------------------------------------------------- verification and reward


def reward_for(session: Session, grade: HazardGrade, within_duties: bool) -> int:
    """The reward of a valid report: by grade, at a lower rate when the hazard lay within the reporter's
    own duties (settings)."""
    base = int(get_setting(session, f"hazard_reward_{grade.value}"))
    if within_duties:
        base = base * int(get_setting(session, "hazard_duty_percent")) // 100
    return base


def verify(
    session: Session,
    hazard: Hazard,
    verdict: str,
    *,
    actor: str,
    note: str = "",
    grade: str | None = None,
    within_duties: bool = False,
    duplicate_of: str | None = None,
    now: dt.datetime | None = None,
) -> Hazard:
    """The safety officer's verdict. A valid report is graded and rewarded (only the first valid reporter of
    a hazard: a duplicate earns nothing); the others need a reason."""
    _expect(hazard, HazardStatus.received)
    if verdict not in HazardVerdict.__members__:
        raise InvalidInput(_l("Choose a verdict."))
    if hazard.reporter_id is not None and people.actor_employee(session, actor) == hazard.reporter_id:
        raise Forbidden(_l("You reported this hazard: someone else verifies it."))
    note = clean_text(note, 500)
    now = now or utcnow()
    if verdict == HazardVerdict.valid:
        if grade is None or grade not in HazardGrade.__members__:
            raise InvalidInput(_l("Grade the hazard: general or major."))
        hazard.grade, hazard.within_duties = HazardGrade(grade), bool(within_duties)
        hazard.status = HazardStatus.verified
    else:
        if verdict == HazardVerdict.duplicate:
            if not (duplicate_of or "").strip():
                raise InvalidInput(_l("Give the number of the earlier report it repeats."))
            first = by_number(session, duplicate_of or "")
            if first.id == hazard.id or first.verdict not in (None, HazardVerdict.valid):
                raise InvalidInput(_l("A duplicate points to another report that is valid or still open."))
            if first.reporter_id is not None and people.actor_employee(session, actor) == first.reporter_id:
                # dismissing someone's report as a repeat of one's own would hand oneself its reward
                raise Forbidden(_l("You reported this hazard: someone else verifies it."))
            hazard.duplicate_of = first
            note = note or str(_l("Duplicate of %(number)s", number=first.number))
        if not note:
            raise InvalidInput(_l("Give the reason."))
        hazard.status = HazardStatus.dismissed
    hazard.verdict = HazardVerdict(verdict)
    hazard.verified_by, hazard.verified_at, hazard.verify_note = actor, now, note or None
    grade_label = hazard.grade.label if hazard.grade else ""
    _event(session, hazard, actor, HazardAction.verified, f"{hazard.verdict.label} {grade_label} {note}".strip())
    session.flush()
    if verdict == HazardVerdict.valid:
        _reward(session, hazard, actor=actor, now=now)
    return hazard


def _reward(session: Session, hazard: Hazard, *, actor: str, now: dt.datetime) -> None:
    grade = hazard.grade
    assert grade is not None  # a valid report is graded first
    points = reward_for(session, grade, hazard.within_duties) if hazard.source == HazardSource.report else 0
    hazard.reward_points = points
    if points <= 0:
        hazard.reward = HazardReward.none
    elif hazard.reporter is None:
        hazard.reward = HazardReward.waiting
    else:
        rule = session.scalar(select(Rule).where(Rule.code == RULE_OF_GRADE[grade]))
        if rule is None:
            raise InvalidInput(
                _l("The rule catalogue has no rule %(code)s for hazard rewards."), code=RULE_OF_GRADE[grade]
            )
        claim = claims.submit_claim(
            session,
            employee=hazard.reporter,
            rule=rule,
            points=points,
            description=f"{hazard.number} {hazard.place.path}：{hazard.description}"[:2000],
            source=claims.ClaimSource.system,
            actor=actor,
            origin=f"hazard:{hazard.id}",
        )
        claims.approve(session, claim, points, actor=actor, now=now)  # verification was the review
        hazard.reward, hazard.reward_claim = HazardReward.claim, claim
    session.flush()


# --------------------------------------------------------------------------- the claim code as a bearer voucher
#
# An anonymous report's reward is never credited to a person: its claim code is a voucher, spent at the kiosk
# by whoever holds it, with no card. How much a code has spent is one row in ``reward_spend``, under an HMAC
# of the code with ``voucher_key`` (kept outside the database), its amount sealed afresh at every spend (a
# one-time pad from the same key): no time, no order of spends, no amount a reader could match to a report or
# a redemption. Linking a spend to its hazard needs the code itself (README: Security).


class RewardSpend(Base):
    __tablename__ = "reward_spend"

    code_mac: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(32))
    sealed: Mapped[str] = mapped_column(String(16))  # the points spent, XOR a pad only the key can make


_voucher_key: list[bytes] = []


def use_secret(key: str | bytes) -> None:
    """The key claim codes' spends are filed and sealed under (instance/voucher_key, set in create_app)."""
    _voucher_key[:] = [key.encode() if isinstance(key, str) else key]


def _keyed(*parts: str) -> bytes:
    if not _voucher_key:
        raise RuntimeError("hazards.use_secret() was not called")
    return hmac.new(_voucher_key[0], "\x1f".join(parts).encode(), hashlib.sha256).digest()


def _mac(normal: str) -> str:
    return _keyed("reward-spend", normal).hex()


def _pad(code_mac: str, nonce: str) -> int:
    return int.from_bytes(_keyed("spent-pad", code_mac, nonce)[:8], "big")


def _spent(session: Session, code_mac: str) -> tuple[RewardSpend | None, int]:
    row = session.get(RewardSpend, code_mac, populate_existing=True)
    return row, (int(row.sealed, 16) ^ _pad(code_mac, row.nonce)) if row is not None else 0


def _set_spent(session: Session, row: RewardSpend | None, code_mac: str, spent: int) -> None:
    nonce = secrets.token_hex(16)
    sealed = f"{spent ^ _pad(code_mac, nonce):016x}"
    if row is None:
        session.add(RewardSpend(code_mac=code_mac, nonce=nonce, sealed=sealed))
    else:
        row.nonce, row.sealed = nonce, sealed
    session.flush()


def redemption_check(request_key: str, code_mac: str) -> str:
    """Kept on a redemption a claim code paid for: proves, to whoever types the same code again, that this code
    paid (to put its points back); tells a reader nothing, not even which redemptions one code paid for."""
    return _keyed("redeemed", request_key, code_mac).hex()


@dataclass(frozen=True)
class Bearer:
    """Whoever holds an anonymous reward's claim code at the kiosk: the points on the code, and no one's name."""

    hazard_id: int
    code_mac: str
    balance: int
    id: None = None  # not a person: the shop's checks for "whose redemption" compare against this


def _standing(session: Session, hazard_id: int, code_mac: str) -> tuple[RewardSpend | None, int, int]:
    """A code's spend row, what it has spent, and what is left on it."""
    given = session.scalar(
        select(Hazard.reward_points).where(Hazard.id == hazard_id, Hazard.reward == HazardReward.waiting)
    )
    row, spent = _spent(session, code_mac)
    return row, spent, max(0, int(given or 0) - spent)


def open_voucher(session: Session, code: str, *, kiosk_id: int) -> Bearer:
    """The voucher a claim code is, typed or scanned at a kiosk. Wrong codes are counted for the kiosk (five,
    then a lock): a code is 59 random bits, so guessing one is hopeless anyway."""
    normal = normalise_code(code)
    known = select(Hazard).where(Hazard.claim_code_hash == _hash(normal)) if normal else None
    # Only a code with a reward on it is a right answer; one not rewarded (yet) counts as a wrong try, and
    # then says why.
    hazard = tries.attempt(
        session,
        CODE_TRIES,
        f"kiosk:{kiosk_id}",
        lambda: session.scalar(known.where(Hazard.reward == HazardReward.waiting)) if known is not None else None,
        limit=CODE_TRY_LIMIT,
        lock_minutes=get_setting(session, "pin_lock_minutes"),
        locked=TooManyTries(_l("Too many wrong claim codes. Try again later or ask the safety department.")),
    )
    if hazard is None:
        hazard = session.scalar(known) if known is not None else None
        if hazard is None:
            raise WrongPin(_l("This claim code is not known."))
        if hazard.reward == HazardReward.collected:
            raise Conflict(_l("The reward of this report has already been collected."))
        raise Conflict(_l("This report has no reward to collect (yet): it is %(status)s."), status=hazard.status.label)
    bearer = voucher(session, hazard.id, _mac(normal))
    if bearer is None or bearer.balance <= 0:
        raise Conflict(_l("The points on this claim code have all been spent."))
    return bearer


def voucher(session: Session, hazard_id: int, code_mac: str) -> Bearer | None:
    """The voucher open at a kiosk, with the points left on it now (None: it has none any more)."""
    left = _standing(session, hazard_id, code_mac)[2]
    return Bearer(hazard_id, code_mac, left) if left > 0 else None


def _take_turns(session: Session, code_mac: str) -> None:
    """Two kiosks spending the same code take turns: a lock on the code's hash, which marks no row (SQLite
    writes one at a time anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(int(code_mac[:15], 16))))


def spend_voucher(session: Session, bearer: Bearer, points: int) -> int:
    """Take ``points`` off a voucher; what is left on it."""
    _take_turns(session, bearer.code_mac)
    row, spent, left = _standing(session, bearer.hazard_id, bearer.code_mac)
    if points > left:
        raise InsufficientPoints(
            _l("Not enough points: %(balance)s available, %(needed)s needed."), balance=left, needed=points
        )
    _set_spent(session, row, bearer.code_mac, spent + points)
    return left - points


def refund_to_voucher(session: Session, code: str, request_key: str, check: str | None) -> Callable[[int], None]:
    """Check the claim code its bearer types to take a redemption back: only the code that paid for it (its
    ``check``) is right. Returns what puts the points back onto it."""
    normal = normalise_code(code)
    code_mac = _mac(normal) if normal else ""
    if not normal or check is None or not hmac.compare_digest(check, redemption_check(request_key, code_mac)):
        raise WrongPin(_l("This is not the claim code that paid for this redemption."))

    def refund(points: int) -> None:
        _take_turns(session, code_mac)
        row, spent = _spent(session, code_mac)
        _set_spent(session, row, code_mac, max(0, spent - points))

    return refund


# --------------------------------------------------------------------------- the loop


# Staff accounts that may own a rectification (an auditor only reads; an admin account runs the system).
OWNER_ROLES = (Role.safety_officer, Role.supervisor, Role.storekeeper)


def may_own(staff: StaffUser) -> bool:
    """Whether a staff account may be a rectification's owner: it holds one of the doing roles itself (an
    administrator's account, which may do everything in the back office, is nobody's work on the shop floor)."""
    return staff.active and bool(set(staff.roles).intersection(OWNER_ROLES))


def owner_of(session: Session, owner: str) -> tuple[str, str]:
    """The owner chosen for a rectification, as (actor, name): "employee:E00070" (any active employee), or a
    staff account's "staff:wang" (also given as its bare user name) that may do the work."""
    owner = (owner or "").strip()
    kind, _sep, key = owner.partition(":")
    if kind == "employee" and key:
        employee = session.scalar(select(Employee).where(Employee.number == employee_number(key)))
        if employee is None or not employee.active:
            raise InvalidInput(_l("No employee with number %(number)s."), number=key.strip()[:32])
        return f"employee:{employee.number}", employee.name
    username = key if kind == "staff" else owner
    staff: StaffUser | None = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if staff is None or not may_own(staff):
        raise InvalidInput(_l("Choose the owner from the list, or give an employee's number."))
    return staff.actor, staff.name


def assign(
    session: Session,
    hazard: Hazard,
    *,
    actor: str,
    owner: str,
    measures: str,
    working_days: int,
    funds: str = "",
    contingency_plan: str = "",
    acceptance_standard: str = "",
    department_id: int | None = None,
    today: dt.date | None = None,
) -> Hazard:
    """Owner, measures, deadline, the responsible unit (and for a major hazard funds, plan and acceptance
    standard)."""
    _expect(hazard, HazardStatus.verified)
    owner_actor, owner_name = owner_of(session, owner)
    if department_id is not None:
        department = session.get(Department, department_id)
        if department is None:
            raise InvalidInput(_l("Choose the department from the list."))
        hazard.department = department
    measures = clean_text(measures, 2000)
    if not measures:
        raise InvalidInput(_l("Say what is to be done."))
    if not isinstance(working_days, int) or not 1 <= working_days <= 250:
        raise InvalidInput(_l("The deadline is 1 to 250 working days away."))
    funds, plan, standard = (
        clean_text(funds, 100),
        clean_text(contingency_plan, 2000),
        clean_text(acceptance_standard, 2000),
    )
    if hazard.is_major and not (funds and plan and standard):
        raise InvalidInput(_l("A major hazard needs the funds, the contingency plan and the acceptance standard."))
    hazard.owner, hazard.measures = owner_actor, measures
    hazard.deadline = add_working_days(session, today or clock.today(), working_days)
    hazard.funds, hazard.contingency_plan, hazard.acceptance_standard = funds or None, plan or None, standard or None
    hazard.assigned_at, hazard.status = utcnow(), HazardStatus.assigned
    _event(session, hazard, actor, HazardAction.assigned, f"{owner_name} {hazard.deadline.isoformat()}")
    session.flush()
    return hazard


def reassign(session: Session, hazard: Hazard, *, actor: str, owner: str) -> Hazard:
    """Hand a rectification to another owner (the first has left, moved or is away), while it is being done or
    waits for re-inspection (sent back, it goes to the new owner); its measures and deadline stay, and the
    history says who had it."""
    _expect(hazard, HazardStatus.assigned, HazardStatus.rectified)  # rectified: if sent back, it goes to the new one
    owner_actor, owner_name = owner_of(session, owner)
    if owner_actor == hazard.owner:
        raise InvalidInput(_l("%(name)s is its owner already."), name=owner_name)
    previous = actor_name(session, hazard.owner) if hazard.owner else "—"
    hazard.owner = owner_actor
    _event(session, hazard, actor, HazardAction.reassigned, f"{previous} → {actor_name(session, owner_actor)}")
    session.flush()
    return hazard


def follow_number(session: Session, old: str, new: str) -> int:
    """An owner's employee number was corrected: the rectifications they hold follow them (their phone finds
    them under the new one); the history keeps what was written."""
    result = session.execute(update(Hazard).where(Hazard.owner == f"employee:{old}").values(owner=f"employee:{new}"))
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def may_record_rectification(actor: str, hazard: Hazard, *, officer: bool = False) -> bool:
    """The owner of a hazard (a staff member or an employee, by their actor) records its rectification; a safety
    officer may do it for them."""
    return officer or (hazard.owner is not None and actor == hazard.owner)


def record_rectification(
    session: Session,
    hazard: Hazard,
    *,
    actor: str,
    note: str,
    officer: bool = False,
    photos: Sequence[bytes] = (),
    photo_folder: Path | None = None,
) -> Hazard:
    """The owner (or a safety officer) says what was done, with after-photos."""
    _expect(hazard, HazardStatus.assigned)
    if not may_record_rectification(actor, hazard, officer=officer):
        raise Forbidden(_l("Only the owner of this hazard records its rectification."))
    note = clean_text(note, 2000)
    if not note:
        raise InvalidInput(_l("Say what was done."))
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(_l("At most %(n)s photos."), n=MAX_PHOTOS)
    store_photos(session, photo_folder, photos, owner=("hazard-after", hazard.id), actor=actor)
    hazard.rectification_note, hazard.rectified_at, hazard.status = note, utcnow(), HazardStatus.rectified
    _event(session, hazard, actor, HazardAction.rectified, note)
    session.flush()
    return hazard


def assigned_to(session: Session, actor: str) -> list[Hazard]:
    """What an owner has to rectify (and what they sent in lately), newest deadline last."""
    return list(
        session.scalars(
            select(Hazard)
            .options(joinedload(Hazard.place))
            .where(Hazard.owner == actor, Hazard.status.in_((HazardStatus.assigned, HazardStatus.rectified)))
            .order_by(Hazard.deadline, Hazard.id)
            .limit(100)
        )
    )


def closing_conflict(session: Session, hazard: Hazard, actor: str) -> Message | None:
    """Separation of duties (the setting close_own_rectification, off by default): who recorded a hazard's
    rectification does not re-inspect and close it; what stops ``actor``, or None."""
    if get_setting(session, "close_own_rectification") != "no":
        return None
    recorded_by = session.scalar(
        select(HazardEvent.actor)
        .where(HazardEvent.hazard_id == hazard.id, HazardEvent.action == HazardAction.rectified)
        .order_by(HazardEvent.id.desc())
        .limit(1)
    )
    if recorded_by is not None and people.same_person(session, actor, recorded_by):
        return _l("You recorded this rectification: someone else re-inspects and closes it.")
    return None


def reinspect(
    session: Session,
    hazard: Hazard,
    *,
    actor: str,
    passed: bool,
    note: str = "",
    accepted_by: str = "",
    accepted_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Hazard:
    """Close the hazard (销号) or send it back to its owner with the reason. A major hazard is closed only on
    its acceptance (验收), recorded on its own: who accepted it, on which day, and the conclusion (``note``)."""
    _expect(hazard, HazardStatus.rectified)
    if passed and (reason := closing_conflict(session, hazard, actor)):
        raise Forbidden(reason)
    note = clean_text(note, 2000)
    if len(note) > 500 and not (passed and hazard.is_major):  # a major hazard's acceptance conclusion is longer
        raise InvalidInput(_l("Say it in at most %(n)s characters: the history keeps it whole."), n=500)
    if passed:
        if hazard.is_major:
            accepted_by = clean_text(accepted_by, 200)
            today = today or clock.today()
            if not accepted_by or not note:
                raise InvalidInput(
                    _l("A major hazard is closed on its acceptance: name who accepted it and their conclusion.")
                )
            if (
                accepted_on is None
                or accepted_on > today
                or accepted_on < clock.local_day(hazard.rectified_at or utcnow())
            ):
                raise InvalidInput(_l("The acceptance date lies between the rectification and today."))
            session.add(
                HazardAcceptance(
                    hazard=hazard,
                    accepted_by=accepted_by,
                    accepted_on=accepted_on,
                    standard=hazard.acceptance_standard or "",
                    conclusion=note,
                    recorded_by=actor,
                )
            )
        hazard.reinspected_by, hazard.closed_at, hazard.status = actor, utcnow(), HazardStatus.closed
        _event(session, hazard, actor, HazardAction.closed, note[:500])
    else:
        if not note:
            raise InvalidInput(_l("Say why it goes back."))
        hazard.status = HazardStatus.assigned
        _event(session, hazard, actor, HazardAction.sent_back, note[:500])
    session.flush()
    return hazard


def record_major(
    session: Session,
    hazard: Hazard,
    *,
    actor: str,
    supervised: bool,
    reported_on: dt.date | None,
    today: dt.date | None = None,
) -> Hazard:
    """A major hazard listed for supervision (挂牌督办), and the day it was reported to the regulator."""
    if not hazard.is_major:
        raise InvalidTransition(_l("Only a major hazard is listed for supervision or reported to the regulator."))
    if reported_on is not None and (
        reported_on > (today or clock.today()) or reported_on < clock.local_day(hazard.reported_at)
    ):
        raise InvalidInput(_l("The day it was reported to the regulator lies between the report and today."))
    hazard.supervised, hazard.regulator_reported_on = bool(supervised), reported_on
    parts = [
        str(_l("Listed for supervision")) if supervised else "",
        str(_l("reported to the regulator on %(day)s", day=reported_on.isoformat())) if reported_on else "",
    ]
    _event(session, hazard, actor, HazardAction.major_record, "；".join(p for p in parts if p))
    session.flush()
    return hazard


# --------------------------------------------------------------------------- lists


def queue(
    session: Session, status: str | None = None, *, owner: str | None = None, place_id: int | None = None
) -> list[Hazard]:
    """Hazards for the back office: by status (default: every open one), owner, place; oldest first."""
    query = select(Hazard).options(joinedload(Hazard.place))
    if status in HazardStatus.__members__:
        query = query.where(Hazard.status == status)
    else:
        query = query.where(Hazard.status.in_(OPEN))
    if owner:
        query = query.where(Hazard.owner == owner)
    if place_id:
        query = query.where(Hazard.place_id == place_id)
    return list(session.scalars(query.order_by(Hazard.id).limit(500)))


def overdue(session: Session, today: dt.date | None = None) -> list[Hazard]:
    return [h for h in queue(session) if h.is_overdue(today)]
