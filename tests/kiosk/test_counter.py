"""The counter kiosk over HTTP: scan, see your points, object, and what a bad scan gets."""

from __future__ import annotations

import datetime as dt

from models import claims, ledger, people
from models.claims import Claim, ClaimSource, ClaimStatus
from models.clock import utcnow
from models.settings import set_setting


def card_of(session, employee):
    card = people.issue_card(session, employee, people.CardKind.qr, actor="staff:admin")
    session.commit()
    return card


def test_a_scan_shows_balance_cap_and_history(client, session, make_employee):
    worker = make_employee(name="孙七")
    ledger.award(session, worker.id, 10, actor="system", memo="培训考核通过")
    session.commit()
    card = card_of(session, worker)
    page = client.post("/kiosk/scan", data={"code": card.code + "\r\n"})
    assert page.status_code == 200 and 'data-page-url="/kiosk/me"' in page.text  # the screen comes at once
    assert "孙七" in page.text and "培训考核通过" in page.text and "+10" in page.text
    assert "本年已计入 10 分，年度上限 2000 分" in page.text


def test_a_revoked_or_unknown_card_gets_a_clear_message(client, session, make_employee):
    worker = make_employee()
    card = card_of(session, worker)
    people.revoke_card(session, card, actor="staff:admin", reason="遗失")
    session.commit()
    revoked = client.post("/kiosk/scan", data={"code": card.code})
    assert revoked.status_code == 403 and "此卡已作废" in revoked.text
    unknown = client.post("/kiosk/scan", data={"code": "<script>alert(1)</script>"})
    assert unknown.status_code == 404 and "<script>" not in unknown.text
    assert client.get("/kiosk/me").status_code == 303  # nobody is signed in


def test_number_and_pin_as_a_fallback_with_limited_tries(client, session, make_employee):
    set_setting(session, "pin_max_tries", 2)
    worker = make_employee(number="E9001")
    people.set_pin(session, worker, "2468")
    session.commit()
    assert client.post("/kiosk/pin", data={"number": "E9001", "pin": "2468"}).status_code == 200
    assert client.post("/kiosk/pin", data={"number": "E9001", "pin": "0000"}).status_code == 403
    assert client.post("/kiosk/pin", data={"number": "E9001", "pin": "0001"}).status_code == 403
    locked = client.post("/kiosk/pin", data={"number": "E9001", "pin": "2468"})
    assert locked.status_code == 429 and "PIN 码错误次数过多" in locked.text


def test_the_session_ends_after_the_idle_time(client, session, make_employee):
    card = card_of(session, make_employee())
    client.post("/kiosk/scan", data={"code": card.code})
    assert client.get("/kiosk/me").status_code == 200
    with client.session_transaction() as browser:
        browser["kiosk_seen"] = (utcnow() - dt.timedelta(seconds=46)).isoformat()
    assert client.get("/kiosk/me").status_code == 303


def test_an_employee_objects_to_a_claim_in_notice(client, session, make_employee, make_claim):
    other = make_employee(name="周八")
    claim = make_claim(other, "E01", 40, "周八带队疏散三十人")
    claims.approve(session, claim, 40, actor="staff:safety")
    me = make_employee(name="吴九", number="E9100")
    card = card_of(session, me)
    mine = make_claim(me, "E01", 30, "吴九的疏散记录")
    claims.approve(session, mine, 30, actor="staff:safety")
    session.commit()
    screen = client.post("/kiosk/scan", data={"code": card.code}).text
    # The screen shows the employee's own points at once and asks for the notice list right after.
    assert 'hx-get="/kiosk/notice"' in screen and "周八带队疏散三十人" not in screen
    listing = client.get("/kiosk/notice", headers={"HX-Request": "true"}).text
    assert "周八带队疏散三十人" in listing and f"/kiosk/claims/{claim.id}/object" in listing
    assert "吴九的疏散记录" not in listing  # nobody objects to their own claim
    empty = client.post(f"/kiosk/claims/{claim.id}/object", data={"reason": ""})
    assert empty.status_code == 400
    response = client.post(f"/kiosk/claims/{claim.id}/object", data={"reason": "演练时他在休假"})
    assert response.status_code == 303
    assert "异议已记录" in client.get("/kiosk/me").text
    assert "周八带队疏散三十人" not in client.get("/kiosk/notice", headers={"HX-Request": "true"}).text
    session.expire_all()
    refreshed = session.get(Claim, claim.id)
    assert refreshed.status is ClaimStatus.pending
    assert refreshed.events[-1].actor == "employee:E9100"


