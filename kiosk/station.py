"""The phone pages behind the QR posters, at /r/<token>: report a hazard at that place.

For any phone browser on the plant Wi-Fi: no app, no script library, one form post. The reporter gives
their employee number and PIN once (the phone then remembers them in a signed cookie until they sign out)
or reports anonymously and gets a claim code, shown once. Either way they get a reference number and a
status page of their own (its address carries a random follow token; nothing else opens it).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import qrcode
from flask import Blueprint, current_app, g, redirect, render_template, request, send_file, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from qrcode.image.svg import SvgPathImage
from werkzeug.wrappers import Response

from app.auth import client_address
from app.extensions import db
from app.forms import uploaded_photos
from models import hazards, people, places
from models.errors import DomainError, InvalidInput, NotFound
from models.i18n import lazy_gettext as _l
from models.photos import Photo
from models.settings import get_setting

bp = Blueprint("station", __name__, url_prefix="/r", template_folder="templates")

COOKIE = "mart_reporter"
REMEMBER_DAYS = 180


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt="mart-reporter")


@bp.before_request
def _remembered_reporter() -> None:
    """The employee this phone remembers, if the cookie is ours, fresh and they are still employed."""
    g.reporter = None
    raw = request.cookies.get(COOKIE)
    if not raw:
        return
    try:
        remembered = _signer().loads(raw, max_age=REMEMBER_DAYS * 24 * 3600)
    except BadSignature:
        return
    if not (isinstance(remembered, list) and len(remembered) == 2 and isinstance(remembered[0], int)):
        return  # an older cookie (the id alone) or not ours: the phone asks again
    employee_id, token = remembered
    if not 0 < employee_id < 2**31:
        return
    employee = db.session.get(people.Employee, employee_id)
    # The token ends on the server: signing out on any phone, or a new PIN, makes every copy of the cookie void.
    if employee is not None and employee.active and employee.reporter_token and employee.reporter_token == token:
        g.reporter = employee


def _remember(response: Response, employee: people.Employee) -> Response:
    if employee.reporter_token is None:
        employee.reporter_token = secrets.token_urlsafe(16)
    response.set_cookie(
        COOKIE,
        _signer().dumps([employee.id, employee.reporter_token]),
        max_age=REMEMBER_DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def _place_page(place: places.Place, status: int = 200, error: str | None = None, **form: object) -> Response:
    page = render_template(
        "station/report.html",
        place=place,
        open_hazards=hazards.open_at(db.session, place),
        categories=list(hazards.HazardCategory),
        reporter=g.reporter,
        error=error,
        form=form,
        channels=get_setting(db.session, "report_channels"),
    )
    return Response(page, status=status, mimetype="text/html")


@bp.get("/<token>")
def place(token: str) -> Response:
    found = places.place_for_token(db.session, token)
    places.count_scan(db.session, found)
    return _place_page(found)


def _identify(form: dict, pin: str) -> people.Employee | None:
    """The reporter of this post: the remembered one, one who gives number + PIN, or nobody (anonymous)."""
    if form.get("anonymous") == "1":
        return None
    if g.reporter is not None:
        return g.reporter
    number, pin = (form.get("number") or "").strip()[:32], pin[:8]
    if not number or not pin:
        raise InvalidInput(_l("Give your employee number and PIN, or report anonymously."))
    # One answer for an unknown number, a leaver and a wrong PIN; every try counts although this post fails.
    return people.employee_by_pin(db.session, number, pin, address=client_address())


@bp.post("/<token>")
def report(token: str) -> Response:
    """Send a report. A refused one shows the form again with what was typed and the reason."""
    found = places.place_for_token(db.session, token)
    form: dict[str, Any] = {
        "category": request.form.get("category", ""),
        "description": request.form.get("description", "")[:2000],
        "checklist": request.form.getlist("checklist")[:50],
        "anonymous": request.form.get("anonymous", ""),
        "number": request.form.get("number", "")[:32],
    }
    uploads = uploaded_photos(limit=hazards.MAX_PHOTOS + 1)
    try:
        reporter = _identify(form, request.form.get("pin", ""))
        receipt = hazards.report(
            db.session,
            found,
            category=form["category"],
            description=form["description"],
            checklist=form["checklist"],
            reporter=reporter,
            photos=uploads,
            photo_folder=Path(current_app.config["UPLOAD_FOLDER"]),
        )
    except DomainError as err:
        return _place_page(found, err.status_code, err.message, **form)
    page = render_template(
        "station/sent.html",
        hazard=receipt.hazard,
        claim_code=receipt.claim_code,
        claim_qr=_svg_qr(receipt.claim_code) if receipt.claim_code else None,
        follow_url=url_for("station.follow", follow=receipt.follow_token, _external=True),
        page_url=url_for("station.follow", follow=receipt.follow_token),
        named=reporter is not None,
    )
    response = Response(page, status=201, mimetype="text/html")
    return _remember(response, reporter) if reporter is not None and reporter is not g.reporter else response


def _svg_qr(text: str) -> Markup:
    """The claim code as an inline SVG QR code: the kiosk's scanner reads it off the phone's screen."""
    image = qrcode.make(text, image_factory=SvgPathImage, box_size=8, border=2)
    return Markup(image.to_string(encoding="unicode"))


@bp.post("/<token>/same/<int:hazard_id>")
def same(token: str, hazard_id: int) -> Response:
    """ "Me too": the reporter sees an open hazard already listed here; counted, not reported twice."""
    found = places.place_for_token(db.session, token)
    hazard = hazards.get_hazard(db.session, hazard_id)
    if hazard.place_id != found.id:
        raise InvalidInput(_l("This hazard was reported at another place."))
    hazards.me_too(db.session, hazard, reporter=g.reporter)
    return Response(render_template("station/same.html", place=found, hazard=hazard), status=200, mimetype="text/html")


def _status_page(hazard: hazards.Hazard, photo_url: Callable[[int], str]) -> str:
    """A report's status as its reporter reads it: where it stands, each step, the measures taken, the outcome
    and the reporter's own photos (and those of the rectification, once it is recorded)."""
    steps = [(e.at, e.action.label) for e in hazard.events if e.action is not hazards.HazardAction.me_too]
    return render_template(
        "station/status.html",
        hazard=hazard,
        steps=steps,
        photos=[photo_url(p.id) for p in hazard.photos(db.session)],
        after=[photo_url(p.id) for p in hazard.photos(db.session, after=True)],
        mine_url=url_for("station.mine") if g.reporter is not None else None,
    )


