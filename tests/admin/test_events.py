"""Awards for an event: one filing for a department's training, reviewed once, in notice once, credited to each
within their cap, each history naming the event."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from models import claims, ledger, people
from models.claims import Claim, ClaimStatus
from models.settings import set_setting
from tests.images import post_multipart
from tests.sheets import workbook


def _key(response) -> str:
    assert response.status_code == 303, response.text[:400]
    return re.search(r"/admin/events/([0-9a-f]+)$", response.headers["Location"]).group(1)


def _form(rule, **extra):
    from models import clock

    today = clock.today().isoformat()
    return {"title": "新《安全生产法》宣贯培训", "rule_id": str(rule.id), "points": "10", "held_on": today, **extra}


def test_a_department_s_training_is_filed_reviewed_noticed_and_credited_once(
    client, login, session, make_employee, rule
):
    casting = [make_employee(name=f"铸{n}", number=f"EV{n:03}", department="铸造车间") for n in range(5)]
    make_employee(name="机修", number="EV900", department="机修车间")
    near_cap = casting[0]
    set_setting(session, "yearly_cap", 100)
    ledger.award(session, near_cap.id, 95, actor="system", memo="此前")
    session.commit()
    department = people.get_or_create_department(session, "铸造车间")
    login("safety", "safety_officer")
    key = _key(client.post("/admin/events/new", data=_form(rule("T01"), departments=str(department.id))))
    assert session.scalar(select(func.count()).select_from(Claim)) == 5  # one claim each, the 机修 worker not
    review = client.get("/admin/claims?tab=review").text
    assert "新《安全生产法》宣贯培训" in review and "5 人" in review
    login("leader", "safety_officer")  # who filed it does not review it
    assert client.post(f"/admin/events/{key}/approve").status_code == 303
    session.expire_all()
    filed = session.scalars(select(Claim)).all()
    assert {c.status for c in filed} == {ClaimStatus.approved} and len({c.notice_until for c in filed}) == 1
    assert client.post(f"/admin/events/{key}/approve").status_code == 400  # nothing left to review
    board = client.get("/board").text
    assert board.count("新《安全生产法》宣贯培训") == 1 and "铸0、铸1、铸2" in board and "每人" in board  # one line
    outcomes = claims.credit_due(session, now=filed[0].notice_until)
    session.commit()
    assert len(outcomes) == 5
    session.expire_all()
    balances = {e.number: e.balance for e in session.scalars(select(people.Employee))}
    assert balances["EV000"] == 100 and balances["EV001"] == 10 and balances["EV900"] == 0  # the cap trims one
    memo = session.scalars(select(ledger.LedgerEntry.memo).where(ledger.LedgerEntry.employee_id == casting[1].id)).one()
    assert memo == "参与安全培训：新《安全生产法》宣贯培训（" + filed[0].description.split("（")[1]
    page = client.get(f"/admin/events/{key}").text
    assert "已入账" in page or "credited" in page


def test_an_attendance_sheet_names_who_came(client, login, session, make_employee, rule):
    for n in range(3):
        make_employee(name=f"学员{n}", number=f"AT{n:03}")
    sheet = workbook(
        [("考勤表",), ("序号", "工号", "姓名"), (1, "at000", "学员0"), (2, "AT002 ", "学员2"), ("合计", 2)]
    )
    login("safety", "safety_officer")
    sent = post_multipart(
        client, "/admin/events/new", _form(rule("T02"), title="安全考核"), [("attendance", "考勤.xlsx", sheet)]
    )
    _key(sent)
    session.expire_all()
    assert sorted(c.employee.number for c in session.scalars(select(Claim))) == ["AT000", "AT002"]


def test_bad_input_comes_back_filled_and_files_nothing(client, login, session, make_employee, rule):
    make_employee(name="甲", number="BD001", department="铸造车间")
    department = people.get_or_create_department(session, "铸造车间")
    session.commit()
    login("safety", "safety_officer")
    dep = str(department.id)
    for form, words in (
        (_form(rule("T01"), points="999", departments=dep), "10"),  # outside the rule's range
        (_form(rule("T01"), points="abc", departments=dep), "整数"),
        (_form(rule("T01")), "部门"),  # nobody chosen
        (_form(rule("T01"), title=" ", departments=dep), ""),
        (_form(rule("T01"), held_on="2999-01-01", departments=dep), ""),
        (_form(rule("T01"), held_on="昨天", departments=dep), "YYYY-MM-DD"),
        (_form(rule("V02"), departments=dep), ""),  # a deduction is no event award
        (_form(rule("T01"), departments="99999999999999"), ""),
        ({**_form(rule("T01"), departments=dep), "title": "<b>培训</b>\x00"}, ""),
    ):
        refused = client.post("/admin/events/new", data=form)
        assert 400 <= refused.status_code < 500 and words in refused.text, (form, refused.status_code)
    assert session.scalar(select(func.count()).select_from(Claim)) == 0
    sheet = post_multipart(client, "/admin/events/new", _form(rule("T01")), [("attendance", "a.xlsx", b"not excel")])
    assert sheet.status_code == 400
    assert client.get("/admin/events/nope").status_code == 404


def test_who_files_and_who_reviews(client, login, session, make_employee, rule):
    make_employee(name="甲", number="RL001", department="铸造车间")
    department = people.get_or_create_department(session, "铸造车间")
    session.commit()
    login("look", "auditor")
    assert client.post("/admin/events/new", data=_form(rule("T01"), departments=str(department.id))).status_code == 403
    client.post("/logout")
    login("boss", "supervisor")
    key = _key(client.post("/admin/events/new", data=_form(rule("T01"), departments=str(department.id))))
    assert client.post(f"/admin/events/{key}/approve").status_code == 403  # a supervisor files, the office reviews
    assert client.post(f"/admin/events/{key}/reject", data={"reason": "x"}).status_code == 403
    assert "<b>" not in client.get(f"/admin/events/{key}").text


def test_departments_and_a_team_add_up_and_an_event_is_filed_once(client, login, session, make_employee, rule):
    foundry_workers = [make_employee(name=f"铸{n}", number=f"DT{n:03}", department="铸造车间") for n in range(3)]
    fitter = make_employee(name="机修一班", number="DT900", department="机修车间")
    repair = people.get_or_create_department(session, "机修车间")
    team = people.get_or_create_team(session, repair, "一班")
    fitter.team = team
    session.commit()
    foundry = people.get_or_create_department(session, "铸造车间")
    login("safety", "safety_officer")
    form = _form(rule("T01"), departments=str(foundry.id), team=str(team.id))
    _key(client.post("/admin/events/new", data=form))
    session.expire_all()
    assert sorted(c.employee.number for c in session.scalars(select(Claim))) == sorted(
        [w.number for w in foundry_workers] + ["DT900"]
    )
    again = client.post("/admin/events/new", data=form)  # a second tap: the whole group is not paid twice
    assert again.status_code == 400 and "已提交" in again.text
    assert client.post("/admin/events/new", data=_form(rule("T01"), team="99999")).status_code == 400
    assert session.scalar(select(func.count()).select_from(Claim)) == 4


def test_the_kiosk_panel_shows_an_event_as_one_line(app, client, login, session, make_employee, rule):
    for n in range(10):
        make_employee(name=f"员{n}", number=f"KP{n:03}", department="铸造车间")
    foundry = people.get_or_create_department(session, "铸造车间")
    session.commit()
    login("safety", "safety_officer")
    key = _key(client.post("/admin/events/new", data=_form(rule("T01"), departments=str(foundry.id))))
    login("leader", "safety_officer")
    client.post(f"/admin/events/{key}/approve")
    panel = client.get("/board/panel").text
    assert panel.count("新《安全生产法》宣贯培训") == 1 and "另有 4 人" in panel


def test_a_supervisor_files_their_own_department_s_event_without_their_own_claim(
    client, login, session, make_employee, rule
):
    """A supervisor on the roster files the training of their own department: everyone else's claim is filed, their
    own is left out (nobody awards themselves) and the page says so; filing for nobody but themselves is refused.
    A reviewer whose own claim in an event was already decided still reviews what waits."""
    team = [make_employee(name=f"冲{n}", number=f"SV{n:03}", department="冲压车间") for n in range(3)]
    department = people.get_or_create_department(session, "冲压车间")
    boss = login("boss", "supervisor")
    boss.employee_id = team[0].id
    session.commit()
    filed = client.post("/admin/events/new", data=_form(rule("T01"), departments=str(department.id)))
    key = _key(filed)
    mine = session.scalars(select(Claim).where(Claim.origin == "event:" + key)).all()
    assert sorted(c.employee.number for c in mine) == ["SV001", "SV002"]
    assert "您本人的申报未列入此次活动：请在兑换终端或手机上自行申报" in client.get(filed.headers["Location"]).text
    sheet = workbook([("工号", "姓名"), ("SV000", "冲0")])  # an attendance sheet of the supervisor alone
    alone = post_multipart(client, "/admin/events/new", _form(rule("T02")), [("attendance", "考勤.xlsx", sheet)])
    assert alone.status_code == 400 and "不能给自己奖励积分" in alone.text
    # An officer who is 冲2: their claim rejected by someone else, they review the rest.
    officer = login("officer", "safety_officer")
    officer.employee_id = team[2].id
    session.commit()
    theirs = next(c for c in mine if c.employee_id == team[2].id)
    claims.reject(session, theirs, "未到场", actor="staff:leader")
    session.commit()
    page = client.get(f"/admin/events/{key}").text
    assert f"/admin/events/{key}/approve" in page
    assert client.post(f"/admin/events/{key}/approve").status_code == 303
