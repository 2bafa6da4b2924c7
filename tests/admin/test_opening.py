"""Opening balances from Excel and a go-live award: previewed, applied once per employee, audited, in the chain."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from models import ledger, opening, roster
from models.audit import AuditEntry
from tests.images import post_multipart
from tests.sheets import workbook

PAPER = [
    ("积分超市期初积分结转表",),  # a title above the header
    (),
    ("序号", "工号", "姓名", "期初积分", "备注"),
    (1, "jz 0001", "张三", 120, "纸质台账结转"),  # the number as someone typed it
    (2, "JZ0002", "李四", 80.0, None),  # a number Excel keeps as a float
    (None, "合计", None, 200, None),
]


def upload(client, data: bytes):
    response = post_multipart(client, "/admin/people/opening", {}, [("sheet", "期初.xlsx", data)])
    assert response.status_code == 303, response.text[:500]
    return response.headers["Location"]


def test_opening_balances_are_previewed_brought_over_once_and_audited(client, login, session, make_employee):
    zhang = make_employee(name="张三", number="JZ0001")
    li = make_employee(name="李四", number="JZ0002")
    login("boss", "admin")
    preview = upload(client, workbook(PAPER))
    page = client.get(preview).text
    assert "期初积分 → 积分" in page.replace("</td><td>", " ") and "序号" in page  # mapped; 序号 not used
    assert "第 1 行" in page and "合计" in page  # the title and the total row are left out, and said so
    assert "200" in page and "张三" in page and "纸质台账结转" in page
    applied = client.post(f"{preview}/apply")
    assert applied.status_code == 303
    session.expire_all()
    assert (session.get(type(zhang), zhang.id).balance, session.get(type(li), li.id).balance) == (120, 80)
    entry = session.scalars(select(ledger.LedgerEntry).where(ledger.LedgerEntry.employee_id == zhang.id)).one()
    assert entry.kind is ledger.EntryKind.adjustment and entry.memo == "期初积分 纸质台账结转"
    assert entry.actor == "staff:boss" and ledger.verify_ledger(session).ok
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "opening")) == 1
    assert "本表中的员工都已有期初积分" in client.get(preview).text  # nothing left to bring over

    # The same file again, and a second file naming them: nothing changes for them.
    assert client.post(f"{preview}/apply").status_code == 303
    again = upload(client, workbook(PAPER))
    assert client.post(f"{again}/apply").status_code == 303
    session.expire_all()
    assert session.get(type(zhang), zhang.id).balance == 120 and opening.totals(session) == (2, 200)
    assert "2 人，200 分" in client.get("/admin/people/opening").text


def test_a_sheet_with_faults_is_refused_row_by_row_and_changes_nothing(client, login, session, make_employee):
    make_employee(name="张三", number="JZ0001")
    gone = make_employee(name="离职者", number="JZ0003")
    roster.leave(session, gone, actor="test")
    session.commit()
    login("boss", "admin")
    rows = [
        ("工号", "姓名", "积分"),
        ("JZ0001", "张叁", 10),  # the name is not this employee's
        ("JZ0003", "离职者", 10),
        ("JZ9999", "", 10),
        ("JZ0001", "", 5),  # twice
        ("JZ0004", "", "十"),
        ("JZ0005", "", -3),
        ("JZ0006", "", 13800138000),  # a phone number in the points column
        ("JZ0007", "", "=A1*2"),
        ("<b>x</b>", "\t", None),
    ]
    preview = upload(client, workbook(rows))
    page = client.get(preview)
    assert page.status_code == 200 and "文件有错误，不能导入" in page.text
    text = page.text
    for words in ("张叁", "离职", "JZ9999", "第 2 行", "十", "公式", "&lt;B&gt;X&lt;/B&gt;"):
        assert words in text, words
    assert "<B>X</B>" not in text
    refused = client.post(f"{preview}/apply")
    assert 400 <= refused.status_code < 500
    assert session.scalar(select(func.count()).select_from(ledger.LedgerEntry)) == 0


def test_not_a_sheet_or_not_an_admin(client, login, session):
    login("look", "auditor")
    assert client.get("/admin/people/opening").status_code == 403
    assert post_multipart(client, "/admin/people/opening", {}, [("sheet", "a.xlsx", b"x")]).status_code == 403
    client.post("/logout")
    login("boss", "admin")
    for data in (b"not a workbook", workbook([("姓名", "部门"), ("张三", "铸造")]), workbook([])):
        refused = post_multipart(client, "/admin/people/opening", {}, [("sheet", "a.xlsx", data)])
        assert refused.status_code == 400, refused.text[:300]
    assert client.get("/admin/people/opening/" + "0" * 32).status_code == 404
    assert client.get("/admin/people/opening/template.xlsx").mimetype.endswith("spreadsheetml.sheet")


def test_a_go_live_award_is_asked_once_and_given_once_each(client, login, session, make_employee):
    workers = [make_employee(name=f"工人{n}", number=f"GL{n:03}") for n in range(3)]
    gone = make_employee(name="离职者", number="GL999")
    roster.leave(session, gone, actor="test")
    session.commit()
    login("boss", "admin")
    for bad in ("", "0", "-5", "abc", "10001", "9" * 30):
        assert client.post("/admin/people/go-live-award", data={"points": bad}).status_code == 400, bad
    asked = client.post("/admin/people/go-live-award", data={"points": "50", "note": "<i>开业</i>"})
    assert asked.status_code == 200 and "3 名" in asked.text and "150" in asked.text
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(ledger.LedgerEntry)) == 0  # asked, not yet given
    given = client.post("/admin/people/go-live-award", data={"points": "50", "note": "<i>开业</i>", "confirm": "1"})
    assert given.status_code == 303
    again = client.post("/admin/people/go-live-award", data={"points": "50", "confirm": "1"})  # a double tap
    assert again.status_code == 303
    session.expire_all()
    assert [session.get(type(w), w.id).balance for w in workers] == [50, 50, 50]
    assert session.get(type(gone), gone.id).balance == 0
    memo = session.scalars(select(ledger.LedgerEntry.memo)).first()
    assert memo == "上线奖励 <i>开业</i>"  # kept as typed; shown as text
    history = client.get("/admin/ledger", query_string={"number": "GL000"}).text
    assert "&lt;i&gt;开业&lt;/i&gt;" in history and "<i>开业" not in history
    assert re.search(r"3 人，150 分", client.get("/admin/people/opening").text)


def _with_sheet_xml(data: bytes, xml: str) -> bytes:
    """The workbook ``data`` with its first sheet's XML replaced (what a hand-made file can declare)."""
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            content = xml.encode() if part.filename == "xl/worksheets/sheet1.xml" else source.read(part.filename)
            target.writestr(part.filename, content)
    return out.getvalue()


