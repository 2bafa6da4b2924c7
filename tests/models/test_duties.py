"""Separation of duties (seed 000: the review is someone else's): nobody reviews a claim that is theirs or that
they filed, nobody verifies their own hazard report, nobody closes a rectification they recorded (a setting, on
by default), and nobody awards points to themselves."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import claims, hazards, people, places
from models.claims import ClaimStatus
from models.errors import Forbidden
from models.hazards import HazardStatus
from models.settings import set_setting


@pytest.fixture
def leader(session, make_employee):
    """The workshop's safety officer, who is on the roster too (an employee with a staff account)."""
    me = make_employee(name="王主任", number="D0001", department="冲压车间")
    account = people.create_staff(
        session, username="wang", name="王主任", password="password-123", roles=["safety_officer"], employee=me
    )
    session.commit()
    return account


def test_a_claimant_who_is_also_the_reviewer_may_not_approve_reject_or_mark_false_their_own(
    session, leader, make_claim
):
    mine = make_claim(session.get(people.Employee, leader.employee_id), "T01", 10)
    for step in (
        lambda: claims.approve(session, mine, 10, actor=leader.actor),
        lambda: claims.reject(session, mine, "不符", actor=leader.actor),
        lambda: claims.mark_fraud(session, mine, "虚报", actor=leader.actor),
    ):
        with pytest.raises(Forbidden, match="yours"):
            step()
    # Nor as the employee they are (the kiosk or the phone): the same person.
    with pytest.raises(Forbidden):
        claims.approve(session, mine, 10, actor="employee:D0001")
    assert mine.status is ClaimStatus.pending and mine.reviewed_by is None
    claims.approve(session, mine, 10, actor="staff:other")  # someone else may
    assert mine.status is ClaimStatus.approved


def test_who_filed_a_claim_does_not_review_it(session, leader, make_employee, rule):
    worker = make_employee(name="孙八")
    filed = claims.submit_claim(
        session, employee=worker, rule=rule("T01"), points=10, description="培训", source="office", actor=leader.actor
    )
    with pytest.raises(Forbidden, match="filed"):
        claims.approve(session, filed, 10, actor=leader.actor)
    with pytest.raises(Forbidden, match="filed"):
        claims.reject(session, filed, "不符", actor=leader.actor)
    claims.reject(session, filed, "不符", actor="staff:other")
    assert filed.status is ClaimStatus.rejected


def test_an_award_to_oneself_is_refused_a_deduction_is_not(session, leader, rule):
    me = session.get(people.Employee, leader.employee_id)
    for source in ("supervisor", "office"):
        with pytest.raises(Forbidden, match="yourself"):
            claims.submit_claim(
                session, employee=me, rule=rule("T01"), points=10, description="x", source=source, actor=leader.actor
            )
    assert session.scalars(select(claims.Claim)).all() == []
    own_fault = claims.submit_claim(
        session, employee=me, rule=rule("V02"), points=10, description="违章", source="office", actor=leader.actor
    )
    assert own_fault.status is ClaimStatus.pending  # owning up to a deduction is no self-dealing


@pytest.fixture
def press(session):
    return places.save_place(session, None, name="冲压车间", risk="orange")


def test_a_hazard_reported_by_the_officer_is_verified_by_someone_else(session, leader, press):
    me = session.get(people.Employee, leader.employee_id)
    mine = hazards.report(session, press, category="state", description="护栏松动", reporter=me).hazard
    with pytest.raises(Forbidden, match="reported"):
        hazards.verify(session, mine, "valid", grade="general", actor=leader.actor)
    assert mine.status is HazardStatus.received
    hazards.verify(session, mine, "valid", grade="general", actor="staff:other")
    assert mine.reward_claim.status is ClaimStatus.approved  # the verification was its review


def _rectified(session, press, owner: str, recorder: str, *, officer: bool = False):
    hazard = hazards.report(session, press, category="state", description="漏油", reporter=None).hazard
    hazards.verify(session, hazard, "valid", grade="general", actor="staff:other")
    hazards.assign(session, hazard, actor="staff:other", owner=owner, measures="更换密封", working_days=3)
    hazards.record_rectification(session, hazard, actor=recorder, note="已更换", officer=officer)
    return hazard


def test_a_rectifier_who_tries_to_close_their_own_work_is_refused(session, leader, press, make_employee):
    # The officer recorded it on the owner's behalf: they do not close it.
    hazard = _rectified(session, press, "employee:D0001", leader.actor, officer=True)
    with pytest.raises(Forbidden, match="recorded"):
        hazards.reinspect(session, hazard, actor=leader.actor, passed=True)
    # The owner recorded it on the phone as an employee; their staff account is the same person.
    worker = make_employee(name="钳工", number="D0002")
    by_phone = _rectified(session, press, "employee:D0001", "employee:D0001")
    with pytest.raises(Forbidden):
        hazards.reinspect(session, by_phone, actor=leader.actor, passed=True)
    assert by_phone.status is HazardStatus.rectified
    hazards.reinspect(session, by_phone, actor=leader.actor, passed=False, note="未清理油污")  # sending back is fine
    assert by_phone.status is HazardStatus.assigned
    other = _rectified(session, press, f"employee:{worker.number}", f"employee:{worker.number}")
    hazards.reinspect(session, other, actor=leader.actor, passed=True)
    assert other.status is HazardStatus.closed


def test_the_setting_lets_a_one_person_office_close_its_own(session, leader, press):
    set_setting(session, "close_own_rectification", "yes")
    hazard = _rectified(session, press, "employee:D0001", leader.actor, officer=True)
    hazards.reinspect(session, hazard, actor=leader.actor, passed=True)
    assert hazard.status is HazardStatus.closed


def test_nobody_dismisses_someone_s_report_as_a_repeat_of_their_own(session, leader, press, make_employee):
    worker = make_employee(name="先报者")
    earlier = hazards.report(session, press, category="state", description="护栏松动", reporter=worker).hazard
    me = session.get(people.Employee, leader.employee_id)
    mine = hazards.report(session, press, category="state", description="护栏松动", reporter=me).hazard
    with pytest.raises(Forbidden):
        hazards.verify(session, earlier, "duplicate", duplicate_of=mine.number, actor=leader.actor)
    assert earlier.status is HazardStatus.received
