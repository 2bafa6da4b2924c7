"""One clock: every day, month and year edge is the plant's, and every time a person reads is the plant's,
whatever zone the server's own clock is set to.

Each test runs with the process's ``TZ`` set to UTC, Asia/Shanghai and America/Los_Angeles in turn (and on
each database): the results must be the same. The plant is in Asia/Shanghai (the default of MART_TIMEZONE).
Moments are written as the plant reads them and turned into the stored UTC by hand, never by the clock
under test: 1 December 00:30 at the plant is 30 November 16:30 UTC.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import secrets
import time
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app import create_app
from models import audit, claims, clock, ledger, reports, statistics, store
from models.settings import get_setting, set_setting
from printer import receipt
from printer.slips import slip_for
from tests.printer.escpos_reader import read

PLANT = ZoneInfo("Asia/Shanghai")


def stored(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    """A moment at the plant as the naive UTC timestamp the tables keep (worked out without models.clock)."""
    local = dt.datetime(year, month, day, hour, minute, tzinfo=PLANT)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


@pytest.fixture(params=["UTC", "Asia/Shanghai", "America/Los_Angeles"], autouse=True)
def server_zone(request: pytest.FixtureRequest):
    """The server's own system zone: what a rented server (UTC) or one far away would have."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def edges(session, make_employee):
    """Awards of a night shift on both sides of the plant's midnight between two months (30 Nov 23:30 and
    1 Dec 00:30), and one just after new year (1 Jan 2026 00:30)."""
    late = make_employee(name="月末甲", number="E90001")
    early = make_employee(name="月初乙", number="E90002")
    ledger.award(session, late.id, 11, actor="test", memo="夜班", at=stored(2026, 11, 30, 23, 30))
    ledger.award(session, early.id, 22, actor="test", memo="夜班", at=stored(2026, 12, 1, 0, 30))
    ledger.award(session, early.id, 5, actor="test", memo="元旦夜班", at=stored(2026, 1, 1, 0, 30))
    session.commit()
    return late, early


def test_month_edges_at_the_plant(session, edges):
    _late, early = edges
    december = reports.ranking(session, dt.date(2026, 12, 1))
    assert [row.name for row in december] == ["月初乙"]  # 00:30 on the 1st is December's; 23:30 on the 30th is not
    november = ledger.LedgerFilter(since=dt.date(2026, 11, 30), until=dt.date(2026, 11, 30)).query()
    assert [row.amount for row in session.execute(november)] == [11]
    first = ledger.LedgerFilter(since=dt.date(2026, 12, 1), until=dt.date(2026, 12, 1)).query()
    assert [row.amount for row in session.execute(first)] == [22]
    figures = statistics.figures(session, dt.date(2026, 12, 1), dt.date(2026, 12, 20))
    assert figures.credited == 22  # from the ledger's day tally: 00:30 on the 1st is the 1st's, at the plant
    assert statistics.figures(session, dt.date(2026, 11, 30), dt.date(2026, 11, 30)).credited == 11
    entry = session.scalars(select(ledger.LedgerEntry).where(ledger.LedgerEntry.memo == "元旦夜班")).one()
    assert entry.year == 2026  # the plant's new year, though it was still 2025 in UTC
    assert ledger.credited_in_year(session, early.id, 2026) == 27


def test_the_audit_filter_and_the_fraud_month_are_the_plant_s(session, make_employee, make_claim):
    worker = make_employee(number="E90003")
    claim = make_claim(worker)
    claims.approve(session, claim, claim.requested_points, actor="staff:safety")
    claims.mark_fraud(session, claim, "虚报", actor="staff:safety")
    claim.fraud_at = stored(2026, 12, 1, 0, 30)
    for at, actor in ((stored(2026, 12, 1, 0, 30), "staff:x"), (stored(2026, 11, 30, 23, 30), "staff:y")):
        entry = audit.AuditEntry(at=at, actor=actor, action="update", entity="setting", entity_id="k", changes="{}")
        session.add(entry)
    session.commit()
    found = session.scalars(
        audit.search(session, entity="setting", since=dt.date(2026, 12, 1), until=dt.date(2026, 12, 1))
    )
    assert [e.actor for e in found] == ["staff:x"]
    assert claims.redemption_suspended(session, worker.id, dt.date(2026, 12, 15))
    assert not claims.redemption_suspended(session, worker.id, dt.date(2026, 11, 15))


def test_now_and_today_are_the_plant_s():
    plant_now = dt.datetime.now(PLANT).replace(tzinfo=None)
    assert abs(clock.now() - plant_now) < dt.timedelta(seconds=5)
    assert clock.today() in (plant_now.date(), (plant_now - dt.timedelta(seconds=5)).date())


