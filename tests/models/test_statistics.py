"""The authorities' figures against a quarter and a month worked out by hand.

The plant's year 2026 up to 28 September (seed 001's quarterly form is due before the 29th of the quarter's last
month): hazards from each source, rewards of each kind, a claim found false, a deduction from an empty balance,
and entries at 23:30 and 00:30 plant time on the edges of the year, the month and the day chosen.
"""

from __future__ import annotations

import datetime as dt
import io
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from models import claims, clock, hazards, ledger, places, reports, statistics, store
from models.errors import InvalidInput
from models.settings import set_setting

ON = dt.date(2026, 9, 28)


def credited_claim(session, employee, rule, points: int, *, actor: str, approved=None, notice_over=None):
    """A claim the safety office files, approves and (at the end of its notice) credits."""
    made = claims.submit_claim(
        session, employee=employee, rule=rule, points=points, description="事项", source="office", actor=actor
    )
    claims.approve(session, made, points, actor="staff:leader", now=approved)  # someone else reviews
    claims.credit_due_one(session, made, actor="system", now=notice_over or clock.utcnow())
    return made


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> dt.datetime:
    """A moment at the plant (local time), as the UTC timestamp the tables keep."""
    return clock.day_start(dt.date(year, month, day)) + dt.timedelta(hours=hour, minutes=minute)


@pytest.fixture
def plant(session, make_employee, make_staff, make_goods, rule):
    """The year to 28 September, in the order it happened. The figures expected are worked out in the tests."""
    set_setting(session, "enterprise_name", "金寨示范厂")
    officer = make_staff("safety", "safety_officer")
    place = places.save_place(session, None, name="冲压车间", risk="orange")
    a, b = make_employee(name="甲", department="冲压车间"), make_employee(name="乙", department="冲压车间")
    c = make_employee(name="丙", department="仓储部")
    soap = make_goods("肥皂", 2, price=10)

    def report(category, when, *, reporter=None, channel=hazards.HazardChannel.poster, **found):
        if found:
            hazard = hazards.record_found(
                session, place, category=category, description="隐患", entered_by=officer.actor, **found
            )
        else:
            hazard = hazards.report(
                session, place, category=category, description="隐患", reporter=reporter, channel=channel
            ).hazard
        hazard.reported_at = when
        session.flush()
        return hazard

    def verify(hazard, when, verdict="valid", grade="general", **kw):
        hazards.verify(session, hazard, verdict, grade=grade, actor=officer.actor, now=when, **kw)

    def close(hazard, when):
        hazards.assign(session, hazard, actor=officer.actor, owner="safety", measures="整改", working_days=3)
        hazards.record_rectification(session, hazard, actor=officer.actor, officer=True, note="已整改")
        hazards.reinspect(session, hazard, actor="staff:leader", passed=True)  # not who recorded it
        hazard.rectified_at = hazard.closed_at = when

    def claim(employee, code, points, approved, notice_over):
        return credited_claim(
            session, employee, rule(code), points, actor=officer.actor, approved=approved, notice_over=notice_over
        )

    report("act", at(12, 31, 23, 30, year=2025), reporter=a)  # last year's, by half an hour
    ledger.award(session, a.id, 5, actor="test", memo="日常安全行为", at=at(2, 1))
    h1 = report("act", at(3, 10), reporter=a)
    verify(h1, at(3, 11))  # a's reward claim: 20 points, in notice for 3 days
    claims.credit_due(session, now=at(3, 20))  # credited on 20 March
    close(h1, at(4, 1))
    false = claim(b, "E01", 30, at(5, 6), at(5, 10))  # credited on 10 May ...
    h2 = report("state", at(6, 1))  # anonymous, by phone
    verify(h2, at(6, 2), grade="major")  # 50 points on its claim code, given on 2 June
    h4 = report("management", at(7, 5), source="self_check", found_by="车间周检")
    verify(h4, at(7, 6))  # valid, no reward: the enterprise found it itself
    close(h4, at(7, 20))
    h5 = report("state", at(8, 1), source="regulator", found_by="县应急管理局")
    verify(h5, at(8, 2), grade="major")
    hazards.assign(
        session,
        h5,
        actor=officer.actor,
        owner="safety",
        measures="停产整改",
        working_days=5,
        funds="2万元",
        contingency_plan="停机挂牌",
        acceptance_standard="验收合格",
        today=dt.date(2026, 8, 3),
    )  # due about 10 August: overdue on 28 September
    hazards.record_major(session, h5, actor=officer.actor, supervised=True, reported_on=dt.date(2026, 8, 2))
    ledger.award(session, c.id, 4, actor="test", memo="日常安全行为", at=at(8, 31, 23, 30))  # August's
    ledger.award(session, c.id, 7, actor="test", memo="日常安全行为", at=at(9, 1, 0, 30))  # September's
    claims.mark_fraud(session, false, "虚报培训", actor="staff:leader", now=at(9, 1))  # ... and found false
    h7 = report("act", at(9, 1), channel=hazards.HazardChannel.paper)  # anonymous, on paper
    verify(h7, at(9, 2), verdict="not_hazard", note="现场无此问题")
    claim(b, "V02", 15, at(9, 8), at(9, 10))  # b has nothing left: the deduction is on record, nothing taken
    claim(a, "V02", 8, at(9, 12), at(9, 15))
    store.redeem(session, a, {soap.id: 1}, kiosk="test", request_key="r" * 20, at=at(9, 20))
    h3 = report("environment", at(9, 27, 23, 30), reporter=b, channel=hazards.HazardChannel.telephone)
    verify(h3, at(9, 28, 0, 30), within_duties=True)  # 10 points in notice: not credited on the 28th
    report("act", at(9, 29, 0, 30), source="inspection", found_by="集团安全检查")  # after the day chosen
    session.commit()
    return a, b, c


