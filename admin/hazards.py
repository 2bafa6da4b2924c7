"""Hazard intake and the rectification loop in the back office, and the hazard ledger (隐患台账) in Excel.

An anonymous report shows "anonymous" everywhere here: the product keeps nothing that could say more.
"""

from __future__ import annotations

import io
from pathlib import Path

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from app import xlsx
from app.extensions import db
from app.forms import row_id, uploaded_photos
from models import clock, hazards, people, places
from models.errors import InvalidInput
from models.i18n import lazy_gettext as _l
from models.people import Role

from . import READERS, bp, role_required

OFFICERS = (Role.safety_officer,)
# The owner of a hazard may be any staff member; they record its rectification.
OWNERS = (Role.safety_officer, Role.supervisor, Role.storekeeper)


@bp.get("/hazards")
@role_required(*READERS)
def hazard_list() -> str:
    status = request.args.get("status") or None
    place_id = request.args.get("place", type=row_id)
    owner = current_user.username if request.args.get("mine") else None
    listing = hazards.queue(db.session, status, owner=owner, place_id=place_id)
    return render_template(
        "admin/hazards.html", hazards=listing, status=status, statuses=list(hazards.HazardStatus), place_id=place_id
    )


@bp.get("/hazards/<int:hazard_id>")
@role_required(*READERS)
def hazard_detail(hazard_id: int) -> str:
    hazard = hazards.get_hazard(db.session, hazard_id)
    staff = db.session.scalars(
        select(people.StaffUser).where(people.StaffUser.active.is_(True)).order_by(people.StaffUser.username)
    ).all()
    return render_template(
        "admin/hazard_detail.html",
        hazard=hazard,
        photos=hazard.photos(db.session),
        after_photos=hazard.photos(db.session, after=True),
        verdicts=list(hazards.HazardVerdict),
        grades=list(hazards.HazardGrade),
        staff=staff,
        can_verify=current_user.has_role(*OFFICERS),
        can_rectify=hazards.may_record_rectification(current_user, hazard),
    )


def _back(hazard: hazards.Hazard) -> Response:
    return redirect(url_for("admin.hazard_detail", hazard_id=hazard.id), 303)


def _locked(hazard_id: int) -> hazards.Hazard:
    return hazards.get_hazard(db.session, hazard_id, lock=True)


@bp.post("/hazards/<int:hazard_id>/verify")
@role_required(*OFFICERS)
def hazard_verify(hazard_id: int) -> Response:
    form = request.form
    hazard = hazards.verify(
        db.session,
        _locked(hazard_id),
        form.get("verdict", ""),
        actor=current_user.actor,
        note=form.get("note", "")[:500],
        grade=form.get("grade") or None,
        within_duties=form.get("within_duties") == "1",
        duplicate_of=form.get("duplicate_of", "")[:20],
    )
    return _back(hazard)


@bp.post("/hazards/<int:hazard_id>/assign")
@role_required(*OFFICERS)
def hazard_assign(hazard_id: int) -> Response:
    form = request.form
    try:
        days = int(form.get("working_days", ""))
    except ValueError:
        raise InvalidInput(_l("The deadline is 1 to 250 working days away.")) from None
    hazard = hazards.assign(
        db.session,
        _locked(hazard_id),
        actor=current_user.actor,
        owner=form.get("owner", "")[:64],
        measures=form.get("measures", ""),
        working_days=days,
        funds=form.get("funds", ""),
        contingency_plan=form.get("contingency_plan", ""),
        acceptance_standard=form.get("acceptance_standard", ""),
    )
    return _back(hazard)


@bp.post("/hazards/<int:hazard_id>/rectified")
@role_required(*OWNERS)
def hazard_rectified(hazard_id: int) -> Response:
    hazard = hazards.record_rectification(
        db.session,
        _locked(hazard_id),
        staff=current_user._get_current_object(),
        note=request.form.get("note", ""),
        photos=uploaded_photos(limit=hazards.MAX_PHOTOS + 1),
        photo_folder=Path(current_app.config["UPLOAD_FOLDER"]),
    )
    return _back(hazard)


@bp.post("/hazards/<int:hazard_id>/reinspect")
@role_required(*OFFICERS)
def hazard_reinspect(hazard_id: int) -> Response:
    hazard = hazards.reinspect(
        db.session,
        _locked(hazard_id),
        actor=current_user.actor,
        passed=request.form.get("passed") == "1",
        note=request.form.get("note", ""),
    )
    return _back(hazard)


LEDGER_COLUMNS = (
    _l("Hazard number"),
    _l("Source"),
    _l("Found at"),
    _l("Reporter"),
    _l("Place"),
    _l("Category"),
    _l("Grade"),
    _l("Description"),
    _l("Verification"),
    _l("Owner"),
    _l("Measures"),
    _l("Funds"),
    _l("Deadline"),
    _l("Rectified at"),
    _l("Re-inspected by"),
    _l("Closed at"),
    _l("Reward (points)"),
)


def ledger_rows():
    """Every hazard as a row of the hazard ledger, oldest first, read in batches."""
    query = (
        select(hazards.Hazard)
        .options(joinedload(hazards.Hazard.place).joinedload(places.Place.parent), joinedload(hazards.Hazard.reporter))
        .order_by(hazards.Hazard.id)
        .execution_options(yield_per=500)
    )
    for h in db.session.scalars(query):
        reporter = _("anonymous") if h.reporter is None else f"{h.reporter.name} ({h.reporter.number})"
        verdict = h.verdict.label if h.verdict else ""
        verification = " ".join(filter(None, [verdict, h.verified_by or "", h.verify_note or ""]))
        yield (
            h.number,
            h.source.label,
            clock.local_or_none(h.reported_at),  # the plant's time, as on screen
            reporter,
            h.place.path,
            h.category.label,
            h.grade.label if h.grade else "",
            h.description,
            verification,
            h.owner or "",
            h.measures or "",
            h.funds or "",
            h.deadline,
            clock.local_or_none(h.rectified_at),
            h.reinspected_by or "",
            clock.local_or_none(h.closed_at),
            h.reward_points or 0,
        )


@bp.get("/hazards/ledger.xlsx")
@role_required(*READERS)
def hazard_ledger() -> Response:
    out = io.BytesIO()
    with xlsx.Workbook(out) as book:
        sheet = book.sheet(_("Hazard ledger"), LEDGER_COLUMNS, "a" * len(LEDGER_COLUMNS), {7: 40, 8: 30})
        sheet.write_rows(ledger_rows())
    response = Response(out.getvalue(), mimetype=xlsx.MIMETYPE)
    response.headers["Content-Disposition"] = 'attachment; filename="hazard-ledger.xlsx"'
    return response
