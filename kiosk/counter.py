"""The counter kiosk at /kiosk/: scan a card (or type number + PIN), see your points.

The kiosk is not a signed-in person: the employee identified by the last scan is kept in the browser
session until the idle time (a setting) passes, "done" is pressed, or another card is scanned.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.extensions import db
from app.forms import ReasonForm, form_error
from models import claims, ledger, people, rules
from models.base import local_today, utcnow
from models.errors import InvalidInput
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


def _start(employee: people.Employee) -> Response:
    session["kiosk_employee"] = employee.id
    session["kiosk_seen"] = utcnow().isoformat()
    return redirect(url_for("kiosk.me"), 303)


def current_employee() -> people.Employee | None:
    """The employee of this kiosk session, or None once it has idled out."""
    employee_id, seen = session.get("kiosk_employee"), session.get("kiosk_seen")
    if employee_id is None or seen is None:
        return None
    idle = dt.timedelta(seconds=get_setting(db.session, "kiosk_idle_seconds"))
    if utcnow() - dt.datetime.fromisoformat(seen) > idle:
        end_session()
        return None
    employee = db.session.get(people.Employee, employee_id)
    if employee is None or not employee.active:
        end_session()
        return None
    session["kiosk_seen"] = utcnow().isoformat()
    return employee


def end_session() -> None:
    session.pop("kiosk_employee", None)
    session.pop("kiosk_seen", None)


@bp.get("/")
def index() -> str:
    end_session()
    return render_template("kiosk/scan.html", form=ScanForm(), pin_form=PinForm())


@bp.post("/scan")
def scan() -> Response:
    end_session()  # a new scan ends the previous person's session whatever happens next
    form = ScanForm()
    if not form.validate():
        raise InvalidInput(_l("Scan a card."))
    return _start(people.identify_card(db.session, form.code.data))


@bp.post("/pin")
def pin() -> Response:
    end_session()
    form = PinForm()
    if not form.validate():
        raise InvalidInput(_l("Type your employee number and PIN."))
    employee = people.find_employee(db.session, form.number.data)
    employee.ensure_active()
    try:
        people.check_pin(db.session, employee, form.pin.data)
    finally:
        db.session.commit()  # the count of wrong tries must stick even though this request fails
    return _start(employee)


@bp.get("/me")
def me() -> Response | str:
    employee = current_employee()
    if employee is None:
        return redirect(url_for("kiosk.index"), 303)
    today = local_today()
    return render_template(
        "kiosk/me.html",
        employee=employee,
        credited=ledger.credited_in_year(db.session, employee.id, today.year),
        cap=get_setting(db.session, "yearly_cap"),
        own_claims=claims.claims_of(db.session, employee.id),
        notice=[c for c in claims.in_notice(db.session) if c.employee_id != employee.id],
        entries=ledger.history(db.session, employee.id, 20),
        suspended=claims.redemption_suspended(db.session, employee.id, today),
        idle_seconds=get_setting(db.session, "kiosk_idle_seconds"),
        objection=ReasonForm(),
    )


@bp.get("/claim")
def claim_form() -> Response | str:
    employee = current_employee()
    if employee is None:
        return redirect(url_for("kiosk.index"), 303)
    return render_template(
        "kiosk/claim.html",
        employee=employee,
        form=ClaimForm(),
        rules=rules.active_rules(db.session, rules.RuleKind.earn),
    )


@bp.post("/claim")
def claim_submit() -> Response:
    """An employee claims points for a safety act; it goes to the safety department for review."""
    employee = current_employee()
    if employee is None:
        return redirect(url_for("kiosk.index"), 303)
    form = ClaimForm()
    if not form.validate():
        raise form_error(form)
    rule = db.session.get(rules.Rule, form.rule_id.data)
    if rule is None or rule.kind is not rules.RuleKind.earn:
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
    db.session.commit()
    flash(_l("Claim submitted. The safety department reviews it by %(date)s.", date=claim.due_on), "info")
    return redirect(url_for("kiosk.me"), 303)


@bp.post("/claims/<int:claim_id>/object")
def object_claim(claim_id: int) -> Response:
    employee = current_employee()
    if employee is None:
        return redirect(url_for("kiosk.index"), 303)
    form = ReasonForm()
    if not form.validate():
        raise InvalidInput(_l("Give a reason for the objection."))
    claims.object_to(
        db.session,
        claims.get_claim(db.session, claim_id, lock=True),
        form.reason.data,
        actor=f"employee:{employee.number}",
    )
    db.session.commit()
    return redirect(url_for("kiosk.me"), 303)


@bp.post("/done")
def done() -> Response:
    end_session()
    return redirect(url_for("kiosk.index"), 303)
