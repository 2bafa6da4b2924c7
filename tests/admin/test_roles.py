"""The role matrix: every back-office route against every role, and against nobody signed in.

The table below is the design, written out by hand: who may use each route besides an admin (who may use
all). A route the table does not name fails the test, so a new route must take a place in the matrix. A
refused request gets a 403 (nobody signed in: the sign-in page) and changes nothing, as the row counts,
the audit log and the chain's head show.
"""

from __future__ import annotations

import re

import pytest
from flask import url_for

from app import create_app
from app.extensions import db
from tests.invariants import fingerprint

READ = {"safety_officer", "storekeeper", "supervisor", "auditor"}
OFFICER, STORE, ADMIN_ONLY = {"safety_officer"}, {"storekeeper"}, set()
ACCOUNTS = READ | {"finance"}  # finance reads the money, the ledger and the figures; changes nothing
MONEY = {"safety_officer", "auditor", "finance"}
MATRIX: dict[tuple[str, str], set[str]] = {
    ("admin.dashboard", "GET"): ACCOUNTS,
    ("admin.audit_list", "GET"): {"auditor"},
    ("admin.claims_index", "GET"): READ,
    ("admin.claim_detail", "GET"): READ,
    ("admin.claim_approve", "POST"): OFFICER,
    ("admin.claims_bulk_approve", "POST"): OFFICER,
    ("admin.claim_step", "POST"): OFFICER,
    ("admin.claim_object", "POST"): {"safety_officer", "supervisor", "storekeeper"},
    ("admin.claim_new", "GET"): {"safety_officer", "supervisor"},
    ("admin.claim_create", "POST"): {"safety_officer", "supervisor"},
    ("admin.event_new", "GET"): {"safety_officer", "supervisor"},
    ("admin.event_create", "POST"): {"safety_officer", "supervisor"},
    ("admin.event_detail", "GET"): READ,
    ("admin.event_step", "POST"): OFFICER,
    ("admin.photo", "GET"): READ,
    ("admin.goods_list", "GET"): READ,
    ("admin.goods_edit", "GET"): READ,
    ("admin.goods_picture", "GET"): READ,
    ("admin.count_sheet", "GET"): READ,
    ("admin.shelf_labels", "GET"): READ,
    ("admin.stocktake", "GET"): READ,
    ("admin.goods_new", "GET"): STORE,
    ("admin.goods_create", "POST"): STORE,
    ("admin.goods_update", "POST"): STORE,
    ("admin.goods_stock", "POST"): STORE,
    ("admin.stocktake_post", "POST"): STORE,
    ("admin.delivery", "GET"): STORE,
    ("admin.delivery_post", "POST"): STORE,
    ("admin.hazard_list", "GET"): READ,
    ("admin.hazard_detail", "GET"): READ,
    ("admin.hazard_ledger", "GET"): READ,
    ("admin.hazard_verify", "POST"): OFFICER,
    ("admin.hazard_assign", "POST"): OFFICER,
    ("admin.hazard_reassign", "POST"): OFFICER,
    ("admin.hazard_reinspect", "POST"): OFFICER,
    ("admin.hazard_major", "POST"): OFFICER,
    ("admin.hazard_new", "GET"): {"safety_officer", "supervisor"},
    ("admin.hazard_create", "POST"): {"safety_officer", "supervisor"},
    ("admin.hazard_rectified", "POST"): {"safety_officer", "supervisor", "storekeeper"},  # a hazard's owner
    ("admin.kiosk_list", "GET"): ADMIN_ONLY,
    ("admin.kiosk_create", "POST"): ADMIN_ONLY,
    ("admin.kiosk_code", "POST"): ADMIN_ONLY,
    ("admin.kiosk_printer", "GET"): STORE,
    ("admin.ledger_list", "GET"): ACCOUNTS,
    ("admin.ledger_export", "GET"): ACCOUNTS,
    ("admin.people_list", "GET"): READ,
    ("admin.person", "GET"): READ,
    ("admin.card_sheet", "GET"): ADMIN_ONLY,  # its QR codes are the cards themselves
    ("admin.cards_for_all", "POST"): STORE,
    ("admin.person_new", "GET"): ADMIN_ONLY,
    ("admin.person_create", "POST"): ADMIN_ONLY,
    ("admin.person_update", "POST"): ADMIN_ONLY,
    ("admin.person_step", "POST"): ADMIN_ONLY,
    ("admin.person_pin", "POST"): ADMIN_ONLY,
    ("admin.department_create", "POST"): ADMIN_ONLY,
    ("admin.card_issue", "POST"): STORE,
    ("admin.card_step", "POST"): STORE,
    ("admin.roster_form", "GET"): ADMIN_ONLY,
    ("admin.roster_template", "GET"): ADMIN_ONLY,
    ("admin.go_live", "GET"): ADMIN_ONLY,
    ("admin.roster_upload", "POST"): ADMIN_ONLY,
    ("admin.roster_preview", "GET"): ADMIN_ONLY,
    ("admin.roster_apply", "POST"): ADMIN_ONLY,
    ("admin.opening_form", "GET"): ADMIN_ONLY,
    ("admin.opening_upload", "POST"): ADMIN_ONLY,
    ("admin.opening_preview", "GET"): ADMIN_ONLY,
    ("admin.opening_apply", "POST"): ADMIN_ONLY,
    ("admin.opening_template", "GET"): ADMIN_ONLY,
    ("admin.go_live_award", "POST"): ADMIN_ONLY,
    ("admin.roster_departments", "POST"): ADMIN_ONLY,
    ("admin.place_list", "GET"): READ,
    ("admin.place_edit", "GET"): READ,
    ("admin.place_posters", "GET"): READ,
    ("admin.place_create", "POST"): OFFICER,
    ("admin.place_update", "POST"): OFFICER,
    ("admin.place_new_token", "POST"): OFFICER,
    ("admin.redemptions", "GET"): READ,
    ("admin.redemption_find", "GET"): READ,
    ("admin.redemption_detail", "GET"): READ,
    ("admin.redemption_slip", "GET"): READ,
    ("admin.redemption_step", "POST"): STORE,
    ("admin.rules_index", "GET"): READ,
    ("admin.rule_edit", "GET"): OFFICER,
    ("admin.rule_new", "GET"): OFFICER,
    ("admin.rule_save", "POST"): OFFICER,
    ("admin.rule_retire", "POST"): OFFICER,
    ("admin.settings_index", "GET"): READ,
    ("admin.setting_save", "POST"): ADMIN_ONLY,
    ("admin.workday_save", "POST"): ADMIN_ONLY,
    ("admin.workday_year", "POST"): ADMIN_ONLY,
    ("admin.workday_remove", "POST"): ADMIN_ONLY,
    ("admin.year_end", "GET"): {"auditor", "finance"},
    ("admin.money_page", "GET"): MONEY,
    ("admin.money_export", "GET"): MONEY,
    ("admin.half_year_page", "GET"): MONEY,
    ("admin.half_year_pdf", "GET"): MONEY,
    ("admin.half_year_export", "GET"): MONEY,
    ("admin.organisation_page", "GET"): ACCOUNTS,
    ("admin.organisation_appoint", "POST"): ADMIN_ONLY,
    ("admin.organisation_leave", "POST"): ADMIN_ONLY,
    ("admin.organisation_strike", "POST"): ADMIN_ONLY,
    ("admin.year_end_close", "POST"): ADMIN_ONLY,
    ("admin.staff_list", "GET"): ADMIN_ONLY,
    ("admin.staff_edit", "GET"): ADMIN_ONLY,
    ("admin.staff_create", "POST"): ADMIN_ONLY,
    ("admin.staff_update", "POST"): ADMIN_ONLY,
    ("admin.staff_password", "POST"): ADMIN_ONLY,
    ("admin.statistics_page", "GET"): ACCOUNTS,
    ("admin.appraisal_page", "GET"): {"safety_officer", "supervisor", "auditor"},
    ("admin.appraisal_export", "GET"): {"safety_officer", "supervisor", "auditor"},
    ("admin.statistics_export", "GET"): ACCOUNTS,
}
ARGUMENTS = {"number": "DH-2026-000001", "token": "0" * 32, "key": "yearly_cap", "day_text": "2031-01-01"}


