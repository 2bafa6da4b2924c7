"""Statistics for the authorities: the figures of seed 001's quarterly forms and seed 004's monthly statistics,
and the product's own figures beside them.

Seed 001's form 2 (附件4, its note 3) asks for every figure **cumulative since 1 January**, as of the day the
officer files it (due before the 29th of the quarter's last month); form 1 (附件3, note 6) the same for the
hazards found by the enterprise's own checks and those rectified. Seed 004 asks month by month for the units
with the mechanism, the hazards found and reported, and the rewards paid. So a report is taken **as of a day**:
its year to that day for the forms, its month to that day for the monthly figures.

Decisions where the seeds are silent (README: "The authorities' figures"):

- 获得奖励人次 counts rewards for hazard reports only (a named reporter's reward when it is credited, an
  anonymous one's when it is put on its claim code); 兑现奖励资金 is their points in yuan by the points-per-yuan
  setting, in 万元 on the form.
- 自查隐患数量 counts the valid hazards the enterprise found itself (internal reports, self-checks, inspections;
  not the regulator's); 整改隐患数量 those of them closed (销号) by the day. 整改率 is closed / valid.
- A claim found false counts nowhere: its award is left out of every figure of what was earned (and of the
  yearly cap), counted only among the false claims.
- A deduction counts with its full points, also when the balance could not cover it; what could not be taken
  is shown beside.

Points figures come from ``ledger_tally`` (the ledger summed by the plant's day, written with each entry), so a
report costs the same with ten million entries as with ten thousand; hazards and claims are read directly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, ColumnElement, cast, func, select
from sqlalchemy.orm import Session

from . import clock
from .claims import Claim, ClaimStatus
from .errors import InvalidInput
from .hazards import Hazard, HazardCategory, HazardReward, HazardSource, HazardStatus, HazardVerdict
from .i18n import lazy_gettext as _l
from .ledger import EntryKind, LedgerEntry, LedgerTally
from .people import Department, Employee
from .rules import Rule, RuleKind
from .settings import all_settings, budget_of
from .store import UNDONE, MovementReason, Redemption, StockMovement


def as_of(args: Mapping[str, str], today: dt.date | None = None) -> dt.date:
    """The day a report is taken as of: ``on=2026-12-20``, or the last day of ``period=2026-11`` (a month) or
    ``period=2026-Q4`` (a quarter); never after today; empty means today."""
    today = today or clock.today()
    on, period = (args.get("on") or "").strip(), (args.get("period") or "").strip().upper()
    day: dt.date | None = None
    if on:
        try:
            day = dt.date.fromisoformat(on) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", on, flags=re.ASCII) else None
        except ValueError:
            day = None
        if day is None:
            raise InvalidInput(_l("A day is written like 2026-12-20."))
    elif match := re.fullmatch(r"(\d{4})-(\d{2})", period, flags=re.ASCII):
        year, month = int(match.group(1)), int(match.group(2))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            day = clock.next_month(dt.date(year, month, 1)) - dt.timedelta(days=1)
    elif match := re.fullmatch(r"(\d{4})-Q([1-4])", period, flags=re.ASCII):
        year, quarter = int(match.group(1)), int(match.group(2))
        if 2000 <= year <= 2100:
            day = clock.next_month(dt.date(year, 3 * quarter, 1)) - dt.timedelta(days=1)
    elif not period:
        day = today
    if day is None:
        raise InvalidInput(_l("A period is a month like 2026-11 or a quarter like 2026-Q4."))
    if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
        raise InvalidInput(_l("A day is written like 2026-12-20."))
    return min(day, today)


@dataclass
class Figures:
    """The figures of the plant's days ``first`` to ``last`` (both included)."""

    first: dt.date
    last: dt.date
    points_per_yuan: int
    # Hazards, by the day they were reported or entered
    # A hazard is one valid or still awaiting verification at the end of the last day; a report found not to be
    # a hazard, a duplicate or already known counts only in ``not_taken_up``.
    by_source: dict[str, int] = field(default_factory=dict)  # hazards, by source (发现和报告的事故隐患数量)
    reported: int = 0  # of them, internal reports (内部报告隐患数量)
    by_category: dict[str, int] = field(default_factory=dict)  # of the internal reports
    verified: int = 0  # valid hazards, of every source
    by_grade: dict[str, int] = field(default_factory=dict)  # of the valid ones
    not_taken_up: int = 0  # reports found not a hazard, duplicates, already known (by the day)
    closed: int = 0  # valid hazards closed (销号) by ``last``
    overdue: int = 0  # valid hazards past their deadline and not closed at ``last``
    self_found: int = 0  # valid hazards the enterprise found itself (all but the regulator's)
    self_closed: int = 0  # of those, closed by ``last``
    major_supervised: int = 0  # major hazards listed for supervision (挂牌督办)
    # Rewards for hazard reports (the forms' 兑现奖励资金 and 获得奖励人次)
    hazard_rewards: int = 0
    hazard_reward_points: int = 0
    # Points
    credited: int = 0  # every award credited, false claims left out
    awards: int = 0  # award entries, false claims left out
    deducted: int = 0  # deductions with their full points
    deductions: int = 0
    deducted_taken: int = 0  # what the balances could cover of them
    false_claims: int = 0  # claims found false in the period
    false_points: int = 0
    redemptions: int = 0
    redeemed: int = 0  # points spent on goods (cancelled and returned ones not counted)
    outstanding: int = 0  # points held by everyone at the end of ``last`` (a liability)
    bought_fen: int = 0  # goods restocked, at their purchase cost (what the budget pays for; models/money.py)
    budget_yuan: int = 0
    by_department: dict[str, dict[str, int]] = field(default_factory=dict)

    def yuan(self, points: int) -> float:
        return round(points / self.points_per_yuan, 2)

    def wan_yuan(self, points: int) -> float:
        """万元, as the forms ask, to four places (one yuan)."""
        return round(points / self.points_per_yuan / 10_000, 4)

    @property
    def rectification_rate(self) -> float:
        """Closed / valid, in %; 0 when there is nothing to close (the form has no blanks)."""
        return round(100 * self.closed / self.verified, 1) if self.verified else 0.0

    @property
    def budget_used(self) -> float | None:
        """What was bought, in % of the budget: the same definition as the money page's."""
        return round(self.bought_fen / self.budget_yuan, 1) if self.budget_yuan else None

    @property
    def deducted_uncovered(self) -> int:
        return self.deducted - self.deducted_taken


