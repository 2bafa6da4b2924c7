"""Results for appraisal (考核、评优、晋升): per person and per department for any period, on screen and as Excel
for HR. A supervisor who is on the roster (a department head, a team leader) sees their own department only."""

from __future__ import annotations

import io

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app import forms, xlsx
from app.extensions import db
from models import appraisal, clock, people
from models.errors import InvalidInput
from models.i18n import lazy_gettext as _l
from models.people import Role
from models.rules import RuleCategory

from . import bp, role_required, xlsx_response

VIEWERS = (Role.safety_officer, Role.supervisor, Role.auditor)
KINDS = [*(c.value for c in RuleCategory if c.value not in ("violation", "accident")), appraisal.OTHER]


def _asked() -> tuple[appraisal.Results, int | None, bool]:
    """The period and department asked for; a supervisor's own department is forced on them."""
    today = clock.today()
    message = _l("Give the dates as YYYY-MM-DD.")
    first = forms.day(request.args.get("first"), message) or today.replace(month=1, day=1)
    last = forms.day(request.args.get("last"), message) or today
    if last < first or (last - first).days > 3660:
        raise InvalidInput(_l("The period ends before it begins, or is longer than ten years."))
    own = _own_department()
    department: int | None = own
    if own is None and request.args.get("department"):
        department = forms.whole(forms.clip(request.args["department"]), _l("Choose the department from the list."))
    return appraisal.results(db.session, first, last, department), department, own is not None


def _own_department() -> int | None:
    """A supervisor (not also an officer or auditor) sees their own department: the one of their employee."""
    if current_user.has_role(Role.safety_officer, Role.auditor):
        return None
    if current_user.employee_id is None:
        return -1  # a supervisor who is on no roster sees nobody
    employee = db.session.get(people.Employee, current_user.employee_id)
    return employee.department_id if employee else -1


def kind_label(key: str) -> str:
    return (
        str(RuleCategory(key).label)
        if key != appraisal.OTHER
        else _("Other (go-live awards and awards outside a claim)")
    )


@bp.get("/appraisal")
@role_required(*VIEWERS)
def appraisal_page() -> str:
    found, department, forced = _asked()
    return render_template(
        "admin/appraisal.html",
        results=found,
        department=department,
        forced=forced,
        departments=appraisal.departments_of(db.session),
        kinds=KINDS,
        kind_label=kind_label,
    )


# The figures both sheets give, each person's and each department's (added up), in this order.
FIGURES = (
    ("earned", _l("Earned")),
    ("deducted", _l("Deducted")),
    ("kept", _l("Kept")),
    ("reported", _l("Hazards reported")),
    ("verified", _l("Verified")),
    ("major", _l("Of which major")),
    ("rejected", _l("Claims rejected")),
    ("false", _l("False claims")),
    ("redemptions", _l("Redemptions")),
)


@bp.get("/appraisal.xlsx")
@role_required(*VIEWERS)
def appraisal_export() -> Response:
    found, _department, _forced = _asked()
    out = io.BytesIO()
    figures = [str(label) for _key, label in FIGURES]
    with xlsx.Workbook(out) as book:
        sheet = book.sheet(
            _("Appraisal by person"),
            [
                _("Rank"),
                _("Employee number"),
                _("Full name"),
                _("Department"),
                *[kind_label(k) for k in KINDS],
                *figures,
                _("Points redeemed"),
            ],
            "nsss" + "n" * (len(KINDS) + len(FIGURES) + 1),
            {2: 14, 3: 18},
        )
        sheet.write_rows(
            [
                p.rank,
                p.employee.number,
                p.employee.name,
                p.employee.department.name,
                *[p.earned_by.get(k, 0) for k in KINDS],
                *[getattr(p, key) for key, _label in FIGURES],
                p.redeemed_points,
            ]
            for p in found.people
        )
        departments = book.sheet(
            _("Appraisal by department"),
            [_("Rank"), _("Department"), _("People"), *figures, _("Kept per head")],
            "nsn" + "n" * (len(FIGURES) + 1),
            {1: 18},
        )
        departments.write_rows(
            [d.rank, d.name, len(d.people), *[d.total(key) for key, _label in FIGURES], d.per_head]
            for d in found.departments
        )
    return xlsx_response(out.getvalue(), f"appraisal-{found.first.isoformat()}-{found.last.isoformat()}.xlsx")
