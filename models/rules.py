"""The rule catalogue: what earns points and what loses them, with the range a reviewer may grant.

Seeded from the earning table of seed 000 (三(一)1) and its negative list (三(三)2: violations and
accident responsibility are deducted "by the items and standards"; the seed leaves the values to the
enterprise, so the deductions below are defaults to edit). A rule is edited in place or retired; neither
touches history, because ledger entries and claims keep their own copy of what was granted and why.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, DateTime, Enum, Integer, String, false, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, LabelledEnum
from .clock import utcnow
from .errors import InvalidInput, OutOfRange, RuleRetired
from .i18n import lazy_gettext as _l


class RuleKind(enum.StrEnum):
    earn = "earn"
    deduct = "deduct"


class RuleCategory(LabelledEnum):
    daily = "daily", _l("Daily safe behaviour")
    training = "training", _l("Safety training")
    hazard = "hazard", _l("Hazard finding and rectification")
    emergency = "emergency", _l("Emergency response")
    innovation = "innovation", _l("Safety innovation")
    violation = "violation", _l("Violation")
    accident = "accident", _l("Accident responsibility")


class Rule(Base):
    __tablename__ = "rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[RuleKind] = mapped_column(Enum(RuleKind, native_enum=False, length=8))
    category: Mapped[RuleCategory] = mapped_column(Enum(RuleCategory, native_enum=False, length=16))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500), default="")
    # Points are always positive here; a deduct rule takes them away.
    min_points: Mapped[int] = mapped_column(Integer)
    max_points: Mapped[int] = mapped_column(Integer)
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Finding a hazard: a claim under this rule goes through the hazard loop (verified, graded, rewarded once,
    # by the hazard reward settings), never straight to review.
    reports_hazard: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def active(self) -> bool:
        return self.retired_at is None

    @property
    def range_text(self) -> str:
        sign = "-" if self.kind is RuleKind.deduct else "+"
        return f"{sign}{self.min_points}–{self.max_points}"

    def check_value(self, points: int) -> None:
        if not self.min_points <= points <= self.max_points:
            raise OutOfRange(
                _l("%(rule)s allows %(min)s to %(max)s points, not %(points)s."),
                rule=self.name,
                min=self.min_points,
                max=self.max_points,
                points=points,
            )

    def ensure_active(self) -> None:
        if not self.active:
            raise RuleRetired()


# code, kind, category, name, description, min, max
SEED_RULES: list[tuple[str, RuleKind, RuleCategory, str, str, int, int]] = [
    ("D01", RuleKind.earn, RuleCategory.daily, "正确佩戴劳动防护用品", "Wears protective equipment correctly", 1, 5),
    ("D02", RuleKind.earn, RuleCategory.daily, "规范操作设备", "Operates equipment by the procedure", 1, 5),
    ("D03", RuleKind.earn, RuleCategory.daily, "主动报告隐患", "Reports a hazard on their own initiative", 1, 5),
    ("T01", RuleKind.earn, RuleCategory.training, "参与安全培训", "Takes part in safety training", 5, 20),
    ("T02", RuleKind.earn, RuleCategory.training, "通过安全考核", "Passes a safety examination", 5, 20),
    ("T03", RuleKind.earn, RuleCategory.training, "担任安全宣讲员", "Serves as a safety speaker", 5, 20),
    ("H01", RuleKind.earn, RuleCategory.hazard, "发现一般隐患", "Finds a general hazard", 10, 50),
    ("H02", RuleKind.earn, RuleCategory.hazard, "发现重大隐患", "Finds a major hazard", 10, 50),
    ("H03", RuleKind.earn, RuleCategory.hazard, "提出有效整改建议", "Proposes an effective rectification", 10, 50),
    ("E01", RuleKind.earn, RuleCategory.emergency, "应急演练表现突出", "Stands out in an emergency drill", 20, 100),
    (
        "E02",
        RuleKind.earn,
        RuleCategory.emergency,
        "成功处置险情",
        "Successfully handles a dangerous situation",
        20,
        100,
    ),
    (
        "I01",
        RuleKind.earn,
        RuleCategory.innovation,
        "安全管理改进方案被采纳",
        "A safety improvement is adopted",
        50,
        200,
    ),
    (
        "V01",
        RuleKind.deduct,
        RuleCategory.violation,
        "未正确佩戴劳动防护用品",
        "Protective equipment missing or misused",
        2,
        10,
    ),
    (
        "V02",
        RuleKind.deduct,
        RuleCategory.violation,
        "违章作业、违反操作规程",
        "Works against the rules or procedure",
        5,
        30,
    ),
    (
        "V03",
        RuleKind.deduct,
        RuleCategory.violation,
        "违章指挥或强令冒险作业",
        "Orders unsafe or unauthorised work",
        10,
        50,
    ),
    (
        "A01",
        RuleKind.deduct,
        RuleCategory.accident,
        "负有一般事故责任",
        "Bears responsibility for an accident",
        20,
        100,
    ),
    (
        "A02",
        RuleKind.deduct,
        RuleCategory.accident,
        "负有较大及以上事故责任",
        "Bears responsibility for a serious accident",
        100,
        500,
    ),
]

# The seed's rules for finding and reporting a hazard: their claims go through the hazard loop.
HAZARD_FINDING = frozenset({"D03", "H01", "H02"})


def seed_rules(session: Session) -> int:
    """Add the seed's rules that are not there yet (by code); returns how many were added."""
    have = set(session.scalars(select(Rule.code)))
    added = 0
    for code, kind, category, name, description, low, high in SEED_RULES:
        if code not in have:
            session.add(
                Rule(
                    code=code,
                    kind=kind,
                    category=category,
                    name=name,
                    description=description,
                    min_points=low,
                    max_points=high,
                    reports_hazard=code in HAZARD_FINDING,
                )
            )
            added += 1
    session.flush()
    return added


