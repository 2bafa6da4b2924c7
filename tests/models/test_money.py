"""The year's money worked out by hand: what was bought at its purchase cost, the goods handed out at their value
on the day, the points awarded and redeemed, and what is still owed in points, against the budget."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import clock, hazards, ledger, money, places, settings, store
from models.errors import InvalidInput


def test_a_year_of_money_worked_out_by_hand(session, make_employee, make_goods):
    settings.set_setting(session, "year_budget_yuan", "1000")
    soap = make_goods("肥皂", 5, stock=4)  # restocked at its value: 4 x 5.00
    powder = make_goods("洗衣液", 20, stock=0)
    store.move_stock(session, powder.id, 10, reason="restock", actor="staff:store", unit_cost_fen=1850)
    old = store.move_stock(session, soap.id, 3, reason="restock", actor="staff:store")
    old.unit_cost_fen = None  # a restock from before purchase costs were kept
    worker = make_employee(name="甲")
    ledger.award(session, worker.id, 500, actor="staff:admin", memo="上线奖励")
    kept = store.redeem(session, worker, {powder.id: 2}, kiosk="test", request_key="k" * 20).redemption
    undone = store.redeem(session, worker, {soap.id: 1}, kiosk="test", request_key="u" * 20).redemption
    store.cancel(session, undone, "拿错了", actor="staff:store")
    powder.value_fen = 3000  # the goods' value changes afterwards: what was handed out stays at 20.00
    ledger.adjust(session, worker.id, -30, actor="staff:admin", memo="更正")  # an other change: -30
    dock = places.save_place(session, None, name="仓库", risk="yellow")
    anonymous = hazards.report(session, dock, category="state", description="货架倾斜", reporter=None).hazard
    hazards.verify(session, anonymous, "valid", grade="general", actor="staff:leader")  # 20 on its claim code
    session.commit()

    found = money.year_of_money(session, clock.today().year)
    month = found.months[-1]
    assert month.month == f"{clock.today():%Y-%m}" and len(found.months) == clock.today().month
    assert (month.bought_fen, month.bought_pieces, month.uncosted_pieces) == (18500 + 2000, 14, 3)
    assert kept.points == 200  # 2 x 20 yuan x 5 points a yuan
    assert (month.redeemed_points, month.handed_out_fen) == (200, 4000)
    assert (month.awarded_points, month.other_points, month.outstanding_points) == (500, -30, 270)
    assert (month.hazard_reward_points, month.code_reward_points, month.code_outstanding_points) == (20, 20, 20)
    assert found.yuan(found.owed_points) == 58.0  # the liability: 270 held and 20 on the code, at 5 a yuan
    assert (found.bought_fen, found.budget_left_fen, found.budget_used) == (20500, 79500, 20.5)
    assert found.stock_value_fen == (4 + 3) * 500 + 8 * 3000  # on the shelf now, at today's values
    # Last year: no month holds anything; a year to come has no months at all.
    before = money.year_of_money(session, clock.today().year - 1)
    assert len(before.months) == 12 and before.bought_fen == 0 and before.outstanding_points == 0
    assert money.year_of_money(session, clock.today().year + 1).months == []


def test_a_delivery_keeps_each_line_s_cost_and_refuses_a_cost_that_is_not_an_amount(session, make_goods):
    soap, towel = make_goods("肥皂", 5, stock=0), make_goods("毛巾", 12, stock=0)
    moved = store.receive_delivery(
        session, {soap.id: 10, towel.id: 5}, note="供货商 A 001", actor="staff:store", costs={soap.id: 420}
    )
    assert {m.goods_id: m.unit_cost_fen for m in moved} == {soap.id: 420, towel.id: 1200}  # the value when none
    for bad in (-1, 10_000_001, "12", True):
        try:
            store.receive_delivery(session, {soap.id: 1}, note="B", actor="staff:store", costs={soap.id: bad})
        except InvalidInput as err:
            assert "purchase cost" in str(err.message)
        else:
            raise AssertionError(bad)
    movements = session.scalars(select(store.StockMovement).where(store.StockMovement.goods_id == soap.id)).all()
    assert [m.delta for m in movements] == [10]


def test_a_cost_and_a_whole_number_as_typed(session):
    from app.forms import whole

    assert store.parse_cost("12.5") == 1250 and store.parse_cost(" 0 ") == 0
    assert store.parse_cost("１２．５") == 1250  # as a Chinese input method types it, full width
    # Arabic-Indic digits, Python's 1_2, a superscript and a circled number are not amounts.
    for typed in ("", "abc", "-3", "100000.01", "1e3", "12.345", "١٢", "1_2", "¹²", "①"):
        with pytest.raises(InvalidInput):
            store.parse_cost(typed)
    assert (whole(" 12 ", "x"), whole("-3", "x"), whole("１２", "x"), whole("+5", "x")) == (12, -3, 12, 5)
    for typed in ("1_000", "١٢", "1e3", "", "2147483648", "1" * 40, "5\x00", "①", "¹²", "⑳", "𝟏𝟐"):
        with pytest.raises(InvalidInput):
            whole(typed, "x")


def test_a_reward_collected_by_the_old_flow_is_owed_once(session, make_employee):
    """Before claim codes were vouchers, collecting an anonymous reward credited the collector in the ledger: it
    is owed as their balance, not a second time as points on a code."""
    dock = places.save_place(session, None, name="码头", risk="yellow")
    waiting, collected = (
        hazards.report(session, dock, category="state", description=text, reporter=None).hazard
        for text in ("缆绳磨损", "护栏松动")
    )
    for hazard in (waiting, collected):
        hazards.verify(session, hazard, "valid", grade="general", actor="staff:leader")  # 20 on each code
    collector = make_employee(name="丁")
    collected.reward = hazards.HazardReward.collected
    ledger.award(session, collector.id, collected.reward_points, actor="kiosk:1", memo="领奖码兑奖")
    session.commit()
    found = money.year_of_money(session, clock.today().year)
    month = found.months[-1]
    assert (month.code_reward_points, month.code_outstanding_points, month.outstanding_points) == (20, 20, 20)
    assert found.owed_points == 40 and month.other_points == 0  # 20 held by 丁, 20 still on a code


def test_last_year_s_budget_is_read_next_year(session, monkeypatch):
    year = clock.today().year
    settings.set_setting(session, "year_budget_yuan", "1000")
    settings.set_setting(session, "year_budget_yuan", "1200")  # changed within the year: the last one counts
    session.commit()
    monkeypatch.setattr(clock, "today", lambda: dt.date(year + 1, 1, 15))
    settings.forget_shared_settings()
    values = settings.all_settings(session)
    assert settings.budget_of(values, year) == 1200  # last year's, for last year's figures
    assert settings.budget_of(values, year - 1) == 0  # never set: none
    assert money.year_of_money(session, year).budget_yuan == 1200
    # The new year has none until it is set, and the settings page says so (it does not offer last year's).
    assert settings.budget_of(values, year + 1) == 0 and values["year_budget_yuan"] == 0
    settings.set_setting(session, "year_budget_yuan", "900")
    session.commit()
    values = settings.all_settings(session)
    assert (settings.budget_of(values, year), settings.budget_of(values, year + 1)) == (
        1200,
        900,
    )
    monkeypatch.setattr(clock, "today", lambda: dt.date(year + 2, 3, 1))  # years later, each keeps its own
    settings.forget_shared_settings()
    values = settings.all_settings(session)
    assert [settings.budget_of(values, y) for y in (year, year + 1, year + 2)] == [1200, 900, 0]


def test_sums_past_two_billion_fen_are_added_up(session, make_goods):
    """A shelf's or a year's worth in fen passes what an INTEGER holds (2^31): PostgreSQL adds it up in BIGINT."""
    gold = make_goods("金条", 99_999, stock=0)  # 99999 yuan a piece
    for _ in range(3):
        store.move_stock(session, gold.id, 9_000, reason="restock", actor="staff:store", unit_cost_fen=9_999_900)
    session.commit()
    found = money.year_of_money(session, clock.today().year)
    assert found.bought_fen == 27_000 * 9_999_900 > 2**31
    assert found.stock_value_fen == 27_000 * 9_999_900