# h7 was found not a hazard on 2 September: it is no hazard to count, only a report not taken up.
YEAR = {
    "by_source": {"report": 3, "self_check": 1, "regulator": 1},
    "reported": 3,
    "by_category": {"act": 1, "state": 1, "environment": 1},
    "verified": 5,
    "by_grade": {"general": 3, "major": 2},
    "not_taken_up": 1,
    "closed": 2,
    "overdue": 1,
    "self_found": 4,
    "self_closed": 2,
    "major_supervised": 1,
    "hazard_rewards": 2,  # a's 20 (credited 20 March), the claim code's 50 (2 June); b's 10 is still in notice
    "hazard_reward_points": 70,
    "awards": 4,  # a 5 + 20, c 4 + 7: b's 30 was found false
    "credited": 36,
    "deductions": 2,
    "deducted": 23,  # 15 in full though b had nothing left, and a's 8
    "deducted_taken": 8,
    "false_claims": 1,
    "false_points": 30,
    "redemptions": 1,
    "redeemed": 10,
    "outstanding": 18,  # a 25 - 8 - 10 = 7, b 30 - 30 = 0, c 4 + 7 = 11
}
MONTH = {
    "by_source": {"report": 1},  # h3 by telephone (27 September, 23:30); h7 on paper was not a hazard
    "reported": 1,
    "by_category": {"environment": 1},
    "verified": 1,
    "by_grade": {"general": 1},
    "not_taken_up": 1,
    "closed": 0,
    "overdue": 0,
    "self_found": 1,
    "self_closed": 0,
    "major_supervised": 0,
    "hazard_rewards": 0,
    "hazard_reward_points": 0,
    "awards": 1,  # c's 7 at 00:30 on 1 September (not the 4 at 23:30 on 31 August)
    "credited": 7,
    "deductions": 2,
    "deducted": 23,
    "deducted_taken": 8,
    "false_claims": 1,
    "false_points": 30,
    "redemptions": 1,
    "redeemed": 10,
    "outstanding": 18,
}