def _span(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return clock.day_start(first), clock.day_start(last + dt.timedelta(days=1))


def figures(session: Session, first: dt.date, last: dt.date) -> Figures:
    settings = all_settings(session)
    budget = budget_of(settings, last.year)
    found = Figures(first, last, settings["points_per_yuan"], budget_yuan=budget)
    start, end = _span(first, last)
    _hazard_figures(session, found, start, end)
    _reward_figures(session, found, start, end)
    _points_figures(session, found, start, end)
    bought = func.sum(cast(StockMovement.delta, BigInteger) * StockMovement.unit_cost_fen)  # past 2^31 fen
    found.bought_fen = int(
        session.scalar(
            select(func.coalesce(bought, 0)).where(
                StockMovement.reason == MovementReason.restock,
                StockMovement.unit_cost_fen.is_not(None),
                StockMovement.at >= start,
                StockMovement.at < end,
            )
        )
        or 0
    )
    return found


def _hazard_figures(session: Session, found: Figures, start: dt.datetime, end: dt.datetime) -> None:
    """Hazards by the day they were reported or entered, each as it stood at the end of the last day: a verdict
    given later is not known yet, so the report is still awaiting verification (a plant's year holds thousands:
    read one by one)."""
    rows = session.execute(
        select(
            Hazard.source,
            Hazard.category,
            Hazard.verdict,
            Hazard.verified_at,
            Hazard.grade,
            Hazard.supervised,
            Hazard.status,
            Hazard.closed_at,
            Hazard.deadline,
        ).where(Hazard.reported_at >= start, Hazard.reported_at < end)
    )
    for source, category, verdict, verified_at, grade, supervised, status, closed_at, deadline in rows:
        if verdict is not None and (verified_at is None or verified_at >= end):
            verdict = None  # verified after the day
        if verdict is not None and verdict != HazardVerdict.valid:
            found.not_taken_up += 1  # not a hazard, a duplicate, already known: no hazard to count
            continue
        # A hazard: valid, or still awaiting verification on the day
        found.by_source[source] = found.by_source.get(source, 0) + 1
        if source == HazardSource.report:
            found.reported += 1
            found.by_category[category] = found.by_category.get(category, 0) + 1
        if verdict is None:
            continue
        closed = status == HazardStatus.closed and closed_at is not None and closed_at < end
        found.verified += 1
        found.by_grade[grade or ""] = found.by_grade.get(grade or "", 0) + 1
        found.closed += closed
        found.overdue += bool(deadline is not None and deadline < found.last and not closed)  # as is_overdue()
        found.major_supervised += bool(supervised)
        if source != HazardSource.regulator:
            found.self_found += 1
            found.self_closed += closed


def _reward_figures(session: Session, found: Figures, start: dt.datetime, end: dt.datetime) -> None:
    named = session.execute(  # credited in the period, and not known to be false at its end
        select(func.count(), func.coalesce(func.sum(Claim.credited_points), 0)).where(
            Claim.origin.like("hazard:%"),
            Claim.credited_points > 0,
            (Claim.status == ClaimStatus.credited)
            | ((Claim.status == ClaimStatus.fraudulent) & (Claim.fraud_at >= end)),
            Claim.credited_at >= start,
            Claim.credited_at < end,
        )
    ).one()
    anonymous = session.execute(
        select(func.count(), func.coalesce(func.sum(Hazard.reward_points), 0)).where(
            Hazard.reward.in_((HazardReward.waiting, HazardReward.collected)),
            Hazard.verified_at >= start,
            Hazard.verified_at < end,
        )
    ).one()
    found.hazard_rewards = int(named[0] or 0) + int(anonymous[0] or 0)
    found.hazard_reward_points = int(named[1] or 0) + int(anonymous[1] or 0)
    false_credited = session.execute(
        select(func.count(), func.coalesce(func.sum(Claim.credited_points), 0)).where(*_false_credited(start, end))
    ).one()
    found.awards -= int(false_credited[0] or 0)
    found.credited -= int(false_credited[1] or 0)
    false_found = session.execute(
        select(
            func.count(), func.coalesce(func.sum(func.coalesce(Claim.approved_points, Claim.requested_points)), 0)
        ).where(Claim.status == ClaimStatus.fraudulent, Claim.fraud_at >= start, Claim.fraud_at < end)
    ).one()
    found.false_claims, found.false_points = int(false_found[0] or 0), int(false_found[1] or 0)
    deductions = (
        select(Claim.id, Claim.approved_points)
        .join(Rule, Claim.rule_id == Rule.id)
        .where(
            Rule.kind == RuleKind.deduct,
            Claim.status == ClaimStatus.credited,
            Claim.credited_at >= start,
            Claim.credited_at < end,
        )
        .subquery()
    )
    counted = session.execute(
        select(func.count(), func.coalesce(func.sum(deductions.c.approved_points), 0)).select_from(deductions)
    ).one()
    # What the balances covered of them by the end of the day: their deduction entries so far (the part taken
    # at once, and what was owed and taken from later awards before the day ended).
    taken = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0))
        .join(deductions, LedgerEntry.ref_id == deductions.c.id)
        .where(LedgerEntry.ref_type == "claim", LedgerEntry.kind == EntryKind.deduction, LedgerEntry.created_at < end)
    )
    found.deductions, found.deducted = int(counted[0] or 0), int(counted[1] or 0)
    found.deducted_taken = -int(taken or 0)


