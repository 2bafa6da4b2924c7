"""Settings and working-day overrides in the back office."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask_babel import force_locale

from models import clock
from models.settings import SPECS, get_setting
from models.workdays import is_workday


def test_an_admin_changes_the_yearly_cap_in_place(client, login, session):
    login("admin", "admin")
    page = client.get("/admin/settings")
    assert page.status_code == 200 and "每人每年积分上限" in page.text and "2000" in page.text
    response = client.post("/admin/settings/yearly_cap", data={"value": "1500"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "已保存" in response.text
    session.rollback()  # a new transaction reads the settings afresh (within one they are read once)
    assert get_setting(session, "yearly_cap") == 1500
    assert client.post("/admin/settings/cap_mode", data={"value": "refuse"}).status_code == 200
    session.rollback()
    assert get_setting(session, "cap_mode") == "refuse"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("yearly_cap", "abc"),
        ("yearly_cap", "0"),
        ("yearly_cap", "-5"),
        ("cap_mode", "maybe"),
        ("no_such_key", "1"),
        ("notice_days", "1e9"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(app, client, login, session, key, value):
    login("admin", "admin")
    response = client.post(f"/admin/settings/{key}", data={"value": value}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    if key in SPECS:  # the row comes back with the reason beside the field, naming the setting in words
        error = re.search(r'<em class="field-error" role="alert">([^<]*)</em>', response.text).group(1)
        with app.test_request_context(), force_locale("zh_Hans_CN"):
            label = str(SPECS[key].label)
        assert key not in error and label in error, error
        if not SPECS[key].choices:
            assert f'value="{value}"' in response.text  # what was typed stays in the field
    else:
        assert 'class="message error"' in response.text
    assert get_setting(session, "yearly_cap") == 2000 and get_setting(session, "cap_mode") == "trim"


def test_only_admins_change_settings(client, login, session):
    login("safety", "safety_officer")
    assert client.get("/admin/settings").status_code == 200
    assert client.post("/admin/settings/yearly_cap", data={"value": "10"}).status_code == 403
    assert client.post("/admin/workdays", data={"day": "2027-02-08", "kind": "rest"}).status_code == 403
    assert get_setting(session, "yearly_cap") == 2000


def test_a_working_day_override(client, login, session):
    from models import workdays

    login("admin", "admin")
    today = clock.today()
    response = client.post("/admin/workdays", data={"day": today.isoformat(), "kind": "rest", "note": "厂休"})
    assert response.status_code == 303
    assert not is_workday(session, today)
    assert "厂休" in client.get("/admin/settings").text
    for bad in (
        {"day": "2027-02-30", "kind": "rest"},
        {"day": "tomorrow", "kind": "rest"},
        {"day": "2027-02-08", "kind": "holiday"},
        {"day": "2027-W06-1", "kind": "rest"},  # an ISO week date is not a date as the form writes it
        {"day": (today - dt.timedelta(days=3)).isoformat(), "kind": "rest"},  # a day gone by
    ):
        assert client.post("/admin/workdays", data=bad).status_code == 400
    yesterday = today - dt.timedelta(days=1)
    workdays.set_override(session, yesterday, False, "厂休")
    session.commit()
    refused = client.post(f"/admin/workdays/{yesterday.isoformat()}/remove")  # its button is not shown either
    assert refused.status_code == 400 and session.get(workdays.WorkdayOverride, yesterday) is not None


def test_every_setting_has_one_place_on_the_page():
    from models.settings import GROUPS, SPECS

    placed = [key for _title, keys in GROUPS for key in keys]
    assert sorted(placed) == sorted(SPECS) and len(placed) == len(set(placed))


def test_next_year_s_calendar_pasted_whole_from_the_dashboard_s_warning(client, login, session, monkeypatch):
    """From 1 December the dashboard asks for next year's official calendar while the package does not know it;
    the settings page takes the State Council's list at once, and a line it does not understand keeps nothing
    and keeps what was typed."""
    from models import workdays

    monkeypatch.setattr(clock, "today", lambda: dt.date(2030, 12, 1))
    login("admin", "admin")
    warning = client.get("/admin/").text
    assert "2031" in warning and "#calendar" in warning
    typed = "2031-01-01 休 元旦\n2031-01-22..2031-01-28 休 春节\n2031-1-26 班 调休"
    refused = client.post("/admin/workdays/year", data={"days": typed})
    assert refused.status_code == 400 and "3" in refused.text and "2031-01-22..2031-01-28 休 春节" in refused.text
    assert session.query(workdays.WorkdayOverride).count() == 0
    done = client.post("/admin/workdays/year", data={"days": typed.replace("2031-1-26", "2031-01-26")})
    assert done.status_code == 303
    page = client.get("/admin/settings").text
    assert "调休" in page and "元旦" in page  # the days kept, listed with their notes
    assert not is_workday(session, dt.date(2031, 1, 23)) and is_workday(session, dt.date(2031, 1, 26))
    assert workdays.calendar_missing(session, clock.today()) is None
    assert "#calendar" not in client.get("/admin/").text
    # A day typed by mistake is taken away again; one that is not there, or a date not understood, is refused.
    assert client.post("/admin/workdays/2031-01-26/remove").status_code == 303
    assert not is_workday(session, dt.date(2031, 1, 26))
    assert client.post("/admin/workdays/2031-01-26/remove").status_code == 404
    assert client.post("/admin/workdays/2031-02-30/remove").status_code == 400
    assert client.post("/admin/workdays/%00/remove").status_code == 400
