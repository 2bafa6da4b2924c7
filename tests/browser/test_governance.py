"""The scheme run by its people, in the browser: the year end previewed and closed from the back office, next
year's calendar pasted whole, the redemption date and the year-end warning on the board."""

from __future__ import annotations

import datetime as dt

from models import clock, ledger
from models.settings import set_setting
from tests.browser.conftest import shot, sign_in


def test_the_year_end_previewed_and_closed(live_server, page, session, make_staff, make_employee):
    make_staff("boss", "admin")
    year = clock.today().year - 1
    for name, points in (("张三", 120), ("李四", 35)):
        worker = make_employee(name=name)
        ledger.award(session, worker.id, points, actor="test", memo="x", at=clock.day_start(dt.date(year, 11, 2)))
    session.commit()
    sign_in(page, live_server, "boss")
    page.goto(f"{live_server}/admin/ledger")
    page.get_by_role("link", name="年末结算").click()
    page.get_by_role("link", name=str(year), exact=True).click()  # in December the page opens on this year
    main = page.locator("main")
    assert "2 人将被清零共 155 分" in main.inner_text()
    shot(page, "year-end-1-preview")
    page.get_by_role("button", name=f"结算 {year} 年").click()
    assert "年已结算" not in main.inner_text()  # the browser refuses until the box is ticked
    assert {e.balance for e in session.query(ledger.Employee)} == {120, 35}
    page.get_by_label("我已核对名单").check()
    page.get_by_role("button", name=f"结算 {year} 年").click()
    page.locator(".message.info", has_text="年已结算").first.wait_for()
    shot(page, "year-end-2-closed")
    session.expire_all()
    assert {e.balance for e in session.query(ledger.Employee)} == {0}


def test_next_year_s_calendar_and_the_board_s_dates(live_server, page, session, make_staff):
    make_staff("boss", "admin")
    set_setting(session, "redemption_dates", "last-fri")
    session.commit()
    sign_in(page, live_server, "boss")
    page.goto(f"{live_server}/admin/settings#calendar")
    page.fill("#year-list", "2031-01-01 休 元旦\n2031-01-22..2031-01-28 休 春节\n2031-01-26 班 春节调休")
    page.get_by_role("button", name="保存整年").click()
    page.locator(".message.info", has_text="已保存日历中的 8 天").wait_for()
    page.locator("#calendar").scroll_into_view_if_needed()
    shot(page, "calendar-1-year-saved")
    page.goto(f"{live_server}/board")
    assert "下次兑换：" in page.locator(".next-redemption").inner_text()
    shot(page, "board-next-redemption")


def test_the_scheme_s_rules_printed(live_server, page, session):
    """The rules document as the office prints it: rendered to PDF by the browser, then to an image to look at."""
    import pypdfium2

    set_setting(session, "enterprise_name", "金寨示范厂")
    set_setting(session, "report_channels", "安全部电话 0564-1234567")
    session.commit()
    page.goto(f"{live_server}/board/rules")
    pdf = page.pdf(format="A4")
    document = pypdfium2.PdfDocument(pdf)
    assert len(document) >= 2
    text = document[0].get_textpage().get_text_range()
    assert "金寨示范厂安全积分管理办法" in text.replace("\n", "").replace(" ", "")
    from pathlib import Path

    folder = Path("/tmp/mart-screenshots")
    folder.mkdir(exist_ok=True)
    document[0].render(scale=1.2).to_pil().save(folder / "rules-page-1.png")


def test_the_results_for_appraisal(live_server, page, session, make_staff, make_employee):
    make_staff("look", "auditor")
    for n, (name, department, points) in enumerate(
        (("张三", "冲压车间", 60), ("李四", "冲压车间", 25), ("王五", "仓储部", 40))
    ):
        worker = make_employee(name=name, number=f"A{n:03}", department=department)
        ledger.award(session, worker.id, points, actor="test", memo="x")
    session.commit()
    sign_in(page, live_server, "look")
    page.goto(f"{live_server}/admin/statistics")
    page.get_by_role("link", name="考核结果").click()
    rows = page.locator("main table").nth(1).locator("tbody tr")
    assert rows.count() == 3 and "张三" in rows.nth(0).inner_text() and "李四" in rows.nth(2).inner_text()
    shot(page, "appraisal")


