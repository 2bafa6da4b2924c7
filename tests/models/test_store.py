"""Goods, stock and redemption: points and stock together or nothing, once per request."""

from __future__ import annotations

import datetime as dt
import secrets
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from models import clock, ledger, people, roster, store
from models.claims import mark_fraud, submit_claim
from models.errors import (
    Conflict,
    InactiveEmployee,
    InsufficientPoints,
    InvalidInput,
    OutOfStock,
    RedemptionSuspended,
    StoreClosed,
    WrongPin,
)
from models.ledger import EntryKind, LedgerEntry
from models.people import Employee
from models.settings import get_setting, set_setting
from models.store import Goods, Redemption, RedemptionStatus, StockMovement


def key() -> str:
    return secrets.token_urlsafe(24)


def stock_of(session, goods) -> int:
    session.expire_all()
    return session.get(Goods, goods.id).stock


def test_a_redemption_takes_points_and_stock_together(session, make_employee, make_goods):
    set_setting(session, "pin_threshold", 1000)
    worker = make_employee(balance=500)
    soap, gloves = make_goods("洗衣液", 20, stock=10), make_goods("劳保手套", 8, stock=50, category="protective")
    result = store.redeem(session, worker, {soap.id: 2, gloves.id: 3}, kiosk="kiosk:1", request_key=key())
    session.commit()
    redemption = result.redemption
    assert not result.replayed
    assert redemption.points == 2 * 100 + 3 * 40 == 320  # 5 points a yuan
    assert redemption.number == f"DH-{clock.today().year}-{redemption.id:06d}"
    assert session.get(Employee, worker.id).balance == 180 == redemption.balance_after
    assert (stock_of(session, soap), stock_of(session, gloves)) == (8, 47)
    entry = ledger.history(session, worker.id, 1)[0]
    assert (entry.kind, entry.amount, entry.ref_type, entry.ref_id) == (
        EntryKind.redemption,
        -320,
        "redemption",
        redemption.id,
    )
    assert "洗衣液×2" in entry.memo
    assert ledger.verify_ledger(session).ok and not store.verify_stock(session)


def test_not_enough_points_changes_nothing_and_names_the_balance(session, make_employee, make_goods):
    worker = make_employee(balance=99)
    soap = make_goods(stock=3)
    with pytest.raises(InsufficientPoints) as refused:
        store.redeem(session, worker, {soap.id: 1}, kiosk="kiosk:1", request_key=key())
    assert "99" in refused.value.message and "100" in refused.value.message
    session.rollback()
    assert stock_of(session, soap) == 3 and session.get(Employee, worker.id).balance == 99
    assert session.scalar(select(func.count()).select_from(Redemption)) == 0


def test_out_of_stock_changes_nothing(session, make_employee, make_goods):
    worker = make_employee(balance=1000)
    soap, towel = make_goods("洗衣液", stock=5), make_goods("毛巾", 10, stock=1)
    with pytest.raises(OutOfStock, match="毛巾"):
        store.redeem(session, worker, {soap.id: 1, towel.id: 2}, kiosk="kiosk:1", request_key=key())
    session.rollback()
    assert (stock_of(session, soap), stock_of(session, towel)) == (5, 1)
    assert session.get(Employee, worker.id).balance == 1000


def test_the_same_request_twice_makes_one_redemption(session, make_employee, make_goods):
    worker = make_employee(balance=500)
    soap = make_goods(stock=10)
    request = key()
    first = store.redeem(session, worker, {soap.id: 1}, kiosk="kiosk:1", request_key=request)
    session.commit()
    again = store.redeem(session, worker, {soap.id: 1}, kiosk="kiosk:1", request_key=request)
    assert again.replayed and again.redemption.id == first.redemption.id
    with pytest.raises(Conflict):
        store.redeem(session, worker, {soap.id: 2}, kiosk="kiosk:1", request_key=request)
    session.rollback()
    assert session.get(Employee, worker.id).balance == 400 and stock_of(session, soap) == 9