def test_a_hand_made_workbook_is_refused_quickly(client, login, session):
    import time

    login("boss", "admin")
    wide = _with_sheet_xml(
        workbook([("工号", "积分")]),
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:XFD100000"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>工号</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>积分</t></is></c></row><row r="100000"><c r="XFD100000" t="inlineStr">'
        "<is><t>x</t></is></c></row></sheetData></worksheet>",
    )
    started = time.monotonic()
    refused = post_multipart(client, "/admin/people/opening", {}, [("sheet", "a.xlsx", wide)])
    assert refused.status_code == 400 and time.monotonic() - started < 10  # far taller than its table
    packed = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as bomb:
        for part in zipfile.ZipFile(io.BytesIO(workbook([("工号", "积分")]))).infolist():
            bomb.writestr(part.filename, b"")
        bomb.writestr("xl/sharedStrings.xml", b"<si><t>a</t></si>" * 4_000_000)  # 68 MB unpacked, 200 kB packed
    assert (
        post_multipart(client, "/admin/people/opening", {}, [("sheet", "b.xlsx", packed.getvalue())]).status_code == 400
    )


def test_points_are_digits_and_file_names_and_tokens_stay_in_their_place(client, login, session, make_employee):
    make_employee(name="张三", number="JZ0001")
    login("boss", "admin")
    for odd in ("1_000", "+7", "１２０", "٣٣"):
        preview = client.get(upload(client, workbook([("工号", "积分"), ("JZ0001", odd)]))).text
        assert "积分须为整数" in preview, odd
    sent = post_multipart(client, "/admin/people/opening", {}, [("sheet", "期初\x00\u202e.xlsx", workbook(PAPER[2:4]))])
    page = client.get(sent.headers["Location"]).text
    assert "\x00" not in page and "\u202e" not in page and "期初.xlsx" in page
    from tests.admin.test_roster_import import upload as roster_upload
    from tests.admin.test_roster_import import workbook as roster_book

    roster = roster_upload(client, roster_book([("E001", "张三", "铸造车间", "", "", "")])).headers["Location"]
    roster_token = roster.rsplit("/", 1)[1]
    opening_token = sent.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/admin/people/opening/{roster_token}").status_code == 404
    assert client.post(f"/admin/people/opening/{roster_token}/apply").status_code == 404
    for step in ("", "/apply", "/departments"):
        method = client.get if not step else client.post
        assert method(f"/admin/people/import/{opening_token}{step}").status_code == 404, step
