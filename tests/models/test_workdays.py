"""Working days: China's official holidays and make-up working days, with the admin's overrides."""

from __future__ import annotations

import datetime as dt

from models.workdays import add_working_days, is_workday, set_override

D = dt.date


def test_national_day_holiday_and_the_make_up_saturday(session):
    assert not is_workday(session, D(2026, 10, 1))  # National Day, Thursday
    assert not is_workday(session, D(2026, 10, 5))  # still the holiday, Monday
    assert is_workday(session, D(2026, 10, 10))  # make-up working Saturday
    assert is_workday(session, D(2026, 9, 20))  # make-up working Sunday
    assert not is_workday(session, D(2026, 9, 25))  # Mid-Autumn festival, Friday
    # From Wednesday 30 Sep, 3 working days: Thu 8 Oct, Fri 9 Oct, Sat 10 Oct.
    assert add_working_days(session, D(2026, 9, 30), 3) == D(2026, 10, 10)
    # An ordinary week: from Monday, 3 working days later is Thursday.
    assert add_working_days(session, D(2026, 11, 16), 3) == D(2026, 11, 19)


def test_the_override_table_wins_and_covers_years_the_package_does_not_know(session):
    set_override(session, D(2026, 11, 18), False, "厂休")
    assert not is_workday(session, D(2026, 11, 18))
    assert add_working_days(session, D(2026, 11, 16), 3) == D(2026, 11, 20)
    # 2027 is not published yet in the package: weekdays count, until an override says otherwise.
    assert is_workday(session, D(2027, 2, 8))
    set_override(session, D(2027, 2, 8), False, "春节")
    assert not is_workday(session, D(2027, 2, 8))
    set_override(session, D(2027, 2, 8), True, "春节调休")
    assert is_workday(session, D(2027, 2, 8))


def test_a_notice_over_the_national_day_holiday_lasts_its_working_days(session, make_employee, make_claim):
    """Approved on Wednesday 30 September 2026 at 10:00 at the plant, 3 days of notice: in working days it ends on
    the third working day after the holiday, the make-up Saturday 10 October, at 10:00; in calendar days on
    Saturday 3 October, in the middle of the holiday, when nobody reads the board."""
    from models import claims, clock
    from models.settings import set_setting

    approved = clock.day_start(D(2026, 9, 30)) + dt.timedelta(hours=10)
    working = make_claim(make_employee(name="甲"))
    claims.approve(session, working, 10, actor="staff:leader", now=approved)
    assert clock.to_local(working.notice_until).replace(tzinfo=None) == dt.datetime(2026, 10, 10, 10, 0)
    set_setting(session, "notice_day_kind", "calendar")
    calendar = make_claim(make_employee(name="乙"))
    claims.approve(session, calendar, 10, actor="staff:leader", now=approved)
    assert clock.to_local(calendar.notice_until).replace(tzinfo=None) == dt.datetime(2026, 10, 3, 10, 0)


def test_a_year_the_package_does_not_know_keeps_the_fixed_date_holidays(session):
    from models.workdays import knows_year

    assert knows_year(2026) and not knows_year(2031)
    assert not is_workday(session, D(2031, 1, 1))  # 元旦, a Wednesday
    assert not is_workday(session, D(2031, 5, 1))  # 劳动节, a Thursday
    assert [is_workday(session, D(2031, 10, d)) for d in (1, 2, 3, 6)] == [False, False, False, True]  # 国庆 Wed-Fri
    # From Tuesday 30 September 2031, 2 working days: not the holiday's Wednesday to Friday, but 6 and 7 October.
    assert add_working_days(session, D(2031, 9, 30), 2) == D(2031, 10, 7)


def test_from_december_the_dashboard_asks_for_next_year_s_calendar(session):
    from models.workdays import calendar_missing, set_year_list

    assert calendar_missing(session, D(2030, 11, 30)) is None  # not yet: the State Council publishes it late
    assert calendar_missing(session, D(2030, 12, 1)) == 2031
    assert calendar_missing(session, D(2025, 12, 1)) is None  # 2026 is in the package
    kept = set_year_list(session, "2031-01-01 休 元旦\n\n2031-01-22..2031-01-28 休 春节\n2031-01-26 班 春节调休\n")
    assert kept == 8  # a later line for a day wins: the make-up Sunday is worked
    assert calendar_missing(session, D(2030, 12, 1)) is None
    assert not is_workday(session, D(2031, 1, 23)) and is_workday(session, D(2031, 1, 26))


def test_a_year_s_list_with_a_line_not_understood_keeps_nothing(session):
    import pytest

    from models.errors import InvalidInput
    from models.workdays import WorkdayOverride, set_year_list

    for bad in ("2031-01-01 休\n2031-13-01 休", "2031-01-01", "2031-02-10..2031-02-01 休", "2031-01-01 假期", "  "):
        with pytest.raises(InvalidInput):
            set_year_list(session, bad)
    assert session.query(WorkdayOverride).count() == 0


def test_a_year_s_list_outside_the_product_s_years_is_refused_not_a_crash(session):
    import pytest

    from models.errors import InvalidInput
    from models.workdays import set_year_list

    for bad in (
        "9999-12-31 休",
        "9999-12-01..9999-12-31 休",
        "0001-01-01 休",
        "3000-01-01 班",
        "2031-01-01..2031-02-05 休",
    ):
        with pytest.raises(InvalidInput):
            set_year_list(session, bad)


def test_a_year_s_list_is_one_year_not_yet_past_and_an_override_can_be_taken_away(session):
    import pytest

    from models.errors import InvalidInput, NotFound
    from models.workdays import WorkdayOverride, parse_year_list, remove_override, set_year_list

    today = dt.date(2031, 6, 1)
    for bad in (
        "2031-12-31 休\n2032-01-01 休 元旦",  # two years in one paste
        "2031-12-28..2032-01-02 休",  # a range across the year's end
        "2031-05-31 休",  # a day gone by
    ):
        with pytest.raises(InvalidInput):
            parse_year_list(bad, today)
    assert parse_year_list("2031-06-01 班 调休", today) == [(dt.date(2031, 6, 1), True, "调休")]
    set_year_list(session, "2031-01-01 休 元旦\n2031-01-26 班 春节调休")
    assert is_workday(session, dt.date(2031, 1, 26))  # a Sunday, worked
    remove_override(session, dt.date(2031, 1, 26))
    assert not is_workday(session, dt.date(2031, 1, 26)) and session.query(WorkdayOverride).count() == 1
    with pytest.raises(NotFound):
        remove_override(session, dt.date(2031, 1, 26))
