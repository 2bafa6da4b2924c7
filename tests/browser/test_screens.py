"""The screens as a person uses them: scan at the kiosk, review a claim in the back office."""

from __future__ import annotations

import pytest

from models import claims, kiosks, ledger, people
from tests.browser.conftest import shot, sign_in


def test_a_worker_scans_a_card_and_sees_points(live_server, page, session, make_employee, make_claim):
    worker = make_employee(name="刘德华", number="E01234", department="机加车间")
    ledger.award(session, worker.id, 35, actor="system", memo="通过安全考核")
    make_claim(worker, "E02", 20, "及时处置配电柜冒烟险情")
    card = people.issue_card(session, worker, people.CardKind.qr, actor="staff:admin")
    other = make_claim(make_employee(name="周八", number="E01235"), "E01", 40, "演练表现突出")
    claims.approve(session, other, 40, actor="staff:safety")
    session.commit()

    _kiosk, code = kiosks.create_kiosk(session, "一号终端", printer_uri="dummy://")
    session.commit()
    page.goto(f"{live_server}/kiosk/")
    page.wait_for_url("**/kiosk/pair")  # an unpaired browser gets the pairing page first
    page.fill("input[name=code]", code)
    page.get_by_role("button", name="配对").click()
    page.wait_for_url("**/kiosk/")
    scan = page.locator("input[data-scan]")
    assert scan.get_attribute("inputmode") == "none"
    page.locator("input[data-scan]:focus").wait_for(timeout=5000)  # the scanner types into it at once
    shot(page, "kiosk-scan")
    page.keyboard.type(card.code)
    page.keyboard.press("Enter")
    page.wait_for_url("**/kiosk/me")
    body = page.locator("main").inner_text()
    assert "刘德华" in body and "35" in body and "通过安全考核" in body and "成功处置险情" in body
    notice = page.locator("section#notice")  # others' claims in public notice follow the screen
    notice.get_by_text("演练表现突出").wait_for()
    shot(page, "kiosk-me")
    notice.locator("input[name=reason]").fill("演练那天他在休假")
    notice.get_by_role("button", name="提出异议").click()
    page.get_by_text("异议已记录").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator("section#notice").count() == 0  # back to review: nothing left in notice here

    page.get_by_role("link", name="申报积分").click()
    page.get_by_text("担任安全宣讲员").click()
    page.fill("input[name=points]", "12")
    page.fill("textarea[name=description]", "在班前会上讲解有限空间作业安全")
    shot(page, "kiosk-claim")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url("**/kiosk/me")
    assert "申报已提交" in page.locator("#messages").inner_text()
    assert "担任安全宣讲员" in page.locator("main").inner_text()  # now among my claims in progress
    page.get_by_role("button", name="完成").click()
    page.wait_for_url("**/kiosk/")


def test_a_safety_officer_reviews_a_claim_with_htmx(live_server, page, session, make_employee, make_staff, make_claim):
    worker = make_employee(name="王小二", number="E02001")
    claim = make_claim(worker, "T01", 15, "参加消防培训")
    make_staff("safety", "safety_officer")
    sign_in(page, live_server, "safety")
    page.goto(f"{live_server}/admin/claims")
    row = page.locator(f"#claim-{claim.id}")
    row.locator("input[name=points]").evaluate("el => el.removeAttribute('max')")  # what a careless hand types
    row.locator("input[name=points]").fill("99")
    row.get_by_role("button", name="通过").click()
    error = page.locator("#messages .message.error")
    error.wait_for()
    assert "5 至 20" in error.inner_text()
    shot(page, "admin-claim-out-of-range")

    row.locator("input[name=points]").fill("12")
    row.get_by_role("button", name="通过").click()
    page.locator(f"#claim-{claim.id} .badge", has_text="公示中").wait_for()
    shot(page, "admin-claim-approved")
    session.expire_all()
    assert session.get(claims.Claim, claim.id).approved_points == 12


