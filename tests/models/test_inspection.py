"""The county's half-yearly check worked out by hand, and the organisation on record it names."""

from __future__ import annotations

import datetime as dt

import pytest

from models import claims, clock, hazards, inspection, ledger, organisation, places
from models.errors import DomainError, InvalidInput


def _claim(session, employee, rule, points=5, **extra):
    return claims.submit_claim(
        session,
        employee=employee,
        rule=rule,
        points=points,
        description="事项",
        source="office",
        actor="staff:office",
        **extra,
    )


def test_half_years_as_typed_and_the_one_asked_for_by_default():
    assert inspection.parse_half("", dt.date(2026, 12, 3)).key == "2026-H2"  # its last month: this one
    assert inspection.parse_half("", dt.date(2026, 9, 10)).key == "2026-H1"  # the one that ended last
    assert inspection.parse_half("", dt.date(2026, 3, 1)).key == "2025-H2"
    half = inspection.parse_half("2026-h1", dt.date(2026, 12, 3))
    assert (half.first, half.last, half.words) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30), "2026年上半年")
    for typed in ("2026-H3", "2026", "H1", "２０２６-H1", "1999-H1", "2026-H1\x00"):
        with pytest.raises(InvalidInput):
            inspection.parse_half(typed, dt.date(2026, 12, 3))
    with pytest.raises(InvalidInput):
        inspection.parse_half("2027-H1", dt.date(2026, 12, 3))  # not begun


def test_a_half_year_worked_out_by_hand(session, make_employee, rule):
    a = make_employee(name="甲", department="冲压车间")
    b = make_employee(name="乙", department="冲压车间")
    c = make_employee(name="丙", department="仓储部")
    today = clock.today()
    # 甲: a claim reviewed on time and credited; 乙: one reviewed two days past its due day; c: one still waiting
    # past its due day, and one in notice that someone objects to.
    on_time = _claim(session, a, rule("T01"), 10)
    claims.approve(session, on_time, 10, actor="staff:leader")
    claims.credit_due_one(session, on_time, actor="system", now=clock.utcnow())
    late = _claim(session, b, rule("T01"))
    late.due_on = today - dt.timedelta(days=2)
    claims.approve(session, late, 5, actor="staff:leader")
    waiting = _claim(session, c, rule("D01"), 2, today=today - dt.timedelta(days=14))  # due days ago
    assert waiting.due_on < today
    objected = _claim(session, c, rule("D02"), 3)
    claims.approve(session, objected, 3, actor="staff:leader")
    claims.object_to(session, objected, "没有参加", actor="employee:X")
    # Hazards: 丙 reports one by name, someone reports one anonymously.
    dock = places.save_place(session, None, name="仓库", risk="yellow")
    hazards.report(session, dock, category="state", description="货架倾斜", reporter=c)
    hazards.report(session, dock, category="act", description="叉车超速", reporter=None)
    # The organisation: a head since January; a member who left in March (not in the second half); an
    # administrator who left in August (still in it).
    year = today.year
    organisation.appoint(session, post="head", name="王总", title="总经理", since=f"{year}-01-01", actor="staff:admin")
    gone = organisation.appoint(session, post="member", name="李四", since=f"{year}-01-01", actor="staff:admin")
    organisation.leave(session, gone.id, until=f"{year}-03-31")
    kept = organisation.appoint(session, post="administrator", name="赵六", since=f"{year}-01-01", actor="staff:admin")
    organisation.leave(session, kept.id, until=f"{year}-08-01")
    session.commit()

    half = inspection.Half(year, today.month > 6)
    found = inspection.half_year_check(session, half)
    rows = {d.name: d for d in found.departments}
    assert (rows["冲压车间"].people, rows["冲压车间"].earned, rows["冲压车间"].reported) == (2, 1, 0)
    assert (rows["仓储部"].people, rows["仓储部"].earned, rows["仓储部"].reported) == (1, 0, 1)
    assert rows["冲压车间"].share == 50.0 and found.anonymous_reports == 1
    # Reviews: on time 2 (甲's, and the objected one's first review); late 1 (乙's); waiting late 1.
    assert (found.reviewed_on_time, found.reviewed_late, found.waiting_late) == (2, 1, 1)
    assert (found.on_time_rate, found.objections) == (66.7, 1)
    assert found.figures is not None and found.figures.credited == 10 and found.figures.reported == 2
    assert [m.name for m in found.members] == (["王总", "赵六"] if today.month > 6 else ["王总", "李四", "赵六"])
    assert found.chain_head == ledger.checkpoint(session)
    # A half year before it all: nothing of this, and the chain as it stood (nothing yet).
    empty = inspection.half_year_check(session, inspection.Half(year - 1, True))
    assert (empty.people, empty.earned, empty.reviewed_on_time, empty.chain_head) == (0, 0, 0, "LC-0")


