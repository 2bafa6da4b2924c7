"""Goods and stock in the back office: the catalogue with pictures, restock and adjust, the stock-take, the
count sheet and shelf labels (opened and read back), roles, and bad input that changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import store
from models.audit import AuditEntry
from tests.images import photo_bytes, post_multipart
from tests.pdfs import pdf_text

GOOD = {"name": "劳保手套", "category": "protective", "value": "12.5", "price": "", "low_stock": "3", "active": "1"}


def count(session, table) -> int:
    return session.scalar(select(func.count()).select_from(table))


def test_a_storekeeper_adds_goods_with_a_picture_and_sees_them_priced(client, login, session):
    login("store", "storekeeper")
    response = post_multipart(client, "/admin/goods", GOOD, [("picture", "glove.jpg", photo_bytes((1200, 900)))])
    assert response.status_code == 303
    goods = session.scalars(select(store.Goods)).one()
    assert (goods.name, goods.value_fen, goods.low_stock, goods.active) == ("劳保手套", 1250, 3, True)
    listing = client.get("/admin/goods")
    # 12.50 yuan x 5 points a yuan = 62.5, rounded up to 63 points; up to 50 yuan is the low tier
    assert "劳保手套" in listing.text and ">63<" in listing.text and "低档" in listing.text
    picture = client.get(f"/admin/goods/{goods.id}/picture")
    assert picture.status_code == 200 and picture.data[:3] == b"\xff\xd8\xff"
    picture.close()
    created, pictured = session.scalars(select(AuditEntry).where(AuditEntry.entity == "goods")).all()
    assert created.actor == "staff:store" and created.changed["name"] == [None, "劳保手套"]
    assert pictured.changed["picture"] == [None, goods.picture]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "0", "积分价"),
        ("price", "-3", "积分价"),
        ("value", "abc", "元"),
        ("value", "-5", "元"),
        ("low_stock", "-1", "低库存"),
        ("name", "", "名称"),
        ("category", "weapons", "类别"),
    ],
)
def test_bad_goods_are_refused_with_the_form_again_and_nothing_saved(client, login, session, field, value, message):
    login("store", "storekeeper")
    response = client.post("/admin/goods", data={**GOOD, field: value})
    assert response.status_code == 400 and message in response.text
    assert field == "name" or ('name="name"' in response.text and "劳保手套" in response.text)  # what was typed stays
    assert count(session, store.Goods) == 0


def test_a_picture_that_is_not_a_picture_changes_nothing(client, login, session, make_goods):
    soap = make_goods("肥皂", 5)
    login("store", "storekeeper")
    not_a_picture = [("picture", "x.jpg", b"<?php system($_GET['c']);")]
    response = post_multipart(client, f"/admin/goods/{soap.id}", {**GOOD, "name": "香皂"}, not_a_picture)
    assert response.status_code == 400 and "不是照片" in response.text
    session.expire_all()
    assert session.get(store.Goods, soap.id).name == "肥皂" and session.get(store.Goods, soap.id).picture is None


def test_restock_and_adjust_are_movements_with_who_and_why(client, login, session, make_goods):
    soap = make_goods("肥皂", 5, stock=10)
    login("store", "storekeeper")
    url = f"/admin/goods/{soap.id}/stock"
    assert client.post(url, data={"kind": "restock", "quantity": "20", "note": "11月到货"}).status_code == 303
    assert client.post(url, data={"kind": "adjust", "quantity": "-2", "note": "破损"}).status_code == 303
    for bad in (
        {"kind": "restock", "quantity": "-5", "note": ""},
        {"kind": "restock", "quantity": "abc", "note": ""},
        {"kind": "adjust", "quantity": "-3", "note": ""},  # an adjustment needs a reason
        {"kind": "adjust", "quantity": "-100", "note": "丢失"},  # below zero
        {"kind": "steal", "quantity": "1", "note": "x"},
    ):
        refused = client.post(url, data=bad)
        assert 400 <= refused.status_code < 500, bad
        if bad["kind"] in ("restock", "adjust"):  # the page comes back with what was typed, and the reason
            assert f'value="{bad["quantity"]}"' in refused.text and 'class="message error"' in refused.text, bad
    session.expire_all()
    assert session.get(store.Goods, soap.id).stock == 28
    moves = store.movements_of(session, soap.id)
    assert [(m.reason, m.delta, m.note, m.actor) for m in moves[:2]] == [
        ("adjust", -2, "破损", "staff:store"),
        ("restock", 20, "11月到货", "staff:store"),
    ]
    page = client.get(f"/admin/goods/{soap.id}")
    assert "破损" in page.text and "11月到货" in page.text and "staff:store" not in page.text  # by name, in words
    assert not store.verify_stock(session)


def test_a_stock_take_posts_the_differences_only(client, login, session, make_goods):
    soap, gloves = make_goods("肥皂", 5, stock=10), make_goods("手套", 8, stock=4)
    towel = make_goods("毛巾", 10, stock=7)
    login("store", "storekeeper")
    page = client.get("/admin/goods/stocktake")
    assert page.status_code == 200 and f'name="count-{soap.id}"' in page.text
    form = {f"count-{soap.id}": "8", f"count-{gloves.id}": "4", f"count-{towel.id}": "", "note": "月末盘点"}
    preview = client.post("/admin/goods/stocktake", data=form)  # first the differences, nothing posted
    assert preview.status_code == 200 and 'name="confirm" value="1"' in preview.text and ">-2<" in preview.text
    session.expire_all()
    assert session.get(store.Goods, soap.id).stock == 10
    response = client.post("/admin/goods/stocktake", data={**form, "confirm": "1"})
    assert response.status_code == 303
    session.expire_all()
    assert [session.get(store.Goods, g.id).stock for g in (soap, gloves, towel)] == [8, 4, 7]
    [move] = [m for m in store.movements_of(session, soap.id) if m.reason == "count"]
    assert (move.delta, move.note) == (-2, "月末盘点")
    assert not [m for m in store.movements_of(session, gloves.id) if m.reason == "count"]  # no difference
    assert not store.verify_stock(session)


@pytest.mark.parametrize("bad", ["-1", "3.5", "lots"])
def test_an_impossible_count_refuses_the_whole_sheet(client, login, session, make_goods, bad):
    soap, gloves = make_goods("肥皂", 5, stock=10), make_goods("手套", 8, stock=4)
    login("store", "storekeeper")
    form = {f"count-{soap.id}": "2", f"count-{gloves.id}": bad}
    for confirm in ("", "1"):
        response = client.post("/admin/goods/stocktake", data={**form, "confirm": confirm})
        assert response.status_code == 400 and f'value="{bad}"' in response.text  # kept, with the reason
    session.expire_all()
    assert session.get(store.Goods, soap.id).stock == 10  # the good line was not posted either


def test_count_sheet_and_shelf_labels_read_back(client, login, session, make_goods):
    soap = make_goods("肥皂", 5, stock=10)
    make_goods("保温杯", 240, stock=3)
    make_goods("旧货", 9, stock=1)
    session.get(store.Goods, soap.id)  # on offer
    old = session.scalars(select(store.Goods).where(store.Goods.name == "旧货")).one()
    old.active = False
    session.commit()
    login("look", "supervisor")  # any staff role may print them
    sheet = client.get("/admin/goods/count-sheet.pdf")
    assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
    text = pdf_text(sheet.data)
    assert "库存盘点表" in text and "肥皂" in text and "保温杯" in text and "旧货" not in text
    labels = client.get(f"/admin/goods/labels.pdf?ids={soap.id}")
    text = pdf_text(labels.data)
    assert "肥皂" in text and "25" in text and "积分" in text and "保温杯" not in text  # 5 yuan x 5 points
    every = pdf_text(client.get("/admin/goods/labels.pdf").data)
    assert "保温杯" in every and "1200" in every and "高档" in every and "旧货" not in every
    assert client.get("/admin/goods/labels.pdf?ids=abc").status_code == 400
    assert client.get(f"/admin/goods/labels.pdf?ids={old.id}").status_code == 400


def test_only_storekeepers_and_admins_change_goods(client, login, session, make_goods):
    soap = make_goods("肥皂", 5, stock=10)
    login("look", "supervisor")
    assert client.get("/admin/goods").status_code == 200
    assert client.get(f"/admin/goods/{soap.id}").status_code == 200
    assert client.get("/admin/goods/new").status_code == 403
    assert client.post("/admin/goods", data=GOOD).status_code == 403
    assert client.post(f"/admin/goods/{soap.id}/stock", data={"kind": "restock", "quantity": "5"}).status_code == 403
    assert client.post("/admin/goods/stocktake", data={f"count-{soap.id}": "0"}).status_code == 403
    session.expire_all()
    assert session.get(store.Goods, soap.id).stock == 10 and count(session, store.Goods) == 1
    assert client.get("/admin/goods/999").status_code == 404