@pytest.mark.parametrize(("name", "viewport"), [("portrait", (1080, 1920)), ("landscape", (1920, 1080))])
def test_the_whole_counter_flow(live_server, browser, session, make_employee, make_goods, name, viewport):
    from models.settings import set_setting

    set_setting(session, "kiosk_idle_seconds", 12)
    session.commit()
    worker = make_employee(name="张小花", number="E03001", balance=400)
    make_goods("洗衣液", 20), make_goods("劳保手套（10副）", 15, category="protective")
    make_goods("电饭煲", 260, stock=3)
    card = people.issue_card(session, worker, people.CardKind.qr, actor="staff:admin")
    _kiosk, code = kiosks.create_kiosk(session, f"终端-{name}", printer_uri="dummy://")
    session.commit()
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server}/kiosk/pair")
    page.fill("input[name=code]", code)
    page.get_by_role("button", name="配对").click()
    page.wait_for_url("**/kiosk/")
    shot(page, f"flow-{name}-1-idle")
    page.keyboard.type(card.code)
    page.keyboard.press("Enter")
    page.wait_for_url("**/kiosk/me")
    page.get_by_role("link", name="低档").click()  # the low tier only
    page.locator("#goods .goods", has_text="洗衣液").get_by_role("button", name="加入").click()
    page.locator("#cart", has_text="洗衣液").wait_for()
    page.locator("#goods .goods", has_text="劳保手套").get_by_role("button", name="加入").click()
    page.locator("#cart", has_text="劳保手套").wait_for()
    assert "175" in page.locator("#cart").inner_text()  # 100 + 75 points
    shot(page, f"flow-{name}-2-cart")
    page.get_by_role("link", name="去兑换").click()
    page.wait_for_url("**/kiosk/confirm")
    shot(page, f"flow-{name}-3-confirm")
    page.get_by_role("button", name="确认").click()
    page.wait_for_url("**/kiosk/slips/DH-*")
    assert "兑换成功" in page.locator("main").inner_text() and "225" in page.locator("main").inner_text()
    page.locator(".slip-preview img").evaluate("img => img.decode()")
    assert page.locator(".slip-preview img").evaluate("img => img.naturalWidth") > 300
    shot(page, f"flow-{name}-4-slip")
    page.locator("#countdown").wait_for(state="visible", timeout=8000)  # the last seconds count down
    shot(page, f"flow-{name}-5-countdown")
    # and the session ends on its own (the navigation is what counts; the idle page may still be loading)
    page.wait_for_url("**/kiosk/", timeout=15000, wait_until="commit")
    context.close()
    session.expire_all()
    assert session.get(people.Employee, worker.id).balance == 225


def test_the_storekeeper_hands_over_by_scanning_the_slip(
    live_server, page, session, make_employee, make_goods, make_staff
):
    from models import store
    from models.settings import set_setting

    set_setting(session, "pin_threshold", 10_000)
    worker = make_employee(name="赵小六", number="E04001", balance=600)
    soap = make_goods("洗衣液", 20)
    redemption = store.redeem(session, worker, {soap.id: 2}, kiosk="一号终端", request_key="b" * 20).redemption
    session.commit()
    make_staff("store", "storekeeper")
    sign_in(page, live_server, "store")
    page.goto(f"{live_server}/admin/redemptions")
    page.locator("input[name=number]:focus").wait_for()  # autofocus lands a frame after load
    page.keyboard.type(redemption.number)  # the slip's QR, read by the scanner into the focused field
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/admin/redemptions/{redemption.number}")
    assert "赵小六" in page.locator("main").inner_text()
    assert page.locator(".slip-preview img").evaluate("img => img.complete && img.naturalWidth") > 300
    shot(page, "admin-redemption")
    page.get_by_role("button", name="发放商品").click()
    page.locator("h1 .badge", has_text="已领取").wait_for()
    shot(page, "admin-redemption-handed-out")


