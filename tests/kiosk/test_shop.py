"""The store at the kiosk over HTTP: pairing, goods, cart, confirmation, slip."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from models import people, printing, store, tries
from models.audit import AuditEntry
from models.people import Employee
from models.settings import set_setting


def scan_in(client, session, employee):
    card = people.issue_card(session, employee, people.CardKind.qr, actor="staff:admin")
    session.commit()
    assert client.post("/kiosk/scan", data={"code": card.code}).status_code == 200


def test_an_unpaired_browser_gets_the_pairing_page(app, session):
    stranger = app.test_client()
    response = stranger.get("/kiosk/")
    assert response.status_code == 303 and response.headers["Location"].endswith("/kiosk/pair")
    assert stranger.post("/kiosk/scan", data={"code": "x"}).status_code == 303  # nothing reaches the store
    wrong = stranger.post("/kiosk/pair", data={"code": "00000000"})
    assert wrong.status_code == 404 and "配对码无效" in wrong.text


def test_a_pairing_code_works_once(app, kiosk):
    # The fixture paired the test client with this code already.
    again = app.test_client().post("/kiosk/pair", data={"code": kiosk[1]})
    assert again.status_code == 404


def test_browse_add_confirm_and_see_the_slip(client, session, make_employee, make_goods):
    set_setting(session, "pin_threshold", 1000)
    session.commit()
    worker = make_employee(name="王五", balance=300)
    soap, gloves = make_goods("洗衣液", 20), make_goods("劳保手套", 8, category="protective")
    dear = make_goods("电饭煲", 260, stock=2)
    scan_in(client, session, worker)
    assert 'hx-get="/kiosk/goods"' in client.get("/kiosk/me").text  # the shelf follows as a fragment
    shelf = client.get("/kiosk/goods", headers={"HX-Request": "true"}).text
    assert "洗衣液" in shelf and "劳保手套" in shelf and "积分不足" in shelf  # the rice cooker is out of reach
    assert shelf.count("库存 10 件") == 2 and "库存 2 件" not in shelf  # the stock of each that can be had
    english = client.get("/kiosk/goods?lang=en", headers={"HX-Request": "true"}).text
    assert english.count(">10 in stock<") == 2 and "Not enough points" in english
    low = client.get("/kiosk/goods?tier=low&lang=zh_Hans_CN", headers={"HX-Request": "true"}).text
    assert "洗衣液" in low and "电饭煲" not in low
    cart = client.post("/kiosk/cart", data={"goods_id": soap.id, "delta": "1"}, headers={"HX-Request": "true"})
    assert cart.status_code == 200 and "洗衣液" in cart.text and "100" in cart.text
    client.post("/kiosk/cart", data={"goods_id": gloves.id, "delta": "1"})
    client.post("/kiosk/cart", data={"goods_id": gloves.id, "delta": "1"})
    too_much = client.post("/kiosk/cart", data={"goods_id": dear.id, "delta": "1"}, headers={"HX-Request": "true"})
    assert too_much.status_code == 409 and "积分不足" in too_much.text
    confirm = client.get("/kiosk/confirm").text
    key = re.search(r'name="request_key" value="([^"]+)"', confirm).group(1)
    done = client.post("/kiosk/confirm", data={"request_key": key})
    slip_url = re.search(r'data-page-url="(/kiosk/slips/DH-[^"]+)"', done.text).group(1)
    assert done.status_code == 200 and "正在打印" in done.text  # the slip shows at once
    twice = client.post("/kiosk/confirm", data={"request_key": key})  # a double tap
    assert twice.status_code == 200 and f'data-page-url="{slip_url}"' in twice.text
    session.expire_all()
    assert session.get(Employee, worker.id).balance == 300 - 100 - 80
    assert session.scalar(select(func.count()).select_from(store.Redemption)) == 1
    # An employee at the kiosk is not the staff: the ledger and the redemption say who did it, not the audit log.
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    redemption = session.scalars(select(store.Redemption)).one()
    assert [(j.status, j.printer_uri) for j in printing.jobs_of(session, redemption.id)] == [
        (printing.JobStatus.queued, "dummy://")
    ]
    slip = client.get(slip_url)
    assert redemption.number in slip.text and "正在打印" in slip.text
    png = client.get(f"/kiosk/slips/{redemption.number}.png")
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_redemption_whose_slip_cannot_be_queued_leaves_nothing_behind(
    client, session, make_employee, make_goods, monkeypatch
):
    worker, soap = make_employee(balance=300), make_goods("洗衣液", 20, stock=5)
    scan_in(client, session, worker)
    client.post("/kiosk/cart", data={"goods_id": soap.id, "delta": "1"})
    key = re.search(r'name="request_key" value="([^"]+)"', client.get("/kiosk/confirm").text).group(1)

    def queue_down(*args, **kwargs):
        raise ConnectionError("the database went away while queuing the slip")

    monkeypatch.setattr(printing, "enqueue", queue_down)
    assert client.post("/kiosk/confirm", data={"request_key": key}).status_code == 500  # logged, page says sorry
    session.expire_all()
    assert session.get(Employee, worker.id).balance == 300 and session.get(store.Goods, soap.id).stock == 5
    assert session.scalar(select(func.count()).select_from(store.Redemption)) == 0
    monkeypatch.undo()
    done = client.post("/kiosk/confirm", data={"request_key": key})  # the retry makes it, with its slip
    assert done.status_code == 200
    session.expire_all()
    redemption = session.scalars(select(store.Redemption)).one()
    assert len(printing.jobs_of(session, redemption.id)) == 1


def test_a_bad_cart_or_someone_else_s_slip_gets_a_message(client, session, make_employee, make_goods):
    owner, other = make_employee(balance=500), make_employee(balance=500)
    soap = make_goods(stock=1)
    receipt = store.redeem(session, owner, {soap.id: 1}, kiosk="一号终端", request_key="k" * 20).redemption
    session.commit()
    scan_in(client, session, other)
    assert client.post("/kiosk/cart", data={"goods_id": soap.id, "delta": "abc"}).status_code == 400
    assert client.post("/kiosk/cart", data={"goods_id": 99999, "delta": "1"}).status_code == 400
    assert client.post("/kiosk/cart", data={"goods_id": soap.id, "delta": "1"}).status_code == 409  # none left
    assert client.get(f"/kiosk/slips/{receipt.number}").status_code == 404
    assert client.post("/kiosk/confirm", data={"request_key": "short"}).status_code == 400  # empty cart


def test_above_the_pin_threshold_the_kiosk_asks_for_the_pin(client, session, make_employee, make_goods):
    worker = make_employee(balance=1000)
    people.set_pin(session, worker, "2468")
    kettle = make_goods("电水壶", 80)  # 400 points, above the default 200
    scan_in(client, session, worker)
    client.post("/kiosk/cart", data={"goods_id": kettle.id, "delta": "1"})
    page = client.get("/kiosk/confirm").text
    assert 'name="pin"' in page
    key = re.search(r'name="request_key" value="([^"]+)"', page).group(1)
    wrong = client.post("/kiosk/confirm", data={"request_key": key, "pin": "1111"})
    assert wrong.status_code == 403 and "PIN 码不正确" in wrong.text
    session.expire_all()
    assert session.get(Employee, worker.id).balance == 1000 and tries.counted(session, "pin", worker.id) == 1
    assert client.post("/kiosk/confirm", data={"request_key": key, "pin": "2468"}).status_code == 200


def test_goods_pictures_show_on_the_shelf(app, client, runner, session, make_employee, make_goods, tmp_path):
    import io

    from PIL import Image

    soap, towel = make_goods("洗衣液", 20), make_goods("毛巾", 10)
    photo = tmp_path / "soap.png"
    Image.new("RGB", (2000, 1500), (30, 120, 200)).save(photo)
    result = runner.invoke(args=["goods", "picture", str(soap.id), str(photo)])
    assert result.exit_code == 0, result.output
    not_a_picture = tmp_path / "soap.txt"
    not_a_picture.write_text("not a picture")
    refused = runner.invoke(args=["goods", "picture", str(towel.id), str(not_a_picture)])
    assert refused.exit_code == 1 and "不是照片" in refused.output
    scan_in(client, session, make_employee(balance=500))
    shelf = client.get("/kiosk/goods", headers={"HX-Request": "true"}).text
    assert shelf.count('class="goods-pic"') == 1 and 'class="goods-pic placeholder"' in shelf  # the towel has none
    url = re.search(r'src="(/kiosk/goods/\d+/picture[^"]*)"', shelf).group(1).replace("&amp;", "&")
    with client.get(url) as picture:
        assert picture.status_code == 200 and picture.mimetype == "image/jpeg"
        assert max(Image.open(io.BytesIO(picture.data)).size) == 480  # small enough for hundreds on a shelf
    assert client.get(f"/kiosk/goods/{towel.id}/picture").status_code == 404


def test_a_visit_costs_twenty_three_statements(app, client, session, make_employee, make_goods):
    """Scan, a goods into the cart, the confirmation page and the confirm: 23 statements in all (the table and
    why each is needed: tests/bench/statements.py; the confirm's ledger entry also adds itself to the day's
    tally, ledger_tally, which the statistics read instead of the whole ledger).
    SQLite's BEGIN IMMEDIATE of each request is not counted.
    The last person pressed "done"; the scan asks whether the kiosk is locked for unknown cards (one SELECT)
    and opens the visit on the kiosk's row (one UPDATE)."""
    from sqlalchemy import event

    set_setting(session, "pin_threshold", 100_000)
    worker = make_employee(balance=500)
    soap = make_goods("洗衣液", 20)
    card = people.issue_card(session, worker, people.CardKind.qr, actor="staff:admin")
    session.commit()
    counted: list[str] = []
    engine = app.extensions["mart.db"][0]

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):
            counted.append(statement)

    assert client.post("/kiosk/scan", data={"code": card.code}).status_code == 200  # the settings are read once
    assert client.post("/kiosk/done").status_code == 303
    event.listen(engine, "before_cursor_execute", count)
    try:
        per_request = []
        for method, path, form in (
            ("POST", "/kiosk/scan", {"code": card.code}),
            ("POST", "/kiosk/cart", {"goods_id": soap.id, "delta": 1}),
            ("GET", "/kiosk/confirm", None),
        ):
            counted.clear()
            page = client.open(path, method=method, data=form)
            assert page.status_code == 200
            per_request.append(len(counted))
        key = re.search(r'name="request_key" value="([^"]+)"', page.text).group(1)
        counted.clear()
        assert client.post("/kiosk/confirm", data={"request_key": key}).status_code == 200
        per_request.append(len(counted))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert per_request == [6, 2, 2, 13], per_request


