"""The points ledger in the back office: filters, pages, the Excel export, bad filters."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from models import clock, ledger
from tests.invariants import fingerprint


def test_filter_and_export_the_ledger(client, session, login, make_employee):
    li = make_employee(name="李四", number="E05001", department="冲压车间", balance=50)
    wang = make_employee(name="王五", number="E05002", department="铸造车间", balance=30)
    ledger.award(session, li.id, 10, actor="staff:officer", memo="通过安全考核")
    ledger.deduct(session, wang.id, 5, actor="staff:officer", memo="未戴安全帽")
    session.commit()
    login("audit", "auditor")  # auditors read the ledger
    everything = client.get("/admin/ledger").text
    assert "李四" in everything and "王五" in everything and "通过安全考核" in everything
    only_li = client.get("/admin/ledger?number=E05001").text
    assert "李四" in only_li and "王五" not in only_li
    deductions = client.get("/admin/ledger?kind=deduction").text
    assert "未戴安全帽" in deductions and "通过安全考核" not in deductions
    assert "王五" not in client.get("/admin/ledger?until=2000-01-01").text

    export = client.get("/admin/ledger.xlsx?number=E05001")
    assert export.status_code == 200 and export.headers["Content-Disposition"].startswith("attachment")
    data = export.data
    export.close()  # a WSGI server closes the response, and with it the spooled file
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "序号" and len(rows) == 3  # the header, the opening balance, the award
    assert [r[6] for r in rows[1:]] == [50, 10] and rows[2][8] == "通过安全考核" and rows[2][7] == 60

    cases = (
        ("since=yesterday", "YYYY-MM-DD"),
        ("until=2026-13-01", "YYYY-MM-DD"),
        ("kind=gift", "类别"),
        ("department=x", "无效"),
    )
    for bad, says in cases:
        response = client.get(f"/admin/ledger?{bad}")
        assert response.status_code == 400 and says in response.text
        assert client.get(f"/admin/ledger.xlsx?{bad}").status_code == 400


def test_pages_go_back_and_forth_by_the_entry_they_start_from(client, login, session, make_employee):
    worker = make_employee(number="E0250")
    for n in range(250):
        ledger.adjust(session, worker.id, 1, actor="test", memo=f"第{n + 1}笔")
    session.commit()
    login("look", "auditor")

    def seqs(page):
        return [int(s) for s in re.findall(r'<td class="muted">(\d+)</td>', page.text)]

    def link(page, name):
        found = re.search(rf'<a href="([^"]+)">[^<]*{name}', page.text)
        return found and found.group(1).replace("&amp;", "&")

    first = client.get("/admin/ledger?number=E0250")
    assert seqs(first) == list(range(250, 150, -1)) and link(first, "较新") is None
    second = client.get(link(first, "较早"))
    assert seqs(second) == list(range(150, 50, -1)) and "number=E0250" in link(second, "较早")
    third = client.get(link(second, "较早"))
    assert seqs(third) == list(range(50, 0, -1)) and link(third, "较早") is None
    back = client.get(link(third, "较新"))
    assert seqs(back) == list(range(150, 50, -1))
    assert client.get("/admin/ledger?before=abc").status_code == 200  # an unreadable mark is no mark


def test_the_whole_export_adds_up_to_the_ledger_and_shows_plant_time(client, session, login, make_employee):

    from sqlalchemy import func, select

    odd = make_employee(name="A&B <C>", number="E05003", balance=7)
    ledger.award(session, odd.id, 3, actor="staff:x", memo='含 "引号" & <尖括号>\n第二行')
    for n in range(30):
        ledger.adjust(session, odd.id, n + 1, actor="test", memo=f"调整{n}")
    session.commit()
    login("audit", "auditor")
    export = client.get("/admin/ledger.xlsx")
    data = export.data
    export.close()
    book = load_workbook(io.BytesIO(data))
    rows = list(book.active.iter_rows(values_only=True))
    entries = session.scalars(select(ledger.LedgerEntry).order_by(ledger.LedgerEntry.seq)).all()
    assert len(rows) - 1 == len(entries)
    assert sum(r[6] for r in rows[1:]) == session.scalar(select(func.sum(ledger.LedgerEntry.amount)))
    assert [r[0] for r in rows[1:]] == [e.seq for e in entries]
    award = rows[2]
    assert award[3] == "A&B <C>" and award[8].startswith('含 "引号" & <尖括号>')
    local = clock.to_local(entries[1].created_at)
    assert award[1] == local  # the plant's time, as the screen shows it


def test_the_year_end_from_the_back_office_previewed_then_closed_twice(client, login, session, make_employee):
    """Last year's unspent points: the page lists who loses how much; the close takes it once, and a second
    post (a double click, a replayed form) changes nothing. An auditor reads the page and cannot close."""
    import datetime as dt

    from sqlalchemy import func, select

    from models import clock, ledger

    year = clock.today().year - 1
    worker = make_employee(name="年末甲")
    ledger.award(session, worker.id, 70, actor="test", memo="x", at=clock.day_start(dt.date(year, 12, 1)))
    session.commit()
    login("look", "auditor")
    page = client.get(f"/admin/year-end?year={year}").text
    assert "年末甲" in page and ">70<" in page
    assert f"/admin/year-end/{year}/close" not in page
    assert client.post(f"/admin/year-end/{year}/close").status_code == 403
    login("chief", "admin")
    assert f"/admin/year-end/{year}/close" in client.get(f"/admin/year-end?year={year}").text
    before = fingerprint(session)  # the box not ticked (a form made by hand): refused in words, nothing changes
    unticked = client.post(f"/admin/year-end/{year}/close")
    assert unticked.status_code == 400 and "核对" in unticked.text and fingerprint(session) == before
    assert client.post(f"/admin/year-end/{year}/close", data={"checked": "no"}).status_code == 400
    assert fingerprint(session) == before
    for _ in range(2):
        assert client.post(f"/admin/year-end/{year}/close", data={"checked": "on"}).status_code == 303
    session.expire_all()
    expired = select(func.count()).select_from(ledger.LedgerEntry).where(ledger.LedgerEntry.kind == "expiry")
    assert session.scalar(expired) == 1 and session.get(type(worker), worker.id).balance == 0
    closed = client.get(f"/admin/year-end?year={year}").text
    assert "70" in closed and f"/admin/year-end/{year}/close" not in closed
    for typed in ("abc", "0", "10" * 15, "２０２６", str(clock.today().year + 1)):  # refused in words
        refused = client.get(f"/admin/year-end?year={typed}")
        assert refused.status_code == 400 and "年份" in refused.text, typed
    assert client.post(f"/admin/year-end/{clock.today().year}/close", data={"checked": "on"}).status_code == 400