def save_rule(
    session: Session,
    rule: Rule | None,
    *,
    code: str,
    kind: str,
    category: str,
    name: str,
    description: str,
    min_points: int,
    max_points: int,
    reports_hazard: bool = False,
) -> Rule:
    """Create a rule (``rule`` is None) or edit one. Claims already decided keep their values."""
    code, name = code.strip().upper(), name.strip()
    try:
        kind_, category_ = RuleKind(kind), RuleCategory(category)
    except ValueError:
        raise InvalidInput(_l("Unknown kind or category of rule.")) from None
    if not code or len(code) > 32 or not name:
        raise InvalidInput(_l("A rule needs a code (up to 32 characters) and a name."))
    if not 0 < min_points <= max_points <= 100_000:
        raise InvalidInput(_l("A range runs from a positive minimum up to a maximum no smaller than it."))
    if reports_hazard and kind_ is RuleKind.deduct:
        raise InvalidInput(_l("Only a rule that earns points can reward finding a hazard."))
    clash = session.scalar(select(Rule.id).where(Rule.code == code))
    if clash is not None and (rule is None or clash != rule.id):
        raise InvalidInput(_l("Rule code %(code)s is already taken."), code=code)
    if rule is None:
        rule = Rule(code=code, kind=kind_)
        session.add(rule)
    rule.code, rule.kind, rule.category, rule.name = code, kind_, category_, name
    rule.description, rule.min_points, rule.max_points = description.strip()[:500], min_points, max_points
    rule.reports_hazard = bool(reports_hazard)
    rule.updated_at = utcnow()
    session.flush()
    return rule


def retire_rule(session: Session, rule: Rule) -> None:
    if rule.retired_at is None:
        rule.retired_at = utcnow()
        session.flush()


def restore_rule(session: Session, rule: Rule) -> None:
    rule.retired_at = None
    session.flush()


def active_rules(session: Session, kind: RuleKind | None = None) -> list[Rule]:
    """Rules in use, grouped by category in the order of the seed's table, then by code."""
    query = select(Rule).where(Rule.retired_at.is_(None))
    if kind is not None:
        query = query.where(Rule.kind == kind)
    order = list(RuleCategory)
    return sorted(session.scalars(query), key=lambda rule: (order.index(rule.category), rule.code))


def spot_rule(session: Session, rule_id: int) -> Rule:
    """One of the rules a supervisor may give on the spot (``spot_rules``); any other is refused."""
    for rule in spot_rules(session):
        if rule.id == rule_id:
            return rule
    raise InvalidInput(_l("Choose a rule and give the points."))


def spot_rules(session: Session) -> list[Rule]:
    """What a supervisor may give on the spot: daily safe behaviour, and the deductions of the negative list
    (training, hazards and the rest come with their evidence through the review queue; a hazard found goes
    through the hazard loop, also when it is a daily rule like D03)."""
    return [
        r
        for r in active_rules(session)
        if (r.kind is RuleKind.earn and r.category == RuleCategory.daily and not r.reports_hazard)
        or r.kind is RuleKind.deduct
    ]
