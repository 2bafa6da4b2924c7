"""Hazard intake and the rectification loop in the back office, and the hazard ledger (隐患台账) in Excel.

An anonymous report shows "anonymous" everywhere here: the product keeps nothing that could say more.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from app import l10n, xlsx
from app.extensions import db
from app.forms import clip, day, row_id, uploaded_photos
from models import clock, hazards, people, places
from models.claims import ClaimStatus
from models.errors import DomainError, InvalidInput
from models.i18n import lazy_gettext as _l
from models.people import Role
from models.photos import Photo
from models.settings import get_setting

from . import READERS, bp, role_required, xlsx_response

OFFICERS = (Role.safety_officer,)
# Who enters a hazard that did not come through a poster: the safety office, and supervisors on the floor.
INTAKE = (Role.safety_officer, Role.supervisor)
# The owner of a hazard may be any staff member; they record its rectification.
OWNERS = (Role.safety_officer, Role.supervisor, Role.storekeeper)


@bp.get("/hazards")
@role_required(*READERS)
def hazard_list() -> str:
    status = request.args.get("status") or None
    place_id = request.args.get("place", type=row_id)
    owner = current_user.actor if request.args.get("mine") else None
    listing = hazards.queue(db.session, status, owner=owner, place_id=place_id)
    return render_template(
        "admin/hazards.html", hazards=listing, status=status, statuses=list(hazards.HazardStatus), place_id=place_id
    )


@bp.get("/hazards/<int:hazard_id>")
@role_required(*READERS)
def hazard_detail(hazard_id: int) -> str:
    return _detail_page(hazard_id)[0]


def _keeps_typed(view: Callable[..., Response]) -> Callable[..., Response | tuple[str, int]]:
    """A step on a hazard's page (verify, assign, rectify, re-inspect) that is refused shows the page again
    with what was typed in its form and the reason above, instead of an error page."""

    @wraps(view)
    def step(hazard_id: int) -> Response | tuple[str, int]:
        try:
            return view(hazard_id)
        except DomainError as err:  # also a mistyped duplicate's number; a hazard not there is _detail_page's 404
            db.abandon()
            return _detail_page(hazard_id, error=err.message, typed=request.form, status=err.status_code)

    return step


def _detail_page(hazard_id: int, *, error: str = "", typed: Any = None, status: int = 200) -> tuple[str, int]:
    hazard = hazards.get_hazard(db.session, hazard_id)
    staff = [
        s
        for s in db.session.scalars(
            select(people.StaffUser).where(people.StaffUser.active.is_(True)).order_by(people.StaffUser.username)
        )
        if hazards.may_own(s)
    ]
    return render_template(
        "admin/hazard_detail.html",
        hazard=hazard,
        photos=hazard.photos(db.session),
        after_photos=hazard.photos(db.session, after=True),
        verdicts=list(hazards.HazardVerdict),
        grades=list(hazards.HazardGrade),
        staff=staff,
        departments=_departments(),
        can_verify=current_user.has_role(*OFFICERS),
        can_rectify=hazards.may_record_rectification(
            current_user.actor, hazard, officer=current_user.has_role(Role.safety_officer)
        ),
        reward=_reward_paid(hazard),
        close_blocked=hazards.closing_conflict(db.session, hazard, current_user.actor)
        if hazard.status == hazards.HazardStatus.rectified
        else None,
        own_report=hazard.reporter_id is not None
        and people.actor_employee(db.session, current_user.actor) == hazard.reporter_id,
        error=error,
        typed=typed or {},
    ), status


def _departments() -> list[people.Department]:
    return list(db.session.scalars(select(people.Department).order_by(people.Department.name)))


def _intake_page(status: int = 200, error: str | None = None, form: dict | None = None) -> tuple[str, int]:
    return (
        render_template(
            "admin/hazard_new.html",
            places=db.session.scalars(
                select(places.Place).where(places.Place.active.is_(True)).order_by(places.Place.id)
            ).all(),
            departments=_departments(),
            categories=list(hazards.HazardCategory),
            channels=hazards.STAFF_CHANNELS,
            sources=[s for s in hazards.HazardSource if s is not hazards.HazardSource.report],
            error=error,
            form=form or {},
        ),
        status,
    )


@bp.get("/hazards/new")
@role_required(*INTAKE)
def hazard_new() -> tuple[str, int]:
    return _intake_page()


@bp.post("/hazards/new")
@role_required(*INTAKE)
def hazard_create() -> tuple[str, int]:
    """A hazard entered by staff: a report taken by telephone, on paper or in person (named, or anonymous with a
    claim code to hand over), or one found by a self-check, an inspection or the regulator. Same ledger, same
    numbering, same loop."""
    form = {key: request.form.get(key, "")[:2000] for key in request.form}
    place = db.session.get(places.Place, request.form.get("place", type=row_id) or 0)
    try:
        if place is None or not place.active:
            raise InvalidInput(_l("Choose the place."))
        how, department = form.get("how", ""), request.form.get("department", type=row_id)
        if form.get("department") and department is None:
            raise InvalidInput(_l("Choose the department from the list."))
        photo_folder = Path(current_app.config["UPLOAD_FOLDER"])
        photos = uploaded_photos(limit=hazards.MAX_PHOTOS + 1)
        common: dict[str, Any] = {
            "category": form.get("category", ""),
            "description": form.get("description", ""),
            "photos": photos,
        }
        code = None
        if how in hazards.HazardChannel.__members__ and hazards.HazardChannel(how) in hazards.STAFF_CHANNELS:
            reporter = None
            if form.get("anonymous") != "1":
                reporter = people.find_employee(db.session, form.get("reporter", "")[:32])
            receipt = hazards.report(
                db.session,
                place,
                reporter=reporter,
                photo_folder=photo_folder,
                channel=hazards.HazardChannel(how),
                entered_by=current_user.actor,
                **common,
            )
            hazard, code = receipt.hazard, receipt.claim_code
        else:
            hazard = hazards.record_found(
                db.session,
                place,
                source=how,
                found_by=form.get("found_by", ""),
                entered_by=current_user.actor,
                department_id=department,
                photo_folder=photo_folder,
                **common,
            )
    except DomainError as err:
        db.session.rollback()
        return _intake_page(err.status_code, err.message, form)
    db.session.commit()
    return render_template("admin/hazard_entered.html", hazard=hazard, claim_code=code), 201


def _back(hazard: hazards.Hazard) -> Response:
    return redirect(url_for("admin.hazard_detail", hazard_id=hazard.id), 303)


def _locked(hazard_id: int) -> hazards.Hazard:
    return hazards.get_hazard(db.session, hazard_id, lock=True)


@bp.post("/hazards/<int:hazard_id>/verify")
@role_required(*OFFICERS)
@_keeps_typed
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
        duplicate_of=clip(form.get("duplicate_of")),
    )
    return _back(hazard)


def _owner(form: Any) -> str:
    """The owner chosen: a staff account from the list, or any employee by number (they record the rectification
    on their phone)."""
    number = form.get("owner_number", "").strip()[:32]
    return f"employee:{number}" if number else form.get("owner", "")[:64]


@bp.post("/hazards/<int:hazard_id>/assign")
@role_required(*OFFICERS)
@_keeps_typed
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
        owner=_owner(form),
        measures=form.get("measures", ""),
        working_days=days,
        funds=form.get("funds", ""),
        contingency_plan=form.get("contingency_plan", ""),
        acceptance_standard=form.get("acceptance_standard", ""),
        department_id=request.form.get("department", type=row_id),
    )
    return _back(hazard)


@bp.post("/hazards/<int:hazard_id>/reassign")
@role_required(*OFFICERS)
@_keeps_typed
def hazard_reassign(hazard_id: int) -> Response:
    return _back(hazards.reassign(db.session, _locked(hazard_id), actor=current_user.actor, owner=_owner(request.form)))


@bp.post("/hazards/<int:hazard_id>/rectified")
@role_required(*OWNERS)
@_keeps_typed
def hazard_rectified(hazard_id: int) -> Response:
    hazard = hazards.record_rectification(
        db.session,
        _locked(hazard_id),
        actor=current_user.actor,
        officer=current_user.has_role(Role.safety_officer),
        note=request.form.get("note", ""),
        photos=uploaded_photos(limit=hazards.MAX_PHOTOS + 1),
        photo_folder=Path(current_app.config["UPLOAD_FOLDER"]),
    )
    return _back(hazard)


@bp.post("/hazards/<int:hazard_id>/reinspect")
@role_required(*OFFICERS)
@_keeps_typed
def hazard_reinspect(hazard_id: int) -> Response:
    hazard = hazards.reinspect(
        db.session,
        _locked(hazard_id),
        actor=current_user.actor,
        passed=request.form.get("passed") == "1",
        note=request.form.get("note", "")[:2000],
        accepted_by=request.form.get("accepted_by", "")[:200],
        accepted_on=day(request.form.get("accepted_on"), _l("The acceptance date is a day like 2026-12-20.")),
    )
    return _back(hazard)


@bp.post("/hazards/<int:hazard_id>/major")
@role_required(*OFFICERS)
@_keeps_typed
def hazard_major(hazard_id: int) -> Response:
    """A major hazard listed for supervision (挂牌督办) and the day it was reported to the regulator."""
    hazard = hazards.record_major(
        db.session,
        _locked(hazard_id),
        actor=current_user.actor,
        supervised=request.form.get("supervised") == "1",
        reported_on=day(request.form.get("reported_on"), _l("The day is written like 2026-12-20.")),
    )
    return _back(hazard)


# The hazard ledger's columns (DOMAIN.md: what a 隐患台账 row holds), in the order a safety office keeps them.
LEDGER_COLUMNS = (
    _l("Hazard number"),
    _l("Source"),
    _l("Channel"),
    _l("Found at"),
    _l("Found or reported by"),
    _l("Department"),
    _l("Team"),
    _l("Place or risk point"),
    _l("Hazard description"),
    _l("Category"),
    _l("Grade"),
    _l("Verified by"),
    _l("Verified at"),
    _l("Verification conclusion"),
    _l("Responsible unit"),
    _l("Responsible person"),
    _l("Measures"),
    _l("Funds"),
    _l("Deadline"),
    _l("Contingency plan"),
    _l("Acceptance standard"),
    _l("Listed for supervision"),
    _l("Reported to the regulator on"),
    _l("Rectification"),
    _l("Rectified at"),
    _l("Accepted by"),
    _l("Accepted at"),
    _l("Acceptance conclusion"),
    _l("Closed (销号) at"),
    _l("Reward (points)"),
    _l("Reward (yuan)"),
    _l("Reward status"),
    _l("Reward paid at"),
    _l("Photos"),
    _l("Photos after rectification"),
)
LEDGER_KINDS = "sssdssssssssdssssstssstsdstsdnnsdss"


def _photo_links() -> dict[tuple[str, int], list[str]]:
    """Every hazard photo as a link the ledger's reader opens (signed in), by owner: one query for the ledger."""
    links: dict[tuple[str, int], list[str]] = {}
    for photo_id, owner_type, owner_id in db.session.execute(
        select(Photo.id, Photo.owner_type, Photo.owner_id)
        .where(Photo.owner_type.in_(("hazard", "hazard-after")))
        .order_by(Photo.id)
    ):
        links.setdefault((owner_type, owner_id), []).append(url_for("admin.photo", photo_id=photo_id, _external=True))
    return links