def test_the_notice_list_needs_an_employee_at_the_kiosk(client, session):
    response = client.get("/kiosk/notice", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/kiosk/"


def test_the_kiosk_speaks_english_for_one_person_only(client, session, make_employee):
    """English, chosen on the idle screen, is that person's for their visit; the next person starts in Chinese,
    also when they scan while the last one's screen is open."""
    first, second = make_employee(name="英文用户"), make_employee(name="下一位")
    assert "请刷积分卡" in client.get("/kiosk/").text
    assert "Scan your card" in client.get("/kiosk/?lang=en").text
    mine = client.post("/kiosk/scan", data={"code": card_of(session, first).code})
    assert "Done" in mine.text and "英文用户" in mine.text  # chosen before the scan: kept for this visit
    assert "Done" in client.get("/kiosk/me").text
    theirs = client.post("/kiosk/scan", data={"code": card_of(session, second).code})  # the next card, screen open
    assert "下一位" in theirs.text and "完成" in theirs.text
    client.get("/kiosk/me?lang=en")
    assert client.post("/kiosk/done").status_code == 303
    assert "请刷积分卡" in client.get("/kiosk/").text  # the idle screen: the default language again


def test_the_notice_board_is_public(client, session, make_employee):
    worker = make_employee(name="郑十")
    ledger.award(session, worker.id, 25, actor="system", memo="发现一般隐患")
    session.commit()
    page = client.get("/board")
    assert page.status_code == 200
    assert "本月积分排名" in page.text and "郑十" in page.text and "发现一般隐患" in page.text
    idle = client.get("/kiosk/")  # the kiosk's idle screen shows the board in short under the scan prompt
    assert 'hx-get="/board/panel"' in idle.text
    panel = client.get("/board/panel", headers={"HX-Request": "true"})
    assert panel.status_code == 200 and "郑十" in panel.text and "+25" in panel.text and "<html" not in panel.text


def test_unknown_pages_get_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "页面不存在" in response.text


def test_an_employee_claims_points_at_the_kiosk(client, session, make_employee, rule):
    from sqlalchemy import select

    worker = make_employee(name="冯十一", number="E9200")
    card = card_of(session, worker)
    client.post("/kiosk/scan", data={"code": card.code})
    form = client.get("/kiosk/claim")
    assert "参与安全培训" in form.text and "未正确佩戴劳动防护用品" not in form.text  # no deduction rules here
    out_of_range = client.post("/kiosk/claim", data={"rule_id": rule("T01").id, "points": "50", "description": "培训"})
    assert out_of_range.status_code == 400 and "5 至 20" in out_of_range.text
    deduct_rule = client.post("/kiosk/claim", data={"rule_id": rule("V01").id, "points": "5", "description": "x"})
    assert deduct_rule.status_code == 400
    empty = client.post("/kiosk/claim", data={"rule_id": rule("T01").id, "points": "10", "description": " "})
    assert empty.status_code == 400
    assert session.scalars(select(Claim)).all() == []
    done = client.post("/kiosk/claim", data={"rule_id": rule("T01").id, "points": "10", "description": "参加季度培训"})
    assert done.status_code == 303
    claim = session.scalars(select(Claim)).one()
    assert (claim.employee_id, claim.source, claim.submitted_by) == (worker.id, ClaimSource.employee, "employee:E9200")
    assert "已提交" in client.get("/kiosk/me").text


def test_the_employee_sees_why_a_claim_was_cut_or_refused(app, client, session, make_employee, make_claim):
    set_setting(session, "yearly_cap", 30)
    session.commit()
    worker = make_employee(name="陈十二")
    cut = make_claim(worker, "E01", 40, "演练")
    refused = make_claim(worker, "T01", 10, "培训")
    rejected = make_claim(worker, "T02", 10, "考试")
    for claim in (cut, refused):
        claims.approve(session, claim, claim.requested_points, actor="staff:safety")
    claims.reject(session, rejected, "无考试成绩记录", actor="staff:safety")
    with app.app_context():  # as `mart claims credit-due` runs: notes are written in the default language
        claims.credit_due(session, now=utcnow() + dt.timedelta(days=10))
    session.commit()
    client.post("/kiosk/scan", data={"code": card_of(session, worker).code})
    page = client.get("/kiosk/me").text
    assert "无考试成绩记录" in page  # the rejection, with its reason
    assert "超出年度上限" in page  # the claim refused by the cap
    assert "40 分中计入 30 分" in page  # the claim cut by the cap


def test_an_address_under_the_kiosk_that_matches_no_page_stays_in_the_kiosk(client):
    for address in ("/kiosk/does-not-exist", "/kiosk/slip/DH-2026-999999"):
        response = client.get(address)
        assert response.status_code == 404 and "data-scan" in response.text and 'data-idle-seconds="' in response.text
        assert 'href="/"' not in response.text and 'href="/board"' not in response.text
    reload = client.get("/kiosk/scan")  # a reload of a scan's answer
    assert reload.status_code == 405 and "data-scan" in reload.text


def test_a_language_chosen_in_storekeeper_mode_is_not_the_next_employee_s(client, session, make_employee, make_staff):
    make_staff("keeper", "storekeeper", password="keeper-pass-1")
    worker = make_employee(name="下一位员工")
    assert client.post("/kiosk/staff", data={"username": "keeper", "password": "keeper-pass-1"}).status_code in (
        200,
        303,
    )
    client.get("/kiosk/staff?lang=en")
    screen = client.post("/kiosk/scan", data={"code": card_of(session, worker).code})
    assert "下一位员工" in screen.text and 'lang="zh-CN"' in screen.text


def test_an_employee_without_a_pin_chooses_it_with_their_card(client, session, make_employee):
    worker = make_employee(name="新员工", number="N00001")
    code = card_of(session, worker).code
    screen = client.post("/kiosk/scan", data={"code": code}).text
    assert "选择我的 PIN" in screen
    assert client.get("/kiosk/pin/new").status_code == 200
    for pin, again, status, words in (
        ("2580", "2581", 400, "两次"),
        ("1111", "1111", 400, "容易猜"),
        ("1234", "1234", 400, "容易猜"),
        ("12a4", "12a4", 400, "4 至 8 位数字"),
        ("123456789", "123456789", 400, ""),
        ("25\x0080", "25\x0080", 400, ""),
        ("", "", 400, ""),
    ):
        refused = client.post("/kiosk/pin/new", data={"pin": pin, "again": again})
        assert refused.status_code == status and words in refused.text, (pin, refused.text[:200])
        assert 'value="2580"' not in refused.text  # a PIN is never shown back
    session.expire_all()
    assert session.get(people.Employee, worker.id).pin_hash is None
    assert client.post("/kiosk/pin/new", data={"pin": "2580", "again": "2580"}).status_code == 303
    session.expire_all()
    people.check_pin(session, session.get(people.Employee, worker.id), "2580")
    assert "选择我的 PIN" not in client.get("/kiosk/me").text
    again = client.post("/kiosk/pin/new", data={"pin": "9753", "again": "9753"})  # someone else with the card later
    assert again.status_code == 403 and "管理员" in again.text
    session.expire_all()
    people.check_pin(session, session.get(people.Employee, worker.id), "2580")  # unchanged


def test_choosing_a_pin_needs_a_card_visit_and_the_setting(client, session, make_employee):
    assert client.post("/kiosk/pin/new", data={"pin": "2580", "again": "2580"}).status_code in (302, 303)
    worker = make_employee(name="新员工", number="N00002")
    code = card_of(session, worker).code
    set_setting(session, "pin_self_set", "admin")
    session.commit()
    screen = client.post("/kiosk/scan", data={"code": code}).text
    assert "选择我的 PIN" not in screen
    refused = client.post("/kiosk/pin/new", data={"pin": "2580", "again": "2580"})
    assert refused.status_code == 403
    session.expire_all()
    assert session.get(people.Employee, worker.id).pin_hash is None


def test_a_pin_is_ascii_digits_typed_whole_and_the_form_is_not_offered_when_refused(client, session, make_employee):
    worker = make_employee(name="新员工", number="N00003")
    code = card_of(session, worker).code
    client.post("/kiosk/scan", data={"code": code})
    for odd in ("1357\n", "٢٥٨٠", "２５８０"):
        assert client.post("/kiosk/pin/new", data={"pin": odd, "again": odd}).status_code == 400, repr(odd)
    assert client.post("/kiosk/pin/new", data={"pin": "1357", "again": "1357"}).status_code == 303
    assert client.get("/kiosk/pin/new").status_code == 403  # has one now: no form to type into for nothing
