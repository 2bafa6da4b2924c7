"""The counter kiosk at /kiosk/: scan a card (or type number + PIN), see your points.

The kiosk is not a signed-in person: the employee identified by the last scan is kept in the browser
session until the idle time (a setting) passes, "done" is pressed, or another card is scanned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response
from wtforms import IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app import l10n
from app.extensions import db
from app.forms import ReasonForm, form_error
from models import claims, clock, hazards, kiosks, ledger, people, rules
from models.clock import utcnow
from models.errors import DomainError, InvalidInput
from models.settings import get_setting

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates")


class ScanForm(FlaskForm):
    code = StringField(_l("Card"), validators=[DataRequired(), Length(max=200)])


class PinForm(FlaskForm):
    number = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=32)])
    pin = PasswordField(_l("PIN"), validators=[DataRequired(), Length(max=8)])


class ClaimForm(FlaskForm):
    rule_id = IntegerField(_l("Rule"), validators=[InputRequired(_l("Choose what the claim is for."))])
    points = IntegerField(_l("Points"), validators=[InputRequired(_l("Give the points.")), NumberRange(min=1)])
    description = TextAreaField(
        _l("What happened"), validators=[DataRequired(_l("Describe what the claim is for.")), Length(max=2000)]
    )


def _start(employee: people.Employee) -> str:
    """Open the employee's session and show their screen in the same response (no redirect: the screen is
    what a scan is waiting for; the page puts /kiosk/me in the address bar)."""
    open_session("kiosk_employee", employee.id)
    return employee_screen(employee)


def open_session(key: str, holder_id: int) -> None:
    """Start a kiosk session for one person (an employee, or a storekeeper in staff mode); it ends the last."""
    end_session()
    session[key] = holder_id
    session["kiosk_seen"] = utcnow().isoformat()


def session_holder(key: str) -> int | None:
    """The id kept under ``key`` while this kiosk session has not idled out (each use restarts its clock)."""
    holder_id, seen = session.get(key), session.get("kiosk_seen")
    if holder_id is None or seen is None:
        return None
    idle = dt.timedelta(seconds=get_setting(db.session, "kiosk_idle_seconds"))
    if utcnow() - dt.datetime.fromisoformat(seen) > idle:
        end_session()
        return None
    session["kiosk_seen"] = utcnow().isoformat()
    return holder_id


def current_employee() -> people.Employee | None:
    """The employee of this kiosk session, or None once it has idled out."""
    employee_id = session_holder("kiosk_employee")
    if employee_id is None:
        return None
    employee = db.session.get(people.Employee, employee_id, options=[joinedload(people.Employee.department)])
    if employee is None or not employee.active:
        end_session()
        return None
    return employee


def end_session() -> None:
    for key in ("kiosk_employee", "kiosk_staff", "kiosk_seen", "kiosk_cart"):
        session.pop(key, None)


def go(endpoint: str) -> Response:
    """Send the browser to ``endpoint``: a 303, or for an htmx request a full-page HX-Redirect."""
    target = url_for(endpoint)
    if request.headers.get("HX-Request"):
        response = Response(status=204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)


def employee_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view for the employee at the kiosk: it gets them as its first argument; without one (idle
    timeout, "done", nobody scanned yet) the browser goes back to the scan screen."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        employee = current_employee()
        if employee is None:
            return go("kiosk.index")
        return view(employee, *args, **kwargs)

    return wrapped


COOKIE = "mart_kiosk"


@bp.context_processor
def _kiosk_globals() -> dict[str, Any]:
    return {"idle_seconds": get_setting(db.session, "kiosk_idle_seconds"), "kiosk": g.get("kiosk")}


@bp.before_request
def _paired_kiosk() -> Response | None:
    """Every kiosk page needs a paired browser; others get the pairing page."""
    g.kiosk = kiosks.kiosk_for(db.session, request.cookies.get(COOKIE))
    if g.kiosk is None and request.endpoint not in ("kiosk.pair", "kiosk.pair_post"):
        return go("kiosk.pair")
    return None


@bp.get("/pair")
def pair() -> str:
    return render_template("kiosk/pair.html")


@bp.post("/pair")
def pair_post() -> Response:
    kiosk, token = kiosks.pair(db.session, request.form.get("code", "")[:32])
    response = redirect(url_for("kiosk.index"), 303)
    # A kiosk stays paired for years; the token is random and only its hash is stored.
    response.set_cookie(
        COOKIE,
        token,
        max_age=10 * 365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    flash(_l("This browser is now the kiosk %(name)s.", name=kiosk.name), "info")
    return response


@bp.get("/")
def index() -> str:
    end_session()
    return render_template("kiosk/scan.html", form=ScanForm(), pin_form=PinForm())


@bp.post("/scan")
def scan() -> str:
    end_session()  # a new scan ends the previous person's session whatever happens next
    form = ScanForm()
    if not form.validate():
        raise InvalidInput(_l("Scan a card."))
    return _start(people.identify_card(db.session, form.code.data))


@bp.post("/pin")
def pin() -> str:
    end_session()
    form = PinForm()
    if not form.validate():
        raise InvalidInput(_l("Type your employee number and PIN."))
    employee = people.find_employee(db.session, form.number.data)
    employee.ensure_active()
    people.check_pin(db.session, employee, form.pin.data)  # a wrong try counts although this request fails
    return _start(employee)


@bp.get("/me")
@employee_view
def me(employee: people.Employee) -> str:
    return employee_screen(employee)


def employee_screen(employee: people.Employee) -> str:
    from .shop import cart_context

    today = clock.today()
    return render_template(
        "kiosk/me.html",
        page_url=url_for("kiosk.me"),
        employee=employee,
        **cart_context(employee),
        credited=ledger.credited_in_year(db.session, employee.id, today.year),
        cap=get_setting(db.session, "yearly_cap"),
        own_claims=claims.claims_of(db.session, employee.id),
        entries=ledger.history(db.session, employee.id, 20),
        suspended=claims.redemption_suspended(db.session, employee.id, today),
    )


@bp.get("/notice")
@employee_view
def notice(employee: people.Employee) -> str:
    """Others' claims in public notice, each with a form to object: an htmx fragment the employee's screen
    asks for once it is shown, as it does the shelf (their own points come first, without waiting for it)."""
    return render_template(
        "kiosk/_notice.html", notice=claims.in_notice(db.session, exclude_employee=employee.id, limit=20)
    )


@bp.get("/claim")
@employee_view
def claim_form(employee: people.Employee) -> str:
    return render_template(
        "kiosk/claim.html",
        employee=employee,
        form=ClaimForm(),
        rules=rules.active_rules(db.session, rules.RuleKind.earn),
    )


@bp.post("/claim")
@employee_view
def claim_submit(employee: people.Employee) -> Response:
    """An employee claims points for a safety act; it goes to the safety department for review."""
    form = ClaimForm()
    if not form.validate():
        raise form_error(form)
    rule = db.session.get(rules.Rule, form.rule_id.data)
    if rule is None:
        raise InvalidInput(_l("Choose what the claim is for."))
    claim = claims.submit_claim(
        db.session,
        employee=employee,
        rule=rule,
        points=form.points.data,
        description=form.description.data,
        source=claims.ClaimSource.employee,
        actor=f"employee:{employee.number}",
    )
    flash(_l("Claim submitted. The safety department reviews it by %(date)s.", date=l10n.day(claim.due_on)), "info")
    return redirect(url_for("kiosk.me"), 303)


@bp.get("/reward")
@employee_view
def reward_form(employee: people.Employee) -> str:
    return render_template("kiosk/reward.html", employee=employee)


@bp.post("/reward")
@employee_view
def reward_collect(employee: people.Employee) -> Response:
    """Collect an anonymous hazard report's reward with its claim code (typed, or its QR scanned)."""
    try:  # wrong codes are counted for the card's holder by the operation (models/tries.py)
        hazard = hazards.collect_reward(db.session, employee, request.form.get("code", "")[:64], actor=g.kiosk.actor)
    except DomainError as err:  # the form again, on the kiosk, with the reason (the idle timer keeps running)
        page = render_template("kiosk/reward.html", employee=employee, error=err.message)
        return Response(page, status=err.status_code, mimetype="text/html")
    flash(_l("%(points)s points credited for an anonymous report. Thank you.", points=hazard.reward_points), "info")
    return redirect(url_for("kiosk.me"), 303)


@bp.post("/claims/<int:claim_id>/object")
@employee_view
def object_claim(employee: people.Employee, claim_id: int) -> Response:
    form = ReasonForm()
    if not form.validate():
        raise InvalidInput(_l("Give a reason for the objection."))
    claims.object_to(
        db.session,
        claims.get_claim(db.session, claim_id, lock=True),
        form.reason.data,
        actor=f"employee:{employee.number}",
    )
    flash(_l("Your objection is recorded: the claim goes back to the safety department for review."), "info")
    return redirect(url_for("kiosk.me"), 303)


@bp.post("/done")
def done() -> Response:
    end_session()
    return redirect(url_for("kiosk.index"), 303)
