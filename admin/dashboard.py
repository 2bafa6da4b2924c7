"""The back-office home: today's work at a glance, and the year in charts."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.extensions import db
from models import claims, clock, golive, reports, statistics, workdays
from models.i18n import lazy_gettext as _l

from . import ACCOUNTS, bp, charts, role_required

# The go-live checklist's steps in words, each with the screen that does it (models/golive.py ticks them).
STEPS = {
    "address": (
        _l("The server's address for phones"),
        "admin.settings_index",
        _l("Phones open the posters' and the cards' QR codes at this address: set it before printing either."),
    ),
    "staff": (
        _l("Staff accounts for the safety officer and the storekeeper"),
        "admin.staff_list",
        _l("Each person signs in with their own account; the administrator's is for set-up."),
    ),
    "roster": (
        _l("The roster imported from HR"),
        "admin.roster_form",
        _l("The employees, their departments and kinds."),
    ),
    "cards": (
        _l("A card for every working employee"),
        "admin.people_list",
        _l("Issue them, then print the card sheet."),
    ),
    "pins": (
        _l("A PIN for every working employee"),
        "admin.people_list",
        _l("For the counter without a card, for larger redemptions and for the phone."),
    ),
    "goods": (_l("Goods on the shelf, with stock"), "admin.goods_list", _l("Post the first delivery.")),
    "places": (
        _l("Places and their QR posters"),
        "admin.place_list",
        _l("The workshops and areas where hazards are reported; print the posters."),
    ),
    "kiosk": (_l("A kiosk paired at the counter"), "admin.kiosk_list", _l("Add the kiosk and type its code on it.")),
    "opening": (
        _l("Opening balances"),
        "admin.opening_form",
        _l("If points were kept before (on paper), or a go-live award for everyone."),
    ),
    "scheme": (
        _l("The scheme's numbers"),
        "admin.settings_index",
        _l("The enterprise's name, the yearly cap, the review and notice days, the points per yuan."),
    ),
}


def go_live_steps() -> list[tuple[golive.Step, object, str, object]]:
    return [(step, *STEPS[step.key]) for step in golive.checklist(db.session)]


@bp.get("/go-live")
@role_required()
def go_live() -> str:
    steps = go_live_steps()
    return render_template("admin/go_live.html", steps=steps, ready=golive.ready([s[0] for s in steps]))


@bp.get("/")
@role_required(*ACCOUNTS)
def dashboard() -> str:
    series = statistics.monthly_series(db.session, clock.today().year)
    steps = go_live_steps() if current_user.has_role() else []  # the set-up is the administrator's
    return render_template(
        "admin/dashboard.html",
        steps=[] if golive.ready([s[0] for s in steps]) else steps,
        work=reports.todays_work(db.session),
        next_claims=claims.review_queue(db.session, limit=5),
        year=clock.today().year,
        calendar_missing=workdays.calendar_missing(db.session, clock.today()),
        **charts.year_charts(series),
    )
