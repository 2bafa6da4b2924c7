"""Awards for an event in the back office: file a training, a drill or an exam for all who took part, review it
once (models/events.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.extensions import db
from app.forms import day, row_id, uploaded_photos
from models import claims, clock, events, people, rules
from models.base import get_or_404
from models.errors import DomainError, InvalidInput
from models.i18n import lazy_gettext as _l

from . import READERS, bp, role_required
from .claims import CLAIMANTS, REVIEWERS


def _form_page(error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "admin/event_new.html",
        rules=[r for r in rules.active_rules(db.session, rules.RuleKind.earn) if not r.reports_hazard],
        departments=list(db.session.scalars(select(people.Department).order_by(people.Department.name))),
        teams=list(db.session.scalars(select(people.Team).order_by(people.Team.name))),
        today=clock.today().isoformat(),
        typed=request.form if error else {},
        error=error,
    ), status


@bp.get("/events/new")
@role_required(*CLAIMANTS)
def event_new() -> tuple[str, int]:
    return _form_page()


def _file_event() -> tuple[str, bool]:
    form = request.form
    rule = get_or_404(
        db.session, rules.Rule, form.get("rule_id", type=row_id) or 0, _l("Choose the rule the event earns.")
    )
    held_on = day(form.get("held_on"), _l("Give the day of the event as YYYY-MM-DD."))
    if held_on is None:
        raise InvalidInput(_l("Give the day of the event as YYYY-MM-DD."))
    try:
        points = int(form.get("points", ""))
        department_ids = [row_id(d) for d in form.getlist("departments")[:200]]
    except ValueError:
        raise InvalidInput(_l("Give the points as a whole number.")) from None
    sheet = uploaded_photos("attendance", limit=1)
    people_ = events.participants(
        db.session,
        department_ids=department_ids,
        team_id=form.get("team", type=row_id),
        numbers=events.attendance(sheet[0]) if sheet else [],
    )
    return events.file_event(
        db.session,
        rule=rule,
        points=points,
        held_on=held_on,
        title=form.get("title", "")[:200],
        people=people_,
        source=claims.source_for(current_user),
        actor=current_user.actor,
    )


@bp.post("/events/new")
@role_required(*CLAIMANTS)
def event_create() -> Response | tuple[str, int]:
    try:
        origin, left_out = _file_event()
    except DomainError as err:  # the form again, filled, with the reason
        db.abandon()
        return _form_page(err.message, err.status_code)
    if left_out:
        flash(
            _l(
                "Your own claim is left out of the event: claim it at the kiosk or on your phone, "
                "for someone to review."
            ),
            "info",
        )
    return redirect(url_for("admin.event_detail", key=origin.removeprefix(events.PREFIX)), 303)


@bp.get("/events/<key>")
@role_required(*READERS)
def event_detail(key: str) -> str:
    event = events.get_event(db.session, key)
    conflict = claims.reviewable_by(db.session, current_user.actor)
    return render_template(
        "admin/event.html",
        event=event,
        key=key,
        statuses=[(s, event.count(s)) for s in claims.ClaimStatus if event.count(s)],
        waiting=event.count(claims.ClaimStatus.pending),
        can_review=current_user.has_role(*REVIEWERS),
        # Only what still waits is reviewed: a claim of the reviewer's already decided does not stop them.
        blocked=next((r for c in event.claims if c.status is claims.ClaimStatus.pending and (r := conflict(c))), None),
    )


@bp.post("/events/<key>/<any(approve, reject):step>")
@role_required(*REVIEWERS)
def event_step(key: str, step: str) -> Response:
    event = events.get_event(db.session, key, lock=True)
    if step == "approve":
        n = events.approve_event(db.session, event, actor=current_user.actor)
        flash(_l("%(n)s claims of the event approved: they are in public notice together.", n=n), "info")
    else:
        n = events.reject_event(db.session, event, request.form.get("reason", "")[:500], actor=current_user.actor)
        flash(_l("%(n)s claims of the event rejected.", n=n), "info")
    return redirect(url_for("admin.event_detail", key=key), 303)
