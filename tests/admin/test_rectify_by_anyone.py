"""Rectification by the people who do it: any employee can own a hazard, finds it on their phone (signed in
with number + PIN, like a reporter) and records the rectification there with after-photos."""

from __future__ import annotations

import io

from sqlalchemy import select

from models import hazards, people
from models.photos import Photo
from tests.images import photo_bytes


def _verified(session, press):
    hazard = hazards.report(session, press, category="state", description="护栏松动", reporter=None).hazard
    hazards.verify(session, hazard, "valid", grade="general", actor="staff:officer")
    session.commit()
    return hazard


def test_an_employee_owns_and_rectifies_from_their_phone(app, client, session, login, make_employee, press):
    fitter = make_employee(name="钳工老刘", number="E09101")
    other = make_employee(name="旁人", number="E09102")
    for worker in (fitter, other):
        people.set_pin(session, worker, "2580")
    session.commit()
    hazard = _verified(session, press)
    login("officer", "safety_officer")
    assigned = client.post(
        f"/admin/hazards/{hazard.id}/assign",
        data={"owner_number": "E09101", "measures": "紧固护栏螺栓", "working_days": 3},
    )
    assert assigned.status_code == 303
    session.expire_all()
    assert session.get(hazards.Hazard, hazard.id).owner == "employee:E09101"
    assert "钳工老刘（E09101）" in client.get(f"/admin/hazards/{hazard.id}").text  # by name, not a login

    phone = app.test_client()
    assert phone.get("/r/tasks").headers["Location"].endswith("/r/sign-in")  # signed in first
    wrong = phone.post("/r/sign-in", data={"number": "E09101", "pin": "0000"})
    assert wrong.status_code == 403 and 'value="E09101"' in wrong.text  # kept, with the reason
    assert phone.post("/r/sign-in", data={"number": "E09101", "pin": "2580"}).status_code == 303
    listing = phone.get("/r/tasks").text
    assert hazard.number in listing and "紧固护栏螺栓" not in listing
    page = phone.get(f"/r/tasks/{hazard.id}")
    assert page.status_code == 200 and "紧固护栏螺栓" in page.text
    empty = phone.post(f"/r/tasks/{hazard.id}", data={"note": ""})
    assert empty.status_code == 400 and session.get(hazards.Hazard, hazard.id).status is hazards.HazardStatus.assigned
    done = phone.post(
        f"/r/tasks/{hazard.id}",
        data={"note": "已紧固并加装防松垫片", "photos": [(io.BytesIO(photo_bytes((800, 600))), "a.jpg")]},
        content_type="multipart/form-data",
    )
    assert done.status_code == 303
    session.expire_all()
    fixed = session.get(hazards.Hazard, hazard.id)
    assert fixed.status is hazards.HazardStatus.rectified and fixed.rectification_note == "已紧固并加装防松垫片"
    [after] = session.scalars(select(Photo).where(Photo.owner_type == "hazard-after")).all()
    assert after.uploaded_by == "employee:E09101"
    shown = phone.get(f"/r/tasks/{hazard.id}/photos/{after.id}")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    shown.close()

    stranger = app.test_client()  # another employee's phone opens nothing of it
    assert stranger.post("/r/sign-in", data={"number": "E09102", "pin": "2580"}).status_code == 303
    assert stranger.get(f"/r/tasks/{hazard.id}").status_code == 404
    assert stranger.get(f"/r/tasks/{hazard.id}/photos/{after.id}").status_code == 404
    assert stranger.post(f"/r/tasks/{hazard.id}", data={"note": "x"}).status_code == 404
    assert hazard.number not in stranger.get("/r/tasks").text


def test_an_owner_is_someone_who_can_do_the_work(client, session, login, make_employee, make_staff, press):
    hazard = _verified(session, press)
    make_staff("look", "auditor")
    login("officer", "safety_officer")
    page = client.get(f"/admin/hazards/{hazard.id}").text
    assert 'value="officer"' in page and 'value="look"' not in page  # an auditor only reads
    for form in (
        {"owner": "staff:look"},
        {"owner_number": "NOBODY"},
        {"owner_number": "E\x00"},
        {"owner": ""},
    ):
        refused = client.post(
            f"/admin/hazards/{hazard.id}/assign", data={**form, "measures": "整改", "working_days": 3}
        )
        assert 400 <= refused.status_code < 500, form
    session.expire_all()
    assert session.get(hazards.Hazard, hazard.id).owner is None


def _assigned_to(client, hazard, number):
    response = client.post(
        f"/admin/hazards/{hazard.id}/assign", data={"owner_number": number, "measures": "更换护栏", "working_days": 5}
    )
    assert response.status_code == 303, response.text[:300]


