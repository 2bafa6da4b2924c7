"""The scheme's organisation on record (seed 000 二): the leading group (领导小组) with its head, deputies and
members and the departments they come from, the points administrators (积分管理员) who run the store day to
day, and the finance contact who keeps the budget.

A post is held from a day (``since``) and left on a day (``until``); leaving keeps the row, so the record says
who held what on any day in the past (the county's check asks who ran the scheme in the half year). The names
are as the office writes them: a member need not be on the roster (a deputy general manager from the head
office), though one who is can be linked to their employee.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from sqlalchemy import Date, DateTime, Enum, ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from . import audit, clock
from .base import Base, LabelledEnum, clean_text, get_or_404
from .clock import utcnow
from .errors import InvalidInput
from .i18n import lazy_gettext as _l
from .people import Department, Employee


class Post(LabelledEnum):
    head = "head", _l("Head of the leading group (组长)")
    deputy = "deputy", _l("Deputy head (副组长)")
    member = "member", _l("Member (成员)")
    administrator = "administrator", _l("Points administrator (积分管理员)")
    finance = "finance", _l("Finance contact (财务)")


# The posts' words in the rules document and the county's check, which are always in Chinese.
POST_WORDS = {
    Post.head: "领导小组组长",
    Post.deputy: "领导小组副组长",
    Post.member: "领导小组成员",
    Post.administrator: "积分管理员",
    Post.finance: "财务负责人",
}
LEADING_GROUP = (Post.head, Post.deputy, Post.member)


class OrgMember(Base):
    __tablename__ = "org_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    post: Mapped[Post] = mapped_column(Enum(Post, native_enum=False, length=16))
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100), default="")  # their job: 总经理, 安全部部长
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    duty: Mapped[str] = mapped_column(String(200), default="")  # what they answer for in the scheme
    since: Mapped[dt.date] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    department: Mapped[Department | None] = relationship()
    employee: Mapped[Employee | None] = relationship()

    @property
    def post_words(self) -> str:
        return POST_WORDS[self.post]


def on_record(session: Session, on: dt.date | None = None) -> list[OrgMember]:
    """Who held a post on ``on`` (default: today), the head first, then by post and since when."""
    on = on or clock.today()
    order = {post: n for n, post in enumerate(Post)}
    found = session.scalars(
        select(OrgMember).where(OrgMember.since <= on, (OrgMember.until.is_(None)) | (OrgMember.until >= on))
    ).all()
    return sorted(found, key=lambda m: (order[m.post], m.since, m.id))


def kept_now(session: Session, today: dt.date | None = None) -> tuple[list[OrgMember], list[OrgMember]]:
    """The record as the organisation page shows it: who holds a post today or will (appointed from a day to
    come, or leaving on one), and who held one before (last day gone by), the latest first."""
    today = today or clock.today()
    order = {post: n for n, post in enumerate(Post)}
    rows = session.scalars(select(OrgMember)).all()
    current = sorted((m for m in rows if m.until is None or m.until >= today), key=lambda m: (order[m.post], m.since))
    past = sorted((m for m in rows if m.until is not None and m.until < today), key=lambda m: m.until or today)
    past.reverse()
    return current, past[:50]


def held_between(session: Session, first: dt.date, last: dt.date) -> list[OrgMember]:
    """Everyone who held a post on any day from ``first`` to ``last``."""
    order = {post: n for n, post in enumerate(Post)}
    found = session.scalars(
        select(OrgMember).where(OrgMember.since <= last, (OrgMember.until.is_(None)) | (OrgMember.until >= first))
    ).all()
    return sorted(found, key=lambda m: (order[m.post], m.since, m.id))


def _day(text: str) -> dt.date:
    """A day as typed (2026-12-20); empty: today. Anything else, or a day far off, is refused."""
    text = (text or "").strip()
    try:
        day = dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, flags=re.ASCII) else None
    except ValueError:
        day = None
    if not text:
        day = clock.today()
    if day is None or not dt.date(2000, 1, 1) <= day <= clock.today() + dt.timedelta(days=366):
        raise InvalidInput(_l("A day is written like 2026-12-20."))
    return day


def _person(name: str) -> str:
    """A name as compared: full-width and half-width, upper and lower case, spaces, all the same."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def _same_person(member: OrgMember, name: str, employee_id: int | None) -> bool:
    """Whether ``member`` is the person named: by their employee when both rows name one (two 王伟 are two
    people), else by the name."""
    if member.employee_id is not None and employee_id is not None:
        return member.employee_id == employee_id
    return _person(member.name) == _person(name)


