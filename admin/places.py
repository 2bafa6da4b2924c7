"""Places and their QR posters in the back office: the tree, risk colours, checklists, tokens, poster PDFs."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from app.extensions import db
from app.forms import row_id, whole_or_none
from models import hazards, places
from models.errors import InvalidInput
from models.i18n import lazy_gettext as _l
from models.people import Role
from models.settings import get_setting
from printer.posters import PosterPlace, posters_pdf

from . import READERS, bp, pdf_response, role_required

KEEPERS = (Role.safety_officer,)
MAX_BATCH = 500


def _open_counts() -> dict[int, int]:
    rows = db.session.execute(
        select(hazards.Hazard.place_id, func.count())
        .where(hazards.Hazard.status.in_([s.value for s in hazards.OPEN]))
        .group_by(hazards.Hazard.place_id)
    )
    return {place_id: n for place_id, n in rows}


@bp.get("/places")
@role_required(*READERS)
def place_list() -> str:
    return render_template(
        "admin/places.html",
        places=places.all_places(db.session),
        depth=places.depth,
        open_counts=_open_counts(),
        risks=list(places.Risk),
        can_edit=current_user.has_role(*KEEPERS),
        editing=None,
    )


def _save(place: places.Place | None) -> Response:
    saved = places.save_place(
        db.session,
        place,
        name=request.form.get("name", ""),
        risk=request.form.get("risk", ""),
        parent_id=whole_or_none(request.form.get("parent_id"), _l("The parent place is not known.")),
        checklist=request.form.get("checklist", "")[:5000],
    )
    flash(_l("Saved: %(name)s.", name=saved.name), "info")
    return redirect(url_for("admin.place_list"), 303)


@bp.post("/places")
@role_required(*KEEPERS)
def place_create() -> Response:
    return _save(None)


@bp.get("/places/<int:place_id>")
@role_required(*READERS)
def place_edit(place_id: int) -> str:
    place = places.get_place(db.session, place_id)
    return render_template(
        "admin/place_edit.html",
        place=place,
        places=places.all_places(db.session),
        risks=list(places.Risk),
        can_edit=current_user.has_role(*KEEPERS),
    )


@bp.post("/places/<int:place_id>")
@role_required(*KEEPERS)
def place_update(place_id: int) -> Response:
    return _save(places.get_place(db.session, place_id))


@bp.post("/places/<int:place_id>/token")
@role_required(*KEEPERS)
def place_new_token(place_id: int) -> Response:
    place = places.get_place(db.session, place_id)
    places.replace_token(db.session, place)
    flash(
        _l("%(name)s has a new QR code: print its poster again; the old one no longer works.", name=place.name), "info"
    )
    return redirect(url_for("admin.place_edit", place_id=place.id), 303)


def public_base() -> str:
    return (get_setting(db.session, "public_url") or request.host_url).rstrip("/")


@bp.get("/places/posters.pdf")
@role_required(*READERS)
def place_posters() -> Response:
    """Posters for the places ticked (``ids``), one a page, on A4 or A5 (``paper``)."""
    paper = request.args.get("paper", "A4")
    if paper not in ("A4", "A5"):
        raise InvalidInput(_l("Paper is A4 or A5."))
    try:
        ids = sorted({row_id(i) for i in request.args.getlist("ids")})
    except ValueError:
        raise InvalidInput(_l("Tick the places to print.")) from None
    if not ids or len(ids) > MAX_BATCH:
        raise InvalidInput(_l("Tick 1 to %(n)s places to print."), n=MAX_BATCH)
    wanted = set(ids)
    chosen = [p for p in places.all_places(db.session) if p.id in wanted]
    if not chosen:
        raise InvalidInput(_l("Tick the places to print."))
    base = public_base()
    pdf = posters_pdf(
        [PosterPlace(p.name, p.path, p.risk, base + url_for("station.place", token=p.token)) for p in chosen],
        paper,
    )
    name = f"posters-{paper}.pdf" if len(chosen) > 1 else f"poster-{chosen[0].id}-{paper}.pdf"
    return pdf_response(pdf, name)
