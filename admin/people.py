"""People and cards in the back office: employees (list, search, edit, leave, come back), departments, cards
(issue, revoke, reissue, a printable card sheet), PINs, and the HR roster import from Excel.

The points administrator (the admin role) changes people; storekeepers also issue and replace cards, as they
do at the counter; every staff role reads.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from app.extensions import db
from app.forms import row_id, typed_twice
from models import audit, hazards, people, roster
from models.base import get_or_404
from models.errors import InvalidInput
from models.i18n import lazy_gettext as _l
from models.people import Role
from models.settings import get_setting
from printer.sheets import CardFace, card_sheet_pdf

from . import READERS, bp, pager, pdf_response, role_required
from .places import public_base

CARD_KEEPERS = (Role.storekeeper,)


def officer_too() -> tuple[Role, ...]:
    """The safety officer, where the officer_cards_pins setting lets them do cards and PINs too."""
    return (Role.safety_officer,) if get_setting(db.session, "officer_cards_pins") == "yes" else ()


PAGE = 50
MAX_CARDS = 1000


def _departments() -> list[people.Department]:
    return list(db.session.scalars(select(people.Department).order_by(people.Department.name)))


def _filter_args() -> dict[str, Any]:
    """The list's filter as it came, to carry to the next page (only its own keys)."""
    return {key: request.args[key][:100] for key in ("q", "department", "status") if request.args.get(key)}


def _filtered():
    """Employees matching the list's filter (number or name, department, still here or left)."""
    query = select(people.Employee).options(joinedload(people.Employee.department), joinedload(people.Employee.team))
    if text := request.args.get("q", "").strip()[:100]:
        query = query.where(
            or_(
                people.Employee.number.contains(text, autoescape=True),
                people.Employee.name.contains(text, autoescape=True),
            )
        )
    if department := request.args.get("department", type=row_id):
        query = query.where(people.Employee.department_id == department)
    status = request.args.get("status", "active")
    if status == "active":
        query = query.where(people.Employee.active.is_(True))
    elif status == "left":
        query = query.where(people.Employee.active.is_(False))
    return query


@bp.get("/people")
@role_required(*READERS)
def people_list() -> str:
    page, links = pager("admin.people_list")
    query = (
        _filtered()
        .options(selectinload(people.Employee.cards))
        .order_by(people.Employee.number)
        .limit(PAGE + 1)
        .offset((page - 1) * PAGE)
    )
    rows = db.session.scalars(query).unique().all()
    counts = dict(
        db.session.execute(
            select(people.Employee.department_id, func.count())
            .where(people.Employee.active.is_(True))
            .group_by(people.Employee.department_id)
        ).all()
    )
    return render_template(
        "admin/people.html",
        rows=rows[:PAGE],
        pages=links(len(rows) > PAGE),
        departments=_departments(),
        counts=counts,
        can_edit=current_user.has_role(),
        can_card=current_user.has_role(*CARD_KEEPERS, *officer_too()),
        filter_args=_filter_args(),
        without_card=db.session.scalar(
            select(func.count()).select_from(
                _filtered()
                .where(
                    people.Employee.active.is_(True),
                    ~people.Employee.cards.any(people.Card.revoked_at.is_(None)),
                )
                .subquery()
            )
        ),
    )


@bp.post("/departments")
@role_required()
def department_create() -> Response:
    department = people.get_or_create_department(db.session, request.form.get("name", "")[:100])
    flash(_l("Department %(name)s is on the list.", name=department.name), "info")
    return redirect(url_for("admin.people_list"), 303)


def _person_page(employee: people.Employee | None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "admin/person.html",
        employee=employee,
        departments=_departments(),
        kinds=list(people.EmployeeKind),
        staff=people.staff_account_of(db.session, employee) if employee else None,
        can_edit=current_user.has_role(),
        can_card=current_user.has_role(*CARD_KEEPERS, *officer_too()),
        can_pin=current_user.has_role(*officer_too()),
    ), status


@bp.get("/people/new")
@role_required()
def person_new() -> tuple[str, int]:
    return _person_page(None)


@bp.get("/people/<int:employee_id>")
@role_required(*READERS)
def person(employee_id: int) -> tuple[str, int]:
    return _person_page(get_or_404(db.session, people.Employee, employee_id, _l("No such employee.")))


def _department_from_form() -> people.Department:
    department = db.session.get(people.Department, request.form.get("department_id", type=row_id) or 0)
    if department is None:
        raise InvalidInput(_l("Choose a department from the list."))
    return department


def _team_from_form(department: people.Department) -> people.Team | None:
    team = request.form.get("team", "").strip()[:100]
    return people.get_or_create_team(db.session, department, team) if team else None