@pytest.mark.parametrize(
    "cart",
    [{}, [], None, {"x": 1}, {"1": 0}, {"1": -2}, {"1": 100}, {"1": "二"}, {"-1": 1}, {str(n): 1 for n in range(40)}],
)
def test_a_tampered_cart_is_refused(cart):
    with pytest.raises(InvalidInput):
        store.parse_cart(cart)


def test_goods_that_do_not_exist_or_were_withdrawn_are_refused(session, make_employee, make_goods):
    worker = make_employee(balance=500)
    soap = make_goods(stock=5)
    with pytest.raises(InvalidInput):
        store.redeem(session, worker, {soap.id + 999: 1}, kiosk="kiosk:1", request_key=key())
    store.save_goods(session, soap, name=soap.name, category="daily", value_fen=2000, active=False)
    with pytest.raises(InvalidInput):
        store.redeem(session, worker, {soap.id: 1}, kiosk="kiosk:1", request_key=key())


def test_refused_when_suspended_inactive_or_the_store_is_closed(session, make_employee, make_goods, rule):
    soap = make_goods(stock=5)
    cheat = make_employee(balance=500)
    claim = submit_claim(
        session, employee=cheat, rule=rule("E01"), points=20, description="假的", source="employee", actor="employee:x"
    )
    mark_fraud(session, claim, "不存在该隐患", actor="staff:safety")
    with pytest.raises(RedemptionSuspended):
        store.redeem(session, cheat, {soap.id: 1}, kiosk="kiosk:1", request_key=key())
    leaver = make_employee(balance=500)
    roster.leave(session, leaver, actor="test")
    with pytest.raises(InactiveEmployee):
        store.redeem(session, leaver, {soap.id: 1}, kiosk="kiosk:1", request_key=key())
    set_setting(session, "store_hours", "08:00-17:00")
    set_setting(session, "store_days", "12345")
    worker = make_employee(balance=500)
    saturday_noon, monday_night = dt.datetime(2026, 11, 21, 12), dt.datetime(2026, 11, 23, 19)
    for closed in (saturday_noon, monday_night):
        with pytest.raises(StoreClosed, match="08:00-17:00"):
            store.redeem(session, worker, {soap.id: 1}, kiosk="kiosk:1", request_key=key(), now=closed)
    assert store.store_open(session, dt.datetime(2026, 11, 23, 9, 30))
    set_setting(session, "store_closed_days", "2026-11-23, 2026-12-28..2027-01-03")  # a stock-take, New Year
    with pytest.raises(StoreClosed, match="2026-11-23"):
        store.redeem(
            session, worker, {soap.id: 1}, kiosk="kiosk:1", request_key=key(), now=dt.datetime(2026, 11, 23, 9)
        )
    assert not store.store_open(session, dt.datetime(2027, 1, 1, 10))
    assert store.store_open(session, dt.datetime(2026, 11, 24, 9, 30))


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2026-02-30", "not a day of the calendar"),
        ("2026-10-07..2026-10-01", "ends before it begins"),
        ("10月1日", "2026-10-01..2026-10-07"),
        ("2026-10-01;2026-10-02", "2026-10-01..2026-10-07"),
    ],
)
def test_closed_days_are_calendar_days(session, value, words):
    with pytest.raises(InvalidInput, match=words):
        set_setting(session, "store_closed_days", value)
    assert get_setting(session, "store_closed_days") == ""


def test_above_the_threshold_the_pin_is_needed(session, make_employee, make_goods):
    set_setting(session, "pin_threshold", 150)
    worker = make_employee(balance=1000)
    people.set_pin(session, worker, "3579")
    kettle = make_goods("电水壶", 80, stock=5)  # 400 points
    with pytest.raises(InvalidInput, match="150"):
        store.redeem(session, worker, {kettle.id: 1}, kiosk="kiosk:1", request_key=key())
    with pytest.raises(WrongPin):
        store.redeem(session, worker, {kettle.id: 1}, kiosk="kiosk:1", request_key=key(), pin="0000")
    session.rollback()
    assert store.redeem(session, worker, {kettle.id: 1}, kiosk="kiosk:1", request_key=key(), pin="3579").redemption


