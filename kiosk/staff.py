"""Staff mode at the kiosk: the storekeeper scans a slip's QR and hands the goods over.

Opened with the storekeeper's own card, scanned on the staff page (their employee record is linked to their
staff account), or their back-office sign-in; it ends like an employee's session: idle time, "leave", or a
card scanned on the scan screen.
"""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.auth import client_address
from app.extensions import db
from models import people, store
from models.errors import DomainError, Forbidden, InvalidInput
from models.i18n import lazy_gettext as _l

from .counter import ScanForm
from .visit import bp, end_session, go, open_session, scanned_card, session_holder

KEEPERS = (people.Role.storekeeper,)


class StaffSignInForm(FlaskForm):
    # The counter has no keyboard: the kiosk's keypad types into both (kiosk.js).
    username = StringField(
        _l("User name"), validators=[DataRequired(), Length(max=64)], render_kw={"data-keypad": "letters"}
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=200)], render_kw={"data-keypad": "letters"}
    )


def _open_staff_mode(user: people.StaffUser) -> Response:
    if not user.has_role(*KEEPERS):
        raise Forbidden(_l("Staff mode is for storekeepers."))
    open_session("kiosk_staff", user.id)
    session["kiosk_staff_token"] = user.session_token or ""  # a new password or sign-out ends staff mode too
    return redirect(url_for("kiosk.staff"), 303)


def current_staff() -> people.StaffUser | None:
    """The storekeeper of this kiosk's staff mode, or None once it has idled out or been left."""
    user_id = session_holder("kiosk_staff")
    user = db.session.get(people.StaffUser, user_id) if user_id is not None else None
    if (
        user is None
        or not user.active
        or not user.has_role(*KEEPERS)
        or session.get("kiosk_staff_token") != (user.session_token or "")
    ):
        end_session()
        return None
    return user


@bp.get("/staff")
def staff() -> Response | str:
    user = current_staff()
    if user is None:
        return render_template("kiosk/staff_sign_in.html", form=StaffSignInForm(), card_form=ScanForm())
    found, error, status = None, None, 200
    if number := request.args.get("number", "").strip()[:40]:
        try:  # an unknown slip is said on the staff screen: the next scan is a slip again, not a card
            found = store.find_redemption(db.session, number)
        except DomainError as err:
            error, status = err.message, err.status_code
    page = render_template("kiosk/staff.html", staff=user, found=found, error=error, number=number)
    return Response(page, status=status, mimetype="text/html")


@bp.post("/staff")
def staff_sign_in() -> Response:
    form = StaffSignInForm()
    if not form.validate():
        raise InvalidInput(_l("Type your user name and password."))
    user = people.authenticate_staff(db.session, form.username.data, form.password.data, address=client_address())
    if user is None:
        raise Forbidden(_l("The user name or password is not correct."))
    return _open_staff_mode(user)


@bp.post("/staff/card")
def staff_by_card() -> Response:
    """The storekeeper's own card, scanned on the staff page."""
    form = ScanForm()
    if not form.validate():
        raise InvalidInput(_l("Scan a card."))
    user = people.staff_account_of(db.session, scanned_card(form.code.data))
    if user is None:
        raise Forbidden(_l("Staff mode is for storekeepers."))
    return _open_staff_mode(user)


@bp.post("/staff/slips/<number>/hand-out")
def staff_hand_out(number: str) -> Response:
    user = current_staff()
    if user is None:
        return go("kiosk.staff")
    redemption = store.find_redemption(db.session, number, lock=True)
    store.hand_out(db.session, redemption, actor=user.actor)
    return redirect(url_for("kiosk.staff", number=redemption.number, done=1), 303)


@bp.post("/staff/leave")
def staff_leave() -> Response:
    end_session()
    return redirect(url_for("kiosk.index"), 303)