def test_the_year_and_the_month_by_hand(session, plant):
    report = statistics.report(session, ON)
    for figures, expected in ((report.year, YEAR), (report.month, MONTH)):
        assert {name: getattr(figures, name) for name in expected} == expected
    assert report.year.rectification_rate == 40.0 and report.month.rectification_rate == 0.0  # 0, never "—"
    assert report.year.wan_yuan(70) == 0.0014 and report.year.deducted_uncovered == 15  # 5 points a yuan
    assert report.mechanism
    assert report.year.by_department == {
        "仓储部": {"credited": 11, "deducted": 0, "redeemed": 0},
        "冲压车间": {"credited": 25, "deducted": 8, "redeemed": 10},
    }


def test_false_points_count_nowhere_and_deductions_are_on_record(session, plant):
    b = plant[1]
    assert ledger.credited_in_year(session, b.id, 2026) == 0  # the yearly cap does not count the false 30
    ranked = reports.ranking(session, dt.date(2026, 1, 1))
    assert [(r.name, r.points, r.earned) for r in ranked] == [("甲", 17, 25), ("丙", 11, 11)]  # 乙 earned nothing
    nothing = ledger.history(session, b.id, 5)
    on_record = [e for e in nothing if e.kind is ledger.EntryKind.deduction]
    assert [(e.amount, "应扣 15 分" in e.memo) for e in on_record] == [(0, True)]
    assert ledger.verify_ledger(session).ok


def test_a_deduction_left_owing_is_taken_from_the_next_award(session, make_employee, rule):
    set_setting(session, "deduction_shortfall", "next_awards")
    worker = make_employee(name="丁")

    def credited(code, points):
        return credited_claim(session, worker, rule(code), points, actor="staff:safety")

    owed = credited("V02", 12)
    assert owed.owed_points == 12 and owed.credited_points == 0
    credited("T01", 5)
    assert worker.balance == 0 and owed.owed_points == 7 and owed.credited_points == -5
    credited("T01", 20)
    assert worker.balance == 13 and owed.owed_points == 0 and owed.credited_points == -12
    session.commit()
    assert ledger.verify_ledger(session).ok
    # What was owed is taken as deductions of the claim it is owed for: the ranking, the department sheet and the
    # statistics all count 12 deducted, 25 earned, 13 kept.
    taken = [e for e in ledger.history(session, worker.id, 10) if e.kind is ledger.EntryKind.deduction]
    assert sorted(e.amount for e in taken) == [-7, -5, 0] and {e.ref_id for e in taken} == {owed.id}
    today = clock.today()
    ranked = reports.ranking(session, today.replace(month=1, day=1))
    assert [(r.points, r.earned) for r in ranked] == [(13, 25)]
    year = statistics.figures(session, today.replace(month=1, day=1), today)
    assert (year.deducted, year.deducted_taken, year.credited) == (12, 12, 25)
    assert year.by_department[worker.department.name]["deducted"] == 12


def test_what_is_owed_comes_only_from_later_awards(session, make_employee, make_goods, rule):
    """Owed points are taken from the points an award brings, never from a refund or from points the employee
    held before: a refund of a cancelled redemption stays the employee's."""
    set_setting(session, "deduction_shortfall", "next_awards")
    worker = make_employee(name="戊", balance=10)
    soap = make_goods("肥皂", 2, price=10)
    bought = store.redeem(session, worker, {soap.id: 1}, kiosk="test", request_key="s" * 20).redemption
    owed = credited_claim(session, worker, rule("V02"), 9, actor="staff:safety")
    assert worker.balance == 0 and owed.owed_points == 9
    store.cancel(session, bought, "拿错了", actor="test")  # 10 points back
    assert worker.balance == 10 and owed.owed_points == 9  # the refund is not touched
    credited_claim(session, worker, rule("T01"), 5, actor="staff:safety")
    assert worker.balance == 10 and owed.owed_points == 4  # only the 5 the award brought


