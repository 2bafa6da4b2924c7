"""People and cards in the back office: register, edit, cards (issue, revoke, replace, print), PINs, leaving,
departments, and roles."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import people
from models.audit import AuditEntry
from models.errors import CardRevoked
from models.settings import set_setting
from tests.pdfs import decode_pages, pdf_text


@pytest.fixture
def foundry(session):
    department = people.get_or_create_department(session, "铸造车间")
    session.commit()
    return department


def employee_by(session, number):
    session.expire_all()
    return session.scalars(select(people.Employee).where(people.Employee.number == number)).one()


def test_register_an_employee_issue_a_card_and_print_it(client, login, session, foundry):
    login("boss", "admin")
    created = client.post(
        "/admin/people",
        data={"number": "E1001", "name": "王五", "department_id": foundry.id, "team": "一班", "kind": "contractor"},
    )
    assert created.status_code == 303
    worker = employee_by(session, "E1001")
    assert (worker.name, worker.department.name, worker.team.name, worker.kind) == (
        "王五",
        "铸造车间",
        "一班",
        "contractor",
    )
    assert client.post(f"/admin/people/{worker.id}/cards", data={"kind": "qr"}).status_code == 303
    [card] = employee_by(session, "E1001").cards
    sheet = client.get(f"/admin/people/cards.pdf?ids={worker.id}")
    assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
    assert decode_pages(sheet.data) == [[f"http://localhost/c/{card.code}"]]  # the card opens the award page
    text = pdf_text(sheet.data)
    assert "王五" in text and "E1001" in text and "铸造车间 · 一班" in text
    assert people.identify_card(session, f"http://localhost/c/{card.code}").id == worker.id  # and the kiosk reads it
    [printed] = session.scalars(select(AuditEntry).where(AuditEntry.action == "print")).all()
    assert (printed.entity, printed.changed) == ("card", {"cards": [None, str(card.id)]})  # whose cards, on record
    listing = client.get("/admin/people?q=王")
    assert listing.status_code == 200 and "E1001" in listing.text and "外包人员" in listing.text


def test_a_lost_card_is_replaced_the_old_one_stops_working(client, login, session, make_employee):
    worker = make_employee(name="李四")
    old = people.issue_card(session, worker, "qr", actor="test")
    session.commit()
    login("store", "storekeeper")  # storekeepers replace cards at the counter
    assert client.post(f"/admin/cards/{old.id}/reissue", data={"reason": ""}).status_code == 400
    assert client.post(f"/admin/cards/{old.id}/reissue", data={"reason": "遗失"}).status_code == 303
    session.expire_all()
    with pytest.raises(CardRevoked):
        people.identify_card(session, old.code)
    new = [c for c in session.get(people.Employee, worker.id).cards if c.active]
    assert len(new) == 1 and people.identify_card(session, new[0].code).id == worker.id
    page = client.get(f"/admin/people/{worker.id}")
    assert "遗失" in page.text and "由 store 发放" in page.text and "staff:store" not in page.text  # by name
    asked = client.post(f"/admin/cards/{new[0].id}/revoke", data={"reason": "离岗"})  # says what happens, asks
    assert asked.status_code == 200 and 'name="confirm" value="1"' in asked.text and "离岗" in asked.text
    assert people.identify_card(session, new[0].code).id == worker.id  # still works until confirmed
    assert client.post(f"/admin/cards/{new[0].id}/revoke", data={"reason": "离岗", "confirm": "1"}).status_code == 303
    assert client.post(f"/admin/cards/{new[0].id}/revoke", data={"reason": "again"}).status_code == 400


def test_an_rfid_card_is_registered_by_its_uid(client, login, session, make_employee):
    worker = make_employee()
    login("store", "storekeeper")
    assert (
        client.post(f"/admin/people/{worker.id}/cards", data={"kind": "rfid", "uid": "04:a2:b3:c4"}).status_code == 303
    )
    assert people.identify_card(session, "04A2B3C4").id == worker.id
    other = make_employee()
    taken = client.post(f"/admin/people/{other.id}/cards", data={"kind": "rfid", "uid": "04A2B3C4"})
    assert taken.status_code == 400 and "已登记" in taken.text
    assert client.post(f"/admin/people/{other.id}/cards", data={"kind": "rfid", "uid": "zz"}).status_code == 400


def test_a_pin_is_reset_and_lifts_a_lock(client, login, session, make_employee):
    worker = make_employee()
    login("boss", "admin")
    url = f"/admin/people/{worker.id}/pin"
    assert client.post(url, data={"pin": "1234", "pin_again": "4321"}).status_code == 400
    assert client.post(url, data={"pin": "12", "pin_again": "12"}).status_code == 400
    assert client.post(url, data={"pin": "246810", "pin_again": "246810"}).status_code == 303
    people.check_pin(session, employee_by(session, worker.number), "246810")  # raises if wrong


@pytest.mark.parametrize("mode", ["keep", "forfeit"])
def test_leaving_stops_the_cards_and_settles_the_points_as_the_setting_says(
    client, login, session, make_employee, mode
):
    set_setting(session, "leaver_points", mode)
    session.commit()
    worker = make_employee(balance=120)
    card = people.issue_card(session, worker, "qr", actor="test")
    session.commit()
    login("boss", "admin")
    asked = client.post(f"/admin/people/{worker.id}/leave")  # the first click says what will happen, and asks
    assert asked.status_code == 200 and 'name="confirm" value="1"' in asked.text and "120" in asked.text
    assert employee_by(session, worker.number).active and people.identify_card(session, card.code).id == worker.id
    assert client.post(f"/admin/people/{worker.id}/leave", data={"confirm": "1"}).status_code == 303
    gone = employee_by(session, worker.number)
    assert not gone.active and gone.balance == (120 if mode == "keep" else 0)
    with pytest.raises(CardRevoked):
        people.identify_card(session, card.code)
    assert client.post(f"/admin/people/{worker.id}/leave", data={"confirm": "1"}).status_code == 400  # already left
    assert client.post(f"/admin/people/{worker.id}/rejoin").status_code == 303
    assert employee_by(session, worker.number).active


def test_editing_and_bad_input(client, login, session, make_employee, foundry):
    worker = make_employee(name="赵六", department="铸造车间")
    login("boss", "admin")
    assert (
        client.post(
            f"/admin/people/{worker.id}", data={"name": "赵 六", "department_id": foundry.id, "kind": "staff"}
        ).status_code
        == 303
    )
    assert employee_by(session, worker.number).name == "赵 六"
    for bad in (
        {"name": "", "department_id": foundry.id, "kind": "staff"},
        {"name": "x", "department_id": 999, "kind": "staff"},
        {"name": "x", "department_id": foundry.id, "kind": "boss"},
    ):
        assert client.post(f"/admin/people/{worker.id}", data=bad).status_code == 400
    assert employee_by(session, worker.number).name == "赵 六"
    taken = client.post("/admin/people", data={"number": worker.number, "name": "x", "department_id": foundry.id})
    assert taken.status_code == 400 and "已被使用" in taken.text
    assert (
        client.post("/admin/people", data={"number": "a/b", "name": "x", "department_id": foundry.id}).status_code
        == 400
    )
    assert client.post("/admin/departments", data={"name": ""}).status_code == 400
    assert client.post("/admin/departments", data={"name": "机修车间"}).status_code == 303
    assert "机修车间" in client.get("/admin/people").text


def test_the_list_pages_and_filters(client, login, session, foundry):
    for n in range(120):
        people.create_employee(session, number=f"P{n:04d}", name=f"员工{n}", department=foundry)
    session.commit()
    login("look", "supervisor")
    first = client.get("/admin/people")
    assert "P0000" in first.text and "P0049" in first.text and "P0050" not in first.text and "page=2" in first.text
    third = client.get("/admin/people?page=3")
    assert "P0119" in third.text and "page=4" not in third.text
    assert client.get("/admin/people?department=abc").status_code == 200  # an unreadable filter is no filter
    for odd in ("_method=POST", "_scheme=javascript&page=2", "_external=1&_anchor=x"):  # url_for's own words
        page = client.get(f"/admin/people?{odd}")
        assert page.status_code == 200 and "javascript:" not in page.text, odd


def test_only_admins_change_people_and_storekeepers_cards(client, login, session, make_employee, foundry):
    worker = make_employee()
    login("store", "storekeeper")
    assert client.get(f"/admin/people/{worker.id}").status_code == 200
    for url, data in (
        ("/admin/people", {"number": "X1", "name": "x", "department_id": foundry.id}),
        (f"/admin/people/{worker.id}", {"name": "x", "department_id": foundry.id, "kind": "staff"}),
        (f"/admin/people/{worker.id}/leave", {}),
        (f"/admin/people/{worker.id}/pin", {"pin": "1234", "pin_again": "1234"}),
        ("/admin/departments", {"name": "x"}),
        ("/admin/people/import", {}),
    ):
        assert client.post(url, data=data).status_code == 403, url
    client.post("/logout")
    login("look", "supervisor")
    assert client.post(f"/admin/people/{worker.id}/cards", data={"kind": "qr"}).status_code == 403
    assert session.scalar(select(func.count()).select_from(people.Card)) == 0
    assert employee_by(session, worker.number).active


def test_the_card_sheet_of_a_filtered_list(client, login, session, make_employee):
    casting = [make_employee(name=f"铸{n}", department="铸造车间") for n in range(12)]
    other = make_employee(name="机修", department="机修车间")
    for worker in [*casting, other]:
        people.issue_card(session, worker, "qr", actor="test")
    session.commit()
    login("cards", "admin")  # only who issues cards prints them: the QR codes are the cards themselves
    department = people.get_or_create_department(session, "铸造车间")
    sheet = client.get(f"/admin/people/cards.pdf?department={department.id}&status=active")
    assert sheet.status_code == 200
    pages = decode_pages(sheet.data)
    assert [len(p) for p in pages] == [10, 2]  # ten cards to a page, one card a worker of that department
    assert "机修" not in pdf_text(sheet.data)
    empty = client.get("/admin/people/cards.pdf?q=nobody")
    assert empty.status_code == 400 and "有效的二维码卡" in empty.text


def test_cards_for_a_whole_department_at_once_then_their_sheet(client, login, session, make_employee):
    casting = [make_employee(name=f"铸{n}", department="铸造车间") for n in range(11)]
    other = make_employee(name="机修", department="机修车间")
    gone = make_employee(name="离职", department="铸造车间")
    people.issue_card(session, casting[0], "qr", actor="test")  # one has a card already
    gone.active = False
    session.commit()
    department = people.get_or_create_department(session, "铸造车间")
    login("cards", "admin")
    listing = client.get(f"/admin/people?department={department.id}").text
    assert "10 名在职员工还没有卡" in listing
    issued = client.post(f"/admin/people/cards?department={department.id}&_scheme=x")
    assert issued.status_code == 303 and f"department={department.id}" in issued.headers["Location"]
    assert "_scheme" not in issued.headers["Location"]
    again = client.post(f"/admin/people/cards?department={department.id}")  # a second click: nobody gets two
    assert again.status_code == 303
    session.expire_all()
    working = {e.name: sum(1 for c in e.cards if c.active) for e in session.scalars(select(people.Employee))}
    assert all(working[w.name] == 1 for w in casting) and working["机修"] == 0 and working["离职"] == 0
    assert "还没有卡" not in client.get(f"/admin/people?department={department.id}").text
    sheet = client.get(f"/admin/people/cards.pdf?department={department.id}&status=active")
    assert [len(p) for p in decode_pages(sheet.data)] == [10, 1]
    assert other.id not in {c.employee_id for c in session.scalars(select(people.Card))}


def test_only_who_issues_cards_issues_them_in_bulk(client, login, session, make_employee):
    make_employee(name="铸一", department="铸造车间")
    login("look", "auditor")
    assert client.post("/admin/people/cards").status_code == 403
    assert session.scalar(select(func.count()).select_from(people.Card)) == 0


def test_the_safety_officer_does_cards_and_pins_where_the_setting_says(client, login, session, make_employee):
    worker = make_employee(name="铸一", department="铸造车间")
    login("safety", "safety_officer")
    assert client.post("/admin/people/cards").status_code == 403
    assert client.post(f"/admin/people/{worker.id}/pin", data={"pin": "2580", "pin_again": "2580"}).status_code == 403
    assert "设置 PIN" not in client.get(f"/admin/people/{worker.id}").text
    set_setting(session, "officer_cards_pins", "yes")
    session.commit()
    assert client.post("/admin/people/cards").status_code == 303
    assert client.post(f"/admin/people/{worker.id}/pin", data={"pin": "2580", "pin_again": "2580"}).status_code == 303
    session.expire_all()
    fresh = session.get(people.Employee, worker.id)
    assert sum(1 for c in fresh.cards if c.active) == 1 and fresh.has_pin
    assert client.get("/admin/people/cards.pdf").status_code == 403  # printing the cards stays the admin's


def test_a_wrong_number_is_corrected_and_the_history_stays_theirs(app, client, login, session, make_employee, press):
    from models import hazards, ledger

    worker = make_employee(name="改号", number="JZ0O33")  # HR typed the letter O for a zero
    other = make_employee(name="别人", number="JZ0044")
    people.set_pin(session, worker, "2580")
    ledger.award(session, worker.id, 10, actor="employee:JZ0O33", memo="自己申报")
    hazard = hazards.report(session, press, category="state", description="护栏松动", reporter=None).hazard
    hazards.verify(session, hazard, "valid", grade="general", actor="staff:officer")
    hazards.assign(session, hazard, actor="staff:officer", owner="employee:JZ0O33", measures="紧固", working_days=3)
    session.commit()
    login("boss", "admin")
    form = {"name": "改号", "department_id": str(worker.department_id), "kind": "staff"}
    for bad in ("JZ0044", "<b>", "JZ 00\x0033", ""):
        refused = client.post(f"/admin/people/{worker.id}", data={**form, "number": bad})
        assert refused.status_code == 400, bad
    fixed = client.post(f"/admin/people/{worker.id}", data={**form, "number": "jz0033"})
    assert fixed.status_code == 303, fixed.text[fixed.text.find("<main") :][:600]
    session.expire_all()
    assert session.get(people.Employee, worker.id).number == "JZ0033"
    assert session.get(hazards.Hazard, hazard.id).owner == "employee:JZ0033"  # their open work follows them
    entries = client.get("/admin/ledger", query_string={"number": "JZ0033"}).text
    assert "改号（JZ0033）" in entries  # an entry written under the old number names them
    taken = client.post(f"/admin/people/{other.id}", data={**form, "name": "别人", "number": "JZ0O33"})
    assert taken.status_code == 400  # a number someone had is not given to another
    phone = app.test_client()
    assert phone.post("/r/sign-in", data={"number": "JZ0033", "pin": "2580"}).status_code == 303
    assert hazard.number in phone.get("/r/tasks").text


def test_a_number_someone_had_is_not_given_to_a_new_hire(client, login, session, make_employee, foundry):
    from tests.admin.test_roster_import import upload, workbook

    worker = make_employee(name="甲", number="A001", department="铸造车间")
    login("boss", "admin")
    form = {"name": "甲", "department_id": str(worker.department_id), "kind": "staff", "number": "C001"}
    assert client.post(f"/admin/people/{worker.id}", data=form).status_code == 303
    new = client.post("/admin/people", data={"number": "A001", "name": "丙", "department_id": str(foundry.id)})
    assert new.status_code == 400 and "A001" in new.text
    preview = client.get(upload(client, workbook([("A001", "丙", "铸造车间", "", "", "")])).headers["Location"]).text
    assert "属于其他人" in preview
    ledger_page = client.get("/admin/ledger", query_string={"number": "A001"})
    assert ledger_page.status_code == 200
