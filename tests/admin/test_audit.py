"""The audit log: each kind of staff change leaves an entry with who, when, what, before and after."""

from __future__ import annotations

from sqlalchemy import select

from models import clock, ledger, people
from models.audit import HIDDEN, AuditEntry


def entries(session, entity=None):
    session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    return session.scalars(query).all()


def test_a_setting_change_is_logged_with_before_and_after(client, login, session):
    login("boss", "admin")
    assert client.post("/admin/settings/yearly_cap", data={"value": "1500"}).status_code == 200
    assert client.post("/admin/settings/yearly_cap", data={"value": "1800"}).status_code == 200
    first, second = entries(session, "setting")  # the first change is from the default it read as before
    assert (first.actor, first.action, first.entity_id, first.changed["value"]) == (
        "staff:boss",
        "update",
        "yearly_cap",
        ["2000", "1500"],
    )
    assert (second.action, second.changed) == ("update", {"value": ["1500", "1800"]})


def test_a_claim_approval_and_its_ledger_effects_are_logged(client, login, session, make_employee, make_claim):
    claim = make_claim(make_employee(name="赵六"), "T01", 15, "参加消防培训")
    login("safety", "safety_officer")
    assert client.post(f"/admin/claims/{claim.id}/approve", data={"points": "12"}).status_code in (200, 303)
    [entry] = entries(session, "claim")
    assert entry.actor == "staff:safety" and entry.action == "update" and entry.entity_id == str(claim.id)
    assert entry.changed["status"] == ["pending", "approved"] and entry.changed["approved_points"] == [None, 12]


def test_a_refused_change_leaves_no_entry(client, login, session):
    login("boss", "admin")
    assert client.post("/admin/settings/yearly_cap", data={"value": "-5"}).status_code == 400
    assert entries(session) == []


def test_secrets_are_logged_as_changed_without_their_values(app, session, make_employee):
    """A card's code (its QR token) is a secret: the log says it was set, not what it is."""
    from app.extensions import db
    from models import audit, people

    worker = make_employee()
    with app.test_request_context():
        audit.acting(db.session, "staff:hr")
        card = people.issue_card(db.session, db.session.get(people.Employee, worker.id), "qr", actor="staff:hr")
        db.session.commit()
        code = card.code
    [entry] = entries(session, "card")
    assert entry.changed["code"] == [HIDDEN, HIDDEN] and code not in entry.changes
    assert entry.changed["issued_by"] == [None, "staff:hr"]


def test_work_without_a_staff_member_is_not_logged(app, session, make_employee):
    worker = make_employee()
    ledger.adjust(session, worker.id, 10, actor="system", memo="x")
    session.commit()
    assert entries(session) == []


def test_the_auditor_reads_and_filters_the_log_others_may_not(client, login, session, app):
    login("boss", "admin")
    client.post("/admin/settings/yearly_cap", data={"value": "1500"})
    client.post("/admin/settings/notice_days", data={"value": "7"})
    client.post("/logout")
    login("audit", "auditor")
    page = client.get("/admin/audit")
    assert page.status_code == 200 and "staff:boss" in page.text and "yearly_cap" in page.text
    only = client.get("/admin/audit?id=notice_days&entity=setting")
    assert "notice_days" in only.text and "yearly_cap" not in only.text
    assert client.get("/admin/audit?since=2026-13-01").status_code == 400
    assert client.get("/admin/audit?entity=nothing").status_code == 400
    client.post("/logout")
    login("store", "storekeeper")
    assert client.get("/admin/audit").status_code == 403


def test_every_table_the_log_can_name_has_a_name_in_words():
    from admin.audit import ENTITIES
    from models import Base
    from models.audit import SKIPPED_TABLES

    assert set(ENTITIES) == set(Base.metadata.tables) - SKIPPED_TABLES


def test_each_kind_of_change_leaves_its_entry(client, login, session, make_employee, make_goods, rule):
    """One request of each kind a staff member makes, and the entries it left: by whom, on what."""
    from models import hazards, places, store

    worker = make_employee(number="E0001", balance=500)
    card = people.issue_card(session, worker, "qr", actor="test")
    soap = make_goods("肥皂", 5, stock=10)
    redemption = store.redeem(session, worker, {soap.id: 1}, kiosk="test", request_key="r" * 20).redemption
    place = places.save_place(session, None, name="喷涂线", risk="yellow")
    hazard = hazards.report(session, place, category="state", description="漏电", reporter=None).hazard
    department = people.get_or_create_department(session, "安环部")
    session.commit()
    login("boss", "admin")
    steps = [
        ("/admin/settings/notice_days", {"value": "5"}, {"setting"}),
        (
            f"/admin/goods/{soap.id}/stock",
            {"kind": "restock", "quantity": "3", "note": "到货"},
            {"goods", "stock_movement"},
        ),
        (
            f"/admin/people/{worker.id}",
            {"name": "张三丰", "department_id": department.id, "kind": "staff"},
            {"employee"},
        ),
        (f"/admin/cards/{card.id}/revoke", {"reason": "遗失", "confirm": "1"}, {"card"}),
        (f"/admin/people/{worker.id}/pin", {"pin": "2468", "pin_again": "2468"}, {"employee"}),
        (f"/admin/redemptions/{redemption.number}/cancel", {"reason": "拿错"}, {"redemption", "ledger_entry"}),
        (f"/admin/hazards/{hazard.id}/verify", {"verdict": "valid", "grade": "general"}, {"hazard", "hazard_event"}),
        ("/admin/places", {"name": "仓库", "risk": "blue"}, {"place"}),
        (f"/admin/rules/{rule('T03').id}/retire", {}, {"rule"}),
        ("/admin/kiosks", {"name": "食堂", "printer_uri": "dummy://"}, {"kiosk"}),
        ("/admin/staff", {"username": "wang", "password": "counter-2026", "roles": ["storekeeper"]}, {"staff_user"}),
        ("/admin/workdays", {"day": "2027-02-08", "kind": "rest", "note": "厂休"}, {"workday_override"}),
        ("/admin/departments", {"name": "机修车间"}, {"department"}),
    ]
    for url, form, expected in steps:
        seen = len(entries(session))
        response = client.post(url, data=form)
        assert response.status_code in (200, 303), (url, response.status_code)
        new = entries(session)[seen:]
        assert expected <= {e.entity for e in new}, (url, {e.entity for e in new})
        assert {e.actor for e in new} == {"staff:boss"}, url
    pin = [e for e in entries(session, "employee") if "pin_hash" in e.changed]
    assert pin and pin[-1].changed["pin_hash"] == [HIDDEN, HIDDEN]
    password = entries(session, "staff_user")[-1]
    assert password.changed["password_hash"] == [HIDDEN, HIDDEN] and "counter-2026" not in password.changes