ORGANISATION_LOCK = 0x6F7267  # "org": the advisory lock appointments take turns on


def _take_turns(session: Session) -> None:
    """Two appointments at once take turns (a lock on rows would not cover the row the other one adds): on
    PostgreSQL an advisory lock held to the transaction's end; SQLite writes one at a time anyway."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(ORGANISATION_LOCK)))


def _overlap(member: OrgMember, first: dt.date, last: dt.date | None) -> bool:
    """Whether ``member`` held their post on any day from ``first`` to ``last`` (None: on, with no end)."""
    return (last is None or member.since <= last) and (member.until is None or member.until >= first)


# Posts one person may not hold on the same days: one place in the leading group each, and who keeps the
# budget does not also run the store (separation of duties, seed 000).
APART = {
    Post.head: LEADING_GROUP,
    Post.deputy: LEADING_GROUP,
    Post.member: LEADING_GROUP,
    Post.administrator: (Post.administrator, Post.finance),
    Post.finance: (Post.administrator, Post.finance),
}


def appoint(
    session: Session,
    *,
    post: str,
    name: str,
    title: str = "",
    department_id: int | None = None,
    employee_id: int | None = None,
    duty: str = "",
    since: str = "",
    until: str = "",
    actor: str,
) -> OrgMember:
    """Put someone on record in a post from ``since`` (a day; empty: today), to ``until`` for one who held it
    before (empty: they hold it still). The group has one head on any day; one person holds one place in the
    group, and not both the store's and the budget's post."""
    try:
        post_ = Post(post)
    except ValueError:
        raise InvalidInput(_l("Choose the post.")) from None
    name = " ".join(clean_text(name, 100).split())  # one line: it is read in a sentence of the rules
    if not name:
        raise InvalidInput(_l("Give the person's name."))
    start = _day(since)
    end = _day(until) if until.strip() else None
    if end is not None and end < start:
        raise InvalidInput(_l("The day they left is on or after the day they took the post, like 2026-12-20."))
    if department_id is not None:
        get_or_404(session, Department, department_id, _l("No such department."))
    if employee_id is not None:
        get_or_404(session, Employee, employee_id, _l("No such employee."))
    _take_turns(session)
    held = [m for m in session.scalars(select(OrgMember)).all() if _overlap(m, start, end)]
    if post_ is Post.head and any(m.post is Post.head for m in held):
        raise InvalidInput(
            _l("The leading group has a head on those days already: record the day they leave the post first.")
        )
    for other in held:
        if not _same_person(other, name, employee_id) or other.post not in APART[post_]:
            continue
        if other.post is post_:  # a second tap, a replay
            raise InvalidInput(_l("%(name)s holds this post already."), name=name)
        raise InvalidInput(
            _l(
                "%(name)s is %(post)s on those days: one person holds one of these posts at a time (the last day in"
                " one is the day before the first in the other)."
            ),
            name=other.name,
            post=other.post.label,
        )
    member = OrgMember(
        post=post_,
        name=name,
        title=" ".join(clean_text(title, 100).split()),
        department_id=department_id,
        employee_id=employee_id,
        duty=" ".join(clean_text(duty, 200).split()),
        since=start,
        until=end,
        added_by=actor,
    )
    session.add(member)
    session.flush()
    return member


def strike(session: Session, member_id: int, *, reason: str) -> str:
    """Take a row entered by mistake off the record (a wrong name, a wrong post, a head put in by error), with
    the reason; the audit log keeps the row and the reason. Who really held a post leaves it instead."""
    reason = " ".join(clean_text(reason, 200).split())
    if not reason:
        raise InvalidInput(_l("Give the reason: what was wrong in this row."))
    member = get_or_404(session, OrgMember, member_id, _l("This row is not on record (any more)."), lock=True)
    name = member.name
    audit.note(session, "delete", "org_member", str(member.id), {"reason": reason})
    session.delete(member)
    session.flush()
    return name


def leave(session: Session, member_id: int, *, until: str = "") -> OrgMember:
    """Someone's last day in their post (empty: today); the row stays on record. Leaving twice is refused."""
    member = get_or_404(session, OrgMember, member_id, _l("No such member."), lock=True)
    if member.until is not None:
        raise InvalidInput(_l("%(name)s left this post on %(day)s."), name=member.name, day=member.until.isoformat())
    end = _day(until)
    if end < member.since:
        raise InvalidInput(_l("The day they left is on or after the day they took the post, like 2026-12-20."))
    member.until = end
    session.flush()
    return member