def test_a_report_is_taken_as_it_stood_on_its_day(session, make_employee, make_staff, rule):
    """A verdict, a false claim found or an owed deduction taken after the day are not known on the day: a
    report of a past day reads as it read then, and as of a later day it reads what happened since."""
    set_setting(session, "deduction_shortfall", "next_awards")
    officer = make_staff("safety", "safety_officer")
    place = places.save_place(session, None, name="锅炉房", risk="red")
    worker = make_employee(name="己", department="动力车间")
    hazard = hazards.report(session, place, category="state", description="压力表失灵", reporter=None).hazard
    hazard.reported_at = at(9, 20)
    hazards.verify(session, hazard, "not_hazard", actor=officer.actor, now=at(9, 30), note="已更换")
    award = credited_claim(
        session, worker, rule("E01"), 20, actor=officer.actor, approved=at(9, 1), notice_over=at(9, 5)
    )
    owed = credited_claim(
        session, worker, rule("V02"), 25, actor=officer.actor, approved=at(9, 10), notice_over=at(9, 12)
    )
    assert owed.owed_points == 5
    claims.mark_fraud(session, award, "虚报", actor="staff:leader", now=at(10, 5))
    credited_claim(session, worker, rule("T01"), 10, actor=officer.actor, approved=at(10, 1), notice_over=at(10, 3))
    session.commit()
    then = statistics.figures(session, dt.date(2026, 9, 1), ON)
    assert (then.reported, then.verified, then.not_taken_up) == (1, 0, 0)  # awaiting verification on the 28th
    assert (then.credited, then.false_claims) == (20, 0)  # not known to be false yet
    assert (then.deducted, then.deducted_taken) == (25, 20)  # 5 still owed on the 28th
    later = statistics.figures(session, dt.date(2026, 9, 1), dt.date(2026, 10, 10))
    assert (later.reported, later.verified, later.not_taken_up) == (0, 0, 1)  # not a hazard
    assert (later.credited, later.false_claims) == (10, 1)  # the false 20 left out; October's 10
    assert (later.deducted, later.deducted_taken) == (25, 25)  # the 5 owed were taken on 3 October


class _Tables(HTMLParser):
    """The cells of each table on a page, row by row (what a person reads)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _number(text: str) -> object:
    return float(text) if "." in text else int(text)


def _positions(app, session) -> dict[str, int]:
    """Where each of the product's figures stands in its table, by its English name."""
    from admin.statistics import product_rows

    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask_babel import force_locale

        with force_locale("en"):
            return {item.strip(): n for n, (item, *_rest) in enumerate(product_rows(statistics.report(session, ON)))}


