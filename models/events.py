"""Awards for an event: a training, a drill, an exam attended by many, as one filing.

One form names the rule, the points, the day, what it was and who took part (departments, a team, or an
attendance sheet's employee numbers). It files one claim per person, tied together by their ``origin``
("event:<key>"), so the event is reviewed once (approved or rejected whole) and in public notice once (the
same notice period; the board shows it as one line), and each person is credited within their yearly cap by
the usual crediting, their history naming the event.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from . import claims, clock
from .base import clean_text
from .claims import Claim, ClaimSource, ClaimStatus
from .errors import InvalidInput, NotFound
from .i18n import lazy_gettext as _l
from .people import Employee, Team, actor_employee, employee_number
from .roster import HEADERS as ROSTER_HEADERS
from .rules import Rule, RuleKind
from .sheets import cell, read_table

PREFIX = "event:"
MAX_PEOPLE = 2000


@dataclass(frozen=True)
class Event:
    origin: str
    claims: list[Claim]

    @property
    def first(self) -> Claim:
        return self.claims[0]

    def count(self, status: ClaimStatus) -> int:
        return sum(1 for claim in self.claims if claim.status is status)


def is_event(origin: str | None) -> bool:
    return bool(origin) and str(origin).startswith(PREFIX)


def attendance(data: bytes) -> list[str]:
    """The employee numbers of an attendance sheet (a column 工号; a title, blank and total rows skipped)."""
    table = read_table(data, {"number": ROSTER_HEADERS["number"]}, ("number",), max_rows=MAX_PEOPLE)
    numbers: list[str] = []
    for _line, values in table.rows:
        errors: list[str] = []
        if number := employee_number(cell(values, table.columns["number"], errors)):
            numbers.append(number)
    return numbers


def participants(
    session: Session, *, department_ids: list[int], team_id: int | None, numbers: list[str]
) -> list[Employee]:
    """The working employees who took part: everyone of the departments (or of the team), and those the
    attendance sheet numbers; a number nobody working has is refused by name."""
    found: dict[int, Employee] = {}
    if team_id and session.get(Team, team_id) is None:
        raise InvalidInput(_l("Choose the team from the list."))
    if department_ids or team_id:  # everyone of the departments, and everyone of the team
        chosen = Employee.department_id.in_(department_ids) | (Employee.team_id == (team_id or 0))
        query = select(Employee).where(Employee.active.is_(True), chosen)
        found.update((e.id, e) for e in session.scalars(query.limit(MAX_PEOPLE + 1)))
    if numbers:
        wanted = sorted(set(numbers))
        working = {e.number: e for e in session.scalars(select(Employee).where(Employee.number.in_(wanted)))}
        unknown = [n for n in wanted if n not in working or not working[n].active]
        if unknown:
            raise InvalidInput(_l("Not a working employee: %(numbers)s."), numbers="、".join(unknown[:20])[:300])
        found.update((e.id, e) for e in working.values())
    if not found:
        raise InvalidInput(_l("Choose who took part: a department, a team or an attendance sheet."))
    if len(found) > MAX_PEOPLE:
        raise InvalidInput(_l("At most %(n)s people in one event."), n=MAX_PEOPLE)
    return sorted(found.values(), key=lambda e: e.number)


def file_event(
    session: Session,
    *,
    rule: Rule,
    points: int,
    held_on: dt.date,
    title: str,
    people: list[Employee],
    source: ClaimSource,
    actor: str,
) -> tuple[str, bool]:
    """File one claim for each participant, tied by one origin; returns it, and whether the filer was among them
    and left out (a supervisor's own department: nobody awards themselves; they claim as any employee does)."""
    if rule.kind is not RuleKind.earn:
        raise InvalidInput(_l("An event is rewarded with a rule that awards points."))
    title = clean_text(title, 100)
    if not title:
        raise InvalidInput(_l("Say what the event was."))
    if held_on > clock.today() or held_on < clock.today() - dt.timedelta(days=366):
        raise InvalidInput(_l("The day of the event is within the last year, not in the future."))
    description = f"{title}（{held_on.isoformat()}）"
    twice = session.scalar(
        select(Claim.id)
        .where(
            Claim.origin.like(f"{PREFIX}%"),
            Claim.rule_id == rule.id,
            Claim.description == description,
            Claim.status != ClaimStatus.rejected,
        )
        .limit(1)
    )
    if twice is not None:  # a second tap, or the same sheet filed by two people: the whole group paid twice
        raise InvalidInput(_l("This event is filed already (the same rule, name and day)."))
    filer = actor_employee(session, actor)
    others = [e for e in people if e.id != filer]
    if not others:
        raise InvalidInput(
            _l("You cannot award points to yourself; claim them as an employee, for someone else to review.")
        )
    origin = PREFIX + secrets.token_hex(8)
    for employee in others:
        claims.submit_claim(
            session,
            employee=employee,
            rule=rule,
            points=points,
            description=description,
            source=source,
            actor=actor,
            origin=origin,
        )
    return origin, len(others) < len(people)


def get_event(session: Session, key: str, *, lock: bool = False) -> Event:
    origin = PREFIX + key[:32]
    query = (
        select(Claim)
        .options(joinedload(Claim.employee).joinedload(Employee.department), joinedload(Claim.rule))
        .where(Claim.origin == origin)
        .order_by(Claim.id)
    )
    found = list(session.scalars(query.with_for_update(of=Claim) if lock else query).unique())
    if not found:
        raise NotFound(_l("No such event."))
    return Event(origin, found)


def approve_event(session: Session, event: Event, *, actor: str, now: dt.datetime | None = None) -> int:
    """Approve every claim of the event still to be reviewed, at the points it asks: one notice for all."""
    now = now or clock.utcnow()
    waiting = [c for c in event.claims if c.status is ClaimStatus.pending]
    if not waiting:
        raise InvalidInput(_l("Nothing of this event waits for review."))
    for claim in waiting:
        if claim.employee.active:
            claims.approve(session, claim, claim.requested_points, actor=actor, now=now)
        else:  # left since it was filed
            claims.reject(session, claim, str(_l("Left the company before the review.")), actor=actor)
    return len(waiting)


def reject_event(session: Session, event: Event, reason: str, *, actor: str) -> int:
    waiting = [c for c in event.claims if c.status is ClaimStatus.pending]
    if not waiting:
        raise InvalidInput(_l("Nothing of this event waits for review."))
    for claim in waiting:
        claims.reject(session, claim, reason, actor=actor)
    return len(waiting)


def waiting(session: Session, limit: int = 50) -> list[tuple[str, str, int]]:
    """Events with claims waiting for review: (key, what it was, how many), the oldest first."""
    rows = session.execute(
        select(Claim.origin, func.min(Claim.description), func.count())
        .where(Claim.origin.like(f"{PREFIX}%"), Claim.status == ClaimStatus.pending)
        .group_by(Claim.origin)
        .order_by(func.min(Claim.id))
        .limit(limit)
    ).all()
    return [(str(origin).removeprefix(PREFIX), str(description), int(n)) for origin, description, n in rows]


@dataclass(frozen=True)
class NoticeLine:
    """One line of the notice board: a claim, or an event's claims in notice together (one line for all)."""

    claim: Claim
    names: tuple[str, ...]
    departments: tuple[str, ...]

    @property
    def who(self) -> str:
        shown = "、".join(self.names[:6])
        return (
            shown if len(self.names) <= 6 else str(_l("%(names)s and %(n)s more", names=shown, n=len(self.names) - 6))
        )


def notice_lines(in_notice: list[Claim]) -> list[NoticeLine]:
    """The claims in notice as the board shows them: an event's claims that share a notice, one line."""
    lines: list[NoticeLine] = []
    groups: dict[tuple[str, object], list[Claim]] = {}
    for claim in in_notice:
        if is_event(claim.origin):
            key = (str(claim.origin), claim.notice_until)
            if key not in groups:
                groups[key] = []
                lines.append(NoticeLine(claim, (), ()))
            groups[key].append(claim)
        else:
            lines.append(NoticeLine(claim, (claim.employee.name,), (claim.employee.department.name,)))
    for index, line in enumerate(lines):
        if not line.names:
            together = groups[(str(line.claim.origin), line.claim.notice_until)]
            lines[index] = NoticeLine(
                line.claim,
                tuple(c.employee.name for c in together),
                tuple(dict.fromkeys(c.employee.department.name for c in together)),
            )
    return lines
