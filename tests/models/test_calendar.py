"""The year's calendar of the scheme: redemption dates (兑换日期) and the year end previewed, warned of and closed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from models import clock, ledger, store
from models.errors import InvalidInput
from models.ledger import EntryKind, LedgerEntry
from models.settings import redemption_rules, set_setting

D = dt.date


def test_the_last_friday_of_each_month(session):
    set_setting(session, "redemption_dates", "last-fri")
    set_setting(session, "store_hours", "08:00-18:00")
    days = [D(2026, 12, 1) + dt.timedelta(days=n) for n in range(62)]
    fridays = [day for day in days if store.redemption_day(session, day)]
    assert fridays == [D(2026, 12, 25), D(2027, 1, 29)]  # worked out on a calendar: 25 Dec, 29 Jan
    at_ten = dt.datetime(2026, 12, 25, 10, 0)
    assert store.store_open(session, at_ten) and not store.store_open(session, at_ten - dt.timedelta(days=1))
    assert store.next_redemption(session, dt.datetime(2026, 12, 3, 9, 0)) == D(2026, 12, 25)
    assert store.next_redemption(session, dt.datetime(2026, 12, 25, 18, 0)) == D(2027, 1, 29)  # today's is over
    assert "2026-12-25" in store.redemption_words(session, dt.datetime(2026, 12, 3, 9, 0))


def test_rules_dates_and_the_opening_days_together(session):
    set_setting(session, "redemption_dates", "1-mon, day-15, 2026-12-24")
    set_setting(session, "store_days", "12345")
    set_setting(session, "store_closed_days", "2026-12-15")
    days = [D(2026, 12, 1) + dt.timedelta(days=n) for n in range(46)]
    assert [d for d in days if store.redemption_day(session, d)] == [
        D(2026, 12, 7),  # the first Monday of December
        D(2026, 12, 24),  # a date of its own; the 15th is a closed day
        D(2027, 1, 4),  # the first Monday of January
        D(2027, 1, 15),  # a Friday, the 15th
    ]
    assert [rule.text(False) for rule in redemption_rules("last-fri, 2-tue, day-15")] == [
        "每月最后一个星期五",
        "每月第2个星期二",
        "每月15日",
    ]


@pytest.mark.parametrize("bad", ["friday", "6-fri", "day-31", "last-xyz", "2026-02-30", "day-0"])
def test_a_redemption_date_not_understood_is_refused(session, bad):
    with pytest.raises(InvalidInput):
        set_setting(session, "redemption_dates", bad)


def test_year_end_previewed_then_closed_twice(session, make_employee):
    """Three people at the end of 2025 (the demo's year before): 甲 80, 乙 30 who spent 10 in January, 丙 none."""
    a, b = make_employee(name="甲"), make_employee(name="乙")
    make_employee(name="丙")
    last_year = dt.datetime(2025, 12, 20, 2, 0)
    ledger.award(session, a.id, 80, actor="test", memo="x", at=last_year)
    ledger.award(session, b.id, 30, actor="test", memo="x", at=last_year)
    ledger.deduct(session, b.id, 10, actor="test", memo="January", at=dt.datetime(2026, 1, 5, 2, 0))
    preview = ledger.year_end_preview(session, 2025)
    assert [(e.name, n) for e, n in preview.rows] == [("甲", 80), ("乙", 20)] and preview.points == 100
    assert (
        session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == EntryKind.expiry)) == 0
    )
    first = ledger.close_year(session, 2025, actor="staff:admin", today=D(2026, 1, 10))
    again = ledger.close_year(session, 2025, actor="staff:admin", today=D(2026, 1, 10))
    assert (first.already_closed, first.people, first.points) == (False, 2, 100)
    assert (again.already_closed, again.points) == (True, 100)
    assert (a.balance, b.balance) == (0, 0)
    assert (
        session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == EntryKind.expiry)) == 2
    )
    assert ledger.year_end_preview(session, 2025).closed is not None


def test_the_preview_with_a_carry_limit(session, make_employee):
    set_setting(session, "year_end", "carry")
    set_setting(session, "carry_limit", 50)
    a, b = make_employee(name="甲"), make_employee(name="乙")
    ledger.award(session, a.id, 80, actor="test", memo="x")
    ledger.award(session, b.id, 30, actor="test", memo="x")
    this_year = clock.today().year
    assert [(e.name, n) for e, n in ledger.year_end_preview(session, this_year).rows] == [("甲", 30)]
    assert ledger.year_end_at_stake(session, a) == 30 and ledger.year_end_at_stake(session, b) == 0


def test_the_warning_in_the_year_s_last_days(session):
    assert ledger.year_end_warning(session, D(2026, 11, 30)) is None  # 31 days left, notice 30
    assert "2026-12-31" in ledger.year_end_warning(session, D(2026, 12, 2)) and "30" in ledger.year_end_warning(
        session, D(2026, 12, 2)
    )
    set_setting(session, "year_end", "carry")
    assert ledger.year_end_warning(session, D(2026, 12, 2)) is None  # all carried: nothing to warn of
    set_setting(session, "carry_limit", 100)
    assert "100" in ledger.year_end_warning(session, D(2026, 12, 31))
    set_setting(session, "year_end_notice_days", 0)
    assert ledger.year_end_warning(session, D(2026, 12, 31)) is None
