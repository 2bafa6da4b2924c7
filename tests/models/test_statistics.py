"""Statistics against figures worked out by hand on a small fixed data set (October 2026)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from models import clock, hazards, ledger, places, statistics, store
from models.errors import InvalidInput
from models.settings import set_setting

TODAY = dt.date(2026, 11, 23)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment at the plant (local time), as the UTC timestamp the tables keep."""
    return clock.day_start(dt.date(2026, month, day)) + dt.timedelta(hours=hour, minutes=minute)


@pytest.fixture
def october(session, make_employee, make_goods):
    """Hazards, awards, a deduction and redemptions around October 2026; the expected figures are in the test."""
    place = places.save_place(session, None, name="冲压车间", risk="orange")
    a, b = make_employee(name="甲"), make_employee(name="乙")

    def hazard(category, reported, *, verdict=None, grade=None, rectified=None, deadline=None, source="report"):
        receipt = hazards.report(session, place, category=category, description="隐患", reporter=a, today=TODAY)
        row = receipt.hazard
        row.reported_at, row.source, row.verdict, row.grade = reported, source, verdict, grade
        row.rectified_at, row.deadline = rectified, deadline
        return row

    hazard("act", at(10, 3), verdict="valid", grade="general", rectified=at(10, 10))
    hazard("state", at(10, 5), verdict="valid", grade="major", deadline=dt.date(2026, 10, 20))  # overdue
    hazard("state", at(10, 31, 23, 30), verdict="not_hazard")  # late on the last evening: still October
    hazard("environment", at(11, 1, 0, 10))  # just after midnight: November
    hazard("act", at(10, 12), source="inspection")  # not an internal report
    hazard("management", at(10, 8))  # not verified yet
    for employee, points, when in ((a, 10, at(10, 2)), (a, 5, at(10, 20)), (b, 20, at(10, 15)), (b, 7, at(11, 2))):
        ledger.award(session, employee.id, points, actor="test", memo="奖励", at=when)
    ledger.deduct(session, a.id, 3, actor="test", memo="违章", at=at(10, 22))
    soap, towel = make_goods("肥皂", 2, price=8), make_goods("毛巾", 2, price=2)  # prices by hand
    session.flush()
    spends = ((b, towel, at(9, 30), "k1" * 8), (a, soap, at(10, 25), "k2" * 8), (b, soap, at(10, 26), "k3" * 8))
    for employee, goods, when, key in spends:
        store.redeem(session, employee, {goods.id: 1}, kiosk="test", request_key=key, at=when)
    cancelled = store.by_request_key(session, b, "k3" * 8)
    store.cancel(session, cancelled, "拿错了", actor="test")
    set_setting(session, "year_budget_yuan", 100)
    session.commit()
    return a, b


def test_october_by_hand(session, october):
    found = statistics.figures(session, statistics.parse_period("2026-10", TODAY), TODAY)
    assert found.reported == 4  # act, state, state (31 Oct 23:30), management; not the inspection, not 1 Nov
    assert found.by_category == {"act": 1, "state": 2, "management": 1}
    assert found.verified == 2 and found.by_grade == {"general": 1, "major": 1}
    assert found.not_taken_up == 1
    assert found.rectified == 1 and found.rectification_rate == 50.0
    assert found.overdue == 1
    assert (found.rewarded_times, found.rewarded_people, found.credited) == (3, 2, 35)  # 10 + 5 + 20
    assert found.deducted == 3
    assert (found.redemptions, found.redeemed) == (1, 8)  # the cancelled one does not count
    assert found.redeemed_year == 10  # September's 2 and October's 8
    # By 1 November: 35 awarded - 3 deducted - 2 (September) - 8 - 8 spent; the cancelled redemption's refund
    # is dated when it was cancelled (today, after the period), so on 1 November those 8 points were still out.
    assert found.outstanding == 14
    assert found.yuan(found.credited) == 7.0 and found.budget_used == 2.0  # 5 points a yuan; 2 of 100 yuan


def test_the_quarter_and_the_months(session, october):
    quarter = statistics.figures(session, statistics.parse_period("2026-q4", TODAY), TODAY)
    assert quarter.period.label == "2026-Q4" and quarter.period.end == dt.date(2027, 1, 1)
    assert quarter.reported == 5 and quarter.credited == 42  # November's report and award join
    series = statistics.monthly_series(session, 2026)
    assert series.credited[9:11] == [35, 7] and series.redeemed[8:10] == [2, 8]
    assert series.hazards["state"][9] == 2 and series.hazards["environment"][10] == 1
    assert series.major[9] == 1 and series.rectification[9] == 50.0 and series.rectification[0] is None


@pytest.mark.parametrize("bad", ["2026-13", "2026-Q5", "26-10", "1999-01", "2026-10-01", "x"])
def test_a_bad_period_is_refused(bad):
    with pytest.raises(InvalidInput):
        statistics.parse_period(bad, TODAY)


def test_the_screen_and_the_excel_carry_the_same_figures(client, login, session, october):
    login("look", "auditor")
    page = client.get("/admin/statistics?period=2026-10")
    assert page.status_code == 200 and "data-chart=" in page.text and "chart-4.5.1.umd.min.js" in page.text
    assert "50.0" in page.text and ">14<" in page.text
    export = client.get("/admin/statistics.xlsx?period=2026-10")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.data), read_only=True)
    report = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)}
    assert report["内部报告隐患"] == 4 and report["整改率（%）"] == 50.0 and report["奖励人次"] == 3
    assert report["兑换积分"] == 8 and report["积分余额（负债）"] == 14
    months = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert months[9][:3] == ("2026-10", 35, 8)
    book.close()
    assert client.get("/admin/statistics?period=2026-13").status_code == 400
