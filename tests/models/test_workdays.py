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