@bp.post("/people")
@role_required()
def person_create() -> Response:
    department = _department_from_form()
    employee = people.create_employee(
        db.session,
        number=request.form.get("number", "")[:64],
        name=request.form.get("name", "")[:100],
        department=department,
        team=_team_from_form(department),
        kind=request.form.get("kind", "staff"),
    )
    flash(_l("%(name)s is registered. Issue a card next.", name=employee.name), "info")
    return redirect(url_for("admin.person", employee_id=employee.id), 303)


@bp.post("/people/<int:employee_id>")
@role_required()
def person_update(employee_id: int) -> Response:
    employee = get_or_404(db.session, people.Employee, employee_id, _l("No such employee."), lock=True)
    department = _department_from_form()
    # A number HR had wrong is corrected; what was recorded under the old one stays theirs.
    typed = request.form.get("number", employee.number)[:32]
    if old := people.change_number(db.session, employee, typed, actor=current_user.actor):
        hazards.follow_number(db.session, old, employee.number)
    people.update_employee(
        db.session,
        employee,
        name=request.form.get("name", "")[:100],
        department=department,
        team=_team_from_form(department),
        kind=request.form.get("kind", ""),
    )
    flash(_l("Saved: %(name)s.", name=employee.name), "info")
    return redirect(url_for("admin.person", employee_id=employee.id), 303)


@bp.post("/people/<int:employee_id>/<any(leave, rejoin):step>")
@role_required()
def person_step(employee_id: int, step: str) -> Response:
    employee = get_or_404(db.session, people.Employee, employee_id, _l("No such employee."), lock=True)
    if step == "leave" and request.form.get("confirm") != "1":
        return _confirm_leaving(employee)
    if step == "leave":
        roster.leave(db.session, employee, actor=current_user.actor)
        flash(_l("%(name)s has left: their cards no longer work.", name=employee.name), "info")
    else:
        roster.rejoin(db.session, employee)
        flash(_l("%(name)s is back. Issue a new card.", name=employee.name), "info")
    return redirect(url_for("admin.person", employee_id=employee.id), 303)


def _confirm_leaving(employee: people.Employee) -> Response:
    """What marking an employee as left does, asked once before it is done."""
    cards = sum(1 for card in employee.cards if card.active)
    forfeit = get_setting(db.session, "leaver_points") == "forfeit"
    consequences = [
        _l("%(n)s cards of %(name)s stop working at once.", n=cards, name=employee.name),
        _l("Their %(points)s points are forfeited (a ledger entry).", points=employee.balance)
        if forfeit and employee.balance
        else _l("Their %(points)s points are kept, frozen until they come back.", points=employee.balance),
        _l("They can no longer redeem, claim or report by name."),
    ]
    accounts = roster.accounts_stopping(db.session, employee)
    if accounts:
        consequences.append(
            _l("Their back-office account %(names)s stops.", names="、".join(a.username for a in accounts))
        )
    owners = [f"employee:{employee.number}", *(a.actor for a in accounts)]
    if owned := [h for actor in owners for h in hazards.assigned_to(db.session, actor)]:
        consequences.append(
            _l(
                "They own %(n)s open rectifications (%(numbers)s): hand each to another owner on its hazard's page.",
                n=len(owned),
                numbers="、".join(h.number or "" for h in owned),
            )
        )
    return _confirm(
        _l("Mark %(name)s (%(number)s) as left?", name=employee.name, number=employee.number),
        consequences,
        action=url_for("admin.person_step", employee_id=employee.id, step="leave"),
        carry=[],
        button=_l("Mark as left"),
        back=url_for("admin.person", employee_id=employee.id),
    )


def _confirm(title: object, consequences: list, *, action: str, carry: list, button: object, back: str) -> Response:
    """A destructive step asked once: what will happen, and the same post again with confirm=1."""
    page = render_template(
        "admin/confirm.html",
        title=title,
        consequences=consequences,
        action=action,
        carry=carry,
        button=button,
        back=back,
    )
    return Response(page, mimetype="text/html")


@bp.post("/people/<int:employee_id>/pin")
@role_required(extra=officer_too)
def person_pin(employee_id: int) -> Response:
    """Set a new PIN (the employee types it twice); it also lifts a lock after wrong tries."""
    employee = get_or_404(db.session, people.Employee, employee_id, _l("No such employee."))
    people.set_pin(db.session, employee, typed_twice("pin", _l("The two PINs are not the same.")))
    flash(_l("The new PIN for %(name)s is set.", name=employee.name), "info")
    return redirect(url_for("admin.person", employee_id=employee.id), 303)