def test_cancel_refunds_points_and_stock_by_new_entries(session, make_employee, make_goods):
    worker = make_employee(balance=300)
    soap = make_goods(stock=4)
    redemption = store.redeem(session, worker, {soap.id: 2}, kiosk="kiosk:1", request_key=key()).redemption
    with pytest.raises(InvalidInput):
        store.cancel(session, redemption, " ", actor="staff:store")
    store.cancel(session, redemption, "员工改选其他商品", actor="staff:store")
    session.commit()
    assert session.get(Employee, worker.id).balance == 300 and stock_of(session, soap) == 4
    kinds = [e.kind for e in reversed(ledger.history(session, worker.id))]
    assert kinds == [EntryKind.adjustment, EntryKind.redemption, EntryKind.refund]
    reasons = session.scalars(select(StockMovement.reason).order_by(StockMovement.id)).all()
    assert reasons == ["restock", "redemption", "cancel"]
    with pytest.raises(Conflict):
        store.cancel(session, redemption, "再取消一次", actor="staff:store")
    with pytest.raises(Conflict, match="员工改选其他商品"):
        store.hand_out(session, redemption, actor="staff:store")
    assert ledger.verify_ledger(session).ok and not store.verify_stock(session)


def test_goods_handed_out_come_back_only_as_a_return(session, make_employee, make_goods):
    """Before, a handed-out redemption could be cancelled as if its goods were back on the shelf."""
    worker = make_employee(balance=300)
    soap = make_goods(stock=4)
    redemption = store.redeem(session, worker, {soap.id: 2}, kiosk="kiosk:1", request_key=key()).redemption
    store.hand_out(session, redemption, actor="staff:store")
    session.commit()
    with pytest.raises(Conflict, match=redemption.number):
        store.cancel(session, redemption, "员工改选其他商品", actor="staff:store")
    store.cancel(session, redemption, "尺码不合适", actor="staff:store", returned=True)
    session.commit()
    assert redemption.status is store.RedemptionStatus.returned
    assert session.get(Employee, worker.id).balance == 300 and stock_of(session, soap) == 4  # both back, together
    memo = ledger.history(session, worker.id)[0].memo
    assert memo.startswith("退货") and "尺码不合适" in memo
    reasons = session.scalars(select(StockMovement.reason).order_by(StockMovement.id)).all()
    assert reasons == ["restock", "redemption", "return"]
    with pytest.raises(Conflict):
        store.cancel(session, redemption, "再退一次", actor="staff:store", returned=True)
    assert ledger.verify_ledger(session).ok and not store.verify_stock(session)


def test_a_slip_is_handed_out_once(session, make_employee, make_goods):
    worker = make_employee(balance=300)
    soap = make_goods(stock=4)
    number = store.redeem(session, worker, {soap.id: 1}, kiosk="kiosk:1", request_key=key()).redemption.number
    session.commit()
    found = store.find_redemption(session, f" {number.lower()}\r\n")
    store.hand_out(session, found, actor="staff:store")
    assert found.status is RedemptionStatus.handed_out
    with pytest.raises(Conflict, match="already handed out"):
        store.hand_out(session, found, actor="staff:store")
    with pytest.raises(store.NotFound):
        store.find_redemption(session, "DH-1999-000001")


def test_stock_changes_need_a_reason_and_never_go_below_zero(session, make_goods):
    soap = make_goods(stock=2)
    with pytest.raises(InvalidInput):
        store.move_stock(session, soap.id, -1, reason="adjust", actor="staff:store", note="")
    with pytest.raises(OutOfStock):
        store.move_stock(session, soap.id, -3, reason="adjust", actor="staff:store", note="盘亏")
    store.move_stock(session, soap.id, -1, reason="adjust", actor="staff:store", note="破损")
    assert stock_of(session, soap) == 1 and not store.verify_stock(session)


