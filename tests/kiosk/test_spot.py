"""On-the-spot awards behind a card's QR (/c/<token>): supervisors award, everyone else sees nothing."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from models import claims, people
from tests.images import photo_bytes


def card_of(session, employee):
    card = people.issue_card(session, employee, people.CardKind.qr, actor="staff:admin")
    session.commit()
    return card


def rule_id(session, code):
    from models.rules import Rule

    return session.scalar(select(Rule.id).where(Rule.code == code))


def claim_count(session):
    return session.scalar(select(func.count()).select_from(claims.Claim))


def test_a_stranger_sees_a_neutral_page_whatever_the_token(app, session, make_employee):
    worker = make_employee(name="王小明", number="E08001")
    card = card_of(session, worker)
    stranger = app.test_client()
    valid, invalid = stranger.get(f"/c/{card.code}"), stranger.get("/c/made-up-token-123")
    assert valid.status_code == invalid.status_code == 200
    assert valid.text.replace(card.code, "") == invalid.text.replace("made-up-token-123", "")
    assert "王小明" not in valid.text and "E08001" not in valid.text and "安全积分卡" in valid.text
    refused = stranger.post(f"/c/{card.code}", data={"rule_id": rule_id(session, "D01"), "points": "2"})
    assert refused.status_code == 403 and claim_count(session) == 0


def test_a_storekeeper_is_not_an_awarder(client, session, login, make_employee):
    card = card_of(session, make_employee(name="王小明"))
    login("keeper", "storekeeper")
    assert "王小明" not in client.get(f"/c/{card.code}").text


def test_a_supervisor_awards_on_the_spot_and_it_goes_to_review(client, session, login, make_employee):
    worker = make_employee(name="王小明", number="E08001")
    card = card_of(session, worker)
    login("banzhang", "supervisor")
    page = client.get(f"/c/{card.code}")
    assert page.status_code == 200 and "王小明" in page.text and "E08001" in page.text
    assert "参与安全培训" not in page.text  # training is not given on the spot
    training = client.post(f"/c/{card.code}", data={"rule_id": rule_id(session, "T01"), "points": "10"})
    assert training.status_code == 400 and claim_count(session) == 0
    too_many = client.post(f"/c/{card.code}", data={"rule_id": rule_id(session, "D01"), "points": "999"})
    assert too_many.status_code == 400 and "999" in too_many.text and claim_count(session) == 0
    done = client.post(
        f"/c/{card.code}",
        data={
            "rule_id": rule_id(session, "D01"),
            "points": "2",
            "note": "主动清理通道油污",
            "photos": (io.BytesIO(photo_bytes((800, 600))), "spot.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert done.status_code == 201 and done.mimetype == "text/html" and "前审核" in done.text
    claim = session.scalars(select(claims.Claim)).one()
    assert claim.status is claims.ClaimStatus.pending and claim.source is claims.ClaimSource.supervisor
    assert claim.submitted_by == "staff:banzhang" and claim.description == "主动清理通道油污"
    assert len(claim.photos(session)) == 1
    deduction = client.post(f"/c/{card.code}", data={"rule_id": rule_id(session, "V01"), "points": "5"})
    assert deduction.status_code == 201  # the negative list too
    people.revoke_card(session, card, actor="staff:admin", reason="遗失")
    session.commit()
    assert client.get(f"/c/{card.code}").status_code == 403


def test_the_kiosk_reads_a_card_whose_qr_is_an_address(client, session, make_employee):
    card = card_of(session, make_employee(name="王小明"))
    screen = client.post("/kiosk/scan", data={"code": f"http://192.168.1.20/c/{card.code}"})
    assert screen.status_code == 200 and "王小明" in screen.text


def test_a_supervisor_s_on_the_spot_award_to_themselves_is_refused(client, session, make_employee):
    """The team leader is on the roster; scanning their own card, they may not award themselves (a deduction on
    themselves is owning up, and goes to review like any other)."""
    me = make_employee(name="班长老刘", number="E08100")
    people.create_staff(
        session, username="liu", name="老刘", password="password-123", roles=["supervisor"], employee=me
    )
    card = card_of(session, me)
    assert client.post("/login", data={"username": "liu", "password": "password-123"}).status_code == 303
    refused = client.post(f"/c/{card.code}", data={"rule_id": rule_id(session, "D01"), "points": "2"})
    assert refused.status_code == 403 and ("yourself" in refused.text or "自己" in refused.text)
    assert claim_count(session) == 0
    owned_up = client.post(f"/c/{card.code}", data={"rule_id": rule_id(session, "V01"), "points": "5"})
    assert owned_up.status_code == 201 and claim_count(session) == 1
