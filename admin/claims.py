"""Claims in the back office: the review queue, approve / reject / false claim, objections, new claims."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import IntegerField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.extensions import db
from app.forms import ReasonForm, clip, form_error, row_id, uploaded_photos
from models import claims, events, hazards, people, rules
from models.base import get_or_404
from models.errors import DomainError, InvalidInput
from models.i18n import lazy_gettext as _l
from models.people import Role
from models.photos import Photo

from . import READERS, bp, role_required

REVIEWERS = (Role.safety_officer,)
CLAIMANTS = (Role.safety_officer, Role.supervisor)
# Any staff member may object to a claim in public notice; auditors only read.
OBJECTORS = (Role.safety_officer, Role.supervisor, Role.storekeeper)


class ApproveForm(FlaskForm):
    points = IntegerField(_l("Points"), validators=[InputRequired(_l("Give the points.")), NumberRange(min=1)])


class ClaimForm(FlaskForm):
    employee_number = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=32)])
    rule_id = SelectField(_l("Rule"), coerce=int)
    points = IntegerField(_l("Points"), validators=[InputRequired(_l("Give the points.")), NumberRange(min=1)])
    description = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=2000)])
    photos = MultipleFileField(_l("Photos (up to 4)"))


@bp.get("/claims")
@role_required(*READERS)
def claims_index() -> str:
    tab = request.args.get("tab", "review")
    if tab == "notice":
        listing = claims.in_notice(db.session)
    elif tab == "fraud":
        listing = claims.fraud_cases(db.session)
    else:
        listing = claims.review_queue(db.session)
    return render_template(
        "admin/claims.html",
        tab=tab,
        claims=listing,
        events=events.waiting(db.session) if tab == "review" else [],
        can_review=current_user.has_role(*REVIEWERS),
        conflict=claims.reviewable_by(db.session, current_user.actor),
    )


@bp.get("/claims/<int:claim_id>")
@role_required(*READERS)
def claim_detail(claim_id: int) -> str:
    claim = claims.get_claim(db.session, claim_id)
    return render_template(
        "admin/claim_detail.html",
        claim=claim,
        photos=claim.photos(db.session),
        can_review=current_user.has_role(*REVIEWERS),
        conflict=claims.reviewable_by(db.session, current_user.actor),
    )


@bp.get("/photos/<int:photo_id>")
@role_required(*READERS)
def photo(photo_id: int) -> Response:
    """A stored photo, for staff only (it never sits in a static folder)."""
    found = get_or_404(db.session, Photo, photo_id, _l("No such photo."))
    response = send_file(
        Path(current_app.config["UPLOAD_FOLDER"]) / found.filename, mimetype="image/jpeg", max_age=3600
    )
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _row(claim: claims.Claim) -> str:
    detail = request.headers.get("HX-Current-URL", "").rstrip("/").endswith(f"/claims/{claim.id}")
    return render_template(
        "admin/_claim_row.html",
        claim=claim,
        detail=detail,
        can_review=current_user.has_role(*REVIEWERS),
        conflict=claims.reviewable_by(db.session, current_user.actor),
    )


@bp.post("/claims/<int:claim_id>/approve")
@role_required(*REVIEWERS)
def claim_approve(claim_id: int) -> str:
    form = ApproveForm()
    if not form.validate():
        raise form_error(form)
    claim = claims.approve(
        db.session, claims.get_claim(db.session, claim_id, lock=True), form.points.data, actor=current_user.actor
    )
    return _row(claim)


MAX_BULK = 200


@bp.post("/claims/approve")
@role_required(*REVIEWERS)
def claims_bulk_approve() -> Response:
    """Approve the ticked claims, each at the points it asks for: all of them, or none (the message says which
    claim stood in the way)."""
    try:
        ids = sorted({row_id(i) for i in request.form.getlist("ids")})
    except ValueError:
        raise InvalidInput(_l("Tick the claims to approve.")) from None
    if not ids or len(ids) > MAX_BULK:
        raise InvalidInput(_l("Tick 1 to %(n)s claims to approve."), n=MAX_BULK)
    for claim_id in ids:
        claim = claims.get_claim(db.session, claim_id, lock=True)
        try:
            claims.approve(db.session, claim, claim.requested_points, actor=current_user.actor)
        except DomainError as err:
            raise InvalidInput(_l("Claim %(id)s: %(error)s"), id=claim_id, error=err.message) from None
    flash(_l("%(n)s claims approved: they are now in public notice.", n=len(ids)), "info")
    return redirect(url_for("admin.claims_index", tab="review"), 303)


@bp.post("/claims/<int:claim_id>/<any(reject, fraud):step>")
@role_required(*REVIEWERS)
def claim_step(claim_id: int, step: str) -> str:
    return _reasoned_step(claim_id, step)


@bp.post("/claims/<int:claim_id>/object")
@role_required(*OBJECTORS)
def claim_object(claim_id: int) -> str:
    return _reasoned_step(claim_id, "object")


def _reasoned_step(claim_id: int, step: str) -> str:
    form = ReasonForm()
    if not form.validate():
        raise form_error(form)
    operation = {"reject": claims.reject, "fraud": claims.mark_fraud, "object": claims.object_to}[step]
    claim = operation(
        db.session, claims.get_claim(db.session, claim_id, lock=True), form.reason.data, actor=current_user.actor
    )
    return _row(claim)


def _claim_form() -> ClaimForm:
    form = ClaimForm()
    form.rule_id.choices = [
        SelectChoice(r.id, f"{r.code} {r.name} ({r.range_text})") for r in rules.active_rules(db.session)
    ]
    return form


@bp.get("/claims/new")
@role_required(*CLAIMANTS)
def claim_new() -> str:
    return render_template("admin/claim_new.html", form=_claim_form(), categories=list(hazards.HazardCategory))


@bp.post("/claims/new")
@role_required(*CLAIMANTS)
def claim_create() -> Response | tuple[str, int]:
    form = _claim_form()
    if not form.validate_on_submit():
        return render_template("admin/claim_new.html", form=form, categories=list(hazards.HazardCategory)), 400
    employee = people.find_employee(db.session, form.employee_number.data)
    rule = get_or_404(db.session, rules.Rule, form.rule_id.data, _l("Choose what the claim is for."))
    source = claims.source_for(current_user)
    if hazards.finds_hazard(rule):
        # Finding a hazard is rewarded through the hazard loop, once: the claim becomes a report in the ledger.
        hazard = hazards.report_from_claim(
            db.session,
            employee=employee,
            category=request.form.get("category", "")[:16],
            description=form.description.data,
            hazard_number=clip(request.form.get("hazard_number")),
            channel=hazards.HazardChannel.supervisor
            if source is claims.ClaimSource.supervisor
            else hazards.HazardChannel.office,
            entered_by=current_user.actor,
            photos=uploaded_photos(limit=hazards.MAX_PHOTOS + 1),
            photo_folder=Path(current_app.config["UPLOAD_FOLDER"]),
        )
        return redirect(url_for("admin.hazard_detail", hazard_id=hazard.id), 303)
    claim = claims.submit_claim(
        db.session,
        employee=employee,
        rule=rule,
        points=form.points.data,
        description=form.description.data,
        source=source,
        actor=current_user.actor,
        photos=uploaded_photos(limit=claims.MAX_PHOTOS + 1),
        photo_folder=Path(current_app.config["UPLOAD_FOLDER"]),
    )
    return redirect(url_for("admin.claim_detail", claim_id=claim.id), 303)