def test_every_cell_of_the_forms_on_screen_and_in_excel(app, client, login, session, plant):
    login("look", "auditor")
    page = client.get(f"/admin/statistics?on={ON}")
    assert page.status_code == 200 and "data-chart=" in page.text
    tables = _Tables()
    tables.feed(page.text)
    form2, form1, monthly, product = tables.tables[:4]
    assert form2[1] == list(statistics_form2_headings())
    assert [_number(v) for v in form2[2][1:]] == [1, 1, 0.0014, 2, 3] and form2[2][0] == "企业（本单位）"
    assert [_number(v) for v in form1[1]] == [4, 2]
    assert monthly[1][0] == "2026-09" and [_number(v) for v in monthly[1][1:]] == [1, 1, 1, 0, 0.0]
    where = _positions(app, session)
    by_item = {name: product[1 + n][1:3] for name, n in where.items()}
    assert by_item["Points credited"] == ["7", "36"] and by_item["Rectification rate (%)"] == ["0.0", "40.0"]
    assert by_item["Points deducted (in full)"] == ["23", "23"] and by_item["False claims"] == ["1", "1"]
    assert by_item["Rewards for hazard reports (person-times)"] == ["0", "2"]
    assert by_item["Points balance outstanding (liability)"] == ["18", "18"]

    export = client.get(f"/admin/statistics.xlsx?on={ON}")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.data))
    sheet2, sheet1, months, figures = book["季报表（二）"], book["季报表（一）"], book["月度统计"], book.worksheets[3]
    assert "金寨示范厂" in sheet2["A2"].value and "2026年9月28日" in sheet2["A2"].value
    assert sheet2["A3"].value == "填报单位类型" and sheet2["B3"].value == "建立事故隐患内部报告奖励机制"
    assert "A3:A4" in sheet2.merged_cells and "B3:F3" in sheet2.merged_cells
    assert [c.value for c in sheet2[4]][1:] == list(statistics_form2_headings())
    assert [c.value for c in sheet2[5]] == [form2[2][0], *[_number(v) for v in form2[2][1:]]]  # = the screen
    assert "1月1日以来累计数" in sheet2["A6"].value
    assert [c.value for c in sheet1[5]] == ["企业（本单位）", 4, 2]
    rows = [[c.value for c in row] for row in months.iter_rows(min_row=4)]
    assert rows == [
        ["2026-01", 1, 0, 0, 0, 0],
        ["2026-02", 1, 0, 0, 0, 0],
        ["2026-03", 1, 1, 1, 1, 4],  # h1, and its reward credited on 20 March (20 points: 4 yuan)
        ["2026-04", 1, 0, 0, 0, 0],
        ["2026-05", 1, 0, 0, 0, 0],
        ["2026-06", 1, 1, 1, 1, 10],  # the anonymous report and its claim code's 50 points
        ["2026-07", 1, 1, 0, 0, 0],  # the self-check
        ["2026-08", 1, 1, 0, 0, 0],  # the regulator's
        ["2026-09", 1, 1, 1, 0, 0],  # h3; h7 was not a hazard
    ]
    screen = [[row[0], *[None if v == "" else _number(v) for v in row[1:3]]] for row in product[1:]]
    excel = [[None if c.value == "" else c.value for c in row][:3] for row in figures.iter_rows(min_row=2)]
    assert [[item.strip() if isinstance(item, str) else item for item in row] for row in excel] == [
        [item.strip(), *values] for item, *values in screen
    ]
    book.close()


def statistics_form2_headings():
    from admin.statistics import FORM2_COLUMNS

    return FORM2_COLUMNS


@pytest.mark.parametrize("bad", ["on=2026-13-01", "on=26-10-01", "on=x", "period=2026-Q5", "period=1999-01"])
def test_a_bad_day_is_refused(bad):
    key, value = bad.split("=")
    with pytest.raises(InvalidInput):
        statistics.as_of({key: value}, ON)


def test_a_month_or_a_quarter_is_taken_as_of_its_last_day():
    assert statistics.as_of({"period": "2026-q3"}, dt.date(2026, 12, 2)) == dt.date(2026, 9, 30)
    assert statistics.as_of({"period": "2026-02"}, dt.date(2026, 12, 2)) == dt.date(2026, 2, 28)
    assert statistics.as_of({"period": "2026-12"}, dt.date(2026, 12, 2)) == dt.date(2026, 12, 2)  # never after today
    assert statistics.as_of({}, dt.date(2026, 12, 2)) == dt.date(2026, 12, 2)


def test_the_tally_is_the_ledger_summed(session, plant):
    """What post_entry kept, day by day, is what summing the whole ledger afresh gives."""
    kept = sorted(
        (t.day, t.kind, t.department_id, t.entries, t.points)
        for t in session.scalars(ledger.select(ledger.LedgerTally))
    )
    ledger.rebuild_tally(session)
    again = sorted(
        (t.day, t.kind, t.department_id, t.entries, t.points)
        for t in session.scalars(ledger.select(ledger.LedgerTally))
    )
    assert kept == again and kept