def _false_credited(start: dt.datetime, end: dt.datetime) -> tuple[ColumnElement[bool], ...]:
    """Claims credited in the period and found false by its end: their points are left out of what was earned.
    One found false later was not known to be false on the day, and a report of that day stays as it was filed."""
    return (
        Claim.status == ClaimStatus.fraudulent,
        Claim.credited_points > 0,
        Claim.credited_at >= start,
        Claim.credited_at < end,
        Claim.fraud_at < end,
    )


def _points_figures(session: Session, found: Figures, start: dt.datetime, end: dt.datetime) -> None:
    first, after = found.first, found.last + dt.timedelta(days=1)
    names = dict(session.execute(select(Department.id, Department.name)).all())
    per_department: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = session.execute(
        select(LedgerTally.department_id, LedgerTally.kind, func.sum(LedgerTally.entries), func.sum(LedgerTally.points))
        .where(LedgerTally.day >= first, LedgerTally.day < after)
        .group_by(LedgerTally.department_id, LedgerTally.kind)
    ).all()
    entries: dict[str, int] = defaultdict(int)
    points: dict[str, int] = defaultdict(int)
    for department_id, kind, n, total in rows:
        entries[kind] += int(n or 0)
        points[kind] += int(total or 0)
        per_department[names.get(department_id, "—")][kind] += int(total or 0)
    found.awards += entries[EntryKind.award]
    found.credited += points[EntryKind.award]
    # Redemptions by their own day and what became of them: one cancelled in a later month leaves its month,
    # instead of its refund landing in the later one (the tally keeps the ledger's view, by day of entry).
    kept = session.execute(
        select(LedgerEntry.department_id, func.count(), func.coalesce(func.sum(Redemption.points), 0))
        .select_from(Redemption)
        .outerjoin(  # the department its points were taken under (none for a claim code's redemption)
            LedgerEntry,
            (LedgerEntry.ref_type == "redemption")
            & (LedgerEntry.ref_id == Redemption.id)
            & (LedgerEntry.kind == EntryKind.redemption),
        )
        .where(Redemption.status.not_in(UNDONE), Redemption.created_at >= start, Redemption.created_at < end)
        .group_by(LedgerEntry.department_id)
    ).all()
    found.redemptions = sum(int(n or 0) for _dept, n, _points in kept)
    found.redeemed = sum(int(points or 0) for _dept, _n, points in kept)
    redeemed_by = {dept: int(points or 0) for dept, _n, points in kept if dept is not None}
    held = int(session.scalar(select(func.coalesce(func.sum(Employee.balance), 0))) or 0)
    since = int(
        session.scalar(select(func.coalesce(func.sum(LedgerTally.points), 0)).where(LedgerTally.day >= after)) or 0
    )
    found.outstanding = held - since
    for department_id, false_points in session.execute(
        select(LedgerEntry.department_id, func.sum(LedgerEntry.amount))  # the department the award was tallied in
        .join(Claim, LedgerEntry.ref_id == Claim.id)
        .where(LedgerEntry.ref_type == "claim", LedgerEntry.kind == EntryKind.award, *_false_credited(start, end))
        .group_by(LedgerEntry.department_id)
    ):
        per_department[names.get(department_id, "—")][EntryKind.award] -= int(false_points or 0)
    redeemed = {names.get(dept, "—"): points for dept, points in redeemed_by.items()}
    for name in redeemed:
        per_department.setdefault(name, defaultdict(int))  # a department whose people only redeemed
    found.by_department = {
        name: {
            "credited": by_kind[EntryKind.award],
            "deducted": -by_kind[EntryKind.deduction],
            "redeemed": redeemed.get(name, 0),
        }
        for name, by_kind in sorted(per_department.items())
    }