def test_a_leavers_rectification_goes_to_another_owner(app, client, session, login, make_employee, press):
    leaver = make_employee(name="要走的", number="E09201")
    taker = make_employee(name="接手的", number="E09202")
    for worker in (leaver, taker):
        people.set_pin(session, worker, "1357")
    session.commit()
    hazard = _verified(session, press)
    login("officer", "safety_officer", "admin")  # an administrator marks the leaver
    _assigned_to(client, hazard, "E09201")
    phone = app.test_client()
    assert phone.post("/r/sign-in", data={"number": "E09201", "pin": "1357"}).status_code == 303

    asked = client.post(f"/admin/people/{leaver.id}/leave")
    assert asked.status_code == 200 and hazard.number in asked.text  # the confirm page names what they leave
    assert client.post(f"/admin/people/{leaver.id}/leave", data={"confirm": "1"}).status_code == 303
    assert phone.get("/r/tasks").status_code == 303  # the leaver's phone forgets them
    session.expire_all()
    assert session.get(people.Employee, leaver.id).reporter_token is None

    page = client.get(f"/admin/hazards/{hazard.id}").text
    assert "交给其他负责人" in page
    for form, words in (
        ({"owner_number": "E09201"}, "E09201"),  # a leaver takes nothing on
        ({"owner_number": "E09299"}, "E09299"),
        ({"owner": ""}, ""),
    ):
        refused = client.post(f"/admin/hazards/{hazard.id}/reassign", data=form)
        assert refused.status_code == 400 and words in refused.text, form
    handed = client.post(f"/admin/hazards/{hazard.id}/reassign", data={"owner_number": "e09202"})
    assert handed.status_code == 303
    session.expire_all()
    moved = session.get(hazards.Hazard, hazard.id)
    assert moved.owner == "employee:E09202" and moved.measures == "更换护栏" and moved.status.value == "assigned"
    assert moved.events[-1].note == "要走的（E09201） → 接手的（E09202）"
    again = client.post(f"/admin/hazards/{hazard.id}/reassign", data={"owner_number": "E09202"})
    assert again.status_code == 400 and "已是" in again.text
    taker_phone = app.test_client()
    assert taker_phone.post("/r/sign-in", data={"number": "E09202", "pin": "1357"}).status_code == 303
    assert hazard.number in taker_phone.get("/r/tasks").text


def test_only_an_officer_hands_work_over(client, session, login, make_employee, press):
    make_employee(name="接手的", number="E09203")
    hazard = _verified(session, press)
    login("boss", "admin")
    _assigned_to(client, hazard, "E09203")
    client.post("/logout")
    login("look", "auditor")
    assert client.post(f"/admin/hazards/{hazard.id}/reassign", data={"owner": "boss"}).status_code == 403
    session.expire_all()
    assert session.get(hazards.Hazard, hazard.id).owner == "employee:E09203"


def test_an_administrators_account_is_nobodys_work(client, session, login, press):
    hazard = _verified(session, press)
    login("boss", "admin")
    page = client.get(f"/admin/hazards/{hazard.id}").text
    assert 'value="boss"' not in page
    refused = client.post(
        f"/admin/hazards/{hazard.id}/assign", data={"owner": "boss", "measures": "整改", "working_days": 3}
    )
    assert refused.status_code == 400 and "整改" in refused.text  # what was typed comes back


def test_the_owners_phone_says_why_the_work_came_back(app, client, session, login, make_employee, press):
    fitter = make_employee(name="钳工", number="E09204")
    people.set_pin(session, fitter, "2580")
    session.commit()
    hazard = _verified(session, press)
    login("officer", "safety_officer")
    _assigned_to(client, hazard, "E09204")
    phone = app.test_client()
    assert phone.post("/r/sign-in", data={"number": "E09204", "pin": "2580"}).status_code == 303
    assert phone.post(f"/r/tasks/{hazard.id}", data={"note": "已更换"}).status_code == 303
    assert "复查不合格" not in phone.get(f"/r/tasks/{hazard.id}").text
    back = client.post(f"/admin/hazards/{hazard.id}/reinspect", data={"passed": "0", "note": "<b>螺栓未紧固</b>"})
    assert back.status_code == 303
    task = phone.get(f"/r/tasks/{hazard.id}").text
    assert "&lt;b&gt;螺栓未紧固&lt;/b&gt;" in task and "<b>螺栓" not in task  # the reason, as typed, not markup
    assert "已退回" in phone.get("/r/tasks").text and "复查不合格，已退回" in task