def test_a_cart_change_tells_the_shelf_what_is_affordable_now(client, session, make_employee, make_goods):
    set_setting(session, "pin_threshold", 100_000)
    worker = make_employee(balance=150)
    soap = make_goods("洗衣液", 20, price=100)
    make_goods("毛巾", 10, price=80)
    scan_in(client, session, worker)
    shelf = client.get("/kiosk/goods", headers={"HX-Request": "true"})
    assert "积分不足" not in shelf.text and "HX-Request" in shelf.headers["Vary"]
    added = client.post("/kiosk/cart", data={"goods_id": soap.id, "delta": 1}, headers={"HX-Request": "true"})
    assert added.status_code == 200 and added.headers["HX-Trigger"] == "cart-changed"
    again = client.get("/kiosk/goods", headers={"HX-Request": "true"})  # what the shelf asks for on the event
    towel_card = again.text.split("毛巾")[0].rsplit('<div class="goods', 1)[1]
    assert "unavailable" in towel_card  # 150 - 100 left: the 80-point towel is out of reach now
    assert "cart-changed from:body" in again.text


def test_another_employee_s_confirmation_key_is_refused(app, client, session, make_employee, make_goods):
    set_setting(session, "pin_threshold", 100_000)
    first, second = make_employee(balance=100), make_employee(balance=100)
    soap = make_goods("洗衣液", 2, price=10)
    key = "k" * 24
    store.redeem(session, first, {soap.id: 1}, kiosk="一号终端", request_key=key)
    session.commit()
    scan_in(client, session, second)
    client.post("/kiosk/cart", data={"goods_id": soap.id, "delta": 1})
    refused = client.post("/kiosk/confirm", data={"request_key": key})
    assert refused.status_code == 409  # not the first employee's slip, and no 500 from the taken key
    session.expire_all()
    assert session.get(Employee, second.id).balance == 100 and session.get(Employee, first.id).balance == 90


