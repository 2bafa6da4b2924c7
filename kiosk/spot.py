"""On-the-spot awards: a card's QR code is also the address /c/<token>.

A supervisor (or safety officer) signed in on their phone scans a worker's card with the phone's camera and
gets an award page for that worker: a rule of daily safe behaviour or a deduction from the negative list, a
value in the rule's range, a note and an optional photo. It becomes a claim in the usual review workflow.
Anyone else who opens the address sees a neutral page, never the worker's data, whatever the token.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from app.extensions import db
from app.forms import uploaded_photos
from models import claims, people, rules
from models.errors import DomainError, InvalidInput
from models.i18n import lazy_gettext as _l
from models.people import Role

bp = Blueprint("spot", __name__, url_prefix="/c", template_folder="templates")

AWARDERS = (Role.supervisor, Role.safety_officer)


def _may_award() -> bool:
    return current_user.is_authenticated and current_user.has_role(*AWARDERS)


def _neutral(status: int = 200) -> Response:
    return Response(render_template("spot/neutral.html"), status=status, mimetype="text/html")


def _page(employee: people.Employee, token: str, status: int = 200, **extra: object) -> Response:
    page = render_template(
        "spot/award.html", employee=employee, token=token, rules=rules.spot_rules(db.session), **extra
    )
    return Response(page, status=status, mimetype="text/html")


@bp.get("/<token>")
def card(token: str) -> Response:
    if not _may_award():
        return _neutral()
    employee = people.identify_card(db.session, token)
    return _page(employee, token)


@bp.post("/<token>")
def award(token: str) -> Response:
    if not _may_award():
        return _neutral(403)
    employee = people.identify_card(db.session, token)
    form = {"rule_id": request.form.get("rule_id", ""), "points": request.form.get("points", "")}
    form["note"] = request.form.get("note", "")[:2000]
    try:
        try:
            rule, points = rules.spot_rule(db.session, int(form["rule_id"])), int(form["points"])
        except ValueError:
            raise InvalidInput(_l("Choose a rule and give the points.")) from None
        claim = claims.submit_claim(
            db.session,
            employee=employee,
            rule=rule,
            points=points,
            description=form["note"] or rule.name,
            source=claims.ClaimSource.supervisor,
            actor=current_user.actor,
            photos=uploaded_photos(limit=claims.MAX_PHOTOS + 1),
            photo_folder=Path(current_app.config["UPLOAD_FOLDER"]),
        )
    except DomainError as err:
        return _page(employee, token, err.status_code, error=err.message, form=form)
    return Response(render_template("spot/done.html", employee=employee, claim=claim), status=201, mimetype="text/html")