def test_finance_reads_the_money_and_the_half_year_document(live_server, page, session, make_staff, make_goods):
    """Finance signs in to its own menu: the year's money, then the county's half-yearly document, printed as
    PDF and looked at as an image."""
    import pypdfium2

    from models import organisation, store

    make_staff("cash", "finance")
    set_setting(session, "year_budget_yuan", "2000")
    set_setting(session, "enterprise_name", "金寨示范厂")
    soap = make_goods("肥皂", 5, stock=0)
    store.move_stock(session, soap.id, 40, reason="restock", actor="staff:store", unit_cost_fen=420)
    organisation.appoint(session, post="head", name="王总", title="总经理", actor="staff:admin")
    organisation.appoint(session, post="administrator", name="赵六", title="安全员", actor="staff:admin")
    session.commit()
    sign_in(page, live_server, "cash")
    nav = page.locator("nav").first.inner_text()
    assert "经费" in nav and "申报" not in nav and "隐患" not in nav
    page.get_by_role("link", name="经费", exact=True).click()
    main = page.locator("main")
    assert "168.00" in main.inner_text() and "8.40" in main.inner_text()  # 40 x 4.20 bought; of 2000: 8.4 %
    shot(page, "money-year")
    page.goto(f"{live_server}/admin/statistics")
    page.get_by_role("link", name="半年运行情况报告").click()
    assert "台账链头" in main.inner_text() and "王总" in main.inner_text()
    shot(page, "half-year-page")
    link = page.get_by_role("link", name="打印 PDF").get_attribute("href")
    pdf = page.request.get(f"{live_server}{link}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    document = pypdfium2.PdfDocument(pdf.body())
    text = "".join(p.get_textpage().get_text_range() for p in document).replace("\r\n", "")
    assert "金寨示范厂安全积分制度运行情况半年报告" in text and "领导小组组长" in text and "积分管理员" in text
    from pathlib import Path

    folder = Path("/tmp/mart-screenshots")
    folder.mkdir(exist_ok=True)
    for n in range(len(document)):
        document[n].render(scale=1.2).to_pil().save(folder / f"half-year-pdf-{n + 1}.png")


def test_the_organisation_put_on_record(live_server, page, session, make_staff):
    make_staff("boss", "admin")
    session.commit()
    sign_in(page, live_server, "boss")
    page.goto(f"{live_server}/admin/settings")
    page.get_by_role("link", name="积分制度组织机构").click()
    page.get_by_label("职务").select_option("head")
    page.get_by_label("姓名").fill("王总")
    page.get_by_label("岗位").fill("总经理")
    page.get_by_role("button", name="登记", exact=True).click()
    page.locator(".message.info", has_text="已登记 王总").wait_for()
    page.get_by_label("姓名").fill("李副总")
    page.get_by_role("button", name="登记", exact=True).click()  # a second head: refused, the form kept
    assert "已有组长" in page.locator("main").inner_text() and page.get_by_label("姓名").input_value() == "李副总"
    # 王总 was a typo for 汪总: the row is struck with its reason, and the real head goes on record.
    page.locator("summary", has_text="录入有误").first.click()
    page.get_by_label("错在哪里: 王总").fill("姓写错了，应为汪总")
    shot(page, "organisation")
    page.get_by_role("button", name="撤销这条记录").click()
    page.locator(".message.info", has_text="王总 的这条记录已撤销").wait_for()
    page.get_by_label("职务").select_option("head")
    page.get_by_label("姓名").fill("汪总")
    page.get_by_role("button", name="登记", exact=True).click()
    page.locator(".message.info", has_text="已登记 汪总").wait_for()
    assert "王总" not in page.locator("table").first.inner_text()
