"""The counter kiosk at /kiosk/: scan a card (or type number + PIN), see your points.

The kiosk is not a signed-in person: the employee identified by the last scan is kept in the browser
session until the idle time (a setting) passes, "done" is pressed, or another card is scanned.
"""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app import l10n
from app.extensions import db
from app.forms import INT_LIMIT, ReasonForm, form_error
from models import audit, claims, hazards, kiosks, ledger, people, rules, store
from models.errors import DomainError, InvalidInput
from models.i18n import lazy_gettext as _l
from models.settings import yearly_cap

from . import board
from .visit import (
    COOKIE,
    bp,
    cart_context,
    employee_view,
    end_session,
    holder_view,
    open_session,
    open_voucher_visit,
    scanned_card,
)


class ScanForm(FlaskForm):
    code = StringField(_l("Card"), validators=[DataRequired(), Length(max=200)])


class PinForm(FlaskForm):
    number = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=32)])
    pin = PasswordField(_l("PIN"), validators=[DataRequired(), Length(max=8)])


class ClaimForm(FlaskForm):
    rule_id = IntegerField(
        _l("Rule"),
        validators=[InputRequired(_l("Choose what the claim is for.")), NumberRange(min=1, max=INT_LIMIT)],
    )
    points = IntegerField(
        _l("Points"), validators=[InputRequired(_l("Give the points.")), NumberRange(min=1, max=INT_LIMIT)]
    )
    # Optional at the counter (no keyboard): a claim without words is described by its rule.
    description = TextAreaField(_l("What happened"), validators=[Optional(), Length(max=2000)])


def _start(employee: people.Employee) -> str:
    """Open the employee's session and show their screen in the same response (no redirect: the screen is
    what a scan is waiting for; the page puts /kiosk/me in the address bar)."""
    open_session("kiosk_employee", employee.id)
    return employee_screen(employee)


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


def _next_person() -> None:
    """The counter starts every person in the default language: a choice made on someone's screen ends with
    their visit (one made on the idle screen, before a scan, is that person's own and stays)."""
    if "lang" not in request.args and any(key in session for key in ("kiosk_employee", "kiosk_voucher", "kiosk_staff")):
        session.pop("lang", None)


@bp.get("/")
def index() -> str:
    if "lang" not in request.args:
        session.pop("lang", None)  # the idle screen: the last visit is over, the next person starts afresh
    end_session()
    return render_template("kiosk/scan.html", form=ScanForm(), pin_form=PinForm())


@bp.post("/scan")
def scan() -> str:
    _next_person()
    end_session(whatever_follows=True)  # a new scan ends the previous person's session whatever happens next
    form = ScanForm()
    if not form.validate():
        raise InvalidInput(_l("Scan a card."))
    return _start(scanned_card(form.code.data))


@bp.post("/pin")
def pin() -> str:
    _next_person()
    end_session(whatever_follows=True)
    form = PinForm()
    if not form.validate():
        raise InvalidInput(_l("Type your employee number and PIN."))
    employee = people.find_employee(db.session, form.number.data)
    employee.ensure_active()
    people.check_pin(db.session, employee, form.pin.data)  # a wrong try counts although this request fails
    return _start(employee)


@bp.get("/me")
@holder_view
def me(holder: store.Holder) -> str:
    if isinstance(holder, hazards.Bearer):  # a claim code's points, the shelf and the cart: no name, no history
        return render_template(
            "kiosk/voucher.html", page_url=url_for("kiosk.me"), bearer=holder, **cart_context(holder)
        )
    assert isinstance(holder, people.Employee)
    return employee_screen(holder)


def employee_screen(employee: people.Employee) -> str:
    figures = claims.standing(db.session, employee.id)
    return render_template(
        "kiosk/me.html",
        page_url=url_for("kiosk.me"),
        employee=employee,
        **cart_context(employee),
        credited=figures.credited,
        cap=yearly_cap(db.session, employee.kind.value),
        own_claims=claims.claims_of(db.session, employee.id),
        entries=figures.entries,
        suspended=figures.suspended,
        pin_self_set=people.pins_chosen_at_kiosk(db.session),
        year_end=ledger.year_end_warning(db.session),
        at_stake=ledger.year_end_at_stake(db.session, employee),
        next_redemption=store.redemption_words(db.session),
    )


@bp.get("/notice")
@employee_view
def notice(employee: people.Employee) -> str:
    """Others' claims in public notice, each with a form to object: an htmx fragment the employee's screen
    asks for once it is shown, as it does the shelf (their own points come first, without waiting for it)."""
    return render_template(
        "kiosk/_notice.html", notice=claims.in_notice(db.session, exclude_employee=employee.id, limit=20)
    )


# Phrases a kiosk user taps instead of typing (the counter has no keyboard); what they add can still be edited.
CLAIM_PHRASES = (_l("On my shift"), _l("My team leader saw it"), _l("Photos with the safety office"))
HAZARD_PHRASES = (
    _l("Floor wet or slippery"),
    _l("Guard rail missing or loose"),
    _l("Fire exit or passage blocked"),
    _l("Electrical cabinet left open"),
    _l("Protective equipment not worn"),
    _l("Leak of oil, gas or chemicals"),
)


