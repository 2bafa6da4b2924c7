"""Settings: the scheme's numbers, and the working-day overrides (dates the calendar package does not know)."""

from __future__ import annotations

import datetime as dt

from flask import redirect, render_template, request, url_for
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


@bp.post("/workdays")
@role_required(*EDITORS)
def workday_save() -> Response:
    day = forms.day(request.form.get("day"), _l("Give the date as YYYY-MM-DD."))
    if day is None:
        raise InvalidInput(_l("Give the date as YYYY-MM-DD."))
    kind = request.form.get("kind")
    if kind not in ("work", "rest"):
        raise InvalidInput(_l("Say whether the day is worked or a day off."))
    workdays.set_override(db.session, day, kind == "work", request.form.get("note", "").strip()[:100])
    return redirect(url_for("admin.settings_index"), 303)
