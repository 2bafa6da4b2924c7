"""The counter by touch alone, standing up and lying down: keypads instead of a keyboard, refusals that stay in
the kiosk, a scan never lost, every person in the default language, sizes for a gloved finger at a metre."""

from __future__ import annotations

import re

import pytest

from models import kiosks, people
from models.settings import set_setting
from tests.browser.conftest import shot

VIEWPORTS = [("portrait", (1080, 1920)), ("landscape", (1920, 1080))]

# What a gloved finger and an eye at a metre need (the issue's numbers): every target and every text.
SIZES = """() => {
  const small = [];
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const targets = 'button, a, summary, input:not([type=hidden]), select, textarea, label.choice';
  for (const el of document.querySelectorAll(targets)) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (el.matches('input[type=radio], input[type=checkbox]')) continue;  // their label is the target
    if (r.height < 48 || r.width < 48) small.push(`target ${el.outerHTML.slice(0, 80)} ${r.width}x${r.height}`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || !visible(el) || el.closest('[hidden], #countdown')) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 18) small.push('text ' + size + 'px ' + node.textContent.trim().slice(0, 30));
  }
  return small;
}"""


def _tap(page, text: str) -> None:
    """Type ``text`` with the on-screen keypad only (no key events)."""
    for ch in text:
        page.locator(".keypad .key", has_text=re.compile(f"^{re.escape(ch)}$")).first.click()


def _pair(page, server: str, code: str) -> None:
    page.goto(f"{server}/kiosk/pair")
    _tap(page, code)
    page.get_by_role("button", name="配对").click()
    page.wait_for_url("**/kiosk/")


def _visit(browser, server: str, session, worker, kiosk: str, viewport):
    """A kiosk paired in a new browser, and ``worker``'s card scanned on it: their screen in view."""
    card = people.issue_card(session, worker, people.CardKind.qr, actor="staff:admin")
    _kiosk, code = kiosks.create_kiosk(session, kiosk, printer_uri="dummy://")
    session.commit()
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
    page = context.new_page()
    _pair(page, server, code)
    page.keyboard.type(card.code + "\n")
    page.wait_for_url("**/kiosk/me")
    return context, page


def _stays_in_the_kiosk(page) -> None:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")
    leaving = [h for h in hrefs if not (h.startswith("/kiosk") or h.startswith("?lang=") or h == "#")]
    assert not leaving, leaving


@pytest.mark.parametrize(("name", "viewport"), VIEWPORTS)
def test_the_counter_by_touch_alone(live_server, browser, session, make_employee, make_goods, name, viewport):
    set_setting(session, "kiosk_idle_seconds", 12)
    first = make_employee(name="张小花", number="T00002", balance=600)
    second = make_employee(name="李大壮", number="T00003", balance=50)
    people.set_pin(session, first, "2468")
    make_goods("电饭煲", 60, stock=3)  # 300 points: over the PIN threshold of 200
    card = people.issue_card(session, second, people.CardKind.qr, actor="staff:admin")
    _kiosk, code = kiosks.create_kiosk(session, f"触屏-{name}", printer_uri="dummy://")
    session.commit()
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
    page = context.new_page()
    _pair(page, live_server, code)
    assert page.evaluate(SIZES) == []
    shot(page, f"touch-{name}-1-idle")

    # Forgot the card: employee number and PIN on the keypad alone.
    page.get_by_text("忘带卡").click()
    page.locator("input[name=number]").click()
    _tap(page, "T00002")
    page.locator("input[name=pin]").click()
    _tap(page, "2468")
    assert page.locator("input[name=number]").input_value() == "T00002"
    shot(page, f"touch-{name}-2-keypad")
    page.get_by_role("button", name="确定").click()
    page.wait_for_url("**/kiosk/me")
    assert "张小花" in page.locator("main").inner_text()
    assert page.evaluate(SIZES) == []
    _stays_in_the_kiosk(page)
    shot(page, f"touch-{name}-3-me")

    # A cart over the PIN threshold: the screen says why, the keypad takes the PIN.
    page.locator("#goods .goods", has_text="电饭煲").get_by_role("button", name="加入").click()
    page.locator("#cart", has_text="电饭煲").wait_for()
    page.get_by_role("link", name="去兑换").click()
    page.wait_for_url("**/kiosk/confirm")
    assert "PIN" in page.locator(".why").inner_text() and "200" in page.locator(".why").inner_text()
    _tap(page, "1111")  # a wrong PIN: refused inside the kiosk
    page.get_by_role("button", name="确认").click()
    refused = page.locator(".refused")
    refused.wait_for()
    assert page.locator("input[data-scan]").count() == 1 and page.evaluate(SIZES) == []
    _stays_in_the_kiosk(page)
    shot(page, f"touch-{name}-4-refused")
    page.get_by_role("link", name="返回我的积分").click()
    page.get_by_role("link", name="去兑换").click()
    _tap(page, "2468")
    page.get_by_role("button", name="确认").click()
    page.wait_for_url("**/kiosk/slips/DH-*")
    page.get_by_role("button", name="完成").click()
    page.wait_for_url("**/kiosk/")

    # English for one person, then the next starts in Chinese; a card scanned while a form has focus.
    page.get_by_role("link", name="English").click()
    page.get_by_text("Forgot your card").click()
    page.locator("input[name=number]").click()  # the focus is off the scan field ...
    page.evaluate("() => { window.samePage = true; }")
    page.keyboard.type(card.code + "\n")  # ... and the card the scanner reads still starts the visit
    page.wait_for_url("**/kiosk/me")
    assert "李大壮" in page.locator("main").inner_text() and "Done" in page.locator("main").inner_text()
    assert page.evaluate("() => window.samePage") is True  # the screen was put in place: no page was loaded
    page.locator("#goods .goods").first.wait_for()  # and the shelf came after it
    page.get_by_role("button", name="Done").click()
    page.wait_for_url("**/kiosk/")
    assert "请刷积分卡" in page.locator("main").inner_text()  # the next person starts in the default language

    # An unknown card: the kiosk says so on its own screen, keeps scanning, and goes back by itself.
    page.keyboard.type("NO-SUCH-CARD-123\n")
    refused.wait_for()
    assert page.locator("input[data-scan]:focus").count() == 1
    page.wait_for_url("**/kiosk/", timeout=25_000)
    context.close()
    session.expire_all()
    assert session.get(people.Employee, first.id).balance == 300


