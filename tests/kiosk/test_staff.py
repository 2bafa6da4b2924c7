"""Staff mode at the kiosk: a storekeeper scans a slip and hands the goods over."""

from __future__ import annotations

from models import people, store
from models.store import Redemption, RedemptionStatus


def _redemption(session, make_employee, make_goods, key: str) -> Redemption:
    worker = make_employee(name="赵小六", balance=500)
    soap = make_goods("洗衣液", 20)
    redemption = store.redeem(session, worker, {soap.id: 1}, kiosk="一号终端", request_key=key * 20).redemption
    session.commit()
    return redemption


def test_a_storekeeper_signs_in_scans_a_slip_and_hands_it_over(client, session, make_employee, make_goods, make_staff):
    redemption = _redemption(session, make_employee, make_goods, "a")
    make_staff("store", "storekeeper")
    assert "登录" in client.get("/kiosk/staff").text  # not yet in staff mode: the sign-in
    assert client.post("/kiosk/staff", data={"username": "store", "password": "password-123"}).status_code == 303
    # The scanner may type through a Chinese input method: full-width letters and digits.
    typed = "".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() else ch for ch in redemption.number.lower())
    page = client.get("/kiosk/staff", query_string={"number": typed})
    assert page.status_code == 200 and "赵小六" in page.text and "发放商品" in page.text
    done = client.post(f"/kiosk/staff/slips/{redemption.number}/hand-out")
    assert done.status_code == 303
    session.expire_all()
    handed = session.get(Redemption, redemption.id)
    assert handed.status is RedemptionStatus.handed_out and handed.handed_out_by == "staff:store"
    again = client.post(f"/kiosk/staff/slips/{redemption.number}/hand-out")
    assert again.status_code == 409 and f"{redemption.number} 已于" in again.text and "领取" in again.text
    assert "由 store 于" in client.get("/kiosk/staff", query_string={"number": redemption.number}).text


def test_a_cancelled_or_unknown_slip_says_so(client, session, make_employee, make_goods, make_staff):
    redemption = _redemption(session, make_employee, make_goods, "b")
    store.cancel(session, redemption, "缺货", actor="staff:store")
    session.commit()
    make_staff("store", "storekeeper")
    client.post("/kiosk/staff", data={"username": "store", "password": "password-123"})
    page = client.get("/kiosk/staff", query_string={"number": redemption.number})
    assert "缺货" in page.text and "发放商品" not in page.text
    refused = client.post(f"/kiosk/staff/slips/{redemption.number}/hand-out")
    # The refusal waits for the next slip, in storekeeper mode (a scan there is not taken as a card).
    card_form = 'action="/kiosk/scan" autocomplete'  # the scan screen's form (not the hidden one for a fast scan)
    assert refused.status_code == 409 and 'name="number"' in refused.text and card_form not in refused.text
    assert 'data-idle-url="/kiosk/staff"' in refused.text and "下一张兑换单" in refused.text  # back to staff mode
    unknown = client.get("/kiosk/staff", query_string={"number": "DH-2026-999999"})
    assert unknown.status_code == 404 and "DH-2026-999999" in unknown.text
    assert "退出库管模式" in unknown.text and card_form not in unknown.text  # still storekeeper mode
    assert "缺货" in client.get("/kiosk/staff", query_string={"number": redemption.number}).text


def test_only_storekeepers_with_the_right_password_open_staff_mode(
    client, session, make_employee, make_goods, make_staff
):
    redemption = _redemption(session, make_employee, make_goods, "c")
    make_staff("store", "storekeeper")
    make_staff("safety", "safety_officer")
    wrong = client.post("/kiosk/staff", data={"username": "store", "password": "nope"})
    assert wrong.status_code == 403 and "用户名或密码不正确" in wrong.text
    officer = client.post("/kiosk/staff", data={"username": "safety", "password": "password-123"})
    assert officer.status_code == 403
    # Without staff mode a hand-over goes back to the sign-in and changes nothing.
    assert client.post(f"/kiosk/staff/slips/{redemption.number}/hand-out").status_code == 303
    session.expire_all()
    assert session.get(Redemption, redemption.id).status is RedemptionStatus.confirmed


def test_a_storekeeper_s_own_card_opens_staff_mode(client, session, make_employee, make_staff):
    keeper_employee, worker = make_employee(name="库管员"), make_employee(name="普通员工")
    keeper = make_staff("store", "storekeeper")
    keeper.employee_id = keeper_employee.id
    session.commit()
    cards = [people.issue_card(session, e, people.CardKind.qr, actor="staff:admin") for e in (keeper_employee, worker)]
    session.commit()
    assert 'action="/kiosk/staff/card"' in client.get("/kiosk/staff").text  # the staff page waits for a card
    refused = client.post("/kiosk/staff/card", data={"code": cards[1].code})  # a worker's card opens nothing
    assert refused.status_code == 403 and "库管模式仅供库管员使用" in refused.text
    assert "扫描员工兑换单" not in client.get("/kiosk/staff").text
    assert client.post("/kiosk/staff/card", data={"code": cards[0].code}).status_code == 303
    assert "扫描员工兑换单" in client.get("/kiosk/staff").text
    screen = client.post("/kiosk/scan", data={"code": cards[1].code}).text  # a card on the scan screen ends it
    assert "普通员工" in screen
    assert "扫描员工兑换单" not in client.get("/kiosk/staff").text
    assert client.post("/kiosk/staff/card", data={"code": "garbage"}).status_code == 404
