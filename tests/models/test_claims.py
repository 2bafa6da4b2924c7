"""Claims: review within working days, public notice, objections, crediting, false claims."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from models import claims, clock, ledger
from models.claims import ClaimSource, ClaimStatus
from models.clock import utcnow
from models.errors import InactiveEmployee, InvalidInput, InvalidTransition, OutOfRange, RuleRetired
from models.ledger import LedgerEntry
from models.people import Employee
from models.roster import leave
from models.rules import retire_rule
from models.settings import set_setting

LATER = dt.timedelta(days=30)


def submit(session, employee, rule, points=10, **kw):
    defaults = {"description": "参加季度安全培训", "source": ClaimSource.employee, "actor": "employee:E1"}
    return claims.submit_claim(session, employee=employee, rule=rule, points=points, **{**defaults, **kw})


def test_a_claim_goes_through_review_notice_and_credit(session, make_employee, rule):
    set_setting(session, "notice_day_kind", "calendar")  # working days: tests/models/test_workdays.py
    worker = make_employee()
    claim = submit(session, worker, rule("T01"), 15)
    assert claim.status is ClaimStatus.pending
    claims.approve(session, claim, 12, actor="staff:safety")
    assert claim.status is ClaimStatus.approved
    assert claim.notice_until - claim.reviewed_at == dt.timedelta(days=3)
    assert claims.credit_due(session) == []  # still in notice: nothing credited yet
    assert session.get(Employee, worker.id).balance == 0

    outcomes = claims.credit_due(session, now=utcnow() + dt.timedelta(days=3, seconds=1))
    session.commit()
    assert [(o.claim_id, o.status, o.points) for o in outcomes] == [(claim.id, ClaimStatus.credited, 12)]
    assert session.get(Employee, worker.id).balance == 12
    entry = ledger.history(session, worker.id, 1)[0]
    assert (entry.ref_type, entry.ref_id, entry.memo) == ("claim", claim.id, "参与安全培训")
    assert [e.action for e in claim.events] == ["submitted", "approved", "credited"]
    # Running it again credits nothing twice.
    assert claims.credit_due(session, now=utcnow() + LATER) == []
    assert session.get(Employee, worker.id).balance == 12


def test_the_notice_period_is_a_setting(session, make_employee, rule):
    set_setting(session, "notice_days", 5)
    set_setting(session, "notice_day_kind", "calendar")
    claim = submit(session, make_employee(), rule("D01"), 3)
    claims.approve(session, claim, 3, actor="staff:safety")
    assert claims.credit_due(session, now=utcnow() + dt.timedelta(days=4)) == []
    assert len(claims.credit_due(session, now=utcnow() + dt.timedelta(days=5, seconds=1))) == 1


@pytest.mark.parametrize("points", [0, 4, 21, -10])
def test_a_value_outside_the_rule_range_is_refused(session, make_employee, rule, points):
    worker = make_employee()
    with pytest.raises(OutOfRange) as refused:
        submit(session, worker, rule("T01"), points)
    assert "5" in refused.value.message and "20" in refused.value.message
    claim = submit(session, worker, rule("T01"), 10)
    with pytest.raises(OutOfRange):
        claims.approve(session, claim, points, actor="staff:safety")
    assert claim.status is ClaimStatus.pending


def test_claims_on_a_retired_rule_or_for_someone_who_left_are_refused(session, make_employee, rule):
    worker = make_employee()
    retire_rule(session, rule("T03"))
    with pytest.raises(RuleRetired):
        submit(session, worker, rule("T03"), 10)
    leave(session, worker, actor="test")
    with pytest.raises(InactiveEmployee):
        submit(session, worker, rule("T01"), 10)


def test_retiring_a_rule_leaves_history_alone(session, make_employee, rule):
    worker = make_employee()
    claim = submit(session, worker, rule("T01"), 10)
    claims.approve(session, claim, 10, actor="staff:safety")
    claims.credit_due(session, now=utcnow() + LATER)
    retire_rule(session, rule("T01"))
    session.commit()
    assert session.get(Employee, worker.id).balance == 10
    assert ledger.history(session, worker.id, 1)[0].memo == "参与安全培训"
    assert ledger.verify_ledger(session).ok


def test_a_description_is_required(session, make_employee, rule):
    with pytest.raises(InvalidInput):
        submit(session, make_employee(), rule("T01"), 10, description="   ")


def test_rejecting_needs_a_reason_and_credits_nothing(session, make_employee, rule):
    worker = make_employee()
    claim = submit(session, worker, rule("T01"), 10)
    with pytest.raises(InvalidInput):
        claims.reject(session, claim, "  ", actor="staff:safety")
    claims.reject(session, claim, "无培训签到记录", actor="staff:safety")
    assert claim.status is ClaimStatus.rejected and claim.review_note == "无培训签到记录"
    with pytest.raises(InvalidTransition):
        claims.approve(session, claim, 10, actor="staff:safety")
    claims.credit_due(session, now=utcnow() + LATER)
    assert session.get(Employee, worker.id).balance == 0


def test_an_objection_sends_the_claim_back_to_review(session, make_employee, rule):
    worker = make_employee()
    claim = submit(session, worker, rule("E01"), 50)
    claims.approve(session, claim, 50, actor="staff:safety")
    with pytest.raises(InvalidInput):
        claims.object_to(session, claim, "", actor="employee:E9")
    claims.object_to(session, claim, "演练当天他不在现场", actor="employee:E9")
    assert claim.status is ClaimStatus.pending and claim.notice_until is None
    assert claim.events[-1].action == "objected" and claim.events[-1].note == "演练当天他不在现场"
    assert claims.credit_due(session, now=utcnow() + LATER) == []
    assert session.get(Employee, worker.id).balance == 0


def test_no_objection_after_the_notice_has_ended(session, make_employee, rule):
    claim = submit(session, make_employee(), rule("D01"), 3)
    claims.approve(session, claim, 3, actor="staff:safety")
    with pytest.raises(InvalidTransition):
        claims.object_to(session, claim, "太晚了", actor="employee:E9", now=utcnow() + LATER)


def test_crediting_respects_the_yearly_cap_and_records_why(session, make_employee, rule):
    set_setting(session, "yearly_cap", 100)
    worker = make_employee()
    first, second, third = (submit(session, worker, rule("E01"), p) for p in (80, 50, 20))
    for claim in (first, second, third):
        claims.approve(session, claim, claim.requested_points, actor="staff:safety")
    outcomes = claims.credit_due(session, now=utcnow() + LATER)
    session.commit()
    assert [(o.status, o.points) for o in outcomes] == [
        (ClaimStatus.credited, 80),
        (ClaimStatus.credited, 20),
        (ClaimStatus.cap_refused, 0),
    ]
    assert "20" in second.outcome_note and "50" in second.outcome_note
    assert third.outcome_note and "100" in third.outcome_note
    assert session.get(Employee, worker.id).balance == 100


def test_a_deduction_rule_takes_points_after_notice(session, make_employee, rule):
    worker = make_employee(balance=30)
    claim = submit(
        session,
        worker,
        rule("V02"),
        10,
        source=ClaimSource.supervisor,
        actor="staff:super",
        description="未按规程停机清理",
    )
    assert claim.signed_points == -10
    claims.approve(session, claim, 10, actor="staff:safety")
    claims.credit_due(session, now=utcnow() + LATER)
    assert session.get(Employee, worker.id).balance == 20
    assert claim.credited_points == -10


def test_a_false_claim_credits_nothing_and_suspends_redemption_for_the_month(session, make_employee, rule):
    worker = make_employee()
    claim = submit(session, worker, rule("E01"), 30)
    claims.approve(session, claim, 30, actor="staff:safety")
    with pytest.raises(InvalidInput):
        claims.mark_fraud(session, claim, "", actor="staff:safety")
    claims.mark_fraud(session, claim, "照片为网络图片", actor="staff:safety")
    session.commit()
    assert claims.credit_due(session, now=utcnow() + LATER) == []
    assert session.get(Employee, worker.id).balance == 0
    today = clock.today()
    assert claims.redemption_suspended(session, worker.id, today)
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    assert not claims.redemption_suspended(session, worker.id, next_month)
    assert claims.fraud_cases(session) == [claim]
    assert not claims.redemption_suspended(session, make_employee().id, today)


def test_a_claim_found_false_after_crediting_is_taken_back(session, make_employee, rule):
    worker = make_employee()
    claim = submit(session, worker, rule("E01"), 30)
    claims.approve(session, claim, 30, actor="staff:safety")
    claims.credit_due(session, now=utcnow() + LATER)
    claims.mark_fraud(session, claim, "重复申报", actor="staff:safety")
    session.commit()
    assert session.get(Employee, worker.id).balance == 0
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 2  # the award and its reversal
    assert ledger.verify_ledger(session).ok


def test_review_is_due_in_working_days(session, make_employee, rule):
    # Submitted on the Wednesday before National Day 2026: Oct 1-7 are holidays, Oct 10 (Sat) is worked.
    claim = submit(session, make_employee(), rule("T01"), 10, today=dt.date(2026, 9, 30))
    assert claim.due_on == dt.date(2026, 10, 10)
    assert claim.is_overdue(dt.date(2026, 10, 11)) and not claim.is_overdue(dt.date(2026, 10, 10))
    assert claims.review_queue(session) == [claim]


def test_a_leaver_s_approved_claim_is_closed_without_blocking_the_others(session, make_employee, rule):
    leaver, stayer = make_employee("走了"), make_employee("还在")
    first = submit(session, leaver, rule("T01"), 10)
    second = submit(session, stayer, rule("T01"), 10)
    for claim in (first, second):
        claims.approve(session, claim, 10, actor="staff:safety")
    leave(session, leaver, actor="test")
    outcomes = claims.credit_due(session, now=utcnow() + LATER)
    assert [(o.status, o.points) for o in outcomes] == [(ClaimStatus.rejected, 0), (ClaimStatus.credited, 10)]
    assert "离职" in first.outcome_note or "left" in first.outcome_note
    assert session.get(Employee, stayer.id).balance == 10


def test_an_employee_cannot_file_a_deduction_but_a_supervisor_can(session, make_employee, rule):
    worker = make_employee()
    with pytest.raises(InvalidInput):
        submit(session, worker, rule("V01"), 5)
    assert (
        submit(session, worker, rule("V01"), 5, source=ClaimSource.supervisor, actor="staff:super").signed_points == -5
    )