@dataclass(frozen=True)
class Report:
    """A report as of a day: the year to that day (the forms) and the month to that day (seed 004)."""

    on: dt.date
    year: Figures
    month: Figures
    mechanism: bool  # the internal hazard-report reward mechanism is in place (a reward is set)


def report(session: Session, on: dt.date) -> Report:
    settings = all_settings(session)
    mechanism = bool(settings["hazard_reward_general"] or settings["hazard_reward_major"])
    return Report(
        on,
        figures(session, dt.date(on.year, 1, 1), on),
        figures(session, on.replace(day=1), on),
        mechanism,
    )


@dataclass(frozen=True)
class MonthSeries:
    months: list[str]  # 2026-01 ... 2026-12
    credited: list[int]
    redeemed: list[int]
    hazards: dict[str, list[int]]  # category: reported each month
    major: list[int]  # valid major hazards each month
    rectification: list[float | None]  # % of each month's valid hazards closed by now


def monthly_series(session: Session, year: int, until: dt.date | None = None) -> MonthSeries:
    """A year month by month, for the charts, as it stood at the end of ``until`` (default: the year's end):
    points from the day tally, hazards from their table (a report found no hazard is not one)."""
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    credited, redeemed = [0] * 12, [0] * 12
    last = min(until or dt.date(year, 12, 31), dt.date(year, 12, 31))
    start, end = clock.day_start(dt.date(year, 1, 1)), clock.day_start(last + dt.timedelta(days=1))
    rows = session.execute(
        select(LedgerTally.day, func.sum(LedgerTally.points))
        .where(LedgerTally.day >= dt.date(year, 1, 1), LedgerTally.day <= last, LedgerTally.kind == EntryKind.award)
        .group_by(LedgerTally.day)
    ).all()
    for day, total in rows:
        credited[day.month - 1] += int(total or 0)
    for made, spent in session.execute(
        select(Redemption.created_at, Redemption.points).where(
            Redemption.status.not_in(UNDONE), Redemption.created_at >= start, Redemption.created_at < end
        )
    ):
        redeemed[clock.local_day(made).month - 1] += int(spent or 0)
    for at, points in session.execute(
        select(Claim.credited_at, Claim.credited_points).where(*_false_credited(start, end))
    ):
        if at is not None:
            credited[clock.local_day(at).month - 1] -= int(points or 0)
    hazards_by: dict[str, list[int]] = {c.value: [0] * 12 for c in HazardCategory}
    major, totals, closed = [0] * 12, [0] * 12, [0] * 12
    for at, category, verdict, verified_at, grade, status, closed_at in session.execute(
        select(
            Hazard.reported_at,
            Hazard.category,
            Hazard.verdict,
            Hazard.verified_at,
            Hazard.grade,
            Hazard.status,
            Hazard.closed_at,
        ).where(Hazard.reported_at >= start, Hazard.reported_at < end, Hazard.source == HazardSource.report)
    ):
        if verdict is not None and (verified_at is None or verified_at >= end):
            verdict = None  # not verified yet on the day
        if verdict is not None and verdict != HazardVerdict.valid:
            continue  # not a hazard, a duplicate, already known
        month = clock.local_day(at).month - 1
        hazards_by.setdefault(category, [0] * 12)[month] += 1
        if verdict == HazardVerdict.valid:
            totals[month] += 1
            major[month] += grade == "major"
            closed[month] += status == HazardStatus.closed and closed_at is not None and closed_at < end
    rate = [None if not total else round(100 * done / total, 1) for total, done in zip(totals, closed, strict=True)]
    return MonthSeries(months, credited, redeemed, hazards_by, major, rate)


def year_totals(session: Session, year: int) -> dict[str, int]:
    """Points by kind in ``year`` (the dashboard's figures), from the day tally."""
    rows = session.execute(
        select(LedgerTally.kind, func.sum(LedgerTally.points))
        .where(LedgerTally.day >= dt.date(year, 1, 1), LedgerTally.day < dt.date(year + 1, 1, 1))
        .group_by(LedgerTally.kind)
    ).all()
    totals = {str(kind): int(total or 0) for kind, total in rows}
    start, end = clock.year(year)
    false = int(
        session.scalar(
            select(func.coalesce(func.sum(Claim.credited_points), 0)).where(
                Claim.status == ClaimStatus.fraudulent, Claim.credited_at >= start, Claim.credited_at < end
            )
        )
        or 0
    )
    totals[EntryKind.award] = totals.get(EntryKind.award, 0) - false
    return totals