def _claim_page(employee: people.Employee, status: int = 200, error: str | None = None) -> tuple[str, int]:
    """The claim form, filled with what was typed when it comes back refused (the message above it)."""
    typed = {
        key: request.form.get(key, "")[:2000]
        for key in ("rule_id", "points", "description", "category", "hazard_number")
    }
    page = render_template(
        "kiosk/claim.html",
        employee=employee,
        form=ClaimForm(),
        rules=rules.active_rules(db.session, rules.RuleKind.earn),
        categories=list(hazards.HazardCategory),
        phrases=CLAIM_PHRASES,
        hazard_phrases=HAZARD_PHRASES,
        typed=typed if request.method == "POST" else {},
        error=error,
    )
    return page, status


@bp.get("/claim")
@employee_view
def claim_form(employee: people.Employee) -> tuple[str, int]:
    return _claim_page(employee)


@bp.post("/claim")
@employee_view
def claim_submit(employee: people.Employee) -> Response | tuple[str, int]:
    """An employee claims points for a safety act; it goes to the safety department for review. A refused
    claim comes back with what was typed, inside the kiosk."""
    try:
        return _file_claim(employee)
    except DomainError as err:
        db.abandon()
        return _claim_page(employee, err.status_code, err.message)


def _file_claim(employee: people.Employee) -> Response:
    form = ClaimForm()
    if not form.validate():
        raise form_error(form)
    rule = db.session.get(rules.Rule, form.rule_id.data)
    if rule is None:
        raise InvalidInput(_l("Choose what the claim is for."))
    if hazards.finds_hazard(rule):
        # Finding a hazard is rewarded through the hazard loop, once: the claim becomes a report in the ledger.
        hazard = hazards.report_from_claim(
            db.session,
            employee=employee,
            category=request.form.get("category", "")[:16],
            description=form.description.data or "",
            hazard_number=request.form.get("hazard_number", "")[:20],
            channel=hazards.HazardChannel.kiosk,
        )
        flash(
            _l(
                "Your hazard is in the hazard ledger as %(number)s. The safety department verifies it by %(date)s;"
                " its reward follows the verification.",
                number=hazard.number,
                date=l10n.day(hazard.verify_due_on),
            ),
            "info",
        )
        return redirect(url_for("kiosk.me"), 303)
    claim = claims.submit_claim(
        db.session,
        employee=employee,
        rule=rule,
        points=form.points.data,
        description=form.description.data or rule.name,  # a tap on the rule says what it is for
        source=claims.ClaimSource.employee,
        actor=f"employee:{employee.number}",
    )
    flash(_l("Claim submitted. The safety department reviews it by %(date)s.", date=l10n.day(claim.due_on)), "info")
    return redirect(url_for("kiosk.me"), 303)


@bp.get("/rules")
def scheme_rules() -> str:
    """《安全积分管理办法》 on the kiosk, read by touch; the idle timer brings the start screen back."""
    end_session()
    return render_template("kiosk/rules.html", waits=True, **board.rules_text())


@bp.get("/voucher")
def voucher_form() -> str:
    """An anonymous report's claim code, typed or its QR scanned, pays at the kiosk without a card."""
    end_session()
    return render_template("kiosk/voucher_code.html", waits=True)  # back to the start by itself, like a visit


@bp.post("/voucher")
def voucher_open() -> Response:
    end_session(whatever_follows=True)
    try:  # wrong codes are counted for this kiosk (models/tries.py), also though this request fails
        bearer = hazards.open_voucher(db.session, request.form.get("code", "")[:64], kiosk_id=g.kiosk.id)
    except DomainError as err:  # the form again, on the kiosk, with the reason (the idle timer keeps running)
        page = render_template("kiosk/voucher_code.html", error=err.message, waits=True)
        return Response(page, status=err.status_code, mimetype="text/html")
    open_voucher_visit(bearer)
    return redirect(url_for("kiosk.me"), 303)


class ChoosePinForm(FlaskForm):
    pin = PasswordField(_l("New PIN"), validators=[DataRequired(), Length(max=8)], render_kw={"data-keypad": "digits"})
    again = PasswordField(
        _l("The same PIN again"), validators=[DataRequired(), Length(max=8)], render_kw={"data-keypad": "digits"}
    )


def _choose_pin_page(employee: people.Employee, error: str | None = None, status: int = 200) -> Response:
    page = render_template("kiosk/pin_new.html", employee=employee, form=ChoosePinForm(formdata=None), error=error)
    return Response(page, status=status, mimetype="text/html")


@bp.get("/pin/new")
@employee_view
def choose_pin_form(employee: people.Employee) -> Response:
    """An employee without a PIN chooses it, their card scanned (the pin_self_set setting)."""
    people.may_choose_pin(db.session, employee)
    return _choose_pin_page(employee)


@bp.post("/pin/new")
@employee_view(lock=True)
def choose_pin(employee: people.Employee) -> Response:
    form = ChoosePinForm()
    try:
        if not form.validate():
            raise InvalidInput(_l("Type the PIN twice, the same both times."))
        people.choose_pin(db.session, employee, form.pin.data, form.again.data)
        # On record, as a PIN the administrator sets is: which kiosk, when (the card's holder chose it).
        audit.note(db.session, "pin", "employee", str(employee.id), {"chosen at": g.kiosk.name})
    except DomainError as err:  # the form again (empty: a PIN is not shown back), the reason above it
        db.abandon()
        return _choose_pin_page(employee, err.message, err.status_code)
    flash(_l("Your PIN is set. Keep it to yourself."), "info")
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
