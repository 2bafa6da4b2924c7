"""Places, hazard reports and the closed loop: verification, reward, rectification, re-inspection."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, select

from models import claims, clock, hazards, places
from models.errors import (
    Conflict,
    Forbidden,
    Gone,
    InsufficientPoints,
    InvalidInput,
    InvalidTransition,
    NotFound,
    WrongPin,
)
from models.ledger import LedgerEntry
from models.people import Employee
from models.settings import set_setting

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def press(session):
    site = places.save_place(session, None, name="一号厂区", risk="yellow")
    shop = places.save_place(session, None, name="冲压车间", risk="orange", parent_id=site.id)
    machine = places.save_place(
        session, None, name="3号冲床", risk="red", parent_id=shop.id, checklist="防护罩缺失\n急停按钮失效\n\n"
    )
    session.commit()
    return machine


def test_places_form_a_tree_with_checklists_and_tokens(session, press):
    assert press.path == "一号厂区 / 冲压车间 / 3号冲床"
    assert press.checklist_items == ["防护罩缺失", "急停按钮失效"]
    assert [p.name for p in places.all_places(session)] == ["一号厂区", "冲压车间", "3号冲床"]
    assert len(press.token) >= 22 and places.place_for_token(session, press.token) is press
    site = press.parent.parent
    with pytest.raises(InvalidInput):
        places.save_place(session, site, name="一号厂区", risk="yellow", parent_id=press.id)  # a loop
    with pytest.raises(InvalidInput):
        places.save_place(session, None, name="  ", risk="yellow")
    with pytest.raises(InvalidInput):
        places.save_place(session, None, name="仓库", risk="purple")


def test_a_replaced_token_retires_the_old_poster(session, press):
    old = press.token
    new = places.replace_token(session, press)
    session.commit()
    assert new != old and places.place_for_token(session, new) is press
    with pytest.raises(Gone):
        places.place_for_token(session, old)
    with pytest.raises(NotFound):
        places.place_for_token(session, "not-a-token-of-ours")
    places.count_scan(session, press)
    places.count_scan(session, press)
    session.commit()
    session.refresh(press)
    assert press.scans == 2


def report(session, place, reporter=None, **extra):
    values = {"category": "state", "description": "冲床防护罩缺失，手可以伸进模具区", "reporter": reporter, **extra}
    return hazards.report(session, place, today=MONDAY, **values)


def test_a_named_report_is_verified_rewarded_rectified_and_closed(session, press, make_employee, make_staff):
    worker = make_employee(name="李四")
    officer = make_staff("officer", "safety_officer")
    fitter = make_staff("fitter", "supervisor")
    receipt = report(session, press, worker, checklist=["防护罩缺失", "not on the list"])
    session.commit()
    hazard = receipt.hazard
    assert receipt.claim_code is None and hazard.number == f"YH-{clock.local_year(hazard.reported_at)}-{hazard.id:06d}"
    assert hazard.checklist == "防护罩缺失" and hazard.status is hazards.HazardStatus.received
    assert hazard.verify_due_on == dt.date(2026, 11, 26)  # 3 working days
    assert hazards.followed(session, receipt.follow_token) is hazard

    hazards.verify(session, hazard, "valid", grade="general", actor="staff:officer", now=dt.datetime(2026, 11, 23, 8))
    session.commit()
    claim = hazard.reward_claim
    assert hazard.reward_points == 20 and claim.status is claims.ClaimStatus.approved  # in public notice
    assert claim.origin == f"hazard:{hazard.id}" and claim.rule.code == "H01"
    claims.credit_due(session, now=dt.datetime(2026, 11, 27, 8))
    session.commit()
    assert session.get(Employee, worker.id).balance == 20

    with pytest.raises(InvalidInput):  # an owner must be a staff account
        hazards.assign(session, hazard, actor="staff:officer", owner="nobody", measures="加装防护罩", working_days=5)
    hazards.assign(
        session, hazard, actor="staff:officer", owner="fitter", measures="加装防护罩", working_days=5, today=MONDAY
    )
    assert hazard.deadline == dt.date(2026, 11, 30) and not hazard.is_overdue(MONDAY)
    assert hazard.is_overdue(dt.date(2026, 12, 1))
    with pytest.raises(Forbidden):
        hazards.record_rectification(session, hazard, actor=make_staff("other", "storekeeper").actor, note="修好了")
    hazards.record_rectification(session, hazard, actor=fitter.actor, note="已加装防护罩")
    hazards.reinspect(session, hazard, actor="staff:officer", passed=False, note="防护罩未固定")
    assert hazard.status is hazards.HazardStatus.assigned
    hazards.record_rectification(session, hazard, actor=fitter.actor, note="已用螺栓固定")
    hazards.reinspect(session, hazard, actor=f"staff:{officer.username}", passed=True)
    session.commit()
    assert hazard.status is hazards.HazardStatus.closed and hazard.closed_at is not None
    assert [e.action for e in hazard.events] == [
        "reported", "verified", "assigned", "rectified", "sent_back", "rectified", "closed"
    ]  # fmt: skip
    with pytest.raises(InvalidTransition):
        hazards.reinspect(session, hazard, actor="staff:officer", passed=True)


def test_only_the_first_valid_reporter_is_rewarded(session, press, make_employee):
    first, second = make_employee(), make_employee()
    one, two = report(session, press, first).hazard, report(session, press, second).hazard
    with pytest.raises(InvalidInput):
        hazards.verify(session, two, "duplicate", actor="staff:officer", duplicate_of=two.number)  # itself
    hazards.verify(session, two, "duplicate", actor="staff:officer", duplicate_of=one.number)
    hazards.verify(session, one, "valid", grade="general", actor="staff:officer")
    session.commit()
    assert two.status is hazards.HazardStatus.dismissed and two.reward_points is None and two.reward_claim is None
    assert two.duplicate_of is one and one.reward_claim is not None
    with pytest.raises(InvalidInput):  # no reason, no dismissal
        hazards.verify(session, report(session, press, first).hazard, "not_hazard", actor="staff:officer")


def test_a_hazard_within_one_s_own_duties_earns_the_lower_rate(session, press, make_employee):
    set_setting(session, "hazard_duty_percent", 60)
    hazard = report(session, press, make_employee()).hazard
    hazards.verify(session, hazard, "valid", grade="major", within_duties=True, actor="staff:officer")
    assert hazard.reward_points == 30 and hazard.reward_claim.rule.code == "H02"


def test_a_major_hazard_needs_funds_plan_and_standard(session, press, make_employee, make_staff):
    make_staff("fitter", "supervisor")
    hazard = report(session, press, make_employee()).hazard
    hazards.verify(session, hazard, "valid", grade="major", actor="staff:officer")
    with pytest.raises(InvalidInput, match=r"contingency plan|应急预案"):
        hazards.assign(session, hazard, actor="staff:officer", owner="fitter", measures="停机大修", working_days=20)
    hazards.assign(
        session,
        hazard,
        actor="staff:officer",
        owner="fitter",
        measures="停机大修",
        working_days=20,
        funds="2万元",
        contingency_plan="停机挂牌，专人监护",
        acceptance_standard="防护装置齐全有效，经安全部门验收",
    )
    assert hazard.status is hazards.HazardStatus.assigned and hazard.funds == "2万元"


def test_an_anonymous_reward_is_a_voucher_on_its_claim_code(session, press, make_employee):
    receipt = report(session, press, None)
    session.commit()
    hazard, code = receipt.hazard, receipt.claim_code
    assert hazard.anonymous and len(hazards.normalise_code(code)) == 12
    stored = [str(v) for v in (hazard.claim_code_hash, hazard.follow_hash, hazard.description)]
    assert all(hazards.normalise_code(code) not in v and code not in v for v in stored)  # only a hash is kept
    assert [e.actor for e in hazard.events] == ["anonymous"]
    with pytest.raises(Conflict):  # not verified yet: nothing on the code
        hazards.open_voucher(session, code, kiosk_id=1)
    hazards.verify(session, hazard, "valid", grade="general", actor="staff:officer")
    session.commit()
    assert hazard.reward == hazards.HazardReward.waiting and hazard.reward_claim is None
    with pytest.raises(WrongPin):
        hazards.open_voucher(session, "AAAA-BBBB-CCCC", kiosk_id=1)
    bearer = hazards.open_voucher(session, code.lower().replace("-", " "), kiosk_id=1)
    assert bearer.balance == 20 and bearer.id is None
    before = (hazard.reward, hazard.reward_points, hazard.reward_collected_at, len(hazard.events))
    assert hazards.spend_voucher(session, bearer, 15) == 5
    session.commit()
    session.refresh(hazard)
    assert (hazard.reward, hazard.reward_points, hazard.reward_collected_at, len(hazard.events)) == before
    [spent] = session.scalars(select(hazards.RewardSpend)).all()  # one row a code: no time, no person, no order
    assert spent.code_mac not in (hazard.claim_code_hash, hashlib.sha256(b"x").hexdigest())
    assert int(spent.sealed, 16) != 15  # the amount is sealed, not readable
    sealed_before = spent.sealed
    assert hazards.open_voucher(session, code, kiosk_id=2).balance == 5  # the rest stays for another visit
    with pytest.raises(InsufficientPoints):
        hazards.spend_voucher(session, bearer, 10)
    paid = hazards.redemption_check("k" * 20, bearer.code_mac)
    other = report(session, press, None)
    hazards.verify(session, other.hazard, "valid", grade="general", actor="staff:officer")
    with pytest.raises(WrongPin):  # another code cannot take this code's redemption back
        hazards.refund_to_voucher(session, other.claim_code, "k" * 20, paid)
    hazards.refund_to_voucher(session, code, "k" * 20, paid)(15)
    assert hazards.voucher(session, hazard.id, bearer.code_mac).balance == 20
    assert session.get(hazards.RewardSpend, bearer.code_mac).sealed != sealed_before  # sealed afresh each time
    hazards.spend_voucher(session, bearer, 20)
    with pytest.raises(Conflict):  # spent
        hazards.open_voucher(session, code, kiosk_id=1)
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0  # nobody was credited anything


def test_a_report_needs_a_kind_and_words_and_me_too_counts(session, press, make_employee):
    with pytest.raises(InvalidInput):
        report(session, press, category="")
    with pytest.raises(InvalidInput):
        report(session, press, description="   ")
    ticked_only = report(session, press, description="", checklist=["急停按钮失效"]).hazard
    assert ticked_only.description == "急停按钮失效"
    hazards.me_too(session, ticked_only, reporter=make_employee())
    hazards.me_too(session, ticked_only, reporter=None)
    assert ticked_only.me_too == 2 and hazards.open_at(session, press) == [ticked_only]
    session.commit()
    assert session.scalar(select(hazards.Hazard).where(hazards.Hazard.me_too == 2)) is ticked_only
