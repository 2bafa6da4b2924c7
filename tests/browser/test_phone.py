"""A worker reports a hazard from a phone (390×844), with a photo; the officer takes it through the loop."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import hazards, people, places
from tests.browser.conftest import shot, sign_in, watch_policy
from tests.images import photo_bytes


def test_report_a_hazard_from_a_phone_and_close_it_in_the_back_office(
    live_server, browser, page, session, make_employee, make_staff, tmp_path
):
    shop = places.save_place(session, None, name="冲压车间", risk="orange")
    press = places.save_place(
        session, None, name="3号冲床", risk="red", parent_id=shop.id, checklist="防护罩缺失\n急停按钮失效"
    )
    worker = make_employee(name="李四", number="E07001")
    people.set_pin(session, worker, "2468")
    session.commit()
    picture = tmp_path / "IMG_0001.JPG"
    picture.write_bytes(photo_bytes((4032, 3024), gps=True))

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    mobile = phone.new_page()
    refused = watch_policy(mobile)
    mobile.goto(f"{live_server}/r/{press.token}")
    assert "3号冲床" in mobile.locator("h1").inner_text()
    shot(mobile, "phone-report-form")
    mobile.get_by_label("物的不安全状态").check()
    mobile.get_by_label("防护罩缺失").check()
    mobile.fill("textarea[name=description]", "冲床左侧防护罩缺失，手可伸入模具区")
    mobile.set_input_files("input[name=photos]", str(picture))
    mobile.fill("input[name=number]", "E07001")
    mobile.fill("input[name=pin]", "2468")
    mobile.get_by_role("button", name="提交上报").click()
    mobile.locator("text=谢谢，上报成功").wait_for()
    assert "/r/h/" in mobile.url  # a reload shows the status, it does not send the report again
    number = mobile.locator(".ref").inner_text()
    shot(mobile, "phone-report-sent")
    mobile.reload()
    assert number in mobile.locator("main").inner_text() and "已受理" in mobile.locator("main").inner_text()
    shot(mobile, "phone-report-status")

    mobile.goto(f"{live_server}/r/{press.token}")  # the phone remembers the reporter
    assert "李四 (E07001)" in mobile.locator("main").inner_text() and number in mobile.locator("main").inner_text()
    mobile.get_by_label("匿名：获得一个领取奖励用的领取码").check()
    mobile.get_by_label("人的不安全行为").check()
    mobile.fill("textarea[name=description]", "有人未系安全带登高作业")
    mobile.get_by_role("button", name="提交上报").click()
    code = mobile.locator(".claim-code .code").inner_text()
    assert len(code) == 14
    shot(mobile, "phone-anonymous-code")
    phone.close()
    assert not refused, refused

    make_staff("officer", "safety_officer")
    make_staff("second", "safety_officer")
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/admin/hazards")
    page.get_by_role("link", name=number).click()
    assert page.locator(".photos img").first.evaluate("img => img.decode().then(() => img.naturalWidth)") == 1600
    _through_the_loop(page, "加装防护罩并张贴警示标识", "已加装防护罩", lambda: shot(page, "admin-hazard-assigned"))
    shot(page, "admin-hazard-closed")
    page.goto(f"{live_server}/admin/places")
    shot(page, "admin-places")


def test_a_supervisor_awards_on_the_spot_from_a_phone(live_server, browser, session, make_employee, make_staff):
    worker = make_employee(name="王小明", number="E08001")
    card = people.issue_card(session, worker, people.CardKind.qr, actor="staff:admin")
    session.commit()
    make_staff("banzhang", "supervisor")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    mobile = phone.new_page()
    mobile.goto(f"{live_server}/c/{card.code}")  # what the phone's camera opens from the card's QR
    assert "王小明" not in mobile.locator("main").inner_text()
    mobile.get_by_role("link", name="登录").click()
    mobile.fill("input[name=username]", "banzhang")
    mobile.fill("input[name=password]", "password-123")
    mobile.get_by_role("button", name="登录").click()
    mobile.wait_for_url(f"**/c/{card.code}")
    assert "王小明" in mobile.locator("main h1").inner_text()
    mobile.get_by_role("radio", name=re.compile("^正确佩戴劳动防护用品")).check()
    mobile.fill("input[name=points]", "2")
    shot(mobile, "phone-spot-award")
    mobile.get_by_role("button", name="提交").click()
    mobile.locator("h1", has_text="已提交").wait_for()
    shot(mobile, "phone-spot-done")
    phone.close()


@pytest.mark.parametrize("viewport", [(360, 740), (390, 844)])
def test_a_worker_follows_their_reports_on_a_small_phone(
    live_server, browser, session, make_employee, make_staff, tmp_path, viewport
):
    """From 360 px nothing scrolls sideways; after a report, links to its status and to 我的上报, whose entries
    open their status with the reporter's own photos, the measures and the outcome."""
    place = places.save_place(session, None, name="二号仓库东侧装卸平台", risk="yellow")
    worker = make_employee(name="周九", number="E07009")
    people.set_pin(session, worker, "1357")
    make_staff("officer", "safety_officer")
    picture = tmp_path / "IMG_0002.JPG"
    picture.write_bytes(photo_bytes((1200, 900)))
    phone = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    mobile = phone.new_page()
    sideways = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    mobile.goto(f"{live_server}/r/{place.token}")
    assert mobile.locator("input[name=photos]").get_attribute("capture") is None  # camera or gallery
    wide = """() => Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map(e => e.tagName + '.' + e.className + ' ' + e.getAttribute('name'))"""
    assert mobile.evaluate(sideways) <= 0, mobile.evaluate(wide)
    mobile.get_by_label("物的不安全状态").check()
    mobile.fill("textarea[name=description]", "装卸平台护栏松动")
    mobile.set_input_files("input[name=photos]", str(picture))
    mobile.fill("input[name=number]", "E07009")
    mobile.fill("input[name=pin]", "1357")
    mobile.get_by_role("button", name="提交上报").click()
    mobile.locator("text=谢谢，上报成功").wait_for()
    assert mobile.evaluate(sideways) <= 0
    shot(mobile, f"phone-{viewport[0]}-sent")
    hazard = session.scalars(select(hazards.Hazard)).one()
    hazards.verify(session, hazard, "valid", grade="general", actor="staff:officer")
    hazards.assign(session, hazard, actor="staff:officer", owner="officer", measures="更换护栏螺栓", working_days=3)
    session.commit()
    mobile.get_by_role("link", name="我的上报").click()
    mobile.get_by_role("link", name=re.compile(hazard.number)).click()
    body = mobile.locator("main").inner_text()
    assert "更换护栏螺栓" in body and "整改中" in body and "装卸平台护栏松动" in body
    assert mobile.locator("img.thumb").first.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    assert mobile.evaluate(sideways) <= 0
    shot(mobile, f"phone-{viewport[0]}-status")
    phone.close()
    stranger = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    mine = stranger.goto(f"{live_server}/r/mine/{hazard.id}")
    assert mine.status >= 400 and "更换护栏螺栓" not in stranger.content()  # nobody else's phone opens it
    stranger.context.close()