def test_a_mistyped_duplicate_keeps_what_was_typed(client, session, login, press):
    hazard = hazards.report(session, press, category="state", description="护栏松动", reporter=None).hazard
    session.commit()
    login("officer", "safety_officer")
    refused = client.post(
        f"/admin/hazards/{hazard.id}/verify",
        data={"verdict": "duplicate", "duplicate_of": "YH-NOPE", "note": "与上周同一处"},
    )
    assert refused.status_code == 404 and "与上周同一处" in refused.text and "YH-NOPE" in refused.text
    assert client.post("/admin/hazards/999999/verify", data={"verdict": "valid"}).status_code == 404
    session.expire_all()
    assert session.get(hazards.Hazard, hazard.id).status is hazards.HazardStatus.received


def test_a_leaver_s_account_stops_and_their_work_waiting_for_re_inspection_can_be_handed_over(
    app, client, session, login, make_employee, make_staff, press
):
    keeper = make_employee(name="库管老王", number="E09301")
    make_employee(name="接手", number="E09302")
    account = make_staff("wang", "storekeeper")
    account.employee_id = keeper.id
    session.commit()
    waiting, doing = _verified(session, press), _verified(session, press)
    login("officer", "safety_officer", "admin")
    for hazard in (waiting, doing):
        assert (
            client.post(
                f"/admin/hazards/{hazard.id}/assign", data={"owner": "wang", "measures": "整改", "working_days": 3}
            ).status_code
            == 303
        )
    assert client.post(f"/admin/hazards/{waiting.id}/rectified", data={"note": "已整改"}).status_code == 303

    asked = client.post(f"/admin/people/{keeper.id}/leave").text
    assert "wang" in asked and waiting.number in asked and doing.number in asked  # the account and its work
    assert client.post(f"/admin/people/{keeper.id}/leave", data={"confirm": "1"}).status_code == 303
    session.expire_all()
    assert not session.get(type(account), account.id).active
    assert 'value="wang"' not in client.get(f"/admin/hazards/{doing.id}").text  # nobody's owner any more
    assert client.post(f"/admin/hazards/{doing.id}/reassign", data={"owner": "wang"}).status_code == 400
    page = client.get(f"/admin/hazards/{waiting.id}").text
    assert "交给其他负责人" in page  # waiting for re-inspection: it can still go to someone else
    assert client.post(f"/admin/hazards/{waiting.id}/reassign", data={"owner_number": "E09302"}).status_code == 303
    back = client.post(f"/admin/hazards/{waiting.id}/reinspect", data={"passed": "0", "note": "未完成"})
    assert back.status_code == 303
    session.expire_all()
    assert session.get(hazards.Hazard, waiting.id).owner == "employee:E09302"  # sent back to the new owner
    refused = client.post(f"/admin/hazards/{doing.id}/reassign", data={"reassign": "1", "owner": ""})
    assert refused.status_code == 400 and '<details class="card" open' in refused.text  # the box stays open


def test_a_reason_for_sending_back_is_kept_whole(client, session, login, make_employee, press):
    make_employee(name="钳工", number="E09303")
    hazard = _verified(session, press)
    login("officer", "safety_officer")
    _assigned_to(client, hazard, "E09303")
    client.post(f"/admin/hazards/{hazard.id}/rectified", data={"note": "已更换"})
    long = "护栏" * 260 + "需更换"
    refused = client.post(f"/admin/hazards/{hazard.id}/reinspect", data={"passed": "0", "note": long})
    assert refused.status_code == 400 and "500" in refused.text and "需更换" in refused.text  # kept, with the reason
    session.expire_all()
    assert session.get(hazards.Hazard, hazard.id).status is hazards.HazardStatus.rectified


def test_a_roster_that_marks_an_owner_as_left_warns_of_their_work(client, session, login, make_employee, press):
    from tests.admin.test_roster_import import upload, workbook

    make_employee(name="钳工", number="E09304", department="铸造车间")
    hazard = _verified(session, press)
    login("officer", "safety_officer", "admin")
    _assigned_to(client, hazard, "E09304")
    preview = client.get(upload(client, workbook([("E09304", "钳工", "铸造车间", "", "", "离职")])).headers["Location"])
    assert hazard.number in preview.text and "离职" in preview.text


def test_the_last_administrator_s_account_does_not_stop_with_its_employee(session, make_employee, make_staff):
    from models import roster

    boss_employee = make_employee(name="厂长", number="E09401")
    boss = make_staff("boss", "admin")
    boss.employee_id = boss_employee.id
    session.commit()
    assert roster.accounts_stopping(session, boss_employee) == []  # someone must still be able to sign in
    make_staff("second", "admin")
    assert [a.username for a in roster.accounts_stopping(session, boss_employee)] == ["boss"]
