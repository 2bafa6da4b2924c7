"""A walk through the back office as its people use it: restock goods, import the HR roster, approve
claims in bulk, read the statistics with their charts, the audit log, and the notice board."""

from __future__ import annotations

from openpyxl import Workbook

from models import ledger, people, places
from tests.browser.conftest import shot, sign_in
from tests.images import photo_bytes


def roster_file(path, rows):
    book = Workbook()
    book.active.append(["工号", "姓名", "部门", "班组"])
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_the_back_office_walk(live_server, page, session, tmp_path, make_employee, make_staff, make_claim):
    worker = make_employee(name="孙小美", department="铸造车间")
    make_claim(worker, "T01", 10, "参加消防培训")
    make_claim(worker, "T01", 12, "参加应急演练")
    make_staff("boss", "admin")
    sign_in(page, live_server, "boss")
    shot(page, "admin-dashboard")
    assert page.locator("canvas[data-drawn='1']").count() == 3  # the year's charts are drawn
    assert "参加消防培训" not in page.locator("main").inner_text()  # the queue shows rule and person, not the story
    assert page.locator("main table tr").count() == 2  # both claims wait for review, earliest due first

    # Goods: a new item with its picture, then a delivery.
    page.goto(f"{live_server}/admin/goods/new")
    page.fill("input[name=name]", "劳保手套")
    page.select_option("select[name=category]", "protective")
    page.fill("input[name=value]", "12.5")
    picture = tmp_path / "glove.jpg"
    picture.write_bytes(photo_bytes((800, 600)))
    page.set_input_files("input[name=picture]", str(picture))
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/admin/goods/*")
    restock = page.locator("form:has(input[value=restock])")
    restock.locator("input[name=quantity]").fill("20")
    restock.locator("input[name=note]").fill("11月到货")
    restock.get_by_role("button", name="入库").click()
    page.wait_for_url("**/admin/goods/*")
    assert "现有库存 20" in page.locator("#messages").inner_text()
    assert "11月到货" in page.locator("main").inner_text()
    shot(page, "admin-goods-edit")
    page.goto(f"{live_server}/admin/goods")
    assert page.locator("img.thumb").count() == 1
    shot(page, "admin-goods")
    page.goto(f"{live_server}/admin/goods/stocktake")
    page.locator("input[name^=count-]").first.fill("18")
    shot(page, "admin-stocktake")
    page.get_by_role("button", name="核对差异").click()
    page.locator("td.minus, td.plus").first.wait_for()  # the differences shown before anything is posted
    shot(page, "admin-stocktake-preview")
    page.get_by_role("button", name="差异过账").click()
    page.wait_for_url("**/admin/goods")
    assert "1 处差异" in page.locator("#messages").inner_text()

    # The roster: one new department, added from the preview, then applied with its progress.
    path = roster_file(
        tmp_path / "花名册.xlsx", [["E9001", "周一", "铸造车间", "一班"], ["E9002", "吴二", "安环部", ""]]
    )
    page.goto(f"{live_server}/admin/people/import")
    page.set_input_files("input[name=roster]", str(path))
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_url("**/admin/people/import/*")
    assert "未知部门：安环部" in page.locator("main").inner_text()
    shot(page, "admin-roster-errors")
    page.get_by_role("button", name="添加这些部门并重新检查").click()
    page.wait_for_url("**/admin/people/import/*")
    shot(page, "admin-roster-preview")
    page.get_by_role("button", name="导入花名册").click()
    page.get_by_text("导入完成").wait_for()
    shot(page, "admin-roster-applied")
    page.goto(f"{live_server}/admin/people")
    body = page.locator("main").inner_text()
    assert "周一" in body and "吴二" in body and "安环部" in body
    shot(page, "admin-people")
    page.get_by_role("link", name="周一").click()
    page.wait_for_url("**/admin/people/*")
    page.get_by_role("button", name="发卡").click()
    page.wait_for_url("**/admin/people/*")
    assert "已为 周一 发放新卡" in page.locator("#messages").inner_text()
    shot(page, "admin-person")

    # Claims: tick both, approve at once.
    page.goto(f"{live_server}/admin/claims")
    for box in page.locator("input[name=ids]").all():
        box.check()
    page.get_by_role("button", name="按申报分值审核通过勾选的申报").click()
    page.wait_for_url("**/admin/claims?tab=review")
    assert "已审核通过 2 条申报" in page.locator("#messages").inner_text()
    shot(page, "admin-claims-bulk")

    page.goto(f"{live_server}/admin/statistics")
    page.locator("canvas[data-drawn='1']").first.wait_for()
    statistics = page.locator("main").inner_text()
    assert "内部报告隐患数量（条）" in statistics and "自查隐患数量（条）" in statistics and "—" not in statistics
    shot(page, "admin-statistics")

    # A hazard reported by telephone, anonymously: the claim code is shown once, to hand over.
    places.save_place(session, None, name="冲压车间", risk="orange")
    session.commit()
    page.goto(f"{live_server}/admin/hazards/new")
    page.locator("input[name=how][value=telephone]").check()
    page.locator("input[name=anonymous]").check()
    page.select_option("select[name=place]", label="冲压车间")
    page.select_option("select[name=category]", "state")
    page.fill("textarea[name=description]", "3号冲床光栅失效")
    shot(page, "admin-hazard-new")
    page.get_by_role("button", name="登记进入隐患台账").click()
    page.get_by_text("匿名报告人的领取码").wait_for()
    assert page.locator(".claim-code .code").inner_text().count("-") == 2
    shot(page, "admin-hazard-entered")
    page.get_by_role("link", name="打开该隐患").click()
    page.wait_for_url("**/admin/hazards/*")
    detail = page.locator("main").inner_text()
    assert "电话报告" in detail and "由 boss 登记" in detail
    shot(page, "admin-hazard-detail")

    page.goto(f"{live_server}/admin/audit")
    audit = page.locator("main").inner_text()
    assert "staff:boss" not in audit and "boss" in audit and "劳保手套" in audit
    shot(page, "admin-audit")

    page.goto(f"{live_server}/admin/staff")
    page.fill("input[name=username]", "wang")
    page.fill("input[name=password]", "counter-2026")
    page.locator("form[action$='/admin/staff'] input[value=storekeeper]").check()
    page.get_by_role("button", name="建立账号").click()
    page.wait_for_url("**/admin/staff")
    assert "wang" in page.locator("main").inner_text()
    shot(page, "admin-staff")

    page.goto(f"{live_server}/admin/settings")
    assert "积分与年度上限" in page.locator("main").inner_text()
    shot(page, "admin-settings")

    ledger.award(session, worker.id, 20, actor="test", memo="日常安全行为")
    ledger.deduct(session, worker.id, 5, actor="staff:boss", memo="未戴安全帽")
    session.commit()
    page.goto(f"{live_server}/board")
    assert "孙小美" in page.locator("main").inner_text()  # her claims now stand in public notice
    month = page.locator("section.card", has_text="本月积分排名")
    assert month.locator("th").all_inner_texts()[-2:] == ["净得", "获得"]  # kept after deductions, and earned
    assert month.locator("tbody tr").first.locator("td").all_inner_texts()[-2:] == ["15 分", "20"]
    shot(page, "board")
    page.goto(f"{live_server}/board/print")
    shot(page, "board-print")
    assert people.find_employee(session, "E9001").team.name == "一班"
