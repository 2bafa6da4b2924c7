"""Settings: the scheme's numbers, and the working-day overrides (dates the calendar package does not know)."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app import forms
from app.extensions import db
from models import clock, settings, workdays
from models.errors import DomainError, InvalidInput
from models.i18n import lazy_gettext as _l
from models.people import Role

from . import READERS, bp, role_required

EDITORS = (Role.admin,)


@bp.get("/settings")
@role_required(*READERS)
def settings_index() -> str:
    return _page()


def _page(**extra: object) -> str:
    overrides = db.session.scalars(
        select(workdays.WorkdayOverride)
        .where(workdays.WorkdayOverride.day >= clock.today() - dt.timedelta(days=31))
        .order_by(workdays.WorkdayOverride.day)
    )
    return render_template(
        "admin/settings.html",
        values=settings.all_settings(db.session),
        specs=settings.SPECS,
        groups=settings.GROUPS,
        overrides=list(overrides),
        can_edit=current_user.has_role(*EDITORS),
        today=clock.today(),
        **extra,
    )


@bp.post("/settings/<key>")
@role_required(*EDITORS)
def setting_save(key: str) -> str | tuple[str, int]:
    """Save one setting in its row; a refused value stays in the field with the reason beside it, in words."""
    typed = request.form.get("value", "")[:200]
    try:
        value = settings.set_setting(db.session, key, typed)
    except DomainError as err:
        if key not in settings.SPECS:
            raise
        db.abandon()
        row = render_template(
            "admin/_setting_row.html", key=key, spec=settings.SPECS[key], value=typed, can_edit=True, error=err.message
        )
        return row, err.status_code
    return render_template(
        "admin/_setting_row.html", key=key, spec=settings.SPECS[key], value=value, can_edit=True, saved=True
    )


@bp.post("/workdays/year")
@role_required(*EDITORS)
def workday_year() -> Response:
    """The State Council's calendar for a year, pasted whole; a line not understood keeps nothing."""
    typed = request.form.get("days", "")[:20000]
    try:
        kept = workdays.set_year_list(db.session, typed)
    except DomainError as err:
        db.abandon()
        return Response(_page(year_list=typed, year_error=err.message), status=err.status_code)
    flash(_l("%(n)s days of the calendar saved.", n=kept), "info")
    return redirect(url_for("admin.settings_index"), 303)


@bp.post("/workdays/<day_text>/remove")
@role_required(*EDITORS)
def workday_remove(day_text: str) -> Response:
    day = forms.day(forms.clip(day_text), _l("Give the date as YYYY-MM-DD."))
    if day is None:
        raise InvalidInput(_l("Give the date as YYYY-MM-DD."))
    workdays.remove_override(db.session, day)
    flash(_l("The override of %(day)s is taken away.", day=day.isoformat()), "info")
    return redirect(url_for("admin.settings_index"), 303)


@bp.post("/workdays")
@role_required(*EDITORS)
def workday_save() -> Response:
    day = forms.day(request.form.get("day"), _l("Give the date as YYYY-MM-DD."))
    if day is None:
        raise InvalidInput(_l("Give the date as YYYY-MM-DD."))
    kind = request.form.get("kind")
    if kind not in ("work", "rest"):
        raise InvalidInput(_l("Say whether the day is worked or a day off."))
    workdays.ensure_ahead(day)
    workdays.set_override(db.session, day, kind == "work", request.form.get("note", "").strip()[:100])
    return redirect(url_for("admin.settings_index"), 303)
