"""The screens as a person uses them: scan at the kiosk, review a claim in the back office."""

from __future__ import annotations

from models import claims, ledger, people
from tests.browser.conftest import shot


def test_a_worker_scans_a_card_and_sees_points(live_server, page, session, make_employee, make_claim):
    worker = make_employee(name="刘德华", number="E01234", department="机加车间")
    ledger.award(session, worker.id, 35, actor="system", memo="通过安全考核")
    make_claim(worker, "H01", 20, "发现配电柜门锁损坏")
    card = people.issue_card(session, worker, people.CardKind.qr, actor="staff:admin")
    session.commit()

    page.goto(f"{live_server}/kiosk/")
    scan = page.locator("input[name=code]")
    assert scan.get_attribute("inputmode") == "none"
    assert page.evaluate("document.activeElement.name") == "code"  # the scanner types into it at once
    shot(page, "kiosk-scan")
    page.keyboard.type(card.code)
    page.keyboard.press("Enter")
    page.wait_for_url("**/kiosk/me")
    body = page.locator("main").inner_text()
    assert "刘德华" in body and "35" in body and "通过安全考核" in body and "发现一般隐患" in body
    shot(page, "kiosk-me")

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

    page.goto(f"{live_server}/admin/claims")
    page.fill("input[name=username]", "safety")
    page.fill("input[name=password]", "password-123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/admin/**")
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