def test_times_in_the_log_show_as_the_plant_s(client, login, session, make_employee, make_goods):
    from models import store
    from models.settings import set_setting

    set_setting(session, "pin_threshold", 100_000)
    worker = make_employee(balance=100)
    soap = make_goods("洗衣液", 2, price=10)
    redemption = store.redeem(session, worker, {soap.id: 1}, kiosk="一号终端", request_key="a" * 24).redemption
    session.commit()
    login("keeper", "storekeeper")
    assert client.post(f"/admin/redemptions/{redemption.number}/hand-out").status_code == 303
    login("audit", "auditor")
    session.expire_all()
    handed = session.get(store.Redemption, redemption.id).handed_out_at
    page = client.get("/admin/audit").text
    assert clock.time_text(handed) in page and handed.isoformat() not in page


def test_every_column_the_log_can_show_has_a_name_in_words():
    from sqlalchemy.orm import class_mapper

    from admin.audit import FIELDS
    from models import Base
    from models.audit import SKIPPED_TABLES

    # The log keeps each change under the mapped attribute's name (``roles_text`` for the column ``roles``).
    shown = {
        attr.key
        for mapper in Base.registry.mappers
        if mapper.local_table.name not in SKIPPED_TABLES
        for attr in class_mapper(mapper.class_).column_attrs
    }
    assert shown <= set(FIELDS), sorted(shown - set(FIELDS))


def test_values_in_the_log_read_as_words(client, login, session, make_employee, rule):
    """Roles, a place's risk colour, a claim's source, yes or no and the rows a change points to are shown by
    their names, never as the values the database keeps."""
    from models import claims

    login("boss", "admin", "safety_officer")
    worker = make_employee(name="赵六", number="E06006", department="冲压车间")
    session.commit()
    assert client.post("/admin/staff", data={"username": "wang", "password": "counter-2026", "roles": ["storekeeper"]})
    assert client.post("/admin/places", data={"name": "油库", "risk": "orange"}).status_code in (200, 303)
    rule_id = rule("T01").id
    made = client.post(
        "/admin/claims/new", data={"employee_number": "E06006", "rule_id": rule_id, "points": 5, "description": "培训"}
    )
    assert made.status_code == 303
    claim = session.scalars(select(claims.Claim).where(claims.Claim.employee_id == worker.id)).one()
    assert claim.source is claims.ClaimSource.office
    page = client.get("/admin/audit").text
    assert "库管员" in page and "storekeeper" not in page  # roles
    assert "橙色" in page and ">orange<" not in page  # the risk colour
    assert "后台录入" in page and ">office<" not in page  # the claim's source
    assert "赵六（E06006）" in page and "T01 参与安全培训" in page  # the rows the claim points to
    assert ">True<" not in page and ">False<" not in page  # yes or no


def test_hazards_in_the_log_read_by_their_numbers(client, login, session, make_employee):
    """A duplicate points to its first report, a reward claim to its hazard: both by the hazard's number."""
    from models import hazards, places

    login("boss", "admin", "safety_officer")
    place = places.save_place(session, None, name="锅炉房", risk="red")
    reporter = make_employee(name="报告人")
    first = hazards.report(session, place, category="state", description="漏气", reporter=reporter).hazard
    again = hazards.report(session, place, category="state", description="漏气", reporter=None).hazard
    session.commit()
    assert client.post(f"/admin/hazards/{first.id}/verify", data={"verdict": "valid", "grade": "general"}).status_code
    duplicate = {"verdict": "duplicate", "duplicate_of": first.number}
    assert client.post(f"/admin/hazards/{again.id}/verify", data=duplicate).status_code == 303
    page = client.get("/admin/audit").text
    assert f"→ {first.number}" in page  # the duplicate's first report, and the reward claim's origin
    assert f"hazard:{first.id}" not in page and f"→ {first.id}<" not in page


def test_the_rule_checkbox_is_ticked_only_by_a_tick(client, login, session):
    from models import rules

    login("boss", "safety_officer")
    for n, value in enumerate(("0", "off", "no", "<script>", "y")):
        form = {"code": f"X{n}", "kind": "earn", "category": "hazard", "name": "自定义", "min_points": 1}
        assert (
            client.post("/admin/rules/new", data={**form, "max_points": 5, "reports_hazard": value}).status_code == 303
        )
        made = session.scalars(select(rules.Rule).where(rules.Rule.code == f"X{n}")).one()
        assert made.reports_hazard is (value == "y"), value
