"""Text a user typed is never markup: names, notes, descriptions and reasons carrying htmx attributes are put
into every kind of free text, then the back office, the board, the kiosk and the phone pages that show them
are opened, and the messages that repeat them are triggered. No request the text asks for may fire.

The attack (found in review): a storekeeper names goods ``<b hx-post=/admin/settings/pin_threshold
hx-trigger=load hx-vals='{"value":1000000}'>``; an admin restocks it, and the flash message "…: stock is now
20" made the admin's own browser post the setting with the admin's CSRF token.
"""

from __future__ import annotations

from models import claims, hazards, kiosks, ledger, people, places, store
from models.settings import get_setting
from tests.browser.conftest import shot, sign_in

ATTACK = "<b hx-post=/admin/settings/pin_threshold hx-trigger=load hx-vals='{\"value\":1000000}'>"


def bad(label: str) -> str:
    """A free text with the attack in it (and something to find it by)."""
    return f"{label}{ATTACK}x</b>"[:100]


def test_typed_markup_fires_no_request_anywhere(live_server, page, session, make_staff, make_employee, rule):
    make_staff("boss", "admin")
    worker = make_employee(number="E4242", name=bad("名"), department=bad("部"))
    ledger.award(session, worker.id, 300, actor="system", memo=bad("备注"))
    goods = store.save_goods(session, None, name=bad("品"), category="daily", value_fen=2000)
    place = places.save_place(session, None, name=bad("地"), risk="red", checklist=bad("查"))
    claims.submit_claim(
        session,
        employee=worker,
        rule=rule("T01"),
        points=10,
        description=bad("述"),
        source="employee",
        actor="employee:E4242",
    )
    hazards.report(session, place, category="state", description=bad("患"), reporter=None)
    _kiosk, pairing = kiosks.create_kiosk(session, bad("机")[:64], printer_uri="dummy://")
    card = people.issue_card(session, worker, people.CardKind.qr, actor="staff:admin")
    session.commit()
    threshold = get_setting(session, "pin_threshold")

    asked: list[str] = []
    page.on("request", lambda r: asked.append(f"{r.method} {r.url}") if "/settings" in r.url else None)
    sign_in(page, live_server, "boss")

    # The messages that repeat a name: a restock, saving an employee, saving a place.
    page.goto(f"{live_server}/admin/goods/{goods.id}")
    restock = page.locator("form:has(input[value=restock])")
    restock.locator("input[name=quantity]").fill("20")
    restock.locator("input[name=note]").fill(bad("到货"))
    restock.get_by_role("button", name="入库").click()
    page.wait_for_url("**/admin/goods/*")
    message = page.locator("#messages").inner_text()
    assert ATTACK in message and "现有库存 20" in message  # the name shows as the text it is
    page.goto(f"{live_server}/admin/people/{worker.id}")
    page.locator(f"form[action$='/people/{worker.id}'] button.primary").first.click()
    page.wait_for_load_state("networkidle")
    assert ATTACK in page.locator("#messages").inner_text()
    page.goto(f"{live_server}/admin/places/{place.id}")
    page.locator("main form button.primary").first.click()
    page.wait_for_load_state("networkidle")

    # Every page and fragment that shows these texts.
    for path in (
        "/admin/",
        "/admin/goods",
        f"/admin/goods/{goods.id}",
        "/admin/goods/stocktake",
        "/admin/people",
        f"/admin/people/{worker.id}",
        "/admin/places",
        "/admin/claims",
        "/admin/hazards",
        "/admin/ledger",
        "/admin/audit",
        "/admin/kiosks",
        "/admin/statistics",
        "/board",
    ):
        page.goto(f"{live_server}{path}")
        page.wait_for_load_state("networkidle")
        assert page.locator("b[hx-post]").count() == 0, path  # nothing typed became an element
    shot(page, "markup-board")
    # The kiosk (the employee's screen: name, department, claims, history, the shelf) and the phone's page.
    page.goto(f"{live_server}/kiosk/pair")
    page.fill("input[name=code]", pairing)
    page.get_by_role("button", name="配对").click()
    page.wait_for_url("**/kiosk/")
    page.keyboard.type(card.code)
    page.keyboard.press("Enter")
    page.wait_for_url("**/kiosk/me")
    page.wait_for_load_state("networkidle")
    assert ATTACK in page.locator("main").inner_text() and page.locator("b[hx-post]").count() == 0
    shot(page, "markup-kiosk")
    page.goto(f"{live_server}/r/{place.token}")
    page.wait_for_load_state("networkidle")
    assert page.locator("b[hx-post]").count() == 0
    page.goto(f"{live_server}/admin/audit")
    assert ATTACK in page.locator("main").inner_text()  # the audit log shows what was typed, as text
    shot(page, "markup-audit")
    assert asked == [], asked
    assert get_setting(session, "pin_threshold") == threshold
