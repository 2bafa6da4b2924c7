"""Staff accounts and their roles in the back office (admins only): who may sign in and what each may do."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.extensions import db
from app.forms import typed_twice
from models import people
from models.base import get_or_404
from models.i18n import lazy_gettext as _l

from . import bp, role_required


def _employee_from_form() -> people.Employee | None:
    number = request.form.get("employee_number", "").strip()[:32]
    return people.find_employee(db.session, number) if number else None


def _page(user: people.StaffUser | None) -> str:
    users = db.session.scalars(select(people.StaffUser).order_by(people.StaffUser.username)).all()
    employees = {
        e.id: e
        for e in db.session.scalars(
            select(people.Employee).where(people.Employee.id.in_([u.employee_id for u in users if u.employee_id]))
        )
    }
    return render_template("admin/staff.html", users=users, employees=employees, roles=list(people.Role), editing=user)


@bp.get("/staff")
@role_required()
def staff_list() -> str:
    return _page(None)


@bp.get("/staff/<int:user_id>")
@role_required()
def staff_edit(user_id: int) -> str:
    return _page(get_or_404(db.session, people.StaffUser, user_id, _l("No such staff account.")))


@bp.post("/staff")
@role_required()
def staff_create() -> Response:
    user = people.create_staff(
        db.session,
        username=request.form.get("username", "")[:64],
        name=request.form.get("name", ""),
        password=request.form.get("password", ""),
        roles=request.form.getlist("roles"),
        employee=_employee_from_form(),
    )
    flash(_l("Account %(name)s is ready: give the password to its holder in person.", name=user.username), "info")
    return redirect(url_for("admin.staff_list"), 303)


@bp.post("/staff/<int:user_id>")
@role_required()
def staff_update(user_id: int) -> Response:
    user = people.update_staff(
        db.session,
        get_or_404(db.session, people.StaffUser, user_id, _l("No such staff account.")),
        name=request.form.get("name", ""),
        roles=request.form.getlist("roles"),
        active=bool(request.form.get("active")),
        employee=_employee_from_form(),
        by=current_user,
    )
    flash(_l("Saved: %(name)s.", name=user.username), "info")
    return redirect(url_for("admin.staff_list"), 303)


@bp.post("/staff/<int:user_id>/password")
@role_required()
def staff_password(user_id: int) -> Response:
    user = get_or_404(db.session, people.StaffUser, user_id, _l("No such staff account."))
    people.set_password(db.session, user, typed_twice("password", _l("The two passwords are not the same.")))
    flash(_l("The new password for %(name)s is set.", name=user.username), "info")
    return redirect(url_for("admin.staff_list"), 303)
