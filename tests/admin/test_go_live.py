"""The go-live checklist: on the administrator's dashboard until every step is done, each ticked from the data."""

from __future__ import annotations

import re

from models import golive, kiosks, people, places
from models.settings import set_setting


def states(session) -> dict[str, bool]:
    session.expire_all()
    return {step.key: step.done for step in golive.checklist(session)}


def test_each_step_is_ticked_by_the_data_and_the_list_leaves_when_done(client, login, session, make_goods):
    login("boss", "admin")
    page = client.get("/admin/").text
    assert "上线准备" in page and "已完成 0 / 10 步" in page
    assert not any(states(session).values())
    assert 'href="/admin/settings"' in page and 'href="/admin/people/import"' in page  # each step links its screen

    set_setting(session, "public_url", "http://127.0.0.1:5000")  # a phone cannot reach this one
    session.commit()
    assert not states(session)["address"]
    set_setting(session, "public_url", "http://192.168.1.20")
    set_setting(session, "yearly_cap", 600)
    set_setting(session, "enterprise_name", "某某机械厂")
    for name, role in (("safety", "safety_officer"), ("store", "storekeeper")):
        people.create_staff(session, username=name, name=name, password="password-123", roles=[role])
    worker = people.create_employee(
        session, number="e001", name="张三", department=people.get_or_create_department(session, "铸造车间")
    )
    session.commit()
    done = states(session)
    assert done["address"] and done["scheme"] and done["staff"] and done["roster"]
    assert not done["cards"] and not done["pins"]
    assert "还差 1 项" in client.get("/admin/go-live").text  # one employee without a card (and one without PIN)

    people.issue_card(session, worker, people.CardKind.qr, actor="staff:boss")
    people.set_pin(session, worker, "2468")
    make_goods("肥皂", 5, stock=10)
    places.save_place(session, None, name="铸造车间", risk="red")
    _kiosk, code = kiosks.create_kiosk(session, "一号终端", printer_uri="dummy://")
    session.commit()
    assert not states(session)["kiosk"]  # made, not yet paired
    assert client.post("/kiosk/pair", data={"code": code}).status_code == 303
    done = states(session)
    assert all(done[key] for key in done if key != "opening") and not done["opening"]
    assert golive.ready(golive.checklist(session))
    assert "上线准备" not in client.get("/admin/").text  # done: the dashboard is today's work again
    assert "所有步骤都已完成" in client.get("/admin/go-live").text


def test_the_address_comes_before_anything_with_a_qr_code(client, login, session):
    login("boss", "admin")
    people.create_employee(
        session, number="E001", name="张三", department=people.get_or_create_department(session, "铸造车间")
    )
    session.commit()
    page = client.get("/admin/go-live").text
    assert len(re.findall("请先设置服务器地址", page)) == 2  # the cards and the posters wait for it


def test_only_the_administrator_sees_the_set_up(client, login, session):
    login("look", "auditor")
    assert "上线准备" not in client.get("/admin/").text
    assert client.get("/admin/go-live").status_code == 403


def test_an_address_phones_cannot_open_is_not_ticked_and_a_broken_one_is_refused(client, login, session):
    login("boss", "admin")
    for host in (
        "127.0.0.2",
        "127.1",
        "[::]",
        "[0:0:0:0:0:0:0:1]",
        "[::ffff:127.0.0.1]",
        "localhost.",
        "0.0.0.0.",
        "0",
        "2130706433",
        "0x7f000001",
        "-",
        "LOCALHOST",
        "mart.localhost",
    ):
        set_setting(session, "public_url", f"http://{host}")
        session.commit()
        assert not states(session)["address"], host
    for good in ("http://192.168.1.20", "https://mart.plant.local", "http://[fd00::20]:8080"):
        set_setting(session, "public_url", good)
        session.commit()
        assert states(session)["address"], good
    for broken in ("http://[::1", "http://[x]", "http://]", "http://a:99999"):
        assert client.post("/admin/settings/public_url", data={"value": broken}).status_code == 400, broken
    assert client.get("/admin/").status_code == 200


def test_the_scheme_is_ticked_by_its_numbers_and_pins_wait_for_the_kiosk(client, login, session):
    login("boss", "admin")
    set_setting(session, "enterprise_name", "")
    session.commit()
    assert not states(session)["scheme"]  # saved at its default: nobody set the scheme yet
    set_setting(session, "enterprise_name", "某某机械厂")
    set_setting(session, "yearly_cap", 1500)
    session.commit()
    assert states(session)["scheme"]
    steps = {s.key: s for s in golive.checklist(session)}
    assert steps["pins"].optional  # chosen at the kiosk on the first scan: not a step before go-live
    set_setting(session, "pin_self_set", "admin")
    session.commit()
    assert not {s.key: s for s in golive.checklist(session)}["pins"].optional