def _reward_paid(hazard: hazards.Hazard) -> tuple[int, str, dt.datetime | None]:
    """What the hazard's reward came to: the points actually credited (a named reporter's claim after its notice,
    trimmed by the yearly cap, nothing when refused or found false) or put on the claim code, with its state
    and when it was paid."""
    claim = hazard.reward_claim
    if claim is not None:
        if claim.status is ClaimStatus.credited:
            return claim.credited_points or 0, claim.status.label, claim.credited_at
        return 0, claim.status.label, None
    if hazard.reward in (hazards.HazardReward.waiting, hazards.HazardReward.collected):
        return hazard.reward_points or 0, hazard.reward.label, hazard.verified_at
    return 0, hazard.reward.label if hazard.verdict is not None else "", None


def ledger_rows():
    """Every hazard as a row of the hazard ledger, oldest first, read in batches."""
    query = (
        select(hazards.Hazard)
        .options(
            joinedload(hazards.Hazard.place).joinedload(places.Place.parent),
            joinedload(hazards.Hazard.reporter).joinedload(people.Employee.department),
            joinedload(hazards.Hazard.reporter).joinedload(people.Employee.team),
            joinedload(hazards.Hazard.department),
            joinedload(hazards.Hazard.acceptance),
            joinedload(hazards.Hazard.reward_claim),
        )
        .order_by(hazards.Hazard.id)
        .execution_options(yield_per=500)
    )
    links, ppy = _photo_links(), get_setting(db.session, "points_per_yuan")
    for h in db.session.scalars(query):
        if h.source != hazards.HazardSource.report:
            found_by = h.found_by or ""
        elif h.reporter is None:
            found_by = _("anonymous")
        else:
            found_by = f"{h.reporter.name} ({h.reporter.number})"
        reporter = h.reporter
        department = h.department.name if h.department else (reporter.department.name if reporter else "")
        accepted = h.acceptance
        points, reward_status, paid = _reward_paid(h)
        yield (
            h.number,
            h.source.label,
            h.channel.label if h.channel else "",
            clock.local_or_none(h.reported_at),  # the plant's time, as on screen
            found_by,
            department,
            reporter.team.name if reporter is not None and reporter.team else "",
            h.place.path,
            h.description,
            h.category.label,
            h.grade.label if h.grade else "",
            l10n.who(h.verified_by),
            clock.local_or_none(h.verified_at),
            " ".join(filter(None, [h.verdict.label if h.verdict else "", h.verify_note or ""])),
            h.department.name if h.department else "",
            l10n.who(h.owner) if h.owner else "",
            h.measures or "",
            h.funds or "",
            h.deadline,
            h.contingency_plan or "",
            h.acceptance_standard or "",
            _("yes") if h.supervised else _("no"),
            h.regulator_reported_on,
            h.rectification_note or "",
            clock.local_or_none(h.rectified_at),
            accepted.accepted_by if accepted else l10n.who(h.reinspected_by),
            accepted.accepted_on if accepted else None,
            accepted.conclusion if accepted else "",
            clock.local_or_none(h.closed_at),
            points,
            round(points / ppy, 2),
            reward_status,
            clock.local_or_none(paid),
            "\n".join(links.get(("hazard", h.id), [])),
            "\n".join(links.get(("hazard-after", h.id), [])),
        )


@bp.get("/hazards/ledger.xlsx")
@role_required(*READERS)
def hazard_ledger() -> Response:
    out = io.BytesIO()
    with xlsx.Workbook(out) as book:
        sheet = book.sheet(_("Hazard ledger"), LEDGER_COLUMNS, LEDGER_KINDS, {8: 40, 13: 30, 16: 30})
        sheet.write_rows(ledger_rows())
    return xlsx_response(out.getvalue(), "hazard-ledger.xlsx")
