"""The HR roster import: a file full of faults, the same file twice, leavers, departments, chunks, bad files."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from models import people
from models.audit import AuditEntry
from tests.images import post_multipart

HEADER = ("工号", "姓名", "部门", "班组", "人员类别", "状态")


def workbook(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, name="roster.xlsx"):
    return post_multipart(client, "/admin/people/import", {}, [("roster", name, data)])


def preview_of(client, response):
    assert response.status_code == 303, response.text
    return response.headers["Location"], client.get(response.headers["Location"])


def employees(session):
    session.expire_all()
    return {e.number: e for e in session.scalars(select(people.Employee))}


@pytest.fixture
def departments(session):
    for name in ("铸造车间", "机修车间"):
        people.get_or_create_department(session, name)
    session.commit()


def test_a_clean_roster_is_previewed_applied_and_the_same_file_changes_nothing(client, login, session, departments):
    login("hr", "admin")
    data = workbook(
        [
            ("E001", "张三", "铸造车间", "一班", "正式员工", "在职"),
            ("E002", "李四", "机修车间", "", "外包人员", ""),
            (3, "王五", "铸造车间", None, None, None),  # a number typed as a number
            ("E004", "赵\t六 ", "铸造车间", "", "", ""),  # a tab pasted in: only printable characters are kept
        ]
    )
    url, preview = preview_of(client, upload(client, data))
    assert "新增 4 · 修改 0 · 离职 0 · 无变化 0 · 有错误 0" in preview.text
    assert employees(session) == {}  # nothing before applying
    assert client.post(url + "/apply").status_code == 303
    found = employees(session)
    assert sorted(found) == ["3", "E001", "E002", "E004"] and found["E004"].name == "赵六"
    assert found["E001"].team.name == "一班" and found["E002"].kind == "contractor"
    entries = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "employee"))
    assert entries == 4  # each new employee is in the audit log, by the importer
    # The same file again: every row is unchanged, applying it changes nothing.
    url, preview = preview_of(client, upload(client, data))
    assert client.post(url + "/apply").status_code == 303
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "employee")) == 4


def test_changes_and_leavers(client, login, session, departments, make_employee):
    make_employee(name="张三", department="铸造车间", number="E001", balance=50)
    make_employee(name="李四", department="铸造车间", number="E002")
    login("hr", "admin")
    data = workbook([("E001", "张三丰", "机修车间", "", "", ""), ("E002", "李四", "铸造车间", "", "", "离职")])
    url, preview = preview_of(client, upload(client, data))
    assert "张三 → 张三丰" in preview.text and "铸造车间 → 机修车间" in preview.text
    assert 'badge warn">离职' in preview.text
    client.post(url + "/apply")
    found = employees(session)
    assert found["E001"].name == "张三丰" and found["E001"].department.name == "机修车间"
    assert not found["E002"].active and found["E001"].balance == 50


def test_a_file_full_of_faults_is_listed_row_by_row_and_cannot_be_applied(client, login, session, departments):
    login("hr", "admin")
    data = workbook(
        [
            ("", "无工号", "铸造车间", "", "", ""),  # missing number
            ("E001", "张三", "财务部", "", "", ""),  # unknown department
            ("E002", "李四", "铸造车间", "", "", ""),
            ("E002", "李四二", "铸造车间", "", "", ""),  # duplicate
            ("E003", '=HYPERLINK("http://x")', "铸造车间", "", "", ""),  # a formula
            ("E004", "长" * 10_000, "铸造车间", "", "", ""),  # a 10,000-character cell
            ("E/005", "斜杠", "铸造车间", "", "", ""),  # a malformed number
            ("E006", "赵六", "铸造车间", "", "老板", ""),  # unknown kind
            ("E007", "", "铸造车间", "", "", "休假"),  # no name, unknown status
        ]
    )
    url, preview = preview_of(client, upload(client, data))
    text = preview.text
    for line, message in (
        (2, "工号"),
        (3, "财务部"),
        (5, "第 4 行"),
        (6, "公式"),
        (7, "100"),
        (8, "工号"),
        (9, "老板"),
        (10, "姓名"),
    ):
        assert re.search(rf"<td>{line}</td>.*?{message}", text, re.S), (line, message)
    assert "长" * 200 not in text  # the overlong cell is not echoed back
    refused = client.post(url + "/apply")
    assert refused.status_code == 400
    assert employees(session) == {}


def test_unknown_departments_can_be_added_from_the_preview(client, login, session, departments):
    login("hr", "admin")
    url, preview = preview_of(client, upload(client, workbook([("E001", "张三", "安环部", "", "", "")])))
    assert "安环部" in preview.text
    assert client.post(url + "/departments").status_code == 303
    assert client.post(url + "/apply").status_code == 303
    assert employees(session)["E001"].department.name == "安环部"


def test_a_large_roster_applies_in_chunks_with_progress(client, login, session, departments):
    login("hr", "admin")
    data = workbook([(f"N{n:05d}", f"员工{n}", "铸造车间", "", "", "") for n in range(1200)])
    url, preview = preview_of(client, upload(client, data))
    assert 'hx-post="' + url + '/apply"' in preview.text
    steps = []
    for _ in range(5):
        step = client.post(url + "/apply", headers={"HX-Request": "true"})
        assert step.status_code == 200
        steps.append(step.text)
        if "<progress" not in step.text:
            break
    assert 'value="500" max="1200"' in steps[0] and 'value="1000" max="1200"' in steps[1]
    assert "1200" in steps[2] and "<progress" not in steps[2]
    assert len(employees(session)) == 1200


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"number,name,department\nE1,x,y\n", "roster.csv"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "roster.xlsx"),
        (b"PK\x03\x04 not really a zip", "roster.xlsx"),
        (workbook([], header=("a", "b", "c")), "roster.xlsx"),
        (workbook([]), "roster.xlsx"),
    ],
)
def test_files_that_are_not_rosters_are_refused(client, login, session, departments, content, name):
    login("hr", "admin")
    response = upload(client, content, name)
    assert response.status_code == 400 and 'class="message' in response.text
    assert employees(session) == {}


def test_an_import_token_that_is_not_there(client, login):
    login("hr", "admin")
    assert client.get("/admin/people/import/" + "0" * 32).status_code == 404
    assert client.post("/admin/people/import/../../etc/apply").status_code == 404
    assert client.get("/admin/people/import/abc").status_code == 404


def test_a_roster_as_hr_makes_it(client, login, session, departments, make_employee):
    """A title and a date line above the header, 用工性质 instead of 人员类别 with HR's own words, a 合计 row,
    columns the import does not use, and numbers in another case or with a space: the preview says how it read
    the file, and an employee already on file is found whatever the case."""
    login("hr", "admin")
    make_employee(name="老员工", number="JZ0033", department="铸造车间")
    book = Workbook()
    sheet = book.active
    for row in (
        ["2026年12月职工花名册"],
        [],
        ["序号", "工 号", "姓名", "所属部门", "用工性质", "身份证号", "备注"],
        [1, "jz0033", "老员工", "铸造车间", "正式工", "110101199001011234", ""],
        [2, "jz 0034", "新外包", "机修车间", "劳务派遣", "", ""],
        [3, "JZ0035", "新临时", "铸造车间", "实习", "", ""],
        [4, "JZ0036", "新合同", "铸造车间", "合同工", "", ""],
        ["合 计", "", "4 人", "", "", "", ""],
    ):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    url, preview = preview_of(client, upload(client, out.getvalue()))
    text = preview.text
    assert "<td>工 号</td><td>→ 工号</td>" in text and "<td>用工性质</td><td>→ 类型</td>" in text
    for unused in ("序号", "身份证号", "备注"):
        assert f"未使用的列：{unused}。" in text
    assert "第 1 行：表头上方（标题）" in text and "第 8 行：合计行" in text  # left out, in words
    assert "新增 3 · 修改 0 · 离职 0 · 无变化 1 · 有错误 0" in text
    assert client.post(url + "/apply").status_code in (200, 303)
    found = employees(session)
    assert set(found) == {"JZ0033", "JZ0034", "JZ0035", "JZ0036"}  # one form; the old employee not doubled
    assert found["JZ0034"].kind.value == "contractor" and found["JZ0035"].kind.value == "temporary"
    assert found["JZ0036"].kind.value == "staff"
    assert people.find_employee(session, " jz0035 ").name == "新临时"  # the kiosk's number sign-in


def test_the_roster_template_is_a_workbook_the_import_reads(client, login, session, departments):
    from openpyxl import load_workbook

    login("hr", "admin")
    template = client.get("/admin/people/import/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    header = next(load_workbook(io.BytesIO(template.data)).active.iter_rows(values_only=True))
    assert header[:3] == ("工号", "姓名", "部门")
    _url, preview = preview_of(client, upload(client, template.data))
    assert "JZ0001" in preview.text and "新增" in preview.text
