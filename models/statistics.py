"""Statistics for the authorities: a month or a quarter of hazards, rewards, redemptions and points.

The figures follow seed 001 (quarterly form 2, "建立事故隐患内部报告奖励机制": hazards reported internally,
verified, rectified, the rectification rate, overdue; persons rewarded and the reward paid) and seed 004
(monthly statistics). Yuan values are points divided by the points-per-yuan setting. Periods are the plant's
calendar months and quarters; timestamps are stored in UTC and converted at the period's edges.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from . import clock
from .errors import InvalidInput
from .hazards import Hazard, HazardCategory, HazardGrade, HazardSource, HazardVerdict
from .i18n import lazy_gettext as _l
from .ledger import EntryKind, LedgerEntry
from .settings import all_settings
from .store import UNDONE, Redemption


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day
    end: dt.date  # the day after the last
    label: str  # 2026-11 or 2026-Q4

    @property
    def quarterly(self) -> bool:
        return "Q" in self.label


def parse_period(text: str | None, today: dt.date | None = None) -> Period:
    """``2026-11`` (a month) or ``2026-Q4`` (a quarter); empty means this month."""
    today = today or clock.today()
    text = (text or f"{today:%Y-%m}").strip().upper()
    if match := re.fullmatch(r"(\d{4})-(\d{2})", text, flags=re.ASCII):
        year, month = int(match.group(1)), int(match.group(2))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            start = dt.date(year, month, 1)
            return Period(start, (start + dt.timedelta(days=32)).replace(day=1), text)
    if match := re.fullmatch(r"(\d{4})-Q([1-4])", text, flags=re.ASCII):
        year, quarter = int(match.group(1)), int(match.group(2))
        if 2000 <= year <= 2100:
            start = dt.date(year, 3 * quarter - 2, 1)
            end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
            return Period(start, end, text)
    raise InvalidInput(_l("A period is a month like 2026-11 or a quarter like 2026-Q4."))


@dataclass
class Figures:
    period: Period
    points_per_yuan: int
    reported: int = 0  # hazards reported internally in the period
    by_category: dict[str, int] = field(default_factory=dict)
    by_grade: dict[str, int] = field(default_factory=dict)  # of the valid ones; "" not graded yet
    verified: int = 0  # of those, found valid
    not_taken_up: int = 0
    rectified: int = 0  # of the valid ones, rectified before the period's end
    overdue: int = 0  # of the valid ones, past their deadline and not rectified at the period's end
    rewarded_times: int = 0  # 人次: award entries
    rewarded_people: int = 0
    credited: int = 0  # points awarded
    deducted: int = 0
    redemptions: int = 0
    redeemed: int = 0  # points spent on goods (cancelled redemptions not counted)
    redeemed_year: int = 0  # from 1 January to the period's end
    budget_yuan: int = 0
    outstanding: int = 0  # points held by everyone at the period's end

    def yuan(self, points: int) -> float:
        return round(points / self.points_per_yuan, 2)

    @property
    def rectification_rate(self) -> float | None:
        return None if not self.verified else round(100 * self.rectified / self.verified, 1)

    @property
    def budget_used(self) -> float | None:
        return None if not self.budget_yuan else round(100 * self.yuan(self.redeemed_year) / self.budget_yuan, 1)


def _figure(session: Session, query: Any) -> int:
    """A count or a sum; none is 0."""
    return int(session.scalar(query) or 0)


def figures(session: Session, period: Period, today: dt.date | None = None) -> Figures:
    today = today or clock.today()
    settings = all_settings(session)
    found = Figures(period, settings["points_per_yuan"], budget_yuan=settings["year_budget_yuan"])
    start, end = clock.day_start(period.start), clock.day_start(period.end)
    cutoff = min(period.end, today + dt.timedelta(days=1))  # "at the period's end", or now for the current one
    in_period = (Hazard.reported_at >= start, Hazard.reported_at < end, Hazard.source == HazardSource.report)
    for category, n in session.execute(
        select(Hazard.category, func.count()).where(*in_period).group_by(Hazard.category)
    ):
        found.by_category[category] = n
    found.reported = sum(found.by_category.values())
    valid = (*in_period, Hazard.verdict == HazardVerdict.valid)
    for grade, n in session.execute(select(Hazard.grade, func.count()).where(*valid).group_by(Hazard.grade)):
        found.by_grade[grade or ""] = n
    found.verified = sum(found.by_grade.values())
    found.not_taken_up = _figure(
        session,
        select(func.count()).where(*in_period, Hazard.verdict.is_not(None), Hazard.verdict != HazardVerdict.valid),
    )
    done_by = clock.day_start(cutoff)
    found.rectified = _figure(
        session, select(func.count()).where(*valid, Hazard.rectified_at.is_not(None), Hazard.rectified_at < done_by)
    )
    found.overdue = _figure(
        session,
        select(func.count()).where(
            *valid,
            Hazard.deadline < cutoff,
            (Hazard.rectified_at.is_(None)) | (Hazard.rectified_at >= done_by),
        ),
    )
    in_ledger = (LedgerEntry.created_at >= start, LedgerEntry.created_at < end)
    awards = session.execute(
        select(
            func.count(),
            func.count(func.distinct(LedgerEntry.employee_id)),
            func.coalesce(func.sum(LedgerEntry.amount), 0),
        ).where(*in_ledger, LedgerEntry.kind == EntryKind.award)
    ).one()
    found.rewarded_times, found.rewarded_people, found.credited = awards[0], awards[1], int(awards[2])
    found.deducted = -int(
        _figure(
            session,
            select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                *in_ledger, LedgerEntry.kind == EntryKind.deduction
            ),
        )
    )
    kept = Redemption.status.not_in(UNDONE)
    spent = session.execute(
        select(func.count(), func.coalesce(func.sum(Redemption.points), 0)).where(
            Redemption.created_at >= start, Redemption.created_at < end, kept
        )
    ).one()
    found.redemptions, found.redeemed = spent[0], int(spent[1])
    found.redeemed_year = int(
        _figure(
            session,
            select(func.coalesce(func.sum(Redemption.points), 0)).where(
                Redemption.created_at >= clock.day_start(dt.date(period.start.year, 1, 1)),
                Redemption.created_at < end,
                kept,
            ),
        )
    )
    found.outstanding = int(
        _figure(
            session,
            select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                LedgerEntry.created_at < clock.day_start(cutoff)
            ),
        )
    )
    return found


@dataclass(frozen=True)
class MonthSeries:
    months: list[str]  # 2026-01 ... 2026-12
    credited: list[int]
    redeemed: list[int]
    hazards: dict[str, list[int]]  # category: reported each month
    major: list[int]  # valid major hazards each month
    rectification: list[float | None]  # % of each month's valid hazards rectified by now


def monthly_series(session: Session, year: int) -> MonthSeries:
    """A year month by month, for the charts (twelve months in a handful of grouped queries)."""
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    edges = [clock.day_start(dt.date(year, m, 1)) for m in range(1, 13)] + [clock.day_start(dt.date(year + 1, 1, 1))]

    def month_of(column: Any) -> Any:
        return case(*[(column < edges[m + 1], m) for m in range(12)], else_=12)

    def per_month(rows: Iterable[Any]) -> list[int]:
        values = [0] * 12
        for month, n in rows:
            if 0 <= month < 12:
                values[month] += int(n or 0)
        return values

    # One range sum a month: each is read from a covering index, cheaper than sorting a year's rows into months.
    credited = [
        int(
            _figure(
                session,
                select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                    LedgerEntry.kind == EntryKind.award,
                    LedgerEntry.created_at >= edges[m],
                    LedgerEntry.created_at < edges[m + 1],
                ),
            )
        )
        for m in range(12)
    ]
    redeemed = [
        int(
            _figure(
                session,
                select(func.coalesce(func.sum(Redemption.points), 0)).where(
                    Redemption.created_at >= edges[m],
                    Redemption.created_at < edges[m + 1],
                    Redemption.status.not_in(UNDONE),
                ),
            )
        )
        for m in range(12)
    ]
    hazard_month = month_of(Hazard.reported_at)
    reported = (Hazard.reported_at >= edges[0], Hazard.reported_at < edges[12], Hazard.source == HazardSource.report)
    by_category: dict[str, list[int]] = {c.value: [0] * 12 for c in HazardCategory}
    counted: Iterable[Any] = session.execute(
        select(hazard_month, Hazard.category, func.count()).where(*reported).group_by(hazard_month, Hazard.category)
    )
    for month, category, n in counted:
        if 0 <= month < 12 and category in by_category:
            by_category[category][month] += n
    valid = (*reported, Hazard.verdict == HazardVerdict.valid)
    major = per_month(
        session.execute(
            select(hazard_month, func.count()).where(*valid, Hazard.grade == HazardGrade.major).group_by(hazard_month)
        )
    )
    totals = per_month(session.execute(select(hazard_month, func.count()).where(*valid).group_by(hazard_month)))
    fixed = per_month(
        session.execute(
            select(hazard_month, func.count()).where(*valid, Hazard.rectified_at.is_not(None)).group_by(hazard_month)
        )
    )
    rate = [None if not total else round(100 * done / total, 1) for total, done in zip(totals, fixed, strict=True)]
    return MonthSeries(months, credited, redeemed, by_category, major, rate)