@bp.post("/people/<int:employee_id>/cards")
@role_required(*CARD_KEEPERS, extra=officer_too)
def card_issue(employee_id: int) -> Response:
    employee = get_or_404(db.session, people.Employee, employee_id, _l("No such employee."))
    kind = request.form.get("kind", "qr")
    if kind not in ("qr", "rfid"):
        raise InvalidInput(_l("A card is a QR card or an RFID card."))
    people.issue_card(db.session, employee, kind, actor=current_user.actor, uid=request.form.get("uid", "")[:64])
    flash(_l("A new card for %(name)s is issued.", name=employee.name), "info")
    return redirect(url_for("admin.person", employee_id=employee.id), 303)


@bp.post("/cards/<int:card_id>/<any(revoke, reissue):step>")
@role_required(*CARD_KEEPERS, extra=officer_too)
def card_step(card_id: int, step: str) -> Response:
    card = get_or_404(db.session, people.Card, card_id, _l("No such card."))
    reason = request.form.get("reason", "")[:200]
    if step == "revoke" and request.form.get("confirm") != "1":
        if not card.active:
            raise InvalidInput(_l("This card is already revoked."))
        if not reason.strip():
            raise InvalidInput(_l("Say why the card is revoked."))
        return _confirm(
            _l("Revoke this card of %(name)s?", name=card.employee.name),
            [
                _l("The card stops working at once: at the kiosk and on the phone pages."),
                _l("Reason: %(reason)s", reason=reason),
                _l("Their points stay theirs; a new card can be issued."),
            ],
            action=url_for("admin.card_step", card_id=card.id, step="revoke"),
            carry=[("reason", reason)],
            button=_l("Revoke"),
            back=url_for("admin.person", employee_id=card.employee_id),
        )
    if step == "revoke":
        people.revoke_card(db.session, card, actor=current_user.actor, reason=reason)
        flash(_l("The card is revoked: it no longer works."), "info")
    else:
        if not reason.strip():
            raise InvalidInput(_l("Say why the card is replaced."))
        people.reissue_card(db.session, card, actor=current_user.actor, reason=reason, uid=request.form.get("uid", ""))
        flash(_l("The old card is revoked and a new one issued."), "info")
    return redirect(url_for("admin.person", employee_id=card.employee_id), 303)


@bp.post("/people/cards")
@role_required(*CARD_KEEPERS, extra=officer_too)
def cards_for_all() -> Response:
    """A QR card for every working employee of the list's filter (a department, a search) who has none."""
    issued = people.issue_missing_cards(db.session, _filtered(), actor=current_user.actor)
    if issued:
        flash(_l("%(n)s cards issued: print them with the card sheet.", n=len(issued)), "info")
    else:
        flash(_l("Everyone in this list has a working card already."), "info")
    return redirect(url_for("admin.people_list", **_filter_args()), 303)


@bp.get("/people/cards.pdf")
@role_required()
def card_sheet() -> Response:
    """Printable cards (CR80) for the employees ticked (``ids``), else for the list's filter; each working QR
    card of theirs is one card, its QR code the address http(s)://server/c/<token>.

    The QR codes are the cards themselves (a copy pays at the kiosk like the card): only the points
    administrator, who issues cards, prints them, and every sheet is in the audit log with whose cards."""
    query = (
        select(people.Card)
        .join(people.Card.employee)
        .where(people.Card.kind == people.CardKind.qr, people.Card.revoked_at.is_(None))
    )
    if request.args.getlist("ids"):
        try:
            ids = {row_id(i) for i in request.args.getlist("ids")}
        except ValueError:
            raise InvalidInput(_l("Tick the employees whose cards to print.")) from None
        query = query.where(people.Card.employee_id.in_(ids))
    else:
        query = query.where(people.Card.employee_id.in_(_filtered().with_only_columns(people.Employee.id)))
    cards = db.session.scalars(query.order_by(people.Employee.number).limit(MAX_CARDS + 1)).all()
    if not cards:
        raise InvalidInput(_l("None of these employees has a working QR card: issue cards first."))
    if len(cards) > MAX_CARDS:
        raise InvalidInput(_l("At most %(n)s cards at once: narrow the list."), n=MAX_CARDS)
    base = public_base()
    faces = [
        CardFace(
            c.employee.name,
            c.employee.number,
            " · ".join(part for part in (c.employee.department.name, c.employee.team and c.employee.team.name) if part),
            base + url_for("spot.card", token=c.code),
        )
        for c in cards
    ]
    audit.note(db.session, "print", "card", "sheet", {"cards": ",".join(str(c.id) for c in cards)})
    return pdf_response(card_sheet_pdf(faces, store=current_app.config["STORE_NAME"]), "cards.pdf")