def _photo(hazard: hazards.Hazard, photo_id: int) -> Response:
    """One of the report's photos (before or after rectification), to the holder of the report's page only."""
    found = db.session.get(Photo, photo_id)
    if found is None or found.owner_id != hazard.id or found.owner_type not in ("hazard", "hazard-after"):
        raise NotFound(_l("No such photo."))
    response = send_file(Path(current_app.config["UPLOAD_FOLDER"]) / found.filename, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/h/<follow>")
def follow(follow: str) -> str:
    hazard = hazards.followed(db.session, follow)
    return _status_page(hazard, lambda n: url_for("station.follow_photo", follow=follow, photo_id=n))


@bp.get("/h/<follow>/photos/<int:photo_id>")
def follow_photo(follow: str, photo_id: int) -> Response:
    return _photo(hazards.followed(db.session, follow), photo_id)


def _own_report(hazard_id: int) -> hazards.Hazard:
    """A report of the reporter this phone remembers; anyone else's is no page at all."""
    if g.reporter is None:
        raise InvalidInput(_l("This phone does not remember you. Report once with your number and PIN."))
    hazard = db.session.get(hazards.Hazard, hazard_id) if 0 < hazard_id < 2**31 else None
    if hazard is None or hazard.reporter_id != g.reporter.id:
        raise NotFound(_l("No report is followed with this link."))
    return hazard


@bp.get("/mine")
def mine() -> str:
    if g.reporter is None:
        raise InvalidInput(_l("This phone does not remember you. Report once with your number and PIN."))
    reports = hazards.reported_by(db.session, g.reporter)
    return render_template("station/mine.html", reporter=g.reporter, reports=reports)


@bp.get("/mine/<int:hazard_id>")
def mine_one(hazard_id: int) -> str:
    hazard = _own_report(hazard_id)
    return _status_page(hazard, lambda n: url_for("station.mine_photo", hazard_id=hazard_id, photo_id=n))


@bp.get("/mine/<int:hazard_id>/photos/<int:photo_id>")
def mine_photo(hazard_id: int, photo_id: int) -> Response:
    return _photo(_own_report(hazard_id), photo_id)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Response:
    """An employee signs this phone in with number + PIN (to find what is assigned to them, or their reports),
    without reporting anything."""
    if request.method == "GET":
        if g.reporter is not None:
            return redirect(url_for("station.tasks"), 303)
        return Response(render_template("station/sign_in.html", number=""), mimetype="text/html")
    number = request.form.get("number", "")[:32]
    try:  # the typed number and PIN, also on a phone that remembers someone (a shared phone changes hands)
        g.reporter = None
        if not number.strip() or not request.form.get("pin", "").strip():
            raise InvalidInput(_l("Give your employee number and PIN."))
        employee = _identify({"number": number}, request.form.get("pin", ""))
    except DomainError as err:
        page = render_template("station/sign_in.html", number=number, error=err.message)
        return Response(page, status=err.status_code, mimetype="text/html")
    assert employee is not None
    g.reporter = employee
    return _remember(redirect(url_for("station.tasks"), 303), employee)


def _signed_in() -> people.Employee:
    if g.reporter is None:
        raise InvalidInput(_l("This phone does not remember you. Sign in with your number and PIN."))
    return g.reporter


@bp.get("/tasks")
def tasks() -> Response | str:
    """What is assigned to the employee this phone remembers: the rectifications they own (signed in first)."""
    if g.reporter is None:
        return redirect(url_for("station.sign_in"), 303)
    owner = g.reporter
    return render_template("station/tasks.html", owner=owner, tasks=hazards.assigned_to(db.session, _actor(owner)))


def _actor(employee: people.Employee) -> str:
    return f"employee:{employee.number}"


def _own_task(hazard_id: int) -> hazards.Hazard:
    owner = _signed_in()
    hazard = db.session.get(hazards.Hazard, hazard_id) if 0 < hazard_id < 2**31 else None
    if hazard is None or hazard.owner != _actor(owner):
        raise NotFound(_l("Nothing of yours is here."))
    return hazard


def _task_page(hazard: hazards.Hazard, status: int = 200, error: str | None = None, note: str = "") -> Response:
    page = render_template(
        "station/task.html",
        hazard=hazard,
        photos=[url_for("station.task_photo", hazard_id=hazard.id, photo_id=p.id) for p in hazard.photos(db.session)],
        after=[
            url_for("station.task_photo", hazard_id=hazard.id, photo_id=p.id)
            for p in hazard.photos(db.session, after=True)
        ],
        error=error,
        note=note,
    )
    return Response(page, status=status, mimetype="text/html")


@bp.get("/tasks/<int:hazard_id>")
def task(hazard_id: int) -> Response:
    return _task_page(_own_task(hazard_id))


@bp.get("/tasks/<int:hazard_id>/photos/<int:photo_id>")
def task_photo(hazard_id: int, photo_id: int) -> Response:
    return _photo(_own_task(hazard_id), photo_id)


@bp.post("/tasks/<int:hazard_id>")
def task_done(hazard_id: int) -> Response:
    """The owner records the rectification from the spot, with after-photos; a refusal keeps what was typed."""
    hazard = _own_task(hazard_id)
    note = request.form.get("note", "")[:2000]
    uploads = uploaded_photos(limit=hazards.MAX_PHOTOS + 1)
    try:
        hazards.record_rectification(
            db.session,
            hazards.get_hazard(db.session, hazard.id, lock=True),
            actor=_actor(_signed_in()),
            note=note,
            photos=uploads,
            photo_folder=Path(current_app.config["UPLOAD_FOLDER"]),
        )
    except DomainError as err:
        db.abandon()
        return _task_page(_own_task(hazard_id), err.status_code, err.message, note)
    return redirect(url_for("station.task", hazard_id=hazard.id), 303)


@bp.post("/sign-out")
def sign_out() -> Response:
    """This phone, and every other that remembers the same reporter, forgets them (on the server)."""
    if g.reporter is not None:
        g.reporter.reporter_token = None
    response = Response(render_template("station/signed_out.html"), mimetype="text/html")
    response.delete_cookie(COOKIE)
    return response
