"""The storekeeper's and the administrator's screens as they use them: a delivery scanned in, a setting refused
in its row, a leaver and a stock-take asked before they are done."""

from __future__ import annotations

from models import people, store
from tests.browser.conftest import shot, sign_in


def test_a_delivery_scanned_in_and_posted(live_server, page, session, make_goods, make_staff):
    soap, gloves = make_goods("洗衣液", 20, stock=3), make_goods("劳保手套（10副）", 15, stock=1)
    store.save_goods(session, soap, name=soap.name, category="daily", value_fen=2000, barcode="6901234567892")
    session.commit()
    make_staff("store", "storekeeper")
    sign_in(page, live_server, "store")
    page.goto(f"{live_server}/admin/goods")
    page.get_by_role("link", name="入库单（多种商品）").click()
    page.locator("input[name=code]:focus").wait_for()  # ready for the scanner
    for _ in range(2):
        page.keyboard.type("6901234567892\n")  # the scanner: the code, then Enter
        page.locator("input[name=code]:focus").wait_for()
    page.fill("input[name=code]", "手套")
    page.keyboard.press("Enter")
    page.locator(f"input[name=q{gloves.id}]").fill("10")
    page.fill("input[name=note]", "华联供应 送货单 A-778")
    shot(page, "admin-delivery")
    page.get_by_role("button", name="核对入库单").click()
    page.get_by_role("button", name="确认入库").wait_for()
    shot(page, "admin-delivery-check")
    assert "5" in page.locator("main table").inner_text() and "11" in page.locator("main table").inner_text()
    page.get_by_role("button", name="确认入库").click()
    page.wait_for_url("**/admin/goods")
    assert "入库单已入账：2 种商品，共 12 件" in page.locator("#messages").inner_text()


def test_a_refused_setting_and_a_leaver_asked_once(live_server, page, session, make_staff, make_employee):
    worker = make_employee(name="离职员工", balance=80)
    people.issue_card(session, worker, people.CardKind.qr, actor="staff:admin")
    session.commit()
    make_staff("boss", "admin")
    sign_in(page, live_server, "boss")
    page.goto(f"{live_server}/admin/settings")
    row = page.locator("tr", has=page.locator("input[name=value][aria-label='每人每年积分上限']"))
    row.locator("input[name=value]").evaluate("el => { el.removeAttribute('min'); }")  # what a careless hand types
    row.locator("input[name=value]").fill("0")
    row.get_by_role("button", name="保存").click()
    error = page.locator(".field-error[role=alert]")
    error.wait_for()
    assert "每人每年积分上限" in error.inner_text() and "yearly_cap" not in error.inner_text()
    assert page.locator("input[name=value][aria-label='每人每年积分上限']").input_value() == "0"  # kept
    shot(page, "admin-setting-refused")
    page.goto(f"{live_server}/admin/people/{worker.id}")
    page.get_by_role("button", name="办理离职").click()
    page.get_by_text("确认为 离职员工").wait_for()  # what will happen, asked once
    assert "80" in page.locator("main").inner_text()
    shot(page, "admin-leaver-asked")
    page.get_by_role("link", name="取消").click()
    session.expire_all()
    assert session.get(people.Employee, worker.id).active  # nothing done until it is confirmed
