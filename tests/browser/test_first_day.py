"""The administrator's first day in the browser: the go-live checklist on the dashboard, the opening balances
from a paper ledger's sheet, previewed and brought over."""

from __future__ import annotations

from models import people
from tests.browser.conftest import shot, sign_in
from tests.sheets import workbook


def test_the_checklist_and_the_opening_balances(live_server, page, session, make_staff, make_employee):
    make_staff("boss", "admin")
    for number, name in (("JZ0001", "张三"), ("JZ0002", "李四")):
        make_employee(name=name, number=number)
    sign_in(page, live_server, "boss")
    checklist = page.locator(".checklist")
    assert checklist.locator("li.done").count() == 1  # the roster is in; nothing else yet
    assert "请先设置服务器地址" in checklist.inner_text()
    shot(page, "first-day-1-checklist")
    checklist.get_by_role("link", name="期初积分").click()
    page.wait_for_url("**/admin/people/opening")
    sheet = workbook(
        [
            ("期初积分结转表",),
            ("工号", "姓名", "积分", "备注"),
            ("jz0001", "张三", 120, "纸质台账结转"),
            ("JZ0002", "李四", 80),
            ("合计", None, 200),
        ]
    )
    page.set_input_files(
        "input[name=sheet]",
        files=[
            {
                "name": "期初.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": sheet,
            }
        ],
    )
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_url("**/admin/people/opening/*")
    assert "合计 200 分" in page.locator("main").inner_text()
    shot(page, "first-day-2-opening-preview")
    page.get_by_role("button", name="为 2 名员工导入 200 分").click()
    page.locator(".message.info", has_text="已导入期初积分 200 分").wait_for()
    shot(page, "first-day-3-opening-applied")
    session.expire_all()
    balances = {e.number: e.balance for e in session.query(people.Employee)}
    assert balances == {"JZ0001": 120, "JZ0002": 80}
    page.goto(f"{live_server}/admin/")
    assert page.locator(".checklist li.done").count() == 2  # the opening balances are ticked too


def test_an_award_for_a_department_s_training(live_server, page, session, make_staff, make_employee):
    make_staff("safety", "safety_officer")
    make_staff("chief", "safety_officer")
    for n in range(8):
        make_employee(name=f"铸造工{n}", number=f"TR{n:03}", department="铸造车间")
    make_employee(name="机修工", number="TR900", department="机修车间")
    sign_in(page, live_server, "safety")
    page.goto(f"{live_server}/admin/claims")
    page.get_by_role("link", name="+ 活动集体奖励").click()
    page.fill("input[name=title]", "冬季消防安全培训")
    page.select_option("select[name=rule_id]", label="T01 参与安全培训 (+5–20)")
    page.fill("input[name=points]", "10")
    page.get_by_label("铸造车间").check()
    shot(page, "event-1-form")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url("**/admin/events/*")
    assert "8 人" in page.locator("main").inner_text()
    # Who filed it does not review it: the page says so; the chief of the office approves it.
    assert page.get_by_role("button", name="批准该活动：全部一起进入公示").count() == 0
    assert "由他人审核" in page.locator("main").inner_text()
    event = page.url
    sign_in(page, live_server, "chief")
    page.goto(event)
    page.get_by_role("button", name="批准该活动：全部一起进入公示").click()
    page.locator(".message.info", has_text="一起进入公示").wait_for()
    shot(page, "event-2-approved")
    page.goto(f"{live_server}/board")
    row = page.locator("tr", has_text="冬季消防安全培训")
    assert row.count() == 1 and "每人" in row.inner_text()
    shot(page, "event-3-board")