def test_the_organisation_keeps_one_head_at_a_time_and_its_history(session):
    head = organisation.appoint(session, post="head", name="王总", since="2026-01-01", actor="staff:admin")
    with pytest.raises(InvalidInput):
        organisation.appoint(session, post="head", name="张总", since="2026-06-01", actor="staff:admin")
    organisation.leave(session, head.id, until="2026-05-31")
    organisation.appoint(session, post="head", name="张总", since="2026-06-01", actor="staff:admin")
    assert [m.name for m in organisation.on_record(session, dt.date(2026, 5, 1))] == ["王总"]
    assert [m.name for m in organisation.on_record(session, dt.date(2026, 6, 1))] == ["张总"]
    with pytest.raises(InvalidInput):
        organisation.leave(session, head.id)  # left already
    for bad in (
        {"post": "king", "name": "x"},
        {"post": "member", "name": "  \x00 "},
        {"post": "member", "name": "x", "since": "2026-13-01"},
        {"post": "member", "name": "x", "since": "9999-01-01"},
        {"post": "member", "name": "x", "department_id": 2**31 - 1},
    ):
        with pytest.raises(DomainError) as raised:
            organisation.appoint(session, actor="staff:admin", **bad)
        assert raised.value.status_code in (400, 404)
    member = organisation.appoint(session, post="member", name="<b>刘</b>", since="2026-02-01", actor="staff:admin")
    with pytest.raises(InvalidInput):
        organisation.leave(session, member.id, until="2026-01-31")  # before the post was taken
    assert member.name == "<b>刘</b>"  # kept as typed; every page escapes it


def test_a_late_review_stays_late_after_an_objection_and_leavers_count_nowhere(session, make_employee, rule):
    from models import roster

    today = clock.today()
    a, b = make_employee(name="甲", department="机修车间"), make_employee(name="乙", department="机修车间")
    late = _claim(session, a, rule("T01"), 10, today=today - dt.timedelta(days=14))
    claims.approve(session, late, 10, actor="staff:leader")
    half = inspection.Half(today.year, today.month > 6)
    found = inspection.half_year_check(session, half)
    assert (found.reviewed_on_time, found.reviewed_late, found.waiting_late) == (0, 1, 0)
    claims.object_to(session, late, "人不在场", actor="employee:X")  # a new round, due in a few working days
    found = inspection.half_year_check(session, half)
    assert (found.reviewed_on_time, found.reviewed_late, found.waiting_late, found.objections) == (0, 1, 0, 1)
    # 甲 and 乙 both earned; 乙 left before the end: on the roster 1, earned 1 (never 200 %).
    ledger.award(session, a.id, 5, actor="staff:admin", memo="x")
    ledger.award(session, b.id, 5, actor="staff:admin", memo="x")
    roster.leave(session, b, actor="staff:admin")
    session.commit()
    [row] = inspection.half_year_check(session, half).departments
    assert (row.people, row.earned, row.share) == (1, 1, 100.0)


def test_an_award_found_false_counts_nobody_as_having_earned(session, make_employee, rule):
    honest, cheat = make_employee(name="甲", department="涂装车间"), make_employee(name="乙", department="涂装车间")
    now = clock.utcnow()
    for who, points in ((honest, 5), (cheat, 8)):
        claim = _claim(session, who, rule("T01"), points)
        claims.approve(session, claim, points, actor="staff:leader")
        claims.credit_due_one(session, claim, actor="system", now=now)
        if who is cheat:
            claims.mark_fraud(session, claim, "虚报培训", actor="staff:leader")
    session.commit()
    today = clock.today()
    found = inspection.half_year_check(session, inspection.Half(today.year, today.month > 6))
    row = next(d for d in found.departments if d.name == "涂装车间")
    # 乙's only award was found false: its points are not what was given out, nor is 乙 one who earned.
    assert (row.people, row.earned, row.share) == (2, 1, 50.0)
    assert found.figures is not None and found.figures.credited == 5