def admin_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, a URL for it) for every back-office route, with made-up but well-formed arguments."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            values = {}
            for name, converter in rule._converters.items():
                if name in ARGUMENTS:
                    values[name] = ARGUMENTS[name]
                elif hasattr(converter, "items"):  # any(...): its first choice
                    values[name] = (
                        sorted(converter.items)[0] if isinstance(converter.items, set) else converter.items[0]
                    )
                else:
                    values[name] = 1
            with app.test_request_context():
                routes.append((rule.endpoint, method, url_for(rule.endpoint, **values)))
    return routes


def test_every_route_has_a_place_in_the_matrix(app):
    found = {(endpoint, method) for endpoint, method, _ in admin_routes(app)}
    assert found == set(MATRIX), (found - set(MATRIX), set(MATRIX) - found)


@pytest.mark.parametrize("role", ["admin", "safety_officer", "storekeeper", "supervisor", "auditor", "finance"])
def test_each_role_gets_what_the_matrix_says(app, client, login, session, role):
    login("someone", role)
    for endpoint, method, url in admin_routes(app):
        allowed = role == "admin" or role in MATRIX[(endpoint, method)]
        before = fingerprint(session)
        response = client.open(url, method=method, data={})
        response.close()
        if allowed:
            assert response.status_code != 403 and response.status_code < 500, (role, method, url, response.status_code)
        else:
            assert response.status_code == 403, (role, method, url, response.status_code)
            assert fingerprint(session) == before, (role, method, url)


def test_nobody_signed_in_is_sent_to_sign_in(app, client, session):
    before = fingerprint(session)
    for _endpoint, method, url in admin_routes(app):
        response = client.open(url, method=method, data={})
        assert response.status_code in (302, 303) and "/login" in response.headers["Location"], (method, url)
    assert fingerprint(session) == before


def test_every_form_without_its_csrf_token_is_refused(app_config, make_staff, session):
    """With CSRF protection on (as in production) an admin signed in properly posts every back-office form
    without the token: each gets a 400 with the message, and nothing changes."""
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    make_staff("boss", "admin")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text).group(1)
    signed_in = client.post("/login", data={"username": "boss", "password": "password-123", "csrf_token": token})
    assert signed_in.status_code == 303
    before = fingerprint(session)
    for _endpoint, method, url in admin_routes(app):
        if method == "POST":
            response = client.post(url, data={"name": "x"})
            assert response.status_code == 400 and "表单已过期" in response.text, (url, response.status_code)
    assert fingerprint(session) == before
    with app.app_context():
        db.engine.dispose()  # this second app's pool: closed now, not whenever it is collected