@pytest.mark.parametrize("viewport", [(360, 740), (390, 844)])
def test_the_officer_takes_a_hazard_through_the_loop_on_a_phone(
    live_server, browser, session, make_employee, make_staff, viewport
):
    """The officer on the floor: the hazard list, its page, verify, assign and close on a phone, the menu one
    line and no page scrolling sideways."""
    place = places.save_place(session, None, name="三号厂房二层东侧配电间", risk="red")
    hazard = hazards.report(session, place, category="state", description="配电柜门未关，线缆裸露", reporter=None)
    make_staff("officer", "safety_officer")
    make_staff("second", "safety_officer")
    session.commit()
    phone = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    mobile = phone.new_page()
    sign_in(mobile, live_server, "officer")
    sideways = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    mobile.goto(f"{live_server}/admin/hazards")
    assert mobile.evaluate(sideways) <= 0
    menu = mobile.locator(".topbar nav").bounding_box()
    assert menu["height"] < 60  # one line, not a screen of links over the first screen
    shot(mobile, f"officer-{viewport[0]}-hazards")
    mobile.get_by_role("link", name=hazard.hazard.number).click()

    def assigned() -> None:
        mobile.get_by_text("交给其他负责人").click()  # the work can go to someone else (a leaver's, say)
        assert mobile.locator("form[action$='/reassign'] input[name=owner_number]").is_visible()
        assert mobile.evaluate(sideways) <= 0
        shot(mobile, f"officer-{viewport[0]}-assigned")

    _through_the_loop(mobile, "关闭柜门，包扎裸露线缆", "已关闭并包扎", assigned)
    phone.close()


