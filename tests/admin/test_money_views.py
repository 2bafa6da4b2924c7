"""Money, the half-yearly check and the organisation in the back office, as finance, the safety office and an
administrator use them; what a read-only role and bad input get."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models import audit, clock, ledger, organisation, store
from tests.invariants import fingerprint
from tests.pdfs import pdf_pages, pdf_text


def _sheet_rows(data: bytes, index: int = 0) -> list[tuple]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return list(book.worksheets[index].iter_rows(values_only=True))


def test_finance_reads_the_money_and_changes_nothing(client, session, login, make_goods, make_employee):
    from models.settings import set_setting

    set_setting(session, "year_budget_yuan", "500")
    soap = make_goods("肥皂", 5, stock=0)
    store.move_stock(session, soap.id, 20, reason="restock", actor="staff:store", unit_cost_fen=450)
    worker = make_employee(name="甲")
    ledger.award(session, worker.id, 100, actor="staff:admin", memo="上线奖励")
    session.commit()
    login("cash", "finance")
    page = client.get("/admin/money")
    assert page.status_code == 200
    assert "预算与支出" in page.text and ">90.00<" in page.text and ">18.00<" in page.text  # 20 x 4.50; 90 of 500
    nav = page.text.split("</nav>")[0]
    assert "/admin/claims" not in nav and "/admin/money" in nav and "/admin/ledger" in nav  # finance's own menu
    rows = _sheet_rows(client.get("/admin/money.xlsx").data)
    month = next(r for r in rows if r[0] == f"{clock.today():%Y-%m}")
    assert month[1:3] == (90, 20) and month[6] == 100 and month[11] == 100  # bought, pieces; awarded; held
    assert month[13] == 20  # the liability in yuan: 100 points at 5 a yuan
    budget = dict((r[0], r[1]) for r in _sheet_rows(client.get("/admin/money.xlsx").data, 1)[1:])
    assert budget["预算使用率（%）"] == 18 and budget["积分余额（负债，元）"] == 20  # 100 points at 5 a yuan
    for url in ("/admin/ledger", "/admin/statistics", "/admin/half-year", "/admin/organisation", "/admin/"):
        assert client.get(url).status_code == 200, url
    before = fingerprint(session)
    for url in (f"/admin/goods/{soap.id}/stock", "/admin/organisation", "/admin/claims/1/approve"):
        assert client.post(url, data={"kind": "restock", "quantity": "1", "name": "x"}).status_code in (403, 404)
    assert fingerprint(session) == before


@pytest.mark.parametrize(
    "url",
    [
        "/admin/money?year=abc",
        "/admin/money?year=9999",
        "/admin/money?year=2026%00",
        "/admin/money?year=１２３４",
        "/admin/money.xlsx?year=-1",
        "/admin/half-year?half=2026-H3",
        "/admin/half-year?half=2026-H1" + "%20" * 14 + "junk",  # junk past what is kept is not cut off
        "/admin/half-year.pdf?half=%00",
        "/admin/half-year.xlsx?half=2999-H1",
    ],
)
def test_a_period_not_understood_is_refused_in_words(client, login, url):
    login("office", "safety_officer")
    response = client.get(url)
    assert response.status_code == 400 and any(w in response.text for w in ("年份", "半年", "NUL")), url


def test_the_half_year_document_as_pdf_and_excel_with_its_chain_head(client, session, login, make_employee):
    worker = make_employee(name="甲", department="冲压车间")
    for points in (30, 10, 5):  # (the review found 六、 left at the foot of page 1 with this much in the document)
        ledger.award(session, worker.id, points, actor="staff:admin", memo="上线奖励")
    organisation.appoint(session, post="head", name="王<b>总</b>", title="总经理", actor="staff:admin")
    session.commit()
    head = ledger.checkpoint(session)
    login("audit", "auditor")
    half = f"{clock.today().year}-H{2 if clock.today().month > 6 else 1}"
    page = client.get(f"/admin/half-year?half={half}")
    assert page.status_code == 200 and head in page.text and "王&lt;b&gt;总&lt;/b&gt;" in page.text
    pdf = client.get(f"/admin/half-year.pdf?half={half}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    for words in ("安全积分制度运行情况半年报告", "参与情况", "冲压车间", head, "王<b>总</b>", "领导小组组长"):
        assert words in text.replace("\r\n", "").replace("\n", ""), words
    for number, page_text in enumerate(pdf_pages(pdf.data), start=1):  # no heading is left alone at a page's foot
        last = [line for line in page_text.splitlines() if line.strip()][-1]
        assert not re.match(r"^[一二三四五六七八九十]、", last), (number, last)
    book = load_workbook(io.BytesIO(client.get(f"/admin/half-year.xlsx?half={half}").data), read_only=True)
    titles = [s.title for s in book.worksheets]
    assert titles[:3] == ["基本情况", "组织机构（领导小组、积分管理员）", "参与情况（按部门）"]
    cells = [c for s in book.worksheets for r in s.iter_rows(values_only=True) for c in r if c is not None]
    assert any(head in str(c) for c in cells) and "王<b>总</b>" in cells


def test_an_administrator_keeps_the_organisation_and_bad_input_changes_nothing(client, session, login):
    login("boss", "admin")
    made = client.post(
        "/admin/organisation",
        data={"post": "administrator", "name": "赵<i>六</i>", "title": "安全员", "duty": "管理超市", "since": ""},
    )
    assert made.status_code == 303
    page = client.get("/admin/organisation").text
    assert "赵&lt;i&gt;六&lt;/i&gt;" in page and "<i>六" not in page
    rules = client.get("/board/rules").text
    assert "十、组织机构" in rules and "赵&lt;i&gt;六&lt;/i&gt;" in rules
    before = fingerprint(session)
    for form in (
        {"post": "king", "name": "x"},
        {"post": "member", "name": ""},
        {"post": "member", "name": "x", "department": "abc"},
        {"post": "member", "name": "x", "department": "99999999999999"},
        {"post": "member", "name": "x", "department": "2147483647"},
        {"post": "member", "name": "x", "since": "2026-02-30"},
        {"post": "member", "name": "x\x00", "since": "\x00"},
    ):
        refused = client.post("/admin/organisation", data=form)
        assert 400 <= refused.status_code < 500, form
    assert fingerprint(session) == before
    [member] = session.scalars(select(organisation.OrgMember)).all()
    assert client.post(f"/admin/organisation/{member.id}/leave", data={"until": "1999-01-01"}).status_code == 400
    assert client.post("/admin/organisation/2147483647/leave", data={}).status_code == 404
    assert client.post(f"/admin/organisation/{member.id}/leave", data={"until": ""}).status_code == 303
    today = clock.today().isoformat()
    page = client.get("/admin/organisation").text  # today is their last day in the post: no second form
    assert f"离任日期 {today}" in page and f"/admin/organisation/{member.id}/leave" not in page
    again = client.post(f"/admin/organisation/{member.id}/leave", data={"until": ""})
    assert again.status_code == 400 and "已于" in again.text
    junk = client.post(f"/admin/organisation/{member.id}/leave", data={"until": "2026-01-01" + " " * 10 + "x"})
    assert junk.status_code == 400


def test_a_row_entered_by_mistake_is_struck_by_an_administrator_only(client, session, login):
    login("boss", "admin")
    client.post("/admin/organisation", data={"post": "head", "name": "王宗", "since": clock.today().isoformat()})
    [wrong] = session.scalars(select(organisation.OrgMember)).all()
    page = client.get("/admin/organisation").text
    assert f"/admin/organisation/{wrong.id}/strike" in page and "录入有误" in page
    blank = client.post(f"/admin/organisation/{wrong.id}/strike", data={"reason": "  "})
    assert blank.status_code == 400 and "原因" in blank.text
    assert client.post("/admin/organisation/2147483647/strike", data={"reason": "x"}).status_code == 404
    struck = client.post(
        f"/admin/organisation/{wrong.id}/strike", data={"reason": "名字<b>写错</b>"}, follow_redirects=True
    )
    assert struck.status_code == 200 and "王宗" in struck.text and "<b>写错" not in struck.text
    assert session.scalars(select(organisation.OrgMember)).all() == []
    logged = session.scalars(audit.search(session, entity="org_member", entity_id=str(wrong.id))).all()
    assert sorted(e.action for e in logged) == ["create", "delete", "delete"]  # the row made, its values, the reason
    assert any("名字<b>写错</b>" in e.changes for e in logged) and all(e.actor == "staff:boss" for e in logged)
    # The head put on record now, and taken back by someone who only reads: refused, nothing changed.
    made = client.post("/admin/organisation", data={"post": "head", "name": "王总", "until": "", "since": ""})
    assert made.status_code == 303
    [head] = session.scalars(select(organisation.OrgMember)).all()
    login("office", "safety_officer")
    assert f"/admin/organisation/{head.id}/strike" not in client.get("/admin/organisation").text
    assert client.post(f"/admin/organisation/{head.id}/strike", data={"reason": "x"}).status_code == 403
    assert len(session.scalars(select(organisation.OrgMember)).all()) == 1


def test_a_restock_and_a_delivery_keep_their_purchase_cost(client, session, login, make_goods):
    soap = make_goods("肥皂", 5, stock=0)
    login("store", "storekeeper")
    bad = client.post(f"/admin/goods/{soap.id}/stock", data={"kind": "restock", "quantity": "5", "cost": "4,5"})
    assert bad.status_code == 400 and "采购单价" in bad.text and 'value="4,5"' in bad.text
    ok = client.post(f"/admin/goods/{soap.id}/stock", data={"kind": "restock", "quantity": "5", "cost": "4.5"})
    assert ok.status_code == 303
    towel = make_goods("毛巾", 12, stock=0)
    client.post("/admin/goods/delivery", data={"action": "add", "code": "肥皂"})
    client.post("/admin/goods/delivery", data={"action": "add", "code": "毛巾"})
    typo = {"action": "check", f"q{soap.id}": "3", f"c{soap.id}": "8,50", f"q{towel.id}": "8", "note": "A"}
    refused = client.post("/admin/goods/delivery", data={**typo, f"c{towel.id}": "30"})
    # The typo stays in its field, marked, the line named; the other line's quantity and cost are kept.
    assert refused.status_code == 400 and "肥皂：采购单价" in refused.text
    assert f'name="c{soap.id}" value="8,50"' in refused.text and 'aria-invalid="true"' in refused.text
    assert f'name="q{towel.id}" value="8"' in refused.text and f'name="c{towel.id}" value="30"' in refused.text
    client.post("/admin/goods/delivery", data={"action": "update", f"x{towel.id}": "1"})
    preview = client.post(
        "/admin/goods/delivery", data={"action": "check", f"q{soap.id}": "3", f"c{soap.id}": "4.20", "note": "A"}
    )
    assert preview.status_code == 200 and "12.60" in preview.text  # 3 x 4.20 at cost
    posted = client.post(
        "/admin/goods/delivery", data={"action": "post", f"q{soap.id}": "3", f"c{soap.id}": "4.20", "note": "A"}
    )
    assert posted.status_code == 303
    costs = session.scalars(
        select(store.StockMovement.unit_cost_fen)
        .where(store.StockMovement.goods_id == soap.id)
        .order_by(store.StockMovement.id)
    ).all()
    assert costs == [450, 420]


def test_the_organisation_twice_and_to_come(client, session, login):
    """The same person posted twice (a double tap) is refused; an appointment from a day to come is listed, with
    its mark, and one leaving on a day to come is still among those holding a post, not among those before."""
    import datetime as dt

    login("boss", "admin")
    form = {"post": "member", "name": "甲"}
    assert client.post("/admin/organisation", data=form).status_code == 303
    again = client.post("/admin/organisation", data=form)
    assert again.status_code == 400 and "已在此职务" in again.text
    later = (clock.today() + dt.timedelta(days=10)).isoformat()
    assert client.post("/admin/organisation", data={"post": "member", "name": "乙", "since": later}).status_code == 303
    [first] = session.scalars(select(organisation.OrgMember).where(organisation.OrgMember.name == "甲")).all()
    leaving = (clock.today() + dt.timedelta(days=30)).isoformat()
    assert client.post(f"/admin/organisation/{first.id}/leave", data={"until": leaving}).status_code == 303
    page = client.get("/admin/organisation").text
    current = page.split("<h2>")[0]
    assert "乙" in current and "尚未到任" in current and "甲" in current and "曾任" not in page


@pytest.mark.parametrize("role", ["finance", "auditor", "storekeeper", "supervisor", "safety_officer"])
def test_no_screen_holds_a_link_its_reader_cannot_open(client, session, login, make_employee, make_claim, role):
    """Every link on the screens a role reaches from its dashboard opens for that role (no link that answers
    403): the pages are walked link by link, as a person clicking through would."""
    import re as re_

    make_claim(make_employee(name="甲"))
    session.commit()
    login("reader", role)
    seen, waiting = set(), ["/admin/"]
    while waiting and len(seen) < 80:
        url = waiting.pop(0)
        if url in seen:
            continue
        seen.add(url)
        page = client.get(url)
        assert page.status_code == 200, url
        if page.mimetype != "text/html":  # a download: no links in it
            continue
        links = sorted(set(re_.findall(r'href="(/admin[^"#]*)', page.text)))
        for link in (link.replace("&amp;", "&") for link in links):
            assert client.get(link).status_code != 403, (url, link)
            waiting.append(link)
    if role == "finance":
        assert {"/admin/money", "/admin/half-year", "/admin/ledger", "/admin/year-end", "/admin/organisation"} <= seen
    assert len(seen) > 5


def test_one_definition_of_the_budget_used_on_every_screen(client, session, login, make_goods):
    from models.settings import set_setting

    set_setting(session, "year_budget_yuan", "1000")
    soap = make_goods("肥皂", 5, stock=0)
    store.move_stock(session, soap.id, 40, reason="restock", actor="staff:store", unit_cost_fen=500)  # 200 yuan
    session.commit()
    login("office", "safety_officer")
    assert ">20.00<" in client.get("/admin/money").text  # 200 of 1000 bought
    assert "已用 20.0%" in client.get("/admin/statistics").text
    assert '预算使用率（%）</td><td class="num">20.00</td>' in client.get("/admin/half-year?half=" + _this_half()).text


def _this_half() -> str:
    return f"{clock.today().year}-H{2 if clock.today().month > 6 else 1}"
