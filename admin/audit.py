"""The audit log in the back office: every change a staff member made, filterable; admins and auditors read it."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from app.extensions import db
from app.forms import day
from models import audit
from models.errors import InvalidInput
from models.i18n import lazy_gettext as _l
from models.people import Role

from . import bp, pager, role_required

PAGE = 50

# What each table holds, in words, for the filter and the list.
ENTITIES = {
    "employee": _l("Employee"),
    "card": _l("Card"),
    "staff_user": _l("Staff account"),
    "department": _l("Department"),
    "team": _l("Team"),
    "goods": _l("Goods"),
    "stock_movement": _l("Stock movement"),
    "redemption": _l("Redemption"),
    "redemption_line": _l("Redemption line"),
    "claim": _l("Claim"),
    "claim_event": _l("Claim step"),
    "photo": _l("Photo"),
    "rule": _l("Rule"),
    "setting": _l("Setting"),
    "workday_override": _l("Working day"),
    "year_close": _l("Year-end close"),
    "place": _l("Place"),
    "place_retired_token": _l("Retired poster code"),
    "hazard": _l("Hazard"),
    "hazard_event": _l("Hazard step"),
    "kiosk": _l("Kiosk"),
    "ledger_entry": _l("Ledger entry"),
    "print_job": _l("Print job"),
}
BAD_DATE = _l("The filter is not valid: dates are YYYY-MM-DD.")
ACTIONS = {"create": _l("created"), "update": _l("changed"), "delete": _l("deleted")}


@bp.get("/audit")
@role_required(Role.auditor)
def audit_list() -> str:
    actor = request.args.get("actor", "")[:64]
    entity = request.args.get("entity", "")
    if entity and entity not in ENTITIES:
        raise InvalidInput(_l("The filter is not valid: choose what was changed from the list."))
    query = audit.search(
        db.session,
        actor=actor,
        entity=entity,
        entity_id=request.args.get("id", "")[:64],
        since=day(request.args.get("since"), BAD_DATE),
        until=day(request.args.get("until"), BAD_DATE),
    )
    page, links = pager("admin.audit_list")
    rows = db.session.scalars(query.limit(PAGE + 1).offset((page - 1) * PAGE)).all()
    actors = db.session.scalars(select(audit.AuditEntry.actor).distinct().order_by(audit.AuditEntry.actor)).all()
    return render_template(
        "admin/audit.html",
        rows=rows[:PAGE],
        pages=links(len(rows) > PAGE),
        actors=actors,
        entities=ENTITIES,
        actions=ACTIONS,
        hidden=audit.HIDDEN,
    )