def test_a_redemption_cancelled_later_leaves_its_month_and_never_goes_negative(session, make_employee, make_goods):
    worker = make_employee(name="退货", balance=50)
    soap = make_goods("肥皂", 2, price=10)
    kept = store.redeem(session, worker, {soap.id: 1}, kiosk="test", request_key="k" * 20, at=at(8, 20))
    undone = store.redeem(session, worker, {soap.id: 1}, kiosk="test", request_key="u" * 20, at=at(8, 21))
    store.cancel(session, undone.redemption, "拿错了", actor="test")  # cancelled today, months later
    session.commit()
    assert kept.redemption.points == 10
    august = statistics.figures(session, dt.date(2026, 8, 1), dt.date(2026, 8, 31))
    today = clock.today()
    now = statistics.figures(session, today.replace(day=1), today)
    assert (august.redemptions, august.redeemed) == (1, 10)
    assert (now.redemptions, now.redeemed) == (0, 0)  # the refund does not land in the month it was made
    assert statistics.monthly_series(session, 2026).redeemed[7] == 10


def test_a_hazard_is_not_overdue_on_its_deadline_day(session, make_staff):
    officer = make_staff("safety", "safety_officer")
    place = places.save_place(session, None, name="仓库", risk="blue")
    hazard = hazards.record_found(
        session,
        place,
        source="self_check",
        category="state",
        description="灭火器过期",
        found_by="周检",
        entered_by=officer.actor,
    )
    hazards.verify(session, hazard, "valid", grade="general", actor=officer.actor, now=at(9, 2))
    hazard.reported_at, hazard.deadline = at(9, 1), ON
    session.commit()
    assert statistics.figures(session, dt.date(2026, 9, 1), ON).overdue == 0 and not hazard.is_overdue(ON)
    later = ON + dt.timedelta(days=1)
    assert statistics.figures(session, dt.date(2026, 9, 1), later).overdue == 1 and hazard.is_overdue(later)


def test_a_false_award_pays_no_deduction_owed(session, make_employee, make_staff, rule):
    """An award found false after it paid a deduction owed: the deduction is owed again, and no figure counts
    the false points as having covered it."""
    set_setting(session, "deduction_shortfall", "next_awards")
    officer = make_staff("safety", "safety_officer")
    worker = make_employee(name="庚", department="包装车间")
    owed = credited_claim(session, worker, rule("V02"), 25, actor=officer.actor)
    award = credited_claim(session, worker, rule("E01"), 20, actor=officer.actor)
    assert (worker.balance, owed.owed_points) == (0, 5)
    claims.mark_fraud(session, award, "虚报", actor="staff:leader")
    session.commit()
    assert (worker.balance, owed.owed_points, owed.credited_points) == (0, 25, 0)
    today = clock.today()
    year = statistics.figures(session, today.replace(month=1, day=1), today)
    assert (year.credited, year.deducted, year.deducted_taken, year.false_claims) == (0, 25, 0, 1)
    ranked = reports.department_ranking(session, today.replace(month=1, day=1))
    assert [(r.name, r.points, r.earned) for r in ranked] == [("包装车间", 0, 0)]
    assert ledger.verify_ledger(session).ok
    later = credited_claim(session, worker, rule("T01"), 10, actor=officer.actor)  # real points pay it now
    assert (worker.balance, owed.owed_points) == (0, 15) and later.credited_points == 10