def test_points_price_and_tier_follow_the_settings(session, make_goods):
    cheap, mid, dear = (
        make_goods("肥皂", 5, stock=0),
        make_goods("雨衣", 60, stock=0),
        make_goods("电饭煲", 300, stock=0),
    )
    fixed = make_goods("纪念品", 30, stock=0, price=88)
    assert [store.points_price(session, g) for g in (cheap, mid, dear, fixed)] == [25, 300, 1500, 88]
    assert [store.tier_of(session, g) for g in (cheap, mid, dear)] == [store.Tier.low, store.Tier.mid, store.Tier.high]
    set_setting(session, "points_per_yuan", 2)
    set_setting(session, "tier_low_max_yuan", 100)
    assert store.points_price(session, mid) == 120 and store.tier_of(session, mid) is store.Tier.low


def _race(app, attempts):
    """Run each (employee id, cart) attempt in its own thread and session at the same moment."""
    outcomes: list[str] = []
    barrier = threading.Barrier(len(attempts), timeout=30)
    lock = threading.Lock()

    def attempt(employee_id, cart):
        with app.app_context():
            session = db.new_session()
            barrier.wait()  # all start together (before any of them opens a transaction)
            try:
                store.redeem(session, session.get(Employee, employee_id), cart, kiosk="kiosk:race", request_key=key())
                session.commit()
                result = "ok"
            except Exception as refused:  # the expected refusals by name; anything else shows up in the assert
                session.rollback()
                result = type(refused).__name__
            finally:
                session.close()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=a) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_kiosks_spending_the_same_points_one_wins(app, session, make_employee, make_goods):
    worker = make_employee(balance=100)
    soap = make_goods(stock=10)  # 100 points each
    assert _race(app, [(worker.id, {soap.id: 1})] * 2) == ["InsufficientPoints", "ok"]
    session.expire_all()
    assert session.get(Employee, worker.id).balance == 0 and stock_of(session, soap) == 9


def test_the_last_item_goes_to_one_of_many(app, session, make_employee, make_goods):
    workers = [make_employee(f"抢{i}", balance=500) for i in range(6)]
    kettle = make_goods("保温杯", 30, stock=1)
    outcomes = _race(app, [(w.id, {kettle.id: 1}) for w in workers])
    assert outcomes == ["OutOfStock"] * 5 + ["ok"]
    assert stock_of(session, kettle) == 0
    assert session.scalar(select(func.count()).where(LedgerEntry.kind == EntryKind.redemption)) == 1
    assert ledger.verify_ledger(session).ok and not store.verify_stock(session)


def test_the_cart_is_checked_against_stock_and_points_before_confirming(session, make_employee, make_goods):
    worker = make_employee(balance=250)
    soap, towel = make_goods("洗衣液", 20, stock=2), make_goods("毛巾", 10, stock=5)
    cart = store.change_cart(session, worker, {}, soap.id, 1).cart
    cart = store.change_cart(session, worker, cart, soap.id, 1).cart
    assert cart == {soap.id: 2}
    with pytest.raises(OutOfStock):
        store.change_cart(session, worker, cart, soap.id, 1)  # only 2 on the shelf
    with_towel = store.change_cart(session, worker, cart, towel.id, 1).cart  # 200 + 50 = 250: every point
    with pytest.raises(InsufficientPoints):
        store.change_cart(session, worker, with_towel, towel.id, 1)
    priced = store.change_cart(session, worker, cart, soap.id, -1)
    assert (priced.total, priced.left, priced.needs_pin) == (100, 150, False)
    assert store.change_cart(session, worker, cart, soap.id, 0).cart == {}
    assert cart == {soap.id: 2}  # the cart given is never changed in place
