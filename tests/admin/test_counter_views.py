"""The storekeeper's counter and the kiosks page in the back office."""

from __future__ import annotations

import re

from sqlalchemy import select

from models import kiosks, printing, store
from models.people import Employee
from models.settings import set_setting


def redeem(session, make_employee, make_goods):
    set_setting(session, "pin_threshold", 100_000)
    worker = make_employee(name="钱七", balance=500)
    soap = make_goods("洗衣液", 20, stock=5)
    redemption = store.redeem(session, worker, {soap.id: 1}, kiosk="一号终端", request_key="r" * 20).redemption
    printing.enqueue(session, redemption, printer_uri="dummy://", columns=32, encoding="gb18030", actor="kiosk:1")
    session.commit()
    return worker, soap, redemption


def test_the_storekeeper_scans_a_slip_and_hands_the_goods_over(client, login, session, make_employee, make_goods):
    _, _, redemption = redeem(session, make_employee, make_goods)
    login("store", "storekeeper")
    found = client.get("/admin/redemptions/find", query_string={"number": redemption.number.lower() + " "})
    assert found.status_code == 303
    page = client.get(found.headers["Location"])
    assert "钱七" in page.text and "洗衣液" in page.text and "待领取" in page.text
    assert client.get(f"/admin/redemptions/{redemption.number}/slip.png").data[:4] == b"\x89PNG"
    assert client.post(f"/admin/redemptions/{redemption.number}/hand-out").status_code == 303
    again = client.post(f"/admin/redemptions/{redemption.number}/hand-out")
    assert again.status_code == 409 and "已于" in again.text and "领取" in again.text
    assert client.get("/admin/redemptions/find", query_string={"number": "DH-0000-999999"}).status_code == 404


def test_a_cancel_needs_a_reason_and_gives_everything_back(client, login, session, make_employee, make_goods):
    worker, soap, redemption = redeem(session, make_employee, make_goods)
    login("store", "storekeeper")
    assert client.post(f"/admin/redemptions/{redemption.number}/cancel", data={"reason": ""}).status_code == 400
    assert client.post(f"/admin/redemptions/{redemption.number}/cancel", data={"reason": "员工改选"}).status_code == 303
    session.expire_all()
    assert session.get(Employee, worker.id).balance == 500 and session.get(store.Goods, soap.id).stock == 5
    assert client.post(f"/admin/redemptions/{redemption.number}/hand-out").status_code == 409


def test_goods_handed_out_come_back_as_a_return_with_the_goods_on_the_counter(
    client, login, session, make_employee, make_goods
):
    worker, soap, redemption = redeem(session, make_employee, make_goods)
    login("store", "storekeeper")
    number = redemption.number
    assert client.post(f"/admin/redemptions/{number}/hand-out").status_code == 303
    assert "退货" in client.get(f"/admin/redemptions/{number}").text  # the page offers a return, not a cancel
    assert client.post(f"/admin/redemptions/{number}/cancel", data={"reason": "员工改选"}).status_code == 409
    assert client.post(f"/admin/redemptions/{number}/return", data={"reason": "尺码不合适"}).status_code == 400
    session.expire_all()
    assert session.get(Employee, worker.id).balance == 400 and session.get(store.Goods, soap.id).stock == 4
    done = client.post(f"/admin/redemptions/{number}/return", data={"reason": "尺码不合适", "on_counter": "1"})
    assert done.status_code == 303
    session.expire_all()
    assert session.get(Employee, worker.id).balance == 500 and session.get(store.Goods, soap.id).stock == 5


def test_a_reprint_queues_the_slip_again(client, login, session, make_employee, make_goods):
    _, _, redemption = redeem(session, make_employee, make_goods)
    login("store", "storekeeper")
    assert client.post(f"/admin/redemptions/{redemption.number}/reprint").status_code == 303
    jobs = printing.jobs_of(session, redemption.id)
    assert [j.reprint for j in jobs] == [False, True]


def test_only_storekeepers_change_redemptions(client, login, session, make_employee, make_goods):
    _, _, redemption = redeem(session, make_employee, make_goods)
    login("audit", "auditor")
    assert client.get("/admin/redemptions").status_code == 200
    for step in ("hand-out", "cancel", "reprint"):
        assert client.post(f"/admin/redemptions/{redemption.number}/{step}", data={"reason": "x"}).status_code == 403


def test_an_admin_registers_a_kiosk_and_gets_a_pairing_code(app, client, login, session):
    login("admin", "admin")
    bad = client.post("/admin/kiosks", data={"name": "食堂", "printer_uri": "lpt://1"})
    assert bad.status_code == 400
    page = client.post("/admin/kiosks", data={"name": "食堂", "printer_uri": "tcp://127.0.0.1:9100"})
    code = re.search(r"\b(\d{8})\b", page.text).group(1)
    kiosk = session.scalars(select(kiosks.Kiosk)).one()
    assert kiosk.printer_uri == "tcp://127.0.0.1:9100" and code not in (kiosk.pairing_hash or "")
    browser = app.test_client()
    assert browser.post("/kiosk/pair", data={"code": code}).status_code == 303
    assert browser.get("/kiosk/").status_code == 200  # the store, not the pairing page
    assert client.post("/admin/kiosks", data={"name": "食堂"}).status_code == 400  # names are unique


def test_the_kiosk_list_asks_each_printer_how_it_is(client, login, session, make_employee, make_goods):
    import socket

    redeem(session, make_employee, make_goods)  # 一号终端's slip is queued on dummy://
    listening = socket.create_server(("127.0.0.1", 0))
    closed = socket.create_server(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    with listening:
        up, _ = kiosks.create_kiosk(session, "一号终端", printer_uri="dummy://")
        net, _ = kiosks.create_kiosk(session, "食堂", printer_uri=f"tcp://127.0.0.1:{listening.getsockname()[1]}")
        down, _ = kiosks.create_kiosk(session, "仓库", printer_uri=f"tcp://127.0.0.1:{closed_port}")
        session.commit()
        login("admin", "admin")
        assert f'hx-get="/admin/kiosks/{up.id}/printer"' in client.get("/admin/kiosks").text
        first = client.get(f"/admin/kiosks/{up.id}/printer").text
        assert "在线" in first and "最近一张" in first and "等待打印" in first  # its last slip is queued
        assert "在线" in client.get(f"/admin/kiosks/{net.id}/printer").text
        assert "离线" in client.get(f"/admin/kiosks/{down.id}/printer").text
    assert client.get("/admin/kiosks/99999/printer").status_code == 404
    login("store", "storekeeper")
    assert client.get(f"/admin/kiosks/{up.id}/printer").status_code == 200
    login("safety", "safety_officer")
    assert client.get(f"/admin/kiosks/{up.id}/printer").status_code == 403
