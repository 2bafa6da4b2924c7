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