def test_a_new_card_on_an_open_screen_and_staff_mode_at_the_kiosk(
    live_server, page, session, make_employee, make_goods, make_staff
):
    from models import store

    first, second = make_employee(name="甲员工", balance=300), make_employee(name="乙员工", balance=300)
    soap = make_goods("洗衣液", 20)
    redemption = store.redeem(session, second, {soap.id: 1}, kiosk="一号终端", request_key="r" * 20).redemption
    cards = [people.issue_card(session, e, people.CardKind.qr, actor="staff:admin") for e in (first, second)]
    _kiosk, code = kiosks.create_kiosk(session, "二号终端", printer_uri="dummy://")
    session.commit()
    make_staff("store", "storekeeper")
    page.goto(f"{live_server}/kiosk/pair")
    page.fill("input[name=code]", code)
    page.get_by_role("button", name="配对").click()
    page.wait_for_url("**/kiosk/")
    page.keyboard.type(cards[0].code + "\n")
    page.wait_for_url("**/kiosk/me")
    assert "甲员工" in page.locator("main").inner_text()
    page.keyboard.type(cards[1].code + "\n")  # the next person scans while the screen is still open
    page.locator("main h1", has_text="乙员工").wait_for()
    assert "甲员工" not in page.locator("main").inner_text()
    page.get_by_role("button", name="完成").click()
    page.wait_for_url("**/kiosk/")

    page.get_by_role("link", name="库管模式").click()
    page.locator("input[name=code]:focus").wait_for(timeout=5000)  # a storekeeper's card may be scanned here
    shot(page, "kiosk-staff-sign-in")
    page.fill("input[name=username]", "store")
    page.fill("input[name=password]", "password-123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/kiosk/staff")
    page.locator("input[name=number]:focus").wait_for(timeout=5000)  # ready for the scanner
    page.keyboard.type(redemption.number + "\n")  # the slip's QR, read by the scanner
    page.get_by_role("button", name="发放商品").wait_for()
    assert "乙员工" in page.locator("main").inner_text()
    shot(page, "kiosk-staff-slip")
    page.get_by_role("button", name="发放商品").click()
    page.locator(".message", has_text="由 store 于").wait_for()
    shot(page, "kiosk-staff-handed-out")
    page.get_by_role("button", name="退出库管模式").click()
    page.wait_for_url("**/kiosk/")
    session.expire_all()
    assert session.get(store.Redemption, redemption.id).status is store.RedemptionStatus.handed_out


def test_the_ledger_filters_and_the_reward_code_page(live_server, page, session, make_employee, make_staff):
    from models import places

    li = make_employee(name="李四", number="E05001", balance=50)
    make_employee(name="王五", number="E05002", balance=30)
    ledger.award(session, li.id, 10, actor="staff:officer", memo="通过安全考核")
    card = people.issue_card(session, li, people.CardKind.qr, actor="staff:admin")
    place = places.save_place(session, None, name="冲压车间", risk="orange", checklist="防护罩缺失")
    _kiosk, code = kiosks.create_kiosk(session, "一号终端", printer_uri="dummy://")
    session.commit()
    make_staff("audit", "auditor")
    sign_in(page, live_server, "audit")
    shot(page, "admin-dashboard")
    page.goto(f"{live_server}/admin/ledger")
    page.fill("input[name=number]", "E05001")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/admin/ledger?number=E05001*")
    table = page.locator("table").inner_text()
    assert "通过安全考核" in table and "王五" not in table
    shot(page, "admin-ledger")
    page.goto(f"{live_server}/admin/places/{place.id}")
    assert "冲压车间" in page.locator("h1").inner_text()
    shot(page, "admin-place")

    kiosk = page.context.new_page()
    kiosk.goto(f"{live_server}/kiosk/pair")
    kiosk.fill("input[name=code]", code)
    kiosk.get_by_role("button", name="配对").click()
    kiosk.wait_for_url("**/kiosk/")
    kiosk.keyboard.type(card.code + "\n")
    kiosk.wait_for_url("**/kiosk/me")
    kiosk.get_by_role("button", name="完成").click()
    kiosk.wait_for_url("**/kiosk/")
    kiosk.get_by_role("link", name="匿名报告奖励（领取码兑换）").click()  # no card: the code is the voucher
    kiosk.fill("main input[name=code]", "AAAA-BBBB-CCCC")
    kiosk.get_by_role("button", name="确定").click()
    assert "领取码不正确" in kiosk.locator("main").inner_text()
    shot(kiosk, "kiosk-reward-refused")
