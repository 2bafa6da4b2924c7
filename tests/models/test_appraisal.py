"""Results for appraisal worked out by hand for a small department: 冲压车间 with three people, and one person of
another department who must not count in it."""

from __future__ import annotations

import datetime as dt

from models import appraisal, claims, clock, hazards, ledger, people, places, store


def _credited(session, employee, rule, points):
    made = claims.submit_claim(
        session, employee=employee, rule=rule, points=points, description="事项", source="office", actor="staff:office"
    )
    claims.approve(session, made, points, actor="staff:leader")
    claims.credit_due_one(session, made, actor="system", now=clock.utcnow())
    return made


def test_a_small_department_worked_out_by_hand(session, make_employee, make_goods, rule):
    a = make_employee(name="甲", number="P001", department="冲压车间")
    b = make_employee(name="乙", number="P002", department="冲压车间")
    c = make_employee(name="丙", number="P003", department="冲压车间")
    d = make_employee(name="丁", number="W001", department="仓储部")
    press = places.save_place(session, None, name="冲压车间", risk="orange")
    # 甲: training 10, daily behaviour 2, a major hazard reported and verified (its reward 50), a deduction of 5,
    # and one redemption of 10 points.
    _credited(session, a, rule("T01"), 10)
    _credited(session, a, rule("D01"), 2)
    _credited(session, a, rule("V01"), 5)
    found = hazards.report(session, press, category="state", description="冲床护罩缺失", reporter=a).hazard
    hazards.verify(session, found, "valid", grade="major", actor="staff:leader")
    found.reward_claim.notice_until = clock.utcnow() - dt.timedelta(seconds=1)  # its notice over
    claims.credit_due_one(session, found.reward_claim, actor="system", now=clock.utcnow())
    soap = make_goods("肥皂", 5, price=10)
    store.redeem(session, a, {soap.id: 1}, kiosk="test", request_key="a" * 20)
    # 乙: 15 for training, credited and then found false; one claim rejected; one report that was no hazard.
    cheat = _credited(session, b, rule("T01"), 15)
    claims.mark_fraud(session, cheat, "无签到", actor="staff:leader")
    refused = claims.submit_claim(
        session, employee=b, rule=rule("D02"), points=3, description="x", source="employee", actor="employee:P002"
    )
    claims.reject(session, refused, "不符", actor="staff:leader")
    nothing = hazards.report(session, press, category="act", description="误报", reporter=b).hazard
    hazards.verify(session, nothing, "not_hazard", note="现场无此问题", actor="staff:leader")
    # 丙: 20 points given outside any claim (a go-live award); 丁, of another department: 3 for behaviour.
    ledger.award(session, c.id, 20, actor="staff:admin", memo="上线奖励")
    _credited(session, d, rule("D02"), 3)
    session.commit()

    today = clock.today()
    stamping = session.query(people.Department).filter_by(name="冲压车间").one()
    found = appraisal.results(session, today.replace(month=1, day=1), today, stamping.id)
    rows = {p.employee.name: p for p in found.people}
    assert set(rows) == {"甲", "乙", "丙"}
    first = rows["甲"]
    assert first.earned_by == {"training": 10, "daily": 2, "hazard": 50}
    assert (first.earned, first.deducted, first.kept) == (62, 5, 57)
    assert (first.reported, first.verified, first.major) == (1, 1, 1)
    assert (first.redemptions, first.redeemed_points, first.rank) == (1, 10, 1)
    second = rows["乙"]
    assert (second.earned, second.kept, second.false, second.rejected) == (0, 0, 1, 1)
    assert (second.reported, second.verified, second.rank) == (1, 0, 3)
    third = rows["丙"]
    assert (third.earned_by, third.kept, third.rank) == ({"other": 20}, 20, 2)
    [department] = found.departments
    assert (department.name, department.total("kept"), department.per_head, department.rank) == (
        "冲压车间",
        77,
        25.7,
        1,
    )
    # Everyone: 丁 ranks after 丙 and before 乙; the department of 丁 keeps 3 per head, after 冲压车间.
    everyone = appraisal.results(session, today.replace(month=1, day=1), today)
    assert [p.employee.name for p in everyone.people] == ["甲", "丙", "丁", "乙"]
    assert [(x.name, x.rank) for x in everyone.departments] == [("冲压车间", 1), ("仓储部", 2)]
    # A period before any of it: nothing earned by anyone.
    before = appraisal.results(session, dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert all(p.kept == 0 and p.reported == 0 for p in before.people)


def test_the_page_the_excel_and_a_department_head_s_own_view(client, session, make_employee, login):
    import io

    from openpyxl import load_workbook

    own = make_employee(name="冲压主任", number="P100", department="冲压车间")
    make_employee(name="仓储甲", number="W100", department="仓储部")
    ledger.award(session, own.id, 7, actor="staff:admin", memo="x")
    people.create_staff(
        session, username="head", name="主任", password="password-123", roles=["supervisor"], employee=own
    )
    session.commit()
    login("look", "auditor")
    page = client.get("/admin/appraisal").text
    assert "冲压主任" in page and "仓储甲" in page
    sheet = client.get("/admin/appraisal.xlsx")
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.data)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][1:4] == ("P100", "冲压主任", "冲压车间") and rows[1][0] == 1
    for bad in ("first=2026-02-30", "first=2026-05-01&last=2026-01-01", "first=x", "first=0001-01-01"):
        assert client.get(f"/admin/appraisal?{bad}").status_code == 400, bad
    assert client.post("/login", data={"username": "head", "password": "password-123"}).status_code == 303
    mine = client.get("/admin/appraisal?department=999").text  # asking for another department changes nothing
    assert "冲压主任" in mine and "仓储甲" not in mine
    rows = list(
        load_workbook(io.BytesIO(client.get("/admin/appraisal.xlsx").data)).worksheets[0].iter_rows(values_only=True)
    )
    assert [r[2] for r in rows[1:]] == ["冲压主任"]
