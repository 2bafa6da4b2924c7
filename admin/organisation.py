"""The scheme's organisation on record (seed 000 二): the leading group, the points administrators and the
finance contact; everyone in the back office reads it, an administrator keeps it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.extensions import db
from app.forms import clip, whole_or_none
from models import clock, organisation
from models.errors import DomainError
from models.i18n import lazy_gettext as _l
from models.people import Department

from . import ACCOUNTS, bp, role_required


def _page(*, error: str = "", typed: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    current, past = organisation.kept_now(db.session)
    return render_template(
        "admin/organisation.html",
        members=current,
        past=past,
        today=clock.today(),
        posts=list(organisation.Post),
        departments=db.session.scalars(select(Department).order_by(Department.name)).all(),
        can_edit=current_user.has_role(),
        error=error,
        typed=typed or {},
    ), status


@bp.get("/organisation")
@role_required(*ACCOUNTS)
def organisation_page() -> tuple[str, int]:
    return _page()


@bp.post("/organisation")
@role_required()
def organisation_appoint() -> Response | tuple[str, int]:
    form = request.form
    typed = {k: form.get(k, "")[:200] for k in ("post", "name", "title", "duty")}
    typed |= {k: clip(form.get(k)) for k in ("department", "since", "until")}
    try:
        member = organisation.appoint(
            db.session,
            post=typed["post"],
            name=typed["name"],
            title=typed["title"],
            department_id=whole_or_none(typed["department"], _l("Choose the department from the list.")),
            duty=typed["duty"],
            since=typed["since"],
            until=typed["until"],
            actor=current_user.actor,
        )
    except DomainError as err:
        db.abandon()
        return _page(error=err.message, typed=typed, status=err.status_code)
    flash(_l("%(name)s is on record as %(post)s.", name=member.name, post=member.post.label), "info")
    return redirect(url_for("admin.organisation_page"), 303)


def _change(change: Callable[[], Any]) -> Response | tuple[str, int]:
    """Make a change to a row of the record and say what it was; a refusal shows the page with the reason."""
    try:
        message = change()
    except DomainError as err:
        db.abandon()
        if err.status_code == 404:
            raise
        return _page(error=err.message, status=err.status_code)
    flash(message, "info")
    return redirect(url_for("admin.organisation_page"), 303)


@bp.post("/organisation/<int:member_id>/leave")
@role_required()
def organisation_leave(member_id: int) -> Response | tuple[str, int]:
    def left() -> Any:
        member = organisation.leave(db.session, member_id, until=clip(request.form.get("until")))
        return _l("%(name)s left the post on %(day)s.", name=member.name, day=member.until)

    return _change(left)


@bp.post("/organisation/<int:member_id>/strike")
@role_required()
def organisation_strike(member_id: int) -> Response | tuple[str, int]:
    """A row entered by mistake taken off the record, with the reason (the audit log keeps both)."""

    def struck() -> Any:
        name = organisation.strike(db.session, member_id, reason=request.form.get("reason", "")[:200])
        return _l("%(name)s's row was taken off the record.", name=name)

    return _change(struck)
