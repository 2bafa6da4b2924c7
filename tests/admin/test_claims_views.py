"""Claim review in the back office, over HTTP: roles, steps, and bad input that changes nothing."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from models import claims, people
from models.claims import Claim, ClaimSource, ClaimStatus
from models.photos import Photo


@pytest.fixture
def pending(make_employee, make_claim):
    worker = make_employee(name="赵六", number="E7001")
    claim = make_claim(worker, "T01", 15, "参加消防培训")
    return claim


def status_of(session, claim_id):
    session.expire_all()
    return session.get(Claim, claim_id).status


def test_the_back_office_needs_a_sign_in(client):
    response = client.get("/admin/claims")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_wrong_password_is_refused_in_chinese(client, make_staff):
    make_staff("safety", "safety_officer")
    response = client.post("/login", data={"username": "safety", "password": "nope-nope"})
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.text


def test_the_review_queue_lists_pending_claims_with_their_due_date(client, login, pending):
    login("safety", "safety_officer")
    page = client.get("/admin/claims")
    assert page.status_code == 200
    assert "赵六" in page.text and "参与安全培训" in page.text and str(pending.due_on) in page.text


def test_approving_puts_the_claim_in_public_notice(client, login, session, pending):
    login("safety", "safety_officer")
    response = client.post(f"/admin/claims/{pending.id}/approve", data={"points": "12"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="claim-' in response.text and "公示中" in response.text
    assert status_of(session, pending.id) is ClaimStatus.approved
    assert session.get(Claim, pending.id).approved_points == 12


@pytest.mark.parametrize("points", ["30", "0", "-5", "abc", "", "1e3"])
def test_a_value_outside_the_range_or_not_a_number_changes_nothing(client, login, session, pending, points):
    login("safety", "safety_officer")
    response = client.post(
        f"/admin/claims/{pending.id}/approve", data={"points": points}, headers={"HX-Request": "true"}
    )
    assert 400 <= response.status_code < 500
    assert response.headers["HX-Retarget"] == "#messages"
    assert 'class="message error"' in response.text
    assert status_of(session, pending.id) is ClaimStatus.pending


def test_a_rejection_needs_a_reason(client, login, session, pending):
    login("safety", "safety_officer")
    empty = client.post(f"/admin/claims/{pending.id}/reject", data={"reason": "  "})
    assert empty.status_code == 400 and "请填写原因" in empty.text
    assert status_of(session, pending.id) is ClaimStatus.pending
    done = client.post(f"/admin/claims/{pending.id}/reject", data={"reason": "无签到记录"})
    assert done.status_code == 200 and "已驳回" in done.text
    again = client.post(f"/admin/claims/{pending.id}/reject", data={"reason": "再驳回一次"})
    assert again.status_code == 409


def test_roles_are_checked_on_the_server(client, login, session, pending):
    login("audit", "auditor")
    assert client.get("/admin/claims").status_code == 200  # auditors read
    assert "通过" not in client.get("/admin/claims").text  # and see no buttons to change things
    response = client.post(f"/admin/claims/{pending.id}/approve", data={"points": "12"})
    assert response.status_code == 403
    assert client.post(f"/admin/claims/{pending.id}/fraud", data={"reason": "x"}).status_code == 403
    assert client.post("/admin/claims/new", data={}).status_code == 403
    assert status_of(session, pending.id) is ClaimStatus.pending


def test_a_supervisor_files_a_claim_for_review(client, login, session, make_employee, rule):
    worker = make_employee(number="E8001")
    login("super", "supervisor")
    response = client.post(
        "/admin/claims/new",
        data={"employee_number": "E8001", "rule_id": rule("D01").id, "points": "3", "description": "正确佩戴防护用品"},
    )
    assert response.status_code == 303
    claim = session.scalars(select(Claim).where(Claim.employee_id == worker.id)).one()
    assert (claim.source, claim.submitted_by, claim.requested_points) == (ClaimSource.supervisor, "staff:super", 3)


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"employee_number": "NOBODY", "points": "3", "description": "x"}, 404),
        ({"employee_number": "E8001", "points": "99", "description": "x"}, 400),
        ({"employee_number": "E8001", "points": "-3", "description": "x"}, 400),
        ({"employee_number": "E8001", "points": "三", "description": "x"}, 400),
        ({"employee_number": "E8001", "points": "3", "description": ""}, 400),
    ],
)
def test_bad_claims_are_refused_and_nothing_is_stored(client, login, session, make_employee, rule, form, status):
    make_employee(number="E8001")
    login("super", "supervisor")
    response = client.post("/admin/claims/new", data={"rule_id": rule("D01").id, **form})
    assert response.status_code == status
    assert session.scalar(select(func.count()).select_from(Claim)) == 0


def test_a_claim_on_a_retired_rule_is_refused(client, login, session, make_employee, rule):
    from models.rules import retire_rule

    make_employee(number="E8001")
    retire_rule(session, rule("D02"))
    session.commit()
    login("safety", "safety_officer")
    response = client.post(
        "/admin/claims/new",
        data={"employee_number": "E8001", "rule_id": rule("D02").id, "points": "3", "description": "规范操作"},
    )
    assert response.status_code == 400  # a retired rule is not among the choices
    assert session.scalar(select(func.count()).select_from(Claim)) == 0


def test_staff_may_object_and_send_a_claim_back(client, login, session, pending):
    claims.approve(session, session.get(Claim, pending.id), 15, actor="staff:safety")
    session.commit()
    login("store", "storekeeper")
    response = client.post(f"/admin/claims/{pending.id}/object", data={"reason": "当天未参加培训"})
    assert response.status_code == 200
    assert status_of(session, pending.id) is ClaimStatus.pending


def test_marking_a_false_claim(client, login, session, pending):
    login("safety", "safety_officer")
    response = client.post(f"/admin/claims/{pending.id}/fraud", data={"reason": "伪造签到"})
    assert response.status_code == 200 and "虚假积分" in response.text
    assert claims.redemption_suspended(session, pending.employee_id)


def test_forms_without_a_csrf_token_are_refused(app_config, pending, make_staff):
    from app import create_app

    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    make_staff("safety", "safety_officer")
    response = client.post("/login", data={"username": "safety", "password": "password-123"})
    assert response.status_code == 400 and "表单已过期" in response.text


def test_rule_catalogue_edit_and_retire(client, login, session, rule):
    login("safety", "safety_officer")
    assert "正确佩戴劳动防护用品" in client.get("/admin/rules").text
    target = rule("T03")
    bad = client.post(
        f"/admin/rules/{target.id}/edit",
        data={
            "code": "T03",
            "kind": "earn",
            "category": "training",
            "name": "宣讲员",
            "min_points": "30",
            "max_points": "10",
        },
    )
    assert bad.status_code == 400
    ok = client.post(
        f"/admin/rules/{target.id}/edit",
        data={
            "code": "T03",
            "kind": "earn",
            "category": "training",
            "name": "担任安全宣讲员",
            "min_points": "5",
            "max_points": "30",
        },
    )
    assert ok.status_code == 303
    assert client.post(f"/admin/rules/{target.id}/retire").status_code == 303
    session.expire_all()
    assert rule("T03").max_points == 30 and not rule("T03").active


def test_the_false_claim_button_is_on_the_claim_page_not_in_the_queue(client, login, pending):
    login("safety", "safety_officer")
    assert "认定虚假的理由" not in client.get("/admin/claims").text
    detail = client.get(f"/admin/claims/{pending.id}")
    assert "认定虚假的理由" in detail.text and "参加消防培训" in detail.text and "已提交" in detail.text


def file_claim_with(client, rule, number: str, upload: bytes):
    """A supervisor's claim with one file attached, as the form sends it."""
    return client.post(
        "/admin/claims/new",
        content_type="multipart/form-data",
        data={
            "employee_number": number,
            "rule_id": rule("D01").id,
            "points": "3",
            "description": "佩戴护目镜作业",
            "photos": [(io.BytesIO(upload), "现场.jpg")],
        },
    )


