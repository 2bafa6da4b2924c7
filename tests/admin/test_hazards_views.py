"""Hazards and places in the back office: the loop over HTTP, posters, the hazard ledger, anonymity."""

from __future__ import annotations

import io
import logging
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import claims, clock, hazards, kiosks, people, places, store
from models.audit import AuditEntry
from models.ledger import LedgerEntry
from models.people import Employee
from tests.images import photo_bytes
from tests.pdfs import decode_pages


def test_places_and_posters_whose_qr_codes_open_the_report_page(app, client, session, login, press):
    login("officer", "safety_officer")
    created = client.post("/admin/places", data={"name": "喷涂线", "risk": "yellow", "parent_id": press.parent_id})
    assert created.status_code == 303
    spray = session.scalar(select(places.Place).where(places.Place.name == "喷涂线"))
    listing = client.get("/admin/places").text
    assert "3号冲床" in listing and "喷涂线" in listing

    pdf = client.get(f"/admin/places/posters.pdf?ids={press.id}&ids={spray.id}&paper=A5")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert decode_pages(pdf.data) == [[f"http://localhost/r/{press.token}"], [f"http://localhost/r/{spray.token}"]]

    from models.settings import set_setting

    set_setting(session, "public_url", "http://192.168.1.20")
    session.commit()
    old = press.token
    assert client.post(f"/admin/places/{press.id}/token").status_code == 303
    session.refresh(press)
    a4 = client.get(f"/admin/places/posters.pdf?ids={press.id}")
    assert decode_pages(a4.data) == [[f"http://192.168.1.20/r/{press.token}"]] and press.token != old
    assert client.get(f"/r/{old}").status_code == 410

    assert client.get("/admin/places/posters.pdf?ids=abc").status_code == 400
    assert client.get(f"/admin/places/posters.pdf?ids={press.id}&paper=A3").status_code == 400
    assert client.get("/admin/places/posters.pdf").status_code == 400
    bad = client.post("/admin/places", data={"name": "", "risk": "red"})
    assert bad.status_code == 400 and session.scalar(select(places.Place).where(places.Place.name == "")) is None