def test_one_person_holds_one_place_in_the_group_and_not_both_the_store_and_the_budget(session):
    organisation.appoint(session, post="head", name="王总", since="2026-01-01", actor="staff:admin")
    clash = (
        {"post": "deputy", "name": "王总"},
        {"post": "member", "name": " 王 总 "},  # the same name, spaced
        {"post": "finance", "name": "Li Na"},
    )
    organisation.appoint(session, post="administrator", name="LI NA", since="2026-01-01", actor="staff:admin")
    for typed in clash:
        with pytest.raises(InvalidInput):
            organisation.appoint(session, since="2026-03-01", actor="staff:admin", **typed)
    # A member of the group may also run the store; a past head is entered with their last day while the head of
    # today is in post, and a second past head on the same days is refused.
    organisation.appoint(session, post="member", name="LI NA", since="2026-01-01", actor="staff:admin")
    old = organisation.appoint(
        session, post="head", name="张总", since="2024-01-01", until="2025-12-31", actor="staff:admin"
    )
    assert old.until == dt.date(2025, 12, 31)
    assert [m.name for m in organisation.on_record(session, dt.date(2025, 6, 1))] == ["张总"]
    with pytest.raises(InvalidInput):
        organisation.appoint(session, post="head", name="赵总", since="2025-06-01", until="2025-07-01", actor="x")
    with pytest.raises(InvalidInput):
        organisation.appoint(session, post="member", name="钱", since="2026-02-01", until="2026-01-01", actor="x")


def test_a_row_entered_by_mistake_is_taken_off_with_its_reason(session):
    from models import audit

    wrong = organisation.appoint(session, post="head", name="王宗", since="2026-12-20", actor="staff:admin")
    with pytest.raises(InvalidInput):  # the mistaken head to come blocks the real one ...
        organisation.appoint(session, post="head", name="王总", since="2026-12-01", actor="staff:admin")
    with pytest.raises(InvalidInput):  # ... and is taken off only with a reason
        organisation.strike(session, wrong.id, reason=" \x00 ")
    assert organisation.strike(session, wrong.id, reason="名字写错") == "王宗"
    organisation.appoint(session, post="head", name="王总", since="2026-12-01", actor="staff:admin")
    session.commit()
    logged = session.scalars(audit.search(session, entity="org_member", entity_id=str(wrong.id))).all()
    assert [(e.action, e.actor) for e in logged if "名字写错" in e.changes] == [("delete", "system")]
    assert [m.name for m in organisation.on_record(session, dt.date(2026, 12, 31))] == ["王总"]
    with pytest.raises(DomainError) as raised:
        organisation.strike(session, 2**31 - 1, reason="no such row")
    assert raised.value.status_code == 404


def test_two_people_of_one_name_and_a_promotion_from_the_day_after(session, make_employee):
    one, two = make_employee(name="王伟"), make_employee(name="王伟")
    organisation.appoint(session, post="deputy", name="王伟", employee_id=one.id, since="2026-01-01", actor="x")
    organisation.appoint(session, post="member", name="王伟", employee_id=two.id, since="2026-01-01", actor="x")
    with pytest.raises(InvalidInput):  # the same employee twice in the group is one person
        organisation.appoint(session, post="member", name="王伟", employee_id=one.id, since="2026-02-01", actor="x")
    deputy = organisation.appoint(session, post="deputy", name="李强", since="2026-01-01", actor="x")
    organisation.leave(session, deputy.id, until="2026-06-30")
    with pytest.raises(InvalidInput, match="the day before"):  # head from the deputy's last day: they overlap
        organisation.appoint(session, post="head", name="李强", since="2026-06-30", actor="x")
    organisation.appoint(session, post="head", name="李强", since="2026-07-01", actor="x")


def test_two_heads_put_on_record_at_once_take_turns(app, session):
    """A double tap on PostgreSQL: the second request waits for the first and then sees its head."""
    import threading

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    engine = app.extensions["mart.db"][0]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    first, second = Session(engine), Session(engine)
    organisation.appoint(first, post="head", name="王总", since="2026-01-01", actor="staff:a")
    refused: list[Exception] = []

    def tap_again() -> None:
        try:
            organisation.appoint(second, post="head", name="王总", since="2026-01-01", actor="staff:a")
            second.commit()
        except InvalidInput as err:
            refused.append(err)
            second.rollback()

    other = threading.Thread(target=tap_again)
    other.start()
    other.join(1.0)  # it waits on the first one's lock ...
    assert other.is_alive()
    first.commit()
    other.join(10)
    first.close()
    second.close()
    heads = session.scalars(select(organisation.OrgMember).where(organisation.OrgMember.post == "head")).all()
    assert len(heads) == 1 and len(refused) == 1  # ... and then sees its head