def test_a_slip_shows_and_numbers_the_plant_s_time(session, make_employee, make_goods):
    set_setting(session, "pin_threshold", 100_000)
    worker = make_employee(name="刘德华", number="E90004", balance=500)
    soap = make_goods("肥皂", 2, price=8)
    new_year = stored(2026, 1, 1, 0, 30)
    result = store.redeem(
        session, worker, {soap.id: 1}, kiosk="一号终端", request_key=secrets.token_urlsafe(16), at=new_year
    )
    session.commit()
    redemption = result.redemption
    assert redemption.number.startswith("DH-2026-")  # the plant's year, not UTC's 2025
    slip = slip_for(redemption, "安全积分超市")
    text = read(receipt.escpos_bytes(slip, 32, encoding="gb18030")).text()
    assert "2026-01-01 00:30" in text


def test_screens_and_exports_show_the_plant_s_time(client, session, login, edges):
    login("audit", "auditor")
    page = client.get("/admin/ledger?number=E90002")
    assert page.status_code == 200
    assert "2026-12-01 00:30" in page.text and "2026-01-01 00:30" in page.text
    assert "2026-11-30 16:30" not in page.text  # never UTC
    export = client.get("/admin/ledger.xlsx?number=E90002")
    data = export.data
    export.close()
    book = load_workbook(io.BytesIO(data))
    times = [row[1] for row in book.active.iter_rows(values_only=True) if isinstance(row[1], dt.datetime)]
    assert dt.datetime(2026, 12, 1, 0, 30) in times and dt.datetime(2026, 1, 1, 0, 30) in times
    english = client.get("/admin/ledger?number=E90002&lang=en")
    assert "1 Dec 2026 00:30" in english.text


def test_the_board_ranks_the_plant_s_month(client, session, make_employee):
    """The board's "this month" is the plant's month now: an award at 00:30 on the 1st belongs to it."""
    today = clock.today()
    first = today.replace(day=1)
    prior = first - dt.timedelta(days=1)
    late, early = make_employee(name="上月末丙", number="E90005"), make_employee(name="本月初丁", number="E90006")
    ledger.award(session, late.id, 11, actor="test", at=stored(prior.year, prior.month, prior.day, 23, 30))
    ledger.award(session, early.id, 22, actor="test", at=stored(first.year, first.month, first.day, 0, 30))
    session.commit()
    sheet = client.get("/board/print").text
    month = sheet.split("<h2>", 3)[2]  # the section of this month's ranking
    assert "本月初丁" in month and "上月末丙" not in month
    assert today.isoformat() in sheet  # "as of" the plant's day


def test_the_plant_zone_is_configuration(app_config):
    try:
        create_app({**app_config, "TIMEZONE": "America/Los_Angeles"})
        assert clock.day_start(dt.date(2026, 12, 1)) == dt.datetime(2026, 12, 1, 8, 0)
        with pytest.raises(ValueError, match="not a time zone"):
            create_app({**app_config, "TIMEZONE": "Mars/Olympus"})
    finally:
        clock.set_zone(clock.DEFAULT_ZONE)
    assert clock.day_start(dt.date(2026, 12, 1)) == dt.datetime(2026, 11, 30, 16, 0)


def test_store_hours_and_due_dates_are_the_plant_s(session, make_employee, make_claim):
    from models.workdays import add_working_days

    plant_now = dt.datetime.now(PLANT).replace(tzinfo=None)
    opens, closes = plant_now - dt.timedelta(minutes=3), plant_now + dt.timedelta(minutes=3)
    if opens.date() != closes.date():
        pytest.skip("within three minutes of the plant's midnight")
    set_setting(session, "store_days", str(plant_now.isoweekday()))
    set_setting(session, "store_hours", f"{opens:%H:%M}-{closes:%H:%M}")
    session.commit()
    assert store.store_open(session)  # open now at the plant, whatever the server's clock says
    claim = make_claim(make_employee(number="E90007"))
    days = get_setting(session, "review_working_days")
    assert claim.due_on == add_working_days(session, plant_now.date(), days)


def test_the_hazard_ledger_shows_the_plant_s_time(client, session, login):
    from models import hazards, places

    place = places.save_place(session, None, name="冲压车间", risk="orange")
    hazard = hazards.report(session, place, category="act", description="护栏缺失", reporter=None).hazard
    hazard.reported_at = stored(2026, 12, 1, 0, 30)
    session.commit()
    login("audit", "auditor")
    export = client.get("/admin/hazards/ledger.xlsx")
    data = export.data
    export.close()
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[1][3] == dt.datetime(2026, 12, 1, 0, 30)  # found at
    assert "2026-12-01 00:30" in client.get(f"/admin/hazards/{hazard.id}").text
