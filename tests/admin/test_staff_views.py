"""Staff accounts: create with roles, change roles, switch off, a new password, no self-lockout."""

from __future__ import annotations

from sqlalchemy import select

from models import people


def account(session, username):
    session.expire_all()
    return session.scalars(select(people.StaffUser).where(people.StaffUser.username == username)).one()


def test_an_admin_creates_an_account_that_signs_in_with_its_roles(app, client, login, session, make_employee):
    worker = make_employee(number="E0777", name="库管老王")
    login("boss", "admin")
    form = {
        "username": "wang",
        "name": "王库管",
        "password": "counter-2026",
        "roles": ["storekeeper"],
        "employee_number": "E0777",
    }
    assert client.post("/admin/staff", data=form).status_code == 303
    wang = account(session, "wang")
    assert wang.roles == {people.Role.storekeeper} and wang.employee_id == worker.id
    other = app.test_client()
    assert other.post("/login", data={"username": "wang", "password": "counter-2026"}).status_code == 303
    assert (
        other.get("/admin/goods/new").status_code == 200 and other.get("/admin/settings/yearly_cap").status_code == 405
    )
    assert other.post("/admin/settings/yearly_cap", data={"value": "1"}).status_code == 403

    # Another role, then switched off: the next sign-in is refused.
    update = {"name": "王库管", "roles": ["storekeeper", "supervisor"], "employee_number": "", "active": ""}
    assert client.post(f"/admin/staff/{wang.id}", data=update).status_code == 303
    wang = account(session, "wang")
    assert (
        wang.roles == {people.Role.storekeeper, people.Role.supervisor} and not wang.active and wang.employee_id is None
    )
    assert app.test_client().post("/login", data={"username": "wang", "password": "counter-2026"}).status_code == 400


def test_a_new_password_and_bad_input(client, login, session, make_staff):
    target = make_staff("li", "auditor")
    login("boss", "admin")
    url = f"/admin/staff/{target.id}/password"
    assert client.post(url, data={"password": "short", "password_again": "short"}).status_code == 400
    assert client.post(url, data={"password": "long-enough-1", "password_again": "other-one-22"}).status_code == 400
    assert client.post(url, data={"password": "long-enough-1", "password_again": "long-enough-1"}).status_code == 303
    assert account(session, "li").check_password("long-enough-1")
    for bad in (
        {"username": "x", "password": "long-enough-1", "roles": ["auditor"]},  # too short a name
        {"username": "li", "password": "long-enough-1", "roles": ["auditor"]},  # taken
        {"username": "zhao", "password": "long-enough-1", "roles": []},  # no role
        {"username": "zhao", "password": "long-enough-1", "roles": ["king"]},
        {"username": "zhao", "password": "long-enough-1", "roles": ["auditor"], "employee_number": "NOBODY"},
    ):
        assert 400 <= client.post("/admin/staff", data=bad).status_code < 500, bad
    assert session.scalars(select(people.StaffUser).where(people.StaffUser.username == "zhao")).first() is None


def test_an_admin_cannot_lock_themselves_out(client, login, session):
    boss = login("boss", "admin")
    for change in ({"roles": ["auditor"], "active": "1"}, {"roles": ["admin"], "active": ""}):
        response = client.post(f"/admin/staff/{boss.id}", data={"name": "boss", **change})
        assert response.status_code == 400 and "不能取消自己的管理员角色" in response.text
    me = account(session, "boss")
    assert me.active and me.roles == {people.Role.admin}
