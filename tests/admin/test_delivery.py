"""A delivery (入库单) as a storekeeper posts it: many goods at once, each line found by scanning the product's own
barcode (or by its name), checked, then posted in one go; shelf labels carry the barcode."""

from __future__ import annotations

from sqlalchemy import func, select

from models import store
from tests.pdfs import decode_pages

SOAP, GLOVES = "6901234567892", "GL-2026-001"  # an EAN-13 (check digit 2) and a supplier's code


def _goods(session, make_goods):
    soap, gloves = make_goods("洗衣液", 20, stock=3), make_goods("劳保手套（10副）", 15, stock=1)
    store.save_goods(session, soap, name=soap.name, category="daily", value_fen=2000, barcode=SOAP)
    store.save_goods(session, gloves, name=gloves.name, category="protective", value_fen=1500, barcode="gl-2026-001")
    session.commit()
    return soap, gloves


def _movements(session) -> int:
    return session.scalar(select(func.count()).select_from(store.StockMovement))


def test_a_delivery_of_many_goods_scanned_checked_and_posted_at_once(client, session, login, make_goods):
    soap, gloves = _goods(session, make_goods)
    assert gloves.barcode == GLOVES  # kept in one form, as the scanner reads it
    login("store", "storekeeper")
    before = _movements(session)
    for code in (SOAP, SOAP, " gl-2026-001 "):  # two scans of the soap, one of the gloves' supplier code
        assert client.post("/admin/goods/delivery", data={"action": "add", "code": code}).status_code == 303
    assert client.post("/admin/goods/delivery", data={"action": "add", "code": "手套"}).status_code == 303  # by name
    page = client.get("/admin/goods/delivery").text
    assert f'name="q{soap.id}" value="2"' in page and f'name="q{gloves.id}" value="2"' in page
    form = {f"q{soap.id}": "24", f"q{gloves.id}": "10", "note": "华联供应 送货单 A-778"}
    preview = client.post("/admin/goods/delivery", data={**form, "action": "check"})
    assert preview.status_code == 200 and "27" in preview.text and "11" in preview.text  # stock after: 3+24, 1+10
    assert _movements(session) == before  # checked, nothing posted yet
    posted = client.post("/admin/goods/delivery", data={**form, "action": "post"})
    assert posted.status_code == 303
    session.expire_all()
    assert (session.get(store.Goods, soap.id).stock, session.get(store.Goods, gloves.id).stock) == (27, 11)
    notes = session.scalars(select(store.StockMovement.note).order_by(store.StockMovement.id.desc()).limit(2)).all()
    assert notes == ["入库单：华联供应 送货单 A-778"] * 2
    assert "尚无明细" in client.get("/admin/goods/delivery").text  # the draft is gone once posted


def test_a_bad_line_or_note_is_refused_and_nothing_moves(client, session, login, make_goods):
    soap, _gloves = _goods(session, make_goods)
    login("store", "storekeeper")
    misread = client.post("/admin/goods/delivery", data={"action": "add", "code": "6901234567891"})
    assert misread.status_code == 400 and "EAN-13" in misread.text and 'value="6901234567891"' in misread.text
    unknown = client.post("/admin/goods/delivery", data={"action": "add", "code": "<b>NOPE-1</b>"})
    assert unknown.status_code == 404 and "&lt;b&gt;NOPE-1&lt;/b&gt;" in unknown.text
    client.post("/admin/goods/delivery", data={"action": "add", "code": SOAP})
    before = _movements(session)
    for form in (
        {f"q{soap.id}": "abc", "note": "送货单"},
        {f"q{soap.id}": "-3", "note": "送货单"},
        {f"q{soap.id}": "99999999999999999999", "note": "送货单"},
        {f"q{soap.id}": "5", "note": ""},
        {f"q{soap.id}": "5", "note": "\x00"},
    ):
        refused = client.post("/admin/goods/delivery", data={**form, "action": "post"})
        assert 400 <= refused.status_code < 500, form
    assert _movements(session) == before
    taken = client.post("/admin/goods", data={"name": "肥皂", "category": "daily", "value": "5", "barcode": SOAP})
    assert taken.status_code == 400  # a barcode belongs to one goods


def test_only_a_storekeeper_posts_a_delivery(client, session, login, make_goods):
    _goods(session, make_goods)
    login("look", "auditor")
    assert client.get("/admin/goods/delivery").status_code == 403
    assert client.post("/admin/goods/delivery", data={"action": "add", "code": SOAP}).status_code == 403


def test_shelf_labels_carry_the_barcode(client, session, login, make_goods):
    _goods(session, make_goods)
    login("look", "auditor")
    labels = client.get("/admin/goods/labels.pdf")
    assert labels.status_code == 200
    [found] = decode_pages(labels.data, dpi=600)  # a storekeeper's scanner reads them off the printed sheet
    assert SOAP in found and GLOVES in found


def test_the_storekeeper_s_dashboard_shows_slips_waiting_and_goods_low(
    client, session, login, make_goods, make_employee
):
    soap = make_goods("洗衣液", 20, stock=12)
    worker = make_employee(name="领货人", balance=500)
    waiting = store.redeem(session, worker, {soap.id: 1}, kiosk="test", request_key="w" * 20).redemption
    handed = store.redeem(session, worker, {soap.id: 1}, kiosk="test", request_key="h" * 20).redemption
    store.hand_out(session, handed, actor="staff:store")
    session.commit()
    login("store", "storekeeper")
    page = client.get("/admin/").text
    assert "<strong>1</strong>待领取的兑换单" in page.replace("\n", "")
    listed = client.get("/admin/redemptions?waiting=1").text
    assert waiting.number in listed and handed.number not in listed


def test_a_double_tap_or_a_replayed_page_posts_a_delivery_once(client, session, login, make_goods):
    """The second post of the same form (a double tap: the same cookie, the same key) is told the delivery was
    posted already, and the stock moves once."""
    import re

    soap, _gloves = _goods(session, make_goods)
    login("store", "storekeeper")
    client.post("/admin/goods/delivery", data={"action": "add", "code": SOAP})
    page = client.get("/admin/goods/delivery").text
    key = re.search(r'name="request_key" value="([0-9a-f]{32})"', page).group(1)
    cookie = client.get_cookie("session").value  # what a second tap of the same page sends
    form = {f"q{soap.id}": "5", "note": "送货单 B-1", "action": "post", "request_key": key}
    assert client.post("/admin/goods/delivery", data=form).status_code == 303
    client.set_cookie("session", cookie)
    again = client.post("/admin/goods/delivery", data=form, follow_redirects=True)
    assert again.status_code == 200 and "这张入库单已入库" in again.text
    session.expire_all()
    assert session.get(store.Goods, soap.id).stock == 8  # 3 + 5, once
    fresh = client.get("/admin/goods/delivery").text  # the next delivery gets a key of its own
    assert key not in fresh
