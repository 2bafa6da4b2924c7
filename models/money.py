"""The scheme's money (seed 000 四: 专项经费列入年度预算，计入安全生产提取费用): the year's budget against what was
spent, month by month.

- **Bought**: each restock at its purchase cost a piece, as the storekeeper typed it on the delivery (the
  goods' value when none was typed). Restocks from before costs were kept have no cost: they are counted as
  pieces without a cost, never guessed.
- **Handed out**: the goods redeemed at their value on the day (a cancelled or returned redemption is not
  counted), and the same redemptions in points, and in yuan by the points-per-yuan setting.
- **Rewards paid**: every award credited to an employee (false claims left out); the rewards for hazard reports
  (the forms' 兑现奖励资金: named ones, which are among the awards, and anonymous ones, put on their claim
  codes), in points and in yuan.
- **Other changes** to the employees' balances: deductions, adjustments (opening balances), year-end expiry,
  leavers' forfeits, cancelled redemptions. It is what makes the month add up: last month's outstanding, plus
  the awards, plus the other changes, less what employees redeemed, is this month's.
- **Outstanding**: the points employees hold at the month's end, and the points still on anonymous reporters'
  claim codes: what the enterprise owes in goods, a liability in yuan.

The budget is the year_budget_yuan setting as it was last set in the year (each year keeps its own); what was
spent against it is what was bought (the cash that left the safety production expense), on every screen that
shows it; what was handed out is shown beside it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, cast, func, select
from sqlalchemy.orm import Session

from . import clock, statistics
from .hazards import Hazard, HazardReward
from .settings import all_settings, budget_of
from .store import UNDONE, Goods, MovementReason, Redemption, RedemptionLine, StockMovement


@dataclass
class MoneyMonth:
    month: str  # 2026-11
    last: dt.date  # its last day counted (today, for the running month)
    bought_fen: int = 0
    bought_pieces: int = 0
    uncosted_pieces: int = 0  # restocked before purchase costs were kept
    handed_out_fen: int = 0  # goods redeemed, at their value then
    redeemed_points: int = 0
    awarded_points: int = 0  # every award credited to an employee, false claims left out
    hazard_reward_points: int = 0  # rewards for hazard reports: named (among the awards) and on claim codes
    code_reward_points: int = 0  # of them, anonymous rewards put on claim codes
    code_redeemed_points: int = 0  # of the points redeemed, those paid with claim codes
    other_points: int = 0  # other changes to the employees' balances
    outstanding_points: int = 0  # held by employees at the end of ``last``
    code_outstanding_points: int = 0  # still on claim codes then

    @property
    def owed_points(self) -> int:
        """The liability: every point that can still buy goods."""
        return self.outstanding_points + self.code_outstanding_points


@dataclass
class MoneyYear:
    year: int
    last: dt.date
    points_per_yuan: int
    budget_yuan: int
    months: list[MoneyMonth] = field(default_factory=list)
    stock_value_fen: int = 0  # goods on the shelf now, at their value

    def yuan(self, points: int) -> float:
        return round(points / self.points_per_yuan, 2)

    def total(self, name: str) -> int:
        return sum(getattr(m, name) for m in self.months)

    @property
    def bought_fen(self) -> int:
        return self.total("bought_fen")

    @property
    def outstanding_points(self) -> int:
        return self.months[-1].outstanding_points if self.months else 0

    @property
    def code_outstanding_points(self) -> int:
        return self.months[-1].code_outstanding_points if self.months else 0

    @property
    def owed_points(self) -> int:
        return self.months[-1].owed_points if self.months else 0

    @property
    def budget_left_fen(self) -> int | None:
        return self.budget_yuan * 100 - self.bought_fen if self.budget_yuan else None

    @property
    def budget_used(self) -> float | None:
        """What was bought, in % of the budget."""
        return round(self.bought_fen / self.budget_yuan, 1) if self.budget_yuan else None


def year_of_money(session: Session, year: int, today: dt.date | None = None) -> MoneyYear:
    """The months of ``year`` up to today (all twelve for a past year); a year to come has none."""
    today = today or clock.today()
    settings = all_settings(session)
    last = min(dt.date(year, 12, 31), today)
    found = MoneyYear(year, last, settings["points_per_yuan"], budget_of(settings, year))
    on_shelf = func.sum(cast(Goods.stock, BigInteger) * Goods.value_fen)  # past an INTEGER's 2^31 fen
    found.stock_value_fen = int(session.scalar(select(func.coalesce(on_shelf, 0)).where(Goods.stock > 0)) or 0)
    if last < dt.date(year, 1, 1):
        return found
    by_month: dict[int, MoneyMonth] = {}
    first = dt.date(year, 1, 1)
    held_before = statistics.figures(session, first - dt.timedelta(days=1), first - dt.timedelta(days=1)).outstanding
    while first <= last:
        end = min(clock.next_month(first) - dt.timedelta(days=1), last)
        figures = statistics.figures(session, first, end)
        by_month[first.month] = MoneyMonth(
            f"{first:%Y-%m}",
            end,
            redeemed_points=figures.redeemed,
            awarded_points=figures.credited,
            hazard_reward_points=figures.hazard_reward_points,
            outstanding_points=figures.outstanding,
        )
        first = clock.next_month(first)
    start, stop = clock.day_start(dt.date(year, 1, 1)), clock.day_start(last + dt.timedelta(days=1))
    for at, pieces, cost in session.execute(
        select(StockMovement.at, StockMovement.delta, StockMovement.unit_cost_fen).where(
            StockMovement.reason == MovementReason.restock, StockMovement.at >= start, StockMovement.at < stop
        )
    ):
        month = by_month[clock.local_day(at).month]
        if cost is None:
            month.uncosted_pieces += pieces
        else:
            month.bought_pieces += pieces
            month.bought_fen += pieces * cost
    handed: dict[int, int] = defaultdict(int)
    value_of = func.sum(cast(RedemptionLine.quantity, BigInteger) * func.coalesce(RedemptionLine.unit_value_fen, 0))
    for at, value in session.execute(
        select(Redemption.created_at, value_of)
        .join(RedemptionLine, RedemptionLine.redemption_id == Redemption.id)
        .where(Redemption.status.not_in(UNDONE), Redemption.created_at >= start, Redemption.created_at < stop)
        .group_by(Redemption.id, Redemption.created_at)
    ):
        handed[clock.local_day(at).month] += int(value or 0)
    for number, value in handed.items():
        by_month[number].handed_out_fen = value
    _claim_codes(session, by_month, year, stop)
    for number in sorted(by_month):
        month = by_month[number]
        redeemed_by_employees = month.redeemed_points - month.code_redeemed_points
        month.other_points = month.outstanding_points - held_before - month.awarded_points + redeemed_by_employees
        held_before = month.outstanding_points
    found.months = [by_month[n] for n in sorted(by_month)]
    return found


def _claim_codes(session: Session, by_month: dict[int, MoneyMonth], year: int, stop: dt.datetime) -> None:
    """Anonymous reporters' rewards, put on claim codes, and what the codes paid: by month, and what was still on
    the codes at each month's end (a cancelled redemption gave its points back to its code)."""
    put: dict[int, int] = defaultdict(int)
    spent: dict[int, int] = defaultdict(int)
    before = clock.day_start(dt.date(year, 1, 1))
    carried = 0  # on the codes when the year began
    # Only rewards still on a code: one "collected" by the flow before codes became vouchers was credited to its
    # collector in the ledger, and is counted there.
    for at, points in session.execute(
        select(Hazard.verified_at, Hazard.reward_points).where(
            Hazard.reward == HazardReward.waiting, Hazard.verified_at < stop
        )
    ):
        if at is None:
            continue
        if at < before:
            carried += int(points or 0)
        else:
            put[clock.local_day(at).month] += int(points or 0)
    for at, points in session.execute(
        select(Redemption.created_at, Redemption.points).where(
            Redemption.bearer_check.is_not(None), Redemption.status.not_in(UNDONE), Redemption.created_at < stop
        )
    ):
        if at < before:
            carried -= int(points or 0)
        else:
            spent[clock.local_day(at).month] += int(points or 0)
    for number in sorted(by_month):
        month = by_month[number]
        month.code_reward_points, month.code_redeemed_points = put[number], spent[number]
        carried += put[number] - spent[number]
        month.code_outstanding_points = carried