def test_a_deduction_from_an_empty_balance_is_in_the_employee_s_history(client, session, make_employee, rule):
    from models import claims, clock

    worker = make_employee(name="空余额")
    made = claims.submit_claim(
        session,
        employee=worker,
        rule=rule("V02"),
        points=15,
        description="违章作业",
        source="office",
        actor="staff:safety",
    )
    claims.approve(session, made, 15, actor="staff:leader")
    claims.credit_due_one(session, made, actor="system", now=clock.utcnow())
    session.commit()
    scan_in(client, session, worker)
    screen = client.get("/kiosk/me").text
    assert "违章作业、违反操作规程（应扣 15 分，余额不足，实扣 0 分）" in screen
    assert ">0</td>" in screen and "+0" not in screen


def test_the_history_reads_in_the_reader_s_language(client, session, make_employee, make_goods, rule):
    """The ledger keeps its memos as written (Chinese); an employee who chose English reads the fixed words in
    English, and what is data (a goods item's name, a slip's number, a typed reason) as it was written."""
    from models import claims, clock, ledger

    worker = make_employee(name="英文历史", balance=100)
    soap = make_goods("洗衣液", 20)
    made = store.redeem(session, worker, {soap.id: 1}, kiosk="一号终端", request_key="h" * 20).redemption
    store.cancel(session, made, "拿错了", actor="staff:store")
    ledger.adjust(session, worker.id, -90, actor="staff:admin", memo="更正")
    fine = claims.submit_claim(
        session, employee=worker, rule=rule("V02"), points=25, description="x", source="office", actor="staff:safety"
    )
    claims.approve(session, fine, 25, actor="staff:leader")
    claims.credit_due_one(session, fine, actor="system", now=clock.utcnow())
    session.commit()
    scan_in(client, session, worker)
    chinese = client.get("/kiosk/me").text
    assert "兑换 洗衣液×1" in chinese and f"取消兑换 {made.number}：拿错了" in chinese
    assert "（应扣 25 分，余额不足，实扣 10 分）" in chinese
    english = client.get("/kiosk/me?lang=en").text
    assert "Redeemed: 洗衣液×1" in english and f"Redemption cancelled: {made.number}：拿错了" in english
    assert "(25 due, the balance fell short: 10 taken)" in english
    for fixed in ("兑换 ", "取消兑换", "应扣", "余额不足"):
        assert fixed not in english