def test_a_claim_with_photos_shows_them_to_staff_only(app, client, login, session, make_employee, rule):
    make_employee(number="E8002")
    login("super", "supervisor")
    picture = io.BytesIO()
    Image.new("RGB", (2400, 1800), "orange").save(picture, "JPEG")
    response = file_claim_with(client, rule, "E8002", picture.getvalue())
    assert response.status_code == 303
    photo = session.scalars(select(Photo)).one()
    assert (photo.width, photo.height) == (1600, 1200)
    detail = client.get(response.headers["Location"])
    assert f"/admin/photos/{photo.id}" in detail.text
    served = client.get(f"/admin/photos/{photo.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg" and served.data[:2] == b"\xff\xd8"
    assert "private" in served.headers["Cache-Control"]
    served.close()
    anonymous = app.test_client()
    assert anonymous.get(f"/admin/photos/{photo.id}").status_code == 302  # to the sign-in page


def test_a_file_that_is_not_a_photo_is_refused_with_its_claim(client, login, session, make_employee, rule):
    make_employee(number="E8003")
    login("super", "supervisor")
    response = file_claim_with(client, rule, "E8003", b"<script>alert(1)</script>")
    assert response.status_code == 400 and "不是照片" in response.text
    assert session.scalar(select(func.count()).select_from(Claim)) == 0


def test_bulk_approval_approves_all_ticked_or_none(client, login, session, make_employee, make_claim):
    worker = make_employee(name="钱七")
    first, second = make_claim(worker, "T01", 10, "培训一"), make_claim(worker, "T01", 12, "培训二")
    rejected = make_claim(worker, "T01", 8, "培训三")
    claims.reject(session, rejected, "重复", actor="staff:x")
    session.commit()
    login("safety", "safety_officer")
    page = client.get("/admin/claims")
    assert 'form="bulk-approve"' in page.text and f'value="{rejected.id}" form=' not in page.text
    refused = client.post("/admin/claims/approve", data={"ids": [first.id, rejected.id]})
    assert refused.status_code == 400 and f"申报 {rejected.id}" in refused.text
    assert status_of(session, first.id) is ClaimStatus.pending  # none of them, not some
    done = client.post("/admin/claims/approve", data={"ids": [first.id, second.id]})
    assert done.status_code == 303
    session.expire_all()
    approved = [session.get(Claim, c.id) for c in (first, second)]
    assert [(c.status, c.approved_points) for c in approved] == [(ClaimStatus.approved, 10), (ClaimStatus.approved, 12)]
    for bad in ({"ids": ["x"]}, {}):
        assert client.post("/admin/claims/approve", data=bad).status_code == 400
    client.post("/logout")
    login("look", "supervisor")
    assert client.post("/admin/claims/approve", data={"ids": [rejected.id]}).status_code == 403


def test_the_claimant_s_own_account_is_offered_no_review_and_refused_one(client, session, make_employee, make_claim):
    """Separation of duties on screen: the safety officer who is on the roster sees their own claim without the
    approve and reject forms, and a forged post is refused (403), the claim unchanged."""
    me = make_employee(name="周安全", number="S0001")
    people.create_staff(
        session, username="zhou", name="周安全", password="password-123", roles=["safety_officer"], employee=me
    )
    session.commit()
    mine = make_claim(me, "T01", 10)
    assert client.post("/login", data={"username": "zhou", "password": "password-123"}).status_code == 303
    page = client.get(f"/admin/claims/{mine.id}").text
    assert "someone else reviews it" in page or "由他人审核" in page
    assert f"/admin/claims/{mine.id}/approve" not in page and f"/admin/claims/{mine.id}/fraud" not in page
    queue = client.get("/admin/claims?tab=review").text
    assert f'name="ids" value="{mine.id}"' not in queue
    for url, data in (
        (f"/admin/claims/{mine.id}/approve", {"points": "10"}),
        (f"/admin/claims/{mine.id}/reject", {"reason": "x"}),
        (f"/admin/claims/{mine.id}/fraud", {"reason": "x"}),
        ("/admin/claims/approve", {"ids": [mine.id]}),
    ):
        refused = client.post(url, data=data)
        assert refused.status_code in (400, 403), url
    session.expire_all()
    assert session.get(claims.Claim, mine.id).status is claims.ClaimStatus.pending