def test_a_false_award_gives_back_only_what_it_paid_when_two_awards_share_a_second(
    session, make_employee, make_staff, rule
):
    """Two awards credited in one run (one timestamp) each paid deductions owed: the one found false owes again
    what it paid, and what the real award paid stays paid."""
    set_setting(session, "deduction_shortfall", "next_awards")
    officer = make_staff("safety", "safety_officer")
    worker = make_employee(name="壬")
    first = credited_claim(session, worker, rule("V02"), 25, actor=officer.actor)
    second = credited_claim(session, worker, rule("V02"), 10, actor=officer.actor)
    assert (first.owed_points, second.owed_points) == (25, 10)
    one_second = clock.utcnow()
    false, real = (
        credited_claim(session, worker, rule(code), points, actor=officer.actor, notice_over=one_second)
        for code, points in (("E01", 20), ("T01", 15))
    )
    assert (worker.balance, first.owed_points, second.owed_points) == (0, 0, 0)  # 20 paid first; 5 + 10 by real
    claims.mark_fraud(session, false, "虚报", actor="staff:leader")
    session.commit()
    assert (worker.balance, first.owed_points, second.owed_points) == (0, 20, 0)
    assert real.credited_points == 15 and ledger.verify_ledger(session).ok


def test_a_deduction_that_follows_a_false_award_is_not_taken_for_a_paid_debt(session, make_employee, make_staff, rule):
    """A deduction credited in the same run as a false award, whose rule's name begins like an owed take's memo,
    stays taken: it paid no debt of the award's."""
    from models import rules

    set_setting(session, "deduction_shortfall", "next_awards")
    officer = make_staff("safety", "safety_officer")
    worker = make_employee(name="癸")
    late = rules.save_rule(
        session,
        None,
        code="ZZ1",
        kind="deduct",
        category=rule("V02").category.value,
        name="补扣 迟到早退",
        description="",
        min_points=1,
        max_points=50,
    )
    one_second = clock.utcnow()
    false = credited_claim(session, worker, rule("E01"), 20, actor=officer.actor, notice_over=one_second)
    taken = credited_claim(session, worker, late, 10, actor=officer.actor, notice_over=one_second)
    assert worker.balance == 10 and not taken.owed_points
    claims.mark_fraud(session, false, "虚报", actor="staff:leader")
    session.commit()
    assert (worker.balance, taken.owed_points or 0, taken.credited_points) == (0, 0, -10)
    assert ledger.verify_ledger(session).ok


def test_a_hazard_reward_found_false_later_stays_in_its_day(session, make_employee, make_staff):
    officer = make_staff("safety", "safety_officer")
    place = places.save_place(session, None, name="配电室", risk="orange")
    worker = make_employee(name="辛")
    hazard = hazards.report(session, place, category="state", description="电缆破损", reporter=worker).hazard
    hazard.reported_at = at(9, 2)
    hazards.verify(session, hazard, "valid", grade="general", actor=officer.actor, now=at(9, 3))
    claims.credit_due_one(session, hazard.reward_claim, actor="system", now=at(9, 10))
    claims.mark_fraud(session, hazard.reward_claim, "照片为网络图片", actor=officer.actor, now=at(10, 5))
    session.commit()
    then = statistics.figures(session, dt.date(2026, 9, 1), ON)
    later = statistics.figures(session, dt.date(2026, 9, 1), dt.date(2026, 10, 10))
    assert (then.hazard_rewards, then.hazard_reward_points, then.credited) == (1, 20, 20)  # as it was filed
    assert (later.hazard_rewards, later.hazard_reward_points, later.credited) == (0, 0, 0)  # known false since


def test_the_charts_count_hazards_as_of_the_day(session, plant):
    """The monthly series (the charts, the Excel's sheet by month) count hazards as the forms do: a report found
    no hazard is not one, and a verdict given after the day is not known yet."""
    september = statistics.monthly_series(session, 2026, ON)
    assert sum(counts[8] for counts in september.hazards.values()) == 1  # h3; h7 was not a hazard
    first = statistics.monthly_series(session, 2026, dt.date(2026, 9, 1))
    assert sum(counts[8] for counts in first.hazards.values()) == 1  # h7, not yet found no hazard on 1 September
    assert first.credited[8] == 7 and september.credited[8] == 7
