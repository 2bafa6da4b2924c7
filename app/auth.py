"""Staff sign-in and sign-out (the back office). Employees never sign in: the kiosk identifies them."""

from __future__ import annotations

import re

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from models.errors import SignInLocked
from models.i18n import lazy_gettext as _l
from models.people import StaffUser, authenticate_staff, staff_of_session

from .extensions import db, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def _load_user(user_id: str) -> StaffUser | None:
    return staff_of_session(db.session, user_id)


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def client_address() -> str:
    """The client's address (X-Forwarded-For is honoured only for the configured proxies: app PROXIES)."""
    return (request.remote_addr or "-")[:64]


@bp.get("/login")
def login() -> str:
    # A clean start has no account to sign in with: the page says how the first one is made (on the server).
    first = db.session.scalar(select(StaffUser.id).limit(1)) is None
    return render_template("auth/login.html", form=LoginForm(), first_account=first)


@bp.post("/login")
def login_post() -> Response | tuple[str, int]:
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate_staff(db.session, form.username.data, form.password.data, address=client_address())
        except SignInLocked as err:
            form.password.errors.append(err.message)
            return render_template("auth/login.html", form=form), err.status_code
        if user is not None:
            login_user(user)
            target = request.args.get("next", "")
            # Only ever go on to a path of this site: a plain path, no scheme, host, backslash or control
            # character a browser could read as another site ("/\tevil.example" -> "//evil.example").
            if not re.fullmatch(r"/(?![/\\])[\w\-./?=&%+~]*", target, flags=re.ASCII):
                target = url_for("admin.dashboard")
            return redirect(target, 303)
        form.password.errors.append(_("The user name or password is not correct."))
    return render_template("auth/login.html", form=form), 400


@bp.post("/logout")
def logout() -> Response:
    """Sign out: this session and every other of the account end on the server, not only in this browser."""
    if current_user.is_authenticated:
        current_user.end_sessions()
    logout_user()
    return redirect(url_for("auth.login"), 303)
