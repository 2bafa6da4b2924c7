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


def test_a_past_month_s_round_and_its_sheet(client, session, make_employee, make_goods, make_claim):
    """October's round as the board showed it, any time later: its ranking, the claims it put in notice, its
    redemptions and false claims; November's round has none of them. A month not understood, or still to come,
    is not found."""
    import datetime as dt

    from models import clock, ledger

    october = clock.day_start(dt.date(2026, 10, 12)) + dt.timedelta(hours=10)
    worker = make_employee(name="十月甲", balance=50)
    cheat = make_employee(name="十月乙")
    noticed = make_claim(worker, "T01", 10, "十月培训")
    claims.approve(session, noticed, 10, actor="staff:leader", now=october)
    ledger.award(session, worker.id, 30, actor="test", memo="十月奖励", at=october)
    false = make_claim(cheat, "T01", 8, "虚报")
    claims.mark_fraud(session, false, "无签到", actor="staff:leader", now=october)
    soap = make_goods("十月肥皂", 5, price=10)
    bought = store.redeem(session, worker, {soap.id: 1}, kiosk="test", request_key="r" * 20).redemption
    bought.created_at = october
    session.commit()
    page = client.get("/board/round/2026-10")
    assert page.status_code == 200
    text = page.text
    assert "十月甲" in text and "参与安全培训" in text and "十月肥皂" in text and "十月乙" in text
    sheet = client.get("/board/round/2026-10/print").text
    assert "十月肥皂" in sheet and "2026-10" in sheet
    november = client.get("/board/round/2026-11").text
    assert "十月甲" not in november and "十月肥皂" not in november and "十月乙" not in november
    assert "/board/round/" in client.get("/board").text
    future = clock.next_month(clock.today()).strftime("%Y-%m")
    for bad in ("2026-13", "abc", future, "1999-12", "2026-1"):
        assert client.get(f"/board/round/{bad}").status_code == 404, bad


def test_the_scheme_s_rules_are_generated_from_the_catalogue_and_the_settings(client, session):
    """《安全积分管理办法》 on the board: the earning items and the negative list from the rule catalogue, and the
    numbers of the settings, with the enterprise's name and the date; a change of a setting changes the document."""
    from models import clock, rules
    from models.settings import set_setting

    set_setting(session, "enterprise_name", "金寨<b>示范</b>厂")
    set_setting(session, "yearly_cap", 1500)
    set_setting(session, "notice_days", 5)
    set_setting(session, "redemption_dates", "last-fri")
    set_setting(session, "report_channels", "安全部电话 0564-1234567")
    session.commit()
    page = client.get("/board/rules")
    assert page.status_code == 200
    text = page.text
    assert "金寨&lt;b&gt;示范&lt;/b&gt;厂安全积分管理办法" in text  # a name typed is never markup
    assert clock.today().isoformat() in text
    for rule in rules.active_rules(session):
        if not rule.reports_hazard:
            assert rule.name in text and rule.range_text in text, rule.code
    assert "不超过 1500 分" in text and "公示栏公示 5 个工作日" in text and "每月最后一个星期五" in text
    assert "年末" in text and "通报批评" in text and "安全部电话 0564-1234567" in text
    assert "安全部电话 0564-1234567" in client.get("/board").text and "/board/rules" in client.get("/board").text
    set_setting(session, "year_end", "carry")
    set_setting(session, "carry_limit", 300)
    session.commit()
    assert "每人最多结转 300 分" in client.get("/board/rules").text


def test_the_rules_name_the_organisation_and_are_read_on_the_kiosk_by_touch(client, session):
    """The scheme's organisation on record is in the rules; the kiosk's start screen opens the same text, with a
    way back that needs no keyboard, and a visit open before it is ended (the rules are read by anyone)."""
    from models import organisation

    organisation.appoint(session, post="head", name="王总", title="总经理", actor="staff:admin")
    organisation.appoint(session, post="administrator", name="赵<i>六</i>", duty="管理超市", actor="staff:admin")
    session.commit()
    board = client.get("/board/rules").text
    assert "十、组织机构" in board and "领导小组组长：王总（总经理）。" in board
    assert "积分管理员：赵&lt;i&gt;六&lt;/i&gt;，负责管理超市。" in board
    start = client.get("/kiosk/").text
    assert 'href="/kiosk/rules"' in start
    kiosk = client.get("/kiosk/rules")
    assert kiosk.status_code == 200 and "安全积分管理办法" in kiosk.text and "领导小组组长：王总" in kiosk.text
    article = kiosk.text.split("<article")[1].split("</article>")[0]
    assert kiosk.text.count('href="/kiosk/"') >= 2 and "<input" not in article and "领导小组组长" in article