def _through_the_loop(page, measures: str, done: str, assigned) -> None:
    """On a hazard's page: verify it valid (general), assign it to the officer, record it rectified, close it."""
    page.get_by_role("radio", name="属实").check()
    page.select_option("select[name=grade]", "general")
    page.get_by_role("button", name="保存核实结论").click()
    page.locator("h1 .badge", has_text="已核实").wait_for()
    page.select_option("select[name=owner]", "officer")
    page.fill("textarea[name=measures]", measures)
    page.get_by_role("button", name="下达").click()
    page.locator("h1 .badge", has_text="整改中").wait_for()
    assigned()
    page.fill("textarea[name=note]", done)
    page.get_by_role("button", name="已整改").click()
    # Who recorded the rectification does not close it (separation of duties): a second officer does.
    assert page.get_by_role("button", name="复查合格，销号").count() == 0
    assert "由他人复查销号" in page.locator("main").inner_text()
    url = page.url
    sign_in(page, page.url.split("/admin")[0], "second")
    page.goto(url)
    page.get_by_role("button", name="复查合格，销号").click()
    page.locator("h1 .badge", has_text="已销号").wait_for()


@pytest.mark.parametrize("viewport", [(360, 740), (390, 844)])
def test_an_employee_rectifies_on_their_phone_and_sees_why_it_came_back(
    live_server, browser, session, make_employee, viewport
):
    """The fitter who owns a rectification signs in on their phone, records it with an after-photo; the officer
    sends it back; the phone says why, and the fitter records it again."""
    place = places.save_place(session, None, name="二号仓库货架区", risk="yellow")
    fitter = make_employee(name="钳工老周", number=f"E{viewport[0]}")
    people.set_pin(session, fitter, "2580")
    hazard = hazards.report(session, place, category="state", description="货架横梁变形", reporter=None).hazard
    hazards.verify(session, hazard, "valid", grade="general", actor="staff:officer")
    hazards.assign(
        session, hazard, actor="staff:officer", owner=f"employee:{fitter.number}", measures="更换横梁", working_days=3
    )
    session.commit()
    phone = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    mobile = phone.new_page()
    sideways = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    mobile.goto(f"{live_server}/r/tasks")
    mobile.wait_for_url("**/r/sign-in")
    mobile.fill("input[name=number]", fitter.number.lower())
    mobile.fill("input[name=pin]", "2580")
    mobile.get_by_role("button", name="登录").click()
    mobile.wait_for_url("**/r/tasks")
    mobile.get_by_role("link", name=re.compile(hazard.number)).click()
    assert "更换横梁" in mobile.locator("main").inner_text() and mobile.evaluate(sideways) <= 0
    mobile.fill("textarea[name=note]", "已更换横梁")
    mobile.set_input_files(
        "input[name=photos]", files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes((800, 600))}]
    )
    mobile.get_by_role("button", name="已整改").click()
    mobile.get_by_text("安全管理部门将复查").wait_for()
    assert mobile.locator("img.thumb").count() == 1

    session.expire_all()
    hazards.reinspect(
        session,
        hazards.get_hazard(session, hazard.id),
        actor="staff:officer",
        passed=False,
        note="横梁型号不符，请按图纸更换",
    )
    session.commit()
    mobile.goto(f"{live_server}/r/tasks")
    assert "已退回" in mobile.locator("main").inner_text()
    mobile.get_by_role("link", name=re.compile(hazard.number)).click()
    reason = mobile.locator(".message.warning")
    assert "横梁型号不符，请按图纸更换" in reason.inner_text() and mobile.evaluate(sideways) <= 0
    shot(mobile, f"phone-{viewport[0]}-task-sent-back")
    mobile.fill("textarea[name=note]", "已按图纸更换为同型号横梁")
    mobile.get_by_role("button", name="已整改").click()
    mobile.get_by_text("安全管理部门将复查").wait_for()
    phone.close()
    session.expire_all()
    assert hazards.get_hazard(session, hazard.id).status is hazards.HazardStatus.rectified
