"""The public notice board: redemption records with names masked as the setting says, hazards closed this
month, and the printable notice sheet."""

from __future__ import annotations

import pytest

from models import claims, hazards, people, places, reports, store
from models.settings import set_setting


@pytest.mark.parametrize(
    ("name", "masked"), [("张三丰", "张*丰"), ("王五", "王*"), ("Li", "L*"), ("欧阳小明", "欧**明"), ("A", "A")]
)
def test_names_are_masked(name, masked):
    assert reports.mask_name(name) == masked


@pytest.fixture
def redeemed(session, make_employee, make_goods):
    worker = make_employee(name="张三丰", balance=500)
    soap = make_goods("肥皂", 5)
    store.redeem(session, worker, {soap.id: 2}, kiosk="test", request_key="a" * 20)
    dropped = store.redeem(session, worker, {soap.id: 1}, kiosk="test", request_key="b" * 20).redemption
    store.cancel(session, dropped, "拿错了", actor="test")
    session.commit()
    return worker


@pytest.mark.parametrize(("mode", "shown", "hidden"), [("masked", "张*丰", "张三丰"), ("full", "张三丰", "张*丰")])
def test_redemption_records_follow_the_names_setting(client, session, redeemed, mode, shown, hidden):
    set_setting(session, "board_names", mode)
    session.commit()
    page = client.get("/board")
    records = page.text[page.text.index("最近兑换") :]
    assert shown in records and "肥皂×2" in records
    assert "肥皂×1" not in records  # the cancelled one is not a record
    if mode == "masked":
        assert hidden not in records


def test_hazards_closed_this_month_and_the_printable_sheet(client, session, make_employee, make_claim):
    officer = people.create_staff(
        session, username="officer", name="安全员", password="password-123", roles=["safety_officer"]
    )
    place = places.save_place(session, None, name="喷涂线", risk="yellow")
    hazard = hazards.report(session, place, category="state", description="漏电", reporter=None).hazard
    hazards.verify(session, hazard, "valid", actor="staff:officer", grade="general")
    hazards.assign(session, hazard, actor="staff:officer", owner="officer", measures="更换线缆", working_days=3)
    hazards.record_rectification(session, hazard, actor=officer.actor, officer=True, note="已更换")
    hazards.reinspect(session, hazard, actor="staff:leader", passed=True)
    open_one = hazards.report(session, place, category="act", description="未戴安全帽", reporter=None).hazard
    claim = make_claim(make_employee(name="赵六"), "T01", 10, "参加培训")
    claims.approve(session, claim, 10, actor="staff:officer")
    session.commit()
    board = client.get("/board")
    closed = board.text[board.text.index("本月已销号隐患") :]
    assert hazard.number in closed and open_one.number not in closed
    sheet = client.get("/board/print")
    assert sheet.status_code == 200 and "安全积分公示" in sheet.text and "data-print" in sheet.text
    assert "赵六" in sheet.text and hazard.number in sheet.text
    from models import ledger

    assert f"积分台账校验点（供审计核对）：{ledger.checkpoint(session)}" in sheet.text  # where the chain stood