@pytest.mark.parametrize(("name", "viewport"), VIEWPORTS)
def test_a_claim_by_taps_comes_back_filled_when_refused(live_server, browser, session, make_employee, name, viewport):
    worker = make_employee(name="王一", number="T00010")
    context, page = _visit(browser, live_server, session, worker, f"申报终端-{name}", viewport)
    page.get_by_role("link", name="申报积分").click()
    page.get_by_text("担任安全宣讲员").click()
    page.locator("input[name=points]").click()
    _tap(page, "99")  # more than the rule allows
    page.get_by_role("button", name="当班期间").click()
    page.get_by_role("button", name="提交审核").click()
    page.locator(".message.error").wait_for()
    assert page.locator("input[name=points]").input_value() == "99"  # what was tapped is still there
    assert page.locator("textarea[name=description]").input_value() == "当班期间"
    assert page.locator("input[name=rule_id]:checked").count() == 1
    assert page.evaluate(SIZES) == []
    shot(page, f"touch-{name}-claim-refused")
    _tap(page, "✕12")  # the keys go to the points again: cleared, then 12
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url("**/kiosk/me")
    assert "担任安全宣讲员" in page.locator("main").inner_text()
    context.close()


def test_a_claim_code_scanned_is_a_code_and_the_page_goes_back_by_itself(live_server, browser, session):
    set_setting(session, "kiosk_idle_seconds", 12)
    _kiosk, code = kiosks.create_kiosk(session, "领取码终端", printer_uri="dummy://")
    session.commit()
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="zh-CN")
    page = context.new_page()
    _pair(page, live_server, code)
    page.goto(f"{live_server}/kiosk/voucher")
    box = page.locator(".keypad").bounding_box()
    page.mouse.click(box["x"] + box["width"] - 5, box["y"] + box["height"] - 5)  # a tap between the keys ...
    page.keyboard.type("ZZZZ-ZZZZ-ZZZZ\n")  # ... and the scanner reads a claim code's QR into its field
    page.locator(".message.error", has_text="领取码").wait_for()
    assert "无法识别此卡" not in page.locator("main").inner_text()  # taken as a code, not as an unknown card
    assert page.locator("input[name=code]:focus").count() == 1 and page.evaluate(SIZES) == []
    shot(page, "touch-voucher-refused")
    _tap(page, "A")  # a finger taps a key, then the scanner reads the code: the scan is what is sent
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/kiosk/voucher")) as sent:
        page.keyboard.type("YYYY-YYYY-YYYY\n")
    assert "code=YYYY-YYYY-YYYY" in (sent.value.post_data or "")
    page.wait_for_url("**/kiosk/", timeout=25_000)  # nobody there: back to the start
    context.close()


@pytest.mark.parametrize(("name", "viewport"), VIEWPORTS)
def test_a_new_employee_chooses_a_pin_by_touch(live_server, browser, session, make_employee, name, viewport):
    worker = make_employee(name="新来的", number=f"P{viewport[0]}")
    context, page = _visit(browser, live_server, session, worker, f"PIN终端-{name}", viewport)
    page.get_by_role("link", name="选择我的 PIN").click()
    page.wait_for_url("**/kiosk/pin/new")
    _tap(page, "2580")  # the keys go to the first field ...
    page.locator("input[name=again]").click()
    _tap(page, "2580")  # ... and then to the one tapped
    assert page.evaluate(SIZES) == []
    shot(page, f"touch-{name}-choose-pin")
    page.get_by_role("button", name="设置 PIN").click()
    page.wait_for_url("**/kiosk/me")
    assert "PIN 已设置" in page.locator("#messages").inner_text()
    context.close()
    session.expire_all()
    people.check_pin(session, session.get(people.Employee, worker.id), "2580")


def test_the_scheme_s_rules_read_on_the_kiosk_by_touch(live_server, browser, session):
    """《安全积分管理办法》 from the start screen: read at the kiosk's sizes, and back again by a tap."""
    from models import organisation

    organisation.appoint(session, post="head", name="王总", title="总经理", actor="staff:admin")
    _kiosk, code = kiosks.create_kiosk(session, "规则终端", printer_uri="dummy://")
    session.commit()
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="zh-CN")
    page = context.new_page()
    _pair(page, live_server, code)
    page.get_by_role("link", name="积分管理办法").click()
    page.wait_for_url("**/kiosk/rules")
    text = page.locator("article").inner_text()
    assert "安全积分管理办法" in text and "领导小组组长：王总（总经理）" in text
    assert page.evaluate(SIZES) == []
    _stays_in_the_kiosk(page)
    shot(page, "kiosk-rules")
    page.get_by_role("link", name="返回").first.click()
    page.wait_for_url("**/kiosk/")
    context.close()