def test_the_loop_over_http_from_report_to_closed(client, app, session, login, make_employee, make_staff, press):
    worker = make_employee(name="李四")
    receipt = hazards.report(session, press, category="state", description="防护罩缺失", reporter=worker)
    session.commit()
    hazard = receipt.hazard
    make_staff("fitter", "supervisor")
    login("officer", "safety_officer")
    queue = client.get("/admin/hazards").text
    assert hazard.number in queue and "李四" in queue
    assert re.search(r"<strong>1</strong>条隐患报告待核实", client.get("/admin/").text)

    assert client.post(f"/admin/hazards/{hazard.id}/verify", data={"verdict": "valid"}).status_code == 400  # no grade
    verified = client.post(f"/admin/hazards/{hazard.id}/verify", data={"verdict": "valid", "grade": "general"})
    assert verified.status_code == 303
    session.expire_all()
    claim = session.get(hazards.Hazard, hazard.id).reward_claim
    assert claim.status is claims.ClaimStatus.approved and claim.approved_points == 20

    bad_days = {"owner": "fitter", "measures": "加装防护罩", "working_days": "x"}
    assert client.post(f"/admin/hazards/{hazard.id}/assign", data=bad_days).status_code == 400
    assign = {"owner": "fitter", "measures": "加装防护罩", "working_days": "5"}
    assert client.post(f"/admin/hazards/{hazard.id}/assign", data=assign).status_code == 303
    # The officer is not the owner but may record it too; the fitter does, with an after-photo.
    client.post("/logout")
    fitter = app.test_client()
    assert fitter.post("/login", data={"username": "fitter", "password": "password-123"}).status_code == 303
    assert hazard.number in fitter.get("/admin/hazards?mine=1").text  # the owner's own list
    assert hazard.number not in client.get("/admin/hazards?mine=1").text  # not the officer's
    done = fitter.post(
        f"/admin/hazards/{hazard.id}/rectified",
        data={"note": "已加装防护罩", "photos": [(io.BytesIO(photo_bytes((800, 600))), "after.jpg")]},
        content_type="multipart/form-data",
    )
    assert done.status_code == 303
    assert fitter.post(f"/admin/hazards/{hazard.id}/reinspect", data={"passed": "1"}).status_code == 403
    login("officer2", "safety_officer")
    assert client.post(f"/admin/hazards/{hazard.id}/reinspect", data={"passed": "0"}).status_code == 400  # no why
    assert client.post(f"/admin/hazards/{hazard.id}/reinspect", data={"passed": "1"}).status_code == 303
    session.expire_all()
    closed = session.get(hazards.Hazard, hazard.id)
    assert closed.status is hazards.HazardStatus.closed and len(closed.photos(session, after=True)) == 1
    detail = client.get(f"/admin/hazards/{hazard.id}").text
    assert "复查合格，销号" in detail and "已销号" in detail

    book = load_workbook(io.BytesIO(client.get("/admin/hazards/ledger.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:5] == ("隐患编号", "来源", "报告渠道", "发现时间", "发现人/报告人") and len(rows[0]) == 35
    assert rows[1][0] == hazard.number and rows[1][4] == f"李四 ({worker.number})" and rows[1][15] == "fitter"
    assert (rows[1][29], rows[1][31]) == (0, "公示中")  # the reward is in public notice: nothing paid yet
    assert rows[1][28] is not None  # the day it was closed (销号)
    assert rows[1][3] == clock.to_local(closed.reported_at)  # plant time


def test_a_storekeeper_cannot_verify_and_an_auditor_only_reads(client, session, login, press):
    hazard = hazards.report(session, press, category="act", description="未戴安全帽", reporter=None).hazard
    session.commit()
    login("keeper", "storekeeper")
    assert (
        client.post(f"/admin/hazards/{hazard.id}/verify", data={"verdict": "valid", "grade": "general"}).status_code
        == 403
    )
    login("auditor", "auditor")
    assert client.get(f"/admin/hazards/{hazard.id}").status_code == 200
    assert client.post("/admin/places", data={"name": "x", "risk": "red"}).status_code == 403
    session.refresh(hazard)
    assert hazard.status is hazards.HazardStatus.received


def test_no_screen_export_or_log_line_shows_an_anonymous_reporter(
    app, client, session, login, make_employee, make_goods, press, caplog
):
    """The reporter reports anonymously and spends the reward at the kiosk with the claim code alone: no screen,
    export, log line or row names them, and nothing ties the spend to the report (README: Security)."""
    caplog.set_level(logging.DEBUG)
    reporter = make_employee(name="匿名者本人", number="E09009")
    people.set_pin(session, reporter, "1357")
    _kiosk, code = kiosks.create_kiosk(session, "二号终端", printer_uri="dummy://")
    soap = make_goods("洗衣液", 4)  # 20 points at the default 5 points a yuan
    session.commit()
    phone = app.test_client()
    sent = phone.post(f"/r/{press.token}", data={"category": "act", "description": "有人违章动火", "anonymous": "1"})
    claim_code = re.search(r'class="code">([A-Z0-9-]{14})<', sent.text).group(1)
    hazard = session.scalars(select(hazards.Hazard)).one()

    login("officer", "safety_officer")
    client.post(f"/admin/hazards/{hazard.id}/verify", data={"verdict": "valid", "grade": "major"})
    counter = app.test_client()
    counter.post("/kiosk/pair", data={"code": code})
    audited_before = session.scalar(select(func.max(AuditEntry.id)))
    wrong = counter.post("/kiosk/voucher", data={"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 403 and "领取码不正确" in wrong.text
    for page in (wrong.text, counter.get("/kiosk/voucher").text):  # the kiosk goes back to the start by itself
        assert 'data-idle-seconds="' in page and 'id="countdown"' in page
        assert re.search(r'<input name="code"[^>]*data-scan', page)  # a QR scanned into it is a code, not a card
    opened = counter.post("/kiosk/voucher", data={"code": claim_code.lower()})  # no card scanned
    assert opened.status_code == 303
    screen = counter.get("/kiosk/me")
    assert screen.status_code == 200 and "50" in screen.text and "匿名者本人" not in screen.text
    assert counter.post("/kiosk/cart", data={"goods_id": soap.id, "delta": 1}).status_code == 200
    confirm = counter.get("/kiosk/confirm")
    key = re.search(r'name="request_key" value="([^"]+)"', confirm.text).group(1)
    assert 'name="pin"' not in confirm.text  # no PIN: the code is the voucher
    slip = counter.post("/kiosk/confirm", data={"request_key": key})
    assert slip.status_code == 200 and "匿名者本人" not in slip.text
    [redemption] = session.scalars(select(store.Redemption)).all()
    assert redemption.employee_id is None and redemption.points == 20 and redemption.balance_after == 0  # kept nowhere
    session.expire_all()
    assert session.get(Employee, reporter.id).balance == 0  # nobody's account was credited
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
    assert counter.post("/kiosk/done").status_code == 303
    spend_audited = session.scalars(select(AuditEntry.entity).where(AuditEntry.id > audited_before)).all()
    assert hazards.open_voucher(session, claim_code, kiosk_id=_kiosk.id).balance == 30  # the rest stays
    # Taking it back needs the code that paid: another one is refused, this one puts the points back.
    login("store", "storekeeper")
    other = phone.post(f"/r/{press.token}", data={"category": "act", "description": "通道堵塞", "anonymous": "1"})
    other_code = re.search(r'class="code">([A-Z0-9-]{14})<', other.text).group(1)
    second = session.scalars(select(hazards.Hazard).where(hazards.Hazard.id != hazard.id)).one()
    hazards.verify(session, second, "valid", grade="general", actor="staff:officer")
    session.commit()
    cancel = f"/admin/redemptions/{redemption.number}/cancel"
    assert client.post(cancel, data={"reason": "没货了", "code": other_code}).status_code == 403
    assert client.post(cancel, data={"reason": "没货了", "code": claim_code}).status_code == 303
    assert hazards.open_voucher(session, claim_code, kiosk_id=_kiosk.id).balance == 50
    assert hazards.open_voucher(session, other_code, kiosk_id=_kiosk.id).balance == 20  # untouched
    login("officer2", "safety_officer")

    seen = [
        client.get("/admin/hazards").text,
        client.get(f"/admin/hazards/{hazard.id}").text,
        client.get("/admin/hazards?status=verified").text,
        client.get("/admin/redemptions").text,
        client.get("/admin/ledger").text,
        app.test_client().get("/board").text,
    ]
    book = load_workbook(io.BytesIO(client.get("/admin/hazards/ledger.xlsx").data))
    seen.append(" ".join(str(v) for row in book.active.iter_rows(values_only=True) for v in row))
    seen.append(caplog.text)
    for text in seen:
        assert "匿名者本人" not in text and "E09009" not in text
    assert "匿名" in seen[1] and "匿名" in seen[6]  # the report says it was anonymous
    assert redemption.number not in seen[5]  # the public board never shows what a claim code paid for
    assert claim_code not in caplog.text and hazards.normalise_code(claim_code) not in caplog.text
    # No row written with the spend points at the report: no audit entry, no hazard event after verification.
    events = [e.action for e in session.get(hazards.Hazard, hazard.id).events]
    assert events[-1] is hazards.HazardAction.verified
    assert spend_audited == []


def test_a_wrong_claim_code_is_tried_five_times_at_most(app, client, session, paired_kiosk):
    client.post("/kiosk/pair", data={"code": paired_kiosk})
    for _ in range(5):
        assert client.post("/kiosk/voucher", data={"code": "ZZZZ-ZZZZ-ZZZZ"}).status_code == 403
    assert client.post("/kiosk/voucher", data={"code": "ZZZZ-ZZZZ-ZZZZ"}).status_code == 429


@pytest.fixture
def paired_kiosk(session):
    code = kiosks.create_kiosk(session, "三号终端", printer_uri="dummy://")[1]
    session.commit()
    return code


def test_a_refused_step_keeps_what_was_typed(client, session, login, press):
    """A hazard verified valid without a grade, or assigned without measures: the page comes back with what was
    chosen and typed, and the reason above, instead of an error page."""
    hazard = hazards.report(session, press, category="act", description="未戴安全帽", reporter=None).hazard
    session.commit()
    login("officer", "safety_officer")
    refused = client.post(f"/admin/hazards/{hazard.id}/verify", data={"verdict": "valid", "note": "现场<b>属实</b>"})
    assert refused.status_code == 400 and 'class="message error"' in refused.text
    assert 'value="valid" required checked' in refused.text and "现场&lt;b&gt;属实&lt;/b&gt;" in refused.text
    assert (
        client.post(f"/admin/hazards/{hazard.id}/verify", data={"verdict": "valid", "grade": "general"}).status_code
        == 303
    )
    assigned = client.post(
        f"/admin/hazards/{hazard.id}/assign", data={"owner": "officer", "measures": "", "working_days": "7"}
    )
    assert assigned.status_code == 400 and 'value="7"' in assigned.text and 'value="officer" selected' in assigned.text
    session.expire_all()
    assert session.get(hazards.Hazard, hazard.id).status is hazards.HazardStatus.verified


def test_the_reporter_is_not_offered_the_verification_of_their_own_report(client, session, login, press, make_employee):
    worker = make_employee(name="报告人")
    hazard = hazards.report(session, press, category="act", description="未戴安全帽", reporter=worker).hazard
    officer = login("officer", "safety_officer")
    officer.employee_id = worker.id
    session.commit()
    page = client.get(f"/admin/hazards/{hazard.id}").text
    assert f"/admin/hazards/{hazard.id}/verify" not in page and "由他人核实" in page
    login("other", "safety_officer")
    assert f"/admin/hazards/{hazard.id}/verify" in client.get(f"/admin/hazards/{hazard.id}").text
