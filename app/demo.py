"""A believable demo plant: departments and teams, ~200 people of all three kinds with cards, staff
accounts for every role, and a year of claims, awards and deductions made through the real operations,
so the result passes ``mart ledger verify`` like any live database."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import audit, claims, clock, hazards, kiosks, people, places, roster, rules, store, unit
from models.base import Base
from models.clock import utcnow
from models.rules import Rule, RuleKind
from models.settings import Setting

DEMO_PIN = "1234"
DEMO_KIOSK = "演示终端"

DEMO_STAFF = [
    # user, name, password, roles
    ("admin", "系统管理员", "admin-demo-1", ["admin"]),
    ("safety", "安全部 李明", "safety-demo-1", ["safety_officer"]),
    ("store", "积分管理员 王芳", "store-demo-1", ["storekeeper"]),
    ("super", "班组长 张伟", "super-demo-1", ["supervisor"]),
    ("audit", "审计 陈静", "audit-demo-1", ["auditor"]),
]

DEPARTMENTS = {
    "铸造车间": ["熔炼班", "造型班", "清理班"],
    "机加车间": ["车工班", "铣工班", "数控班"],
    "装配车间": ["总装一班", "总装二班"],
    "仓储物流部": ["仓库班", "叉车班"],
    "设备动力部": ["电工班", "维修班"],
    "安全环保部": ["安全组"],
}

# name, category, value in yuan: the seed's three kinds of goods, 5-500 yuan, across the three tiers.
GOODS = [
    ("香皂", "daily", 5),
    ("牙膏", "daily", 12),
    ("洗衣液", "daily", 25),
    ("抽纸（6包）", "daily", 18),
    ("毛巾（2条）", "daily", 20),
    ("洗发水", "daily", 35),
    ("食用油 5L", "daily", 75),
    ("大米 10kg", "daily", 60),
    ("保温杯", "daily", 45),
    ("雨伞", "daily", 40),
    ("电水壶", "daily", 120),
    ("床上四件套", "daily", 180),
    ("电饭煲", "daily", 260),
    ("空气炸锅", "daily", 350),
    ("劳保手套（10副）", "protective", 15),
    ("防尘口罩（20只）", "protective", 30),
    ("护目镜", "protective", 25),
    ("耳塞（50副）", "protective", 20),
    ("反光背心", "protective", 22),
    ("安全帽", "protective", 45),
    ("防砸劳保鞋", "protective", 160),
    ("防寒工作服", "protective", 220),
    ("焊工面罩", "protective", 90),
    ("急救包", "protective", 80),
    ("灭火器（家用）", "special", 95),
    ("烟雾报警器", "special", 70),
    ("应急手电", "special", 35),
    ("车载灭火器", "special", 120),
    ("安全知识读本", "special", 28),
    ("电影票（2张）", "special", 80),
    ("超市购物卡 100元", "special", 100),
    ("超市购物卡 200元", "special", 200),
    ("体检套餐", "special", 480),
    ("蓝牙耳机", "special", 300),
    ("运动手环", "special", 200),
    ("充电宝", "special", 110),
    ("书包", "special", 90),
    ("台灯", "special", 130),
    ("茶叶礼盒", "special", 150),
    ("月饼礼盒", "special", 120),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国文斌宇浩凯健俊帆"

DESCRIPTIONS = {
    "daily": ["班前检查佩戴安全帽和防护手套", "按规程停机挂牌后清理设备", "发现地面油污后主动报告并设置警示"],
    "training": ["参加季度三级安全教育培训", "通过特种作业安全考试", "在班前会上讲解有限空间作业安全"],
    "hazard": ["建议行车钢丝绳改为每周点检", "建议配电柜加装门锁报警", "建议在叉车通道增设凸面镜"],
    "emergency": ["消防演练中快速组织疏散", "及时关闭泄漏阀门处置险情"],
    "innovation": ["提出冲压设备双手按钮改造方案并被采纳"],
    "violation": ["作业时未佩戴护目镜", "未按规定办理动火作业票"],
    "accident": ["违章操作导致轻伤事故"],
}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def build_demo(session: Session, *, employees: int = 200, seed: int = 2026) -> str:
    rng = random.Random(seed)
    unit.bulk(session)  # one build, committed whole by the caller
    rules.seed_rules(session)
    staff = {}
    for username, name, password, roles in DEMO_STAFF:
        staff[username] = people.create_staff(session, username=username, name=name, password=password, roles=roles)
    teams = []
    for dept_name, team_names in DEPARTMENTS.items():
        dept = people.get_or_create_department(session, dept_name)
        teams += [people.get_or_create_team(session, dept, t) for t in team_names]
    kinds = [people.EmployeeKind.staff] * 7 + [people.EmployeeKind.contractor] * 2 + [people.EmployeeKind.temporary]
    workers = []
    for n in range(1, employees + 1):
        team = rng.choice(teams)
        kind = rng.choice(kinds)
        prefix = {"staff": "E", "contractor": "C", "temporary": "T"}[kind]
        employee = people.create_employee(
            session, number=f"{prefix}{n:05d}", name=_name(rng), department=team.department, team=team, kind=kind
        )
        people.issue_card(session, employee, people.CardKind.qr, actor="staff:admin")
        if n % 3 == 0:
            people.issue_card(
                session, employee, people.CardKind.rfid, actor="staff:admin", uid=f"{rng.getrandbits(32):08X}"
            )
        workers.append(employee)
    # Every demo employee has the PIN 1234. Hashing is slow on purpose (it resists guessing), so the demo
    # sets it properly once and gives everyone that same salted hash.
    people.set_pin(session, workers[0], DEMO_PIN)
    for employee in workers[1:]:
        employee.pin_hash = workers[0].pin_hash
    people.revoke_card(session, workers[0].cards[0], actor="staff:admin", reason="遗失")
    people.issue_card(session, workers[0], people.CardKind.qr, actor="staff:admin")
    roster.leave(session, workers[-1], actor="staff:admin")

    catalogue = {r.code: r for r in session.query(Rule).all()}
    # Hazards found come through the hazard loop (_plant_places), never as claims.
    earn = [r for r in catalogue.values() if r.kind is RuleKind.earn and not r.reports_hazard]
    weights = [{"daily": 40, "training": 25, "hazard": 20, "emergency": 8, "innovation": 2}[r.category] for r in earn]
    deduct = [r for r in catalogue.values() if r.kind is RuleKind.deduct and r.category == "violation"]
    today = clock.today()
    start = today - dt.timedelta(days=360)
    counts = {"credited": 0, "pending": 0, "notice": 0, "rejected": 0, "fraud": 0, "deducted": 0}

    goods = []
    for name, category, yuan in GOODS:
        item = store.save_goods(
            session, None, name=name, category=category, value_fen=yuan * 100, low_stock=3 if yuan >= 200 else 10
        )
        store.move_stock(
            session,
            item.id,
            rng.randint(2, 12) if yuan >= 200 else rng.randint(15, 120),
            reason="restock",
            actor=staff["store"].actor,
            note="首批入库",
        )
        goods.append(item)
    counts["redeemed"] = 0

    events: list[tuple[dt.date, people.Employee, Rule | None]] = []
    for employee in workers[:-1]:
        for _ in range(rng.randint(6, 24)):
            events.append((start + dt.timedelta(days=rng.randint(0, 359)), employee, rng.choices(earn, weights)[0]))
        if rng.random() < 0.25:
            events.append((start + dt.timedelta(days=rng.randint(30, 359)), employee, rng.choice(deduct)))
        for _ in range(rng.randint(0, 4)):  # visits to the store (None: a redemption)
            events.append((start + dt.timedelta(days=rng.randint(60, 359)), employee, None))
    events.sort(key=lambda e: e[0])

    officer, supervisor = staff["safety"].actor, staff["super"].actor
    for day, employee, rule in events:
        if rule is None:
            counts["redeemed"] += _visit_store(session, rng, employee, goods, day)
            continue
        points = rng.randint(rule.min_points, rule.max_points)
        source = (
            claims.ClaimSource.supervisor
            if rule.kind is RuleKind.deduct
            else rng.choice([claims.ClaimSource.employee, claims.ClaimSource.supervisor])
        )
        actor = supervisor if source is claims.ClaimSource.supervisor else f"employee:{employee.number}"
        claim = claims.submit_claim(
            session,
            employee=employee,
            rule=rule,
            points=points,
            source=source,
            actor=actor,
            description=rng.choice(DESCRIPTIONS[rule.category]),
            today=day,
        )
        age = (today - day).days
        if age < 3:
            counts["pending"] += 1
            continue
        reviewed = clock.to_utc(dt.datetime.combine(day + dt.timedelta(days=rng.randint(1, 3)), dt.time(10, 30)))
        if rng.random() < 0.06:
            claims.reject(session, claim, "描述与现场情况不符，请补充照片后重新申报", actor=officer)
            counts["rejected"] += 1
            continue
        claims.approve(session, claim, points, actor=officer, now=reviewed)
        assert claim.notice_until is not None  # set by the approval
        if claim.notice_until > utcnow():
            counts["notice"] += 1
            continue
        claims.credit_due_one(session, claim, now=claim.notice_until, actor="system")
        counts["deducted" if rule.kind is RuleKind.deduct else "credited"] += 1
    for item in goods:  # this month's restocking: nothing on the shelf stays empty
        if item.stock <= item.low_stock:
            store.move_stock(
                session, item.id, rng.randint(20, 60), reason="restock", actor=staff["store"].actor, note="月度补货"
            )
    kiosks.create_kiosk(session, DEMO_KIOSK)  # `mart run` prints a pairing code for it
    # Two false claims this month: the notice board lists them and those two cannot redeem this month.
    for employee in workers[10:12]:
        claim = claims.submit_claim(
            session,
            employee=employee,
            rule=catalogue["E02"],
            points=30,
            source=claims.ClaimSource.employee,
            actor=f"employee:{employee.number}",
            description="申报的险情处置经现场核实不存在",
            today=today,
        )
        claims.mark_fraud(session, claim, "现场核查不存在所报险情，照片为网络图片", actor=officer)
        counts["fraud"] += 1
    reports = _plant_places(session, rng, workers[:-1], staff)
    session.flush()
    _mark(session)
    return (
        f"{reports} "
        f"Demo plant: {len(DEPARTMENTS)} departments, {len(teams)} teams, {len(workers)} employees with cards, "
        f"{len(DEMO_STAFF)} staff accounts; claims: {counts['credited']} credited, {counts['deducted']} "
        f"deductions, {counts['notice']} in public notice, {counts['pending']} waiting for review, "
        f"{counts['rejected']} rejected, {counts['fraud']} false; {len(goods)} goods, {counts['redeemed']} redemptions."
    )


def _visit_store(session: Session, rng: random.Random, employee: people.Employee, goods: list, day: dt.date) -> int:
    """An employee spends some of their points on one or two things they can afford; 1 if they did."""
    balance = employee.balance
    affordable = [g for g in goods if g.stock and store.points_price(session, g) <= balance]
    if not affordable:
        return 0
    cart: dict[int, int] = {}
    for item in rng.sample(affordable, min(len(affordable), rng.choice((1, 1, 2)))):
        price = store.points_price(session, item)
        if price <= balance:
            cart[item.id] = 1
            balance -= price
    at = clock.to_utc(dt.datetime.combine(day, dt.time(12, rng.randint(0, 59))))  # lunchtime at the plant
    redemption = store.redeem(
        session, employee, cart, kiosk="kiosk:demo", request_key=secrets.token_urlsafe(16), pin=DEMO_PIN, at=at
    ).redemption
    if rng.random() < 0.9:
        store.hand_out(session, redemption, actor="staff:store")
    return 1


PLACES = {
    ("一号厂区", "yellow", ""): {
        ("冲压车间", "orange", "防护罩缺失或损坏\n急停按钮失效\n模具区无光幕保护"): [
            ("1号冲床", "red"),
            ("2号冲床", "red"),
            ("剪板机", "orange"),
        ],
        ("铸造车间", "orange", "高温作业无隔热防护\n粉尘超标\n吊具钢丝绳断股"): [
            ("中频熔炉", "red"),
            ("浇注区", "orange"),
        ],
        ("成品仓库", "blue", "货架超载\n叉车通道堆物\n消防通道堵塞"): [("叉车通道", "yellow")],
        ("配电室", "orange", "配电柜门锁损坏\n绝缘垫缺失"): [],
    }
}
HAZARD_TEXTS = {
    "act": ["有人未系安全带登高作业", "叉车驾驶员边开车边打电话", "动火作业未办理作业票"],
    "state": ["冲床左侧防护罩缺失，手可伸入模具区", "吊具钢丝绳断股", "急停按钮按下后设备未停"],
    "environment": ["地面油污未清理，易滑倒", "车间照明不足，通道昏暗", "粉尘较大，除尘器未开启"],
    "management": ["特种作业人员证书过期仍上岗", "新员工未经三级教育即上岗", "应急演练记录缺失"],
}


def _plant_places(session: Session, rng: random.Random, workers: list, staff: dict) -> str:
    """A plant of places with posters, and hazard reports at every step of the loop (some overdue)."""
    spots = []
    for (site, risk, checklist), areas in PLACES.items():
        top = places.save_place(session, None, name=site, risk=risk, checklist=checklist)
        for (area, area_risk, area_checklist), machines in areas.items():
            middle = places.save_place(
                session, None, name=area, risk=area_risk, parent_id=top.id, checklist=area_checklist
            )
            spots.append(middle)
            for name, machine_risk in machines:
                spots.append(
                    places.save_place(
                        session, None, name=name, risk=machine_risk, parent_id=middle.id, checklist=area_checklist
                    )
                )
    for spot in spots:
        spot.scans = rng.randint(3, 80)
    officer = staff["safety"].actor
    today = clock.today()
    steps = ["received", "received", "verified", "assigned", "assigned", "rectified", "closed", "closed", "closed"]
    made = 0
    for n in range(24):
        place = rng.choice(spots)
        category = rng.choice(list(HAZARD_TEXTS))
        anonymous = rng.random() < 0.25
        day = today - dt.timedelta(days=rng.randint(0, 40))
        receipt = hazards.report(
            session,
            place,
            category=category,
            description=rng.choice(HAZARD_TEXTS[category]),
            reporter=None if anonymous else rng.choice(workers),
            today=day,
        )
        hazard = receipt.hazard
        hazard.reported_at = clock.to_utc(dt.datetime.combine(day, dt.time(9, rng.randint(0, 59))))
        made += 1
        step = rng.choice(steps) if n > 1 else "received"
        if step == "received":
            continue
        if rng.random() < 0.12:
            hazards.verify(session, hazard, "not_hazard", actor=officer, note="现场核查为正常工况")
            continue
        grade = "major" if rng.random() < 0.15 else "general"
        hazards.verify(session, hazard, "valid", grade=grade, actor=officer, within_duties=rng.random() < 0.3)
        if step == "verified":
            continue
        major: dict[str, Any] = {
            "funds": "2万元",
            "contingency_plan": "停机挂牌，专人监护",
            "acceptance_standard": "验收合格",
        }
        hazards.assign(
            session,
            hazard,
            actor=officer,
            owner="super",
            measures="立即整改，落实防护措施",
            working_days=rng.randint(2, 10),
            today=day,
            **(major if grade == "major" else {}),
        )
        if step == "assigned":
            continue
        hazards.record_rectification(session, hazard, actor=staff["super"].actor, note="已按要求整改完毕")
        if step == "closed":
            hazards.reinspect(
                session,
                hazard,
                actor=officer,
                passed=True,
                note="整改措施落实到位，验收合格" if grade == "major" else "",
                accepted_by="安全部 王工、设备科 李工" if grade == "major" else "",
                accepted_on=clock.today(),
            )
    return f"{len(spots)} places with QR posters, {made} hazard reports."


# What the demo made, by the last row of each table a plant's own data would begin in: anything past these
# marks (a person, an account, a goods item, a place, a kiosk, a department) is the plant's, and `mart demo wipe`
# refuses. The mark is a row of the settings table that no setting reads.
MARK = "demo.plant"


def _marked_models() -> dict[str, Any]:
    return {
        "employees": people.Employee,
        "staff accounts": people.StaffUser,
        "departments": people.Department,
        "goods": store.Goods,
        "places": places.Place,
        "kiosks": kiosks.Kiosk,
    }


def _mark(session: Session) -> None:
    marks = {name: session.scalar(select(func.max(model.id))) or 0 for name, model in _marked_models().items()}
    session.merge(Setting(key=MARK, value=json.dumps(marks)))


def real_entries(session: Session) -> list[str]:
    """What in the database the demo did not make, in words ("3 employees"); None made means it is a demo's."""
    row = session.get(Setting, MARK)
    if row is None:
        return ["no demo plant was built into this database"]
    marks = json.loads(row.value)
    found = []
    for name, model in _marked_models().items():
        extra = session.scalar(select(func.count()).select_from(model).where(model.id > marks.get(name, 0)))
        if extra:
            found.append(f"{extra} {name}")
    return found


def _marks_text(session: Session) -> str:
    row = session.get(Setting, MARK)
    return row.value if row is not None else ""


def wipe(session: Session) -> None:
    """Delete every row of every table (children first); the caller migrates again, which puts back the rule
    catalogue, so the database is as a clean start finds it."""
    made = _marks_text(session)
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(table.delete())
    # The log starts again with the wipe itself, so whoever reads it later knows the demo came before.
    audit.note(session, "wipe", "demo", "", {"demo plant": made})
