"""A believable demo plant: departments and teams, ~200 people of all three kinds with cards, staff
accounts for every role, and a year of claims, awards and deductions made through the real operations,
so the result passes ``mart ledger verify`` like any live database."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy.orm import Session

from models import claims, people, rules
from models.base import local_today, utcnow
from models.rules import Rule, RuleKind

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

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国文斌宇浩凯健俊帆"

DESCRIPTIONS = {
    "daily": ["班前检查佩戴安全帽和防护手套", "按规程停机挂牌后清理设备", "发现地面油污后主动报告并设置警示"],
    "training": ["参加季度三级安全教育培训", "通过特种作业安全考试", "在班前会上讲解有限空间作业安全"],
    "hazard": ["发现行车钢丝绳断股", "发现配电柜门锁损坏", "建议在叉车通道增设凸面镜"],
    "emergency": ["消防演练中快速组织疏散", "及时关闭泄漏阀门处置险情"],
    "innovation": ["提出冲压设备双手按钮改造方案并被采纳"],
    "violation": ["作业时未佩戴护目镜", "未按规定办理动火作业票"],
    "accident": ["违章操作导致轻伤事故"],
}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def build_demo(session: Session, *, employees: int = 200, seed: int = 2026) -> str:
    rng = random.Random(seed)
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
    for employee in workers[:5]:  # hashing PINs is slow on purpose; a few are enough to try the PIN path
        people.set_pin(session, employee, "1234")
    people.revoke_card(session, workers[0].cards[0], actor="staff:admin", reason="遗失")
    people.issue_card(session, workers[0], people.CardKind.qr, actor="staff:admin")
    people.mark_left(session, workers[-1])

    catalogue = {r.code: r for r in session.query(Rule).all()}
    earn = [r for r in catalogue.values() if r.kind is RuleKind.earn]
    weights = [{"daily": 40, "training": 25, "hazard": 20, "emergency": 8, "innovation": 2}[r.category] for r in earn]
    deduct = [r for r in catalogue.values() if r.kind is RuleKind.deduct and r.category == "violation"]
    today = local_today()
    start = today - dt.timedelta(days=360)
    counts = {"credited": 0, "pending": 0, "notice": 0, "rejected": 0, "fraud": 0, "deducted": 0}

    events: list[tuple[dt.date, people.Employee, Rule]] = []
    for employee in workers[:-1]:
        for _ in range(rng.randint(6, 24)):
            events.append((start + dt.timedelta(days=rng.randint(0, 359)), employee, rng.choices(earn, weights)[0]))
        if rng.random() < 0.25:
            events.append((start + dt.timedelta(days=rng.randint(30, 359)), employee, rng.choice(deduct)))
    events.sort(key=lambda e: e[0])

    officer, supervisor = staff["safety"].actor, staff["super"].actor
    for day, employee, rule in events:
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
        reviewed = dt.datetime.combine(day + dt.timedelta(days=rng.randint(1, 3)), dt.time(2, 30))
        if rng.random() < 0.06:
            claims.reject(session, claim, "描述与现场情况不符，请补充照片后重新申报", actor=officer)
            counts["rejected"] += 1
            continue
        claims.approve(session, claim, points, actor=officer, now=reviewed)
        if claim.notice_until > utcnow():
            counts["notice"] += 1
            continue
        claims.credit_due_one(session, claim, now=claim.notice_until, actor="system")
        counts["deducted" if rule.kind is RuleKind.deduct else "credited"] += 1
    # Two false claims this month: the notice board lists them and those two cannot redeem this month.
    for employee in workers[10:12]:
        claim = claims.submit_claim(
            session,
            employee=employee,
            rule=catalogue["H01"],
            points=30,
            source=claims.ClaimSource.employee,
            actor=f"employee:{employee.number}",
            description="申报的隐患经现场核实不存在",
            today=today,
        )
        claims.mark_fraud(session, claim, "现场核查不存在所报隐患，照片为网络图片", actor=officer)
        counts["fraud"] += 1
    session.flush()
    return (
        f"Demo plant: {len(DEPARTMENTS)} departments, {len(teams)} teams, {len(workers)} employees with cards, "
        f"{len(DEMO_STAFF)} staff accounts; claims: {counts['credited']} credited, {counts['deducted']} "
        f"deductions, {counts['notice']} in public notice, {counts['pending']} waiting for review, "
        f"{counts['rejected']} rejected, {counts['fraud']} false."
    )
