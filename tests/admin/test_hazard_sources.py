"""Hazards from every source in one ledger: staff enter reports taken by telephone, on paper or in person and
hazards found by checks; a claim for finding a hazard goes through the loop; the ledger's Excel read back."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import claims, clock, hazards, kiosks, rules
from models.hazards import Hazard, HazardAcceptance
from tests.kiosk.test_shop import scan_in


def _rectified_major(session, hazard, officer, measures: str, note: str):
    """A hazard verified as major, assigned with its funds, plan and standard, and its rectification recorded."""
    hazards.verify(session, hazard, "valid", grade="major", actor=officer.actor, note="属实")
    hazards.assign(
        session,
        hazard,
        actor=officer.actor,
        owner="officer",
        measures=measures,
        working_days=10,
        funds="500元",
        contingency_plan="现场监护",
        acceptance_standard="验收标准",
    )
    # recorded by a second officer on the spot: who closes it is not who recorded it
    hazards.record_rectification(session, hazard, actor="staff:second", officer=True, note=note)
    return hazard


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(Hazard))


def test_staff_enter_hazards_from_every_source(client, session, login, make_employee, press):
    worker = make_employee(name="王五", number="E77001")
    login("officer", "safety_officer")
    assert "登记隐患" in client.get("/admin/hazards").text
    base = {"place": press.id, "category": "state", "description": "护栏缺失"}
    by_phone = client.post("/admin/hazards/new", data={**base, "how": "telephone", "reporter": "E77001"})
    assert by_phone.status_code == 201, by_phone.text
    paper = client.post("/admin/hazards/new", data={**base, "how": "paper", "anonymous": "1"})
    assert paper.status_code == 201
    code = re.search(r'<p class="code">([A-Z0-9-]+)</p>', paper.text).group(1)
    check = client.post(
        "/admin/hazards/new", data={**base, "how": "self_check", "found_by": "车间周检", "department": ""}
    )
    regulator = client.post("/admin/hazards/new", data={**base, "how": "regulator", "found_by": "县应急管理局"})
    assert check.status_code == regulator.status_code == 201
    rows = session.scalars(select(Hazard).order_by(Hazard.id)).all()
    assert [(h.source, h.channel, h.reporter_id, h.found_by) for h in rows] == [
        ("report", "telephone", worker.id, None),
        ("report", "paper", None, None),
        ("self_check", None, None, "车间周检"),
        ("regulator", None, None, "县应急管理局"),
    ]
    assert all(re.fullmatch(r"YH-\d{4}-\d{6}", h.number) for h in rows)  # one numbering
    assert rows[1].anonymous and not rows[2].anonymous and rows[0].entered_by == "staff:officer"
    assert rows[1].claim_code_hash == hazards._hash(hazards.normalise_code(code))  # the code handed over works
    # Verified valid: the named report is rewarded through its claim, the anonymous one on its code; the
    # hazards found by checks earn nobody a reward.
    for hazard in rows:
        hazards.verify(session, hazard, "valid", grade="general", actor="staff:officer")
    session.commit()
    assert [h.reward.value for h in rows] == ["claim", "waiting", "none", "none"]
    detail = client.get(f"/admin/hazards/{rows[2].id}").text
    assert "车间周检" in detail and "staff:officer" not in detail
    # The anonymous report taken on paper is the reporter's, not the officer's: its first step reads anonymous,
    # entered by the officer.
    reported = rows[1].events[0]
    assert (reported.action, reported.actor) == (hazards.HazardAction.reported, hazards.ANONYMOUS)
    paper_page = client.get(f"/admin/hazards/{rows[1].id}").text
    assert "报告 · 匿名 (由 officer 登记)" in paper_page


@pytest.mark.parametrize(
    "form",
    [
        {"how": "telephone", "reporter": "NOBODY"},
        {"how": "self_check", "found_by": ""},
        {"how": "report", "found_by": "x"},
        {"how": "mail", "found_by": "x"},
        {"how": "telephone", "anonymous": "1", "category": "ghost"},
        {"how": "regulator", "found_by": "局\x00"},
        {"how": "inspection", "found_by": "组", "department": "99999999999"},
        {"how": "inspection", "found_by": "组", "place": "0"},
    ],
)
def test_a_bad_entry_is_refused_and_keeps_what_was_typed(client, session, login, press, form):
    login("officer", "safety_officer")
    data = {"place": press.id, "category": "state", "description": "<b>护栏</b>缺失", **form}
    refused = client.post("/admin/hazards/new", data=data)
    assert 400 <= refused.status_code < 500, refused.status_code
    assert _count(session) == 0
    if not any("\x00" in value for value in form.values()):  # a NUL is refused before any form is read
        assert "&lt;b&gt;护栏&lt;/b&gt;缺失" in refused.text  # kept, and never markup


def test_a_reader_cannot_enter_a_hazard(client, session, login, press):
    login("look", "auditor")
    assert client.get("/admin/hazards/new").status_code == 403
    denied = client.post("/admin/hazards/new", data={"place": press.id, "how": "self_check", "found_by": "x"})
    assert denied.status_code == 403 and _count(session) == 0


def test_a_kiosk_claim_for_finding_a_hazard_goes_through_the_loop_once(client, session, make_employee, rule, press):
    _kiosk, code = kiosks.create_kiosk(session, "一号终端", printer_uri="dummy://")
    session.commit()
    assert client.post("/kiosk/pair", data={"code": code}).status_code == 303
    worker = make_employee(name="赵六")
    scan_in(client, session, worker)
    major = rule("H02")
    sent = client.post(
        "/kiosk/claim",
        data={"rule_id": major.id, "points": 50, "description": "配电箱门敞开", "category": "state"},
    )
    assert sent.status_code == 303
    hazard = session.scalars(select(Hazard)).one()
    assert (hazard.reporter_id, hazard.channel, hazard.status) == (worker.id, "kiosk", "received")
    assert session.scalar(select(func.count()).select_from(claims.Claim)) == 0  # no claim skips the loop
    again = client.post(
        "/kiosk/claim",
        data={"rule_id": major.id, "points": 50, "description": "同一隐患", "hazard_number": hazard.number},
    )
    assert again.status_code == 409 and _count(session) == 1
    hazards.verify(session, hazard, "valid", grade="major", actor="staff:officer")
    session.commit()
    assert session.scalar(select(func.count()).select_from(claims.Claim)) == 1  # the one reward, by verification
    other = make_employee(name="钱七")
    scan_in(client, session, other)
    theirs = client.post(
        "/kiosk/claim",
        data={"rule_id": rule("H01").id, "points": 20, "description": "我也看到", "hazard_number": hazard.number},
    )
    assert theirs.status_code == 409 and "首位报告人" in theirs.text
    rules.retire_rule(session, rule("H01"))
    session.commit()
    retired = client.post(
        "/kiosk/claim", data={"rule_id": rule("H01").id, "points": 20, "description": "新隐患", "category": "act"}
    )
    assert 400 <= retired.status_code < 500 and _count(session) == 1
    # A claim of another kind is still a claim.
    daily = client.post("/kiosk/claim", data={"rule_id": rule("D01").id, "points": 3, "description": "佩戴"})
    assert daily.status_code == 303 and session.scalar(select(func.count()).select_from(claims.Claim)) == 2


def test_every_rule_for_finding_a_hazard_goes_through_the_loop(
    client, session, login, make_employee, make_claim, rule, press
):
    """The seed's D03 (主动报告隐患, a daily rule) and a rule the enterprise marks for finding a hazard go
    through the hazard ledger like H01 and H02; no path files them as plain claims."""
    assert {r.code for r in session.scalars(select(rules.Rule).where(rules.Rule.reports_hazard))} == {
        "D03",
        "H01",
        "H02",
    }
    assert "D03" not in {r.code for r in rules.spot_rules(session)}  # no on-the-spot award for a hazard found
    officer = login("officer", "safety_officer")
    worker = make_employee(name="孙八", number="E08008")
    saved = client.post(
        "/admin/rules/new",
        data={
            "code": "H09",
            "kind": "earn",
            "category": "hazard",
            "name": "发现消防隐患",
            "description": "",
            "min_points": 5,
            "max_points": 30,
            "reports_hazard": "y",
        },
    )
    assert saved.status_code == 303 and rule("H09").reports_hazard
    assert "经隐患台账" in client.get("/admin/rules").text  # the catalogue says which rules go through the ledger
    for code in ("D03", "H09"):
        sent = client.post(
            "/admin/claims/new",
            data={
                "employee_number": "E08008",
                "rule_id": rule(code).id,
                "points": 5,
                "description": f"{code} 隐患",
                "category": "state",
            },
        )
        assert sent.status_code == 303 and "/admin/hazards/" in sent.headers["Location"], code
    found = session.scalars(select(Hazard).order_by(Hazard.id)).all()
    assert [(h.reporter_id, h.channel, h.description) for h in found] == [
        (worker.id, "office", "D03 隐患"),
        (worker.id, "office", "H09 隐患"),
    ]
    assert session.scalar(select(func.count()).select_from(claims.Claim)) == 0  # no claim skipped the loop
    with pytest.raises(claims.InvalidInput):  # nor can one be filed by any other path
        make_claim(worker, "D03", 3, "直接申报", source="supervisor", actor=officer.actor)
    deduct = client.post(
        "/admin/rules/new",
        data={
            "code": "V09",
            "kind": "deduct",
            "category": "violation",
            "name": "隐患不报",
            "min_points": 1,
            "max_points": 5,
            "reports_hazard": "y",
        },
    )
    assert deduct.status_code == 400 and session.scalar(select(rules.Rule).where(rules.Rule.code == "V09")) is None


def test_a_major_hazard_closes_on_its_acceptance_a_record_of_its_own(client, session, login, press, make_staff):
    officer = login("officer", "safety_officer")
    hazard = hazards.record_found(
        session,
        press,
        source="inspection",
        category="state",
        description="压力容器超期未检",
        found_by="集团检查",
        entered_by=officer.actor,
    )
    _rectified_major(session, hazard, officer, "停用送检", "已送检合格")
    session.commit()
    url = f"/admin/hazards/{hazard.id}/reinspect"
    assert client.post(url, data={"passed": "1", "note": "合格"}).status_code == 400  # who accepted it?
    today = clock.today()
    late = client.post(url, data={"passed": "1", "note": "合格", "accepted_by": "王工", "accepted_on": "2999-01-01"})
    assert late.status_code == 400 and session.get(Hazard, hazard.id).status == "rectified"
    done = client.post(
        url, data={"passed": "1", "note": "检验合格，同意销号", "accepted_by": "王工、李工", "accepted_on": today}
    )
    assert done.status_code == 303
    accepted = session.scalars(select(HazardAcceptance)).one()
    assert (accepted.accepted_by, accepted.accepted_on, accepted.standard, accepted.conclusion) == (
        "王工、李工",
        today,
        "验收标准",
        "检验合格，同意销号",
    )
    major = client.post(f"/admin/hazards/{hazard.id}/major", data={"supervised": "1", "reported_on": today})
    assert major.status_code == 303
    session.expire_all()
    assert session.get(Hazard, hazard.id).supervised and session.get(Hazard, hazard.id).regulator_reported_on == today
    future = client.post(f"/admin/hazards/{hazard.id}/major", data={"reported_on": "2999-01-01"})
    assert future.status_code == 400


def test_the_hazard_ledger_read_back_column_by_column(client, session, login, make_employee, press, tmp_path):
    from admin.hazards import LEDGER_COLUMNS

    officer = login("officer", "safety_officer")
    worker = make_employee(name="孙八", department="冲压车间")
    reported = hazards.report(
        session,
        press,
        category="act",
        description="未戴安全帽",
        reporter=worker,
        photos=[],
        channel="telephone",
        entered_by=officer.actor,
    ).hazard
    _rectified_major(session, reported, officer, "班前教育", "已教育")
    hazards.reinspect(
        session,
        reported,
        actor=officer.actor,
        passed=True,
        note="抽查合格",
        accepted_by="安全部 周工",
        accepted_on=clock.today(),
    )
    hazards.record_major(session, reported, actor=officer.actor, supervised=True, reported_on=clock.today())
    claims.credit_due(session, now=clock.utcnow() + dt.timedelta(days=10))
    session.commit()
    export = client.get("/admin/hazards/ledger.xlsx")
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    assert len(rows[0]) == len(LEDGER_COLUMNS) == 35
    row = dict(zip(rows[0], rows[1], strict=True))
    session.refresh(reported)
    expected = {
        0: reported.number,
        1: "内部报告",
        2: "电话报告",
        4: f"孙八 ({worker.number})",
        5: "冲压车间",
        7: press.path,
        8: "未戴安全帽",
        9: "人的不安全行为",
        10: "重大隐患",
        11: "officer",
        13: "属实 属实",  # the verdict, then the officer's note
        15: "officer",
        16: "班前教育",
        17: "500元",
        19: "现场监护",
        20: "验收标准",
        21: "是",
        23: "已教育",
        25: "安全部 周工",
        27: "抽查合格",
        29: 50,
        30: 10.0,
        31: "已计入",
    }
    headers = [str(h) for h in rows[0]]
    for n, value in expected.items():
        assert row[headers[n]] == value, (headers[n], row[headers[n]], value)
    assert row[headers[3]] == clock.to_local(reported.reported_at).replace(tzinfo=None)
    assert row[headers[18]].date() == reported.deadline and row[headers[22]].date() == clock.today()
    for n in (12, 24, 28, 32):  # verified, rectified, closed, reward paid: times at the plant
        assert isinstance(row[headers[n]], dt.datetime), headers[n]


def test_the_hazard_ledger_shows_the_reward_as_credited(client, session, login, make_employee, press):
    """The ledger's reward is what reached the reporter: trimmed by the yearly cap, nothing for a claim found
    false, nothing yet while in public notice."""
    from admin.hazards import LEDGER_COLUMNS
    from models import ledger
    from models.settings import set_setting

    officer = login("officer", "safety_officer")
    set_setting(session, "yearly_cap", 30)
    capped, cheat, waiting = (make_employee(name=n) for n in ("周一", "吴二", "郑三"))
    ledger.award(session, capped.id, 25, actor="test", memo="日常")  # 5 left under the cap
    found = {}
    for worker in (capped, cheat, waiting):
        hazard = hazards.report(session, press, category="state", description="护栏松动", reporter=worker).hazard
        hazards.verify(session, hazard, "valid", grade="general", actor=officer.actor)
        found[worker.id] = hazard
    notice_over = clock.utcnow() + dt.timedelta(days=10)
    for worker in (capped, cheat):
        claims.credit_due_one(session, found[worker.id].reward_claim, actor="system", now=notice_over)
    claims.mark_fraud(session, found[cheat.id].reward_claim, "照片为网络图片", actor=officer.actor)
    session.commit()
    rows = list(
        load_workbook(io.BytesIO(client.get("/admin/hazards/ledger.xlsx").data)).active.iter_rows(values_only=True)
    )
    reward, state = 29, 31
    assert (rows[0][reward], rows[0][state]) == ("奖励（积分）", "奖励状态") and len(rows[0]) == len(LEDGER_COLUMNS)
    by_number = {row[0]: row for row in rows[1:]}
    assert found[capped.id].reward_points == 20  # the reward as set ...
    assert by_number[found[capped.id].number][reward] == 5  # ... and the 5 the yearly cap let through
    assert (by_number[found[cheat.id].number][reward], by_number[found[cheat.id].number][state]) == (0, "虚假积分")
    assert (by_number[found[waiting.id].number][reward], by_number[found[waiting.id].number][state]) == (0, "公示中")