def test_a_closed_store_says_so_before_the_cart_is_filled(client, session, make_employee, make_goods):
    """On a day the store is shut (a holiday in the settings), the employee's screen says until when and how it
    opens, the shelf's buttons are off, and an add is refused with the same words: no cart to lose at the end."""
    from models import clock

    today = clock.now().date()
    set_setting(session, "store_closed_days", f"{today.isoformat()}..{(today + dt.timedelta(days=2)).isoformat()}")
    session.commit()
    worker = make_employee(name="节日", balance=300)
    soap = make_goods("洗衣液", 20)
    scan_in(client, session, worker)
    until = (today + dt.timedelta(days=2)).isoformat()
    screen = client.get("/kiosk/me").text
    assert f"超市闭店至 {until}" in screen and "去兑换" not in screen
    shelf = client.get("/kiosk/goods", headers={"HX-Request": "true"}).text
    assert "disabled>" in shelf.split("洗衣液")[1].split("</div>")[0]
    refused = client.post("/kiosk/cart", data={"goods_id": soap.id, "delta": 1}, headers={"HX-Request": "true"})
    assert refused.status_code == 409 and f"超市闭店至 {until}" in refused.text
    assert "洗衣液" not in client.get("/kiosk/me").text.split('id="cart"')[1].split("</section>")[0]
    set_setting(session, "store_closed_days", "")
    session.commit()
    assert (
        client.post("/kiosk/cart", data={"goods_id": soap.id, "delta": 1}, headers={"HX-Request": "true"}).status_code
        == 200
    )


def test_the_kiosk_and_the_board_say_when_redemption_is_and_warn_before_points_expire(
    client, session, make_employee, monkeypatch
):
    """The scheme redeems on the last Friday of each month; on 20 December the board, its sheet, the kiosk's idle
    panel and the employee's screen say the next one is Christmas Day, and warn that unspent points expire,
    the employee's screen with how many of theirs."""
    import datetime as dt

    from models import clock
    from models.settings import set_setting

    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 12, 20, 9, 0))
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 20))
    set_setting(session, "redemption_dates", "last-fri")
    worker = make_employee(name="年末乙", balance=45)
    session.commit()
    for url in ("/board", "/board/print", "/board/panel"):
        page = client.get(url).text
        assert "下次兑换：2026-12-25" in page and "2026-12-31" in page and "还有 12 天" in page, url
    scan_in(client, session, worker)
    screen = client.get("/kiosk/me").text
    assert "2026-12-25" in screen and "2026-12-31" in screen and "您将清零的积分：45 分" in screen
