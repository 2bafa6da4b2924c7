"""A plant's first day through the HTTP routes, from an empty database to its own first redemption.

The safety office creates the first account on the server, sets the address for phones and the scheme's
numbers, imports the roster as HR made it (a title row, a total row, 用工性质 with HR's own words, numbers in
mixed case), adds the staff accounts, issues everyone a card in one go, brings the paper ledger's balances
over, files the foundry's training as one event award, stocks the shelf, adds a place and pairs the kiosk;
an employee then chooses a PIN with their card and redeems, the same day. The checklist ticks itself along
the way. Each form post a person makes is counted (``steps``), as the first day's length by hand.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from models import claims, clock, golive, people, rules
from tests.images import post_multipart
from tests.sheets import workbook

ROSTER = [
    ("某某机械厂员工花名册（2026年12月）",),
    ("工号", "姓名", "部门", "班组", "用工性质", "身份证号"),
    *[(f"jz{n:04}", f"铸造{n}", "铸造车间", "一班", "正式工", "") for n in range(1, 9)],
    *[(f"JZ{n:04}", f"机修{n}", "机修车间", "", "劳务派遣", "") for n in range(9, 12)],
    ("Jz0012", "临时一", "仓储部", "", "实习", ""),
    ("合计", "12 人", None, None, None, None),
]


def test_the_first_day_from_an_empty_database(app, client, runner, session):
    steps = 0

    def post(url, **kwargs):
        nonlocal steps
        steps += 1
        return client.post(url, **kwargs)

    made = runner.invoke(args=["staff", "add", "chief", "--role", "admin", "--password", "first-day-1"])
    assert made.exit_code == 0, made.output
    assert post("/login", data={"username": "chief", "password": "first-day-1"}).status_code == 303
    assert "已完成 0 / 10 步" in client.get("/admin/").text

    for key, value in (
        ("public_url", "http://192.168.10.5"),
        ("enterprise_name", "某某机械厂"),
        ("yearly_cap", "1200"),
    ):
        assert post(f"/admin/settings/{key}", data={"value": value}).status_code == 200

    # The roster as HR made it: departments added from the preview, then applied.
    steps += 1
    uploaded = post_multipart(client, "/admin/people/import", {}, [("roster", "花名册.xlsx", workbook(ROSTER))])
    preview = uploaded.headers["Location"]
    page = client.get(preview).text
    assert "身份证号" in page and "合计" in page  # an unused column warned of, the total row left out
    assert post(f"{preview}/departments").status_code == 303
    assert post(f"{preview}/apply").status_code == 303
    kinds = {e.number: e.kind.value for e in session.scalars(select(people.Employee))}
    assert len(kinds) == 12 and kinds["JZ0001"] == "staff" and kinds["JZ0009"] == "contractor"
    assert kinds["JZ0012"] == "temporary"

    for username, role in (("safety", "safety_officer"), ("store", "storekeeper")):
        data = {"username": username, "name": username, "password": "password-123", "roles": role}
        assert post("/admin/staff", data=data).status_code == 303
    assert post("/admin/people/cards").status_code == 303  # a card for all twelve in one go
    steps += 1
    sheet = client.get("/admin/people/cards.pdf?status=active")
    assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"

    steps += 1
    balances = workbook(
        [("工号", "姓名", "积分", "备注"), ("jz0001", "铸造1", 300, "纸质台账结转"), ("JZ0009", "机修9", 50, None)]
    )
    opening = post_multipart(client, "/admin/people/opening", {}, [("sheet", "期初.xlsx", balances)])
    assert post(f"{opening.headers['Location']}/apply").status_code == 303

    # The week's training for the foundry: one filing, one review; the notice runs before it is credited.
    foundry = session.scalars(select(people.Department).where(people.Department.name == "铸造车间")).one()
    training = session.scalars(select(rules.Rule).where(rules.Rule.code == "T01")).one()
    event = {"title": "岗前安全培训", "rule_id": training.id, "points": 10, "held_on": clock.today().isoformat()}
    # The safety officer files it on their own screen; the administrator reviews it (who files does not review).
    officer = app.test_client()
    steps += 1
    assert officer.post("/login", data={"username": "safety", "password": "password-123"}).status_code == 303
    steps += 1
    filed = officer.post("/admin/events/new", data={**event, "departments": foundry.id})
    assert filed.status_code == 303 and post(f"{filed.headers['Location']}/approve").status_code == 303
    assert session.scalar(select(func.count()).select_from(claims.Claim)) == 8

    created = post(
        "/admin/goods", data={"name": "洗衣液", "category": "daily", "value": "20", "low_stock": "5", "active": "1"}
    )
    goods_id = int(re.search(r"/admin/goods/(\d+)", created.headers["Location"]).group(1))
    assert (
        post(f"/admin/goods/{goods_id}/stock", data={"kind": "restock", "quantity": "30", "note": "首批"}).status_code
        == 303
    )
    assert post("/admin/places", data={"name": "铸造车间", "risk": "red"}).status_code == 303
    code = re.search(r"：([A-Z0-9-]{6,})", post("/admin/kiosks", data={"name": "一号终端"}).text).group(1)
    session.expire_all()
    done = {step.key: step.done for step in golive.checklist(session)}
    assert [key for key, ok in done.items() if not ok] == ["pins", "kiosk"]

    # At the counter: the kiosk paired, the first employee chooses a PIN with their card and redeems.
    counter = app.test_client()
    steps += 1
    assert counter.post("/kiosk/pair", data={"code": code}).status_code == 303
    zhang = session.scalars(select(people.Employee).where(people.Employee.number == "JZ0001")).one()
    card = next(c for c in zhang.cards if c.active)
    screen = counter.post("/kiosk/scan", data={"code": card.code})
    assert "300" in screen.text and "选择我的 PIN" in screen.text
    assert counter.post("/kiosk/pin/new", data={"pin": "2580", "again": "2580"}).status_code == 303
    assert counter.post("/kiosk/cart", data={"goods_id": goods_id, "delta": 1}).status_code == 200
    key = re.search(r'name="request_key" value="([^"]+)"', counter.get("/kiosk/confirm").text).group(1)
    slip = counter.post("/kiosk/confirm", data={"request_key": key, "pin": "2580"})
    assert slip.status_code == 200 and "DH-" in slip.text
    session.expire_all()
    assert session.get(people.Employee, zhang.id).balance == 300 - 100  # 20 yuan at 5 points a yuan (the default)
    # Every step is done; the eleven without a PIN choose theirs at their first scan (the default setting).
    assert "上线准备" not in client.get("/admin/").text
    print(f"\nfirst day by hand: {steps} form posts and uploads")
    assert steps <= 22
