"""The audit log in the back office: every change a staff member made, filterable; admins and auditors read it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import render_template, request
from sqlalchemy import select

from app import l10n
from app.extensions import db
from app.forms import day
from models import Base, audit
from models.base import LabelledEnum
from models.claims import Claim
from models.errors import InvalidInput
from models.hazards import Hazard
from models.i18n import lazy_gettext as _l
from models.people import Department, Employee, Role, Team
from models.places import Place, Risk
from models.rules import Rule
from models.store import Goods, Redemption

from . import bp, pager, role_required

PAGE = 50

# What each table holds, in words, for the filter and the list.
ENTITIES = {
    "employee": _l("Employee"),
    "card": _l("Card"),
    "employee_number_change": _l("Employee number corrected"),
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
    "hazard_acceptance": _l("Acceptance of a major hazard"),
    "kiosk": _l("Kiosk"),
    "ledger_entry": _l("Ledger entry"),
    "print_job": _l("Print job"),
    "org_member": _l("Organisation of the scheme"),
}
# What each column the audit log can show is called, in words (never a column name on screen).
FIELDS = {
    "acceptance_standard": _l("Acceptance standard"),
    "added_at": _l("Added at"),
    "added_by": _l("Added by"),
    "duty": _l("Answers for"),
    "post": _l("Post"),
    "since": _l("Since"),
    "title": _l("Job"),
    "unit_cost_fen": _l("Cost a piece (fen)"),
    "unit_value_fen": _l("Value a piece (fen)"),
    "until": _l("Left on"),
    "accepted_by": _l("Accepted by"),
    "accepted_on": _l("Accepted on"),
    "action": _l("Action"),
    "active": _l("Active"),
    "actor": _l("By"),
    "amount": _l("Points"),
    "approved_points": _l("Points approved"),
    "assigned_at": _l("Assigned at"),
    "at": _l("Time"),
    "attempts": _l("Attempts"),
    "balance": _l("Balance"),
    "balance_after": _l("Balance after"),
    "changed_at": _l("Changed at"),
    "changed_by": _l("Changed by"),
    "new": _l("New number"),
    "old": _l("Old number"),
    "barcode": _l("Barcode"),
    "bearer_check": _l("Claim code check"),
    "cancel_reason": _l("Reason for cancelling"),
    "cancelled_at": _l("Cancelled at"),
    "cancelled_by": _l("Cancelled by"),
    "cart_digest": _l("Cart check"),
    "category": _l("Category"),
    "channel": _l("Channel"),
    "checklist": _l("Report checklist"),
    "claim_code_hash": _l("Claim code (hashed)"),
    "claim_id": _l("Claim"),
    "claimed_at": _l("Taken by the printer at"),
    "closed_at": _l("Closed at"),
    "code": _l("Code"),
    "columns": _l("Characters a line"),
    "conclusion": _l("Conclusion"),
    "contingency_plan": _l("Contingency plan"),
    "created_at": _l("Created at"),
    "credited_at": _l("Credited at"),
    "credited_points": _l("Points credited"),
    "day": _l("Day"),
    "deadline": _l("Deadline"),
    "delta": _l("Change"),
    "department_id": _l("Department"),
    "description": _l("Description"),
    "due_on": _l("Due on"),
    "duplicate_of_id": _l("Duplicate of"),
    "employee_id": _l("Employee"),
    "encoding": _l("Text encoding"),
    "entered_by": _l("Entered by"),
    "entity": _l("Record"),
    "entity_id": _l("Record no."),
    "failures": _l("Failures"),
    "follow_hash": _l("Follow link (hashed)"),
    "found_by": _l("Found by"),
    "fraud_at": _l("Found false at"),
    "funds": _l("Funds"),
    "goods_id": _l("Goods"),
    "grade": _l("Grade"),
    "handed_out_at": _l("Handed out at"),
    "handed_out_by": _l("Handed out by"),
    "hash": _l("Hash"),
    "hazard_id": _l("Hazard"),
    "height": _l("Height"),
    "id": _l("No."),
    "is_workday": _l("Working day"),
    "issued_at": _l("Issued at"),
    "issued_by": _l("Issued by"),
    "key": _l("Setting"),
    "kind": _l("Kind"),
    "kiosk": _l("Kiosk"),
    "last_error": _l("Last error"),
    "last_hash": _l("Last hash"),
    "left_at": _l("Left at"),
    "locked_until": _l("Locked until"),
    "low_stock": _l("Low stock level"),
    "max_points": _l("Most points"),
    "me_too": _l("Seen again"),
    "measures": _l("Measures"),
    "memo": _l("Memo"),
    "min_points": _l("Fewest points"),
    "mode": _l("Mode"),
    "name": _l("Name"),
    "next_attempt_at": _l("Next try at"),
    "note": _l("Note"),
    "notice_until": _l("Public notice until"),
    "number": _l("Number"),
    "origin": _l("Made by"),
    "outcome_note": _l("Outcome"),
    "owed_points": _l("Points still owed"),
    "owner": _l("Owner"),
    "owner_id": _l("Belongs to no."),
    "owner_type": _l("Belongs to"),
    "paired_at": _l("Paired at"),
    "pairing_expires_at": _l("Pairing code expires at"),
    "pairing_hash": _l("Pairing code (hashed)"),
    "paper_mm": _l("Paper width"),
    "parent_id": _l("Parent"),
    "password_hash": _l("Password (hashed)"),
    "people": _l("People"),
    "picture": _l("Picture"),
    "pin_hash": _l("PIN (hashed)"),
    "place_id": _l("Place"),
    "points": _l("Points"),
    "prev_hash": _l("Previous hash"),
    "price_override": _l("Price in points"),
    "printed_at": _l("Printed at"),
    "printer_uri": _l("Receipt printer"),
    "quantity": _l("Quantity"),
    "reason": _l("Reason"),
    "recorded_at": _l("Recorded at"),
    "recorded_by": _l("Recorded by"),
    "rectification_note": _l("Rectification"),
    "rectified_at": _l("Rectified at"),
    "redemption_id": _l("Redemption"),
    "ref_id": _l("Reference no."),
    "ref_type": _l("Reference"),
    "regulator_reported_on": _l("Reported to the regulator on"),
    "reinspected_by": _l("Re-inspected by"),
    "reported_at": _l("Reported at"),
    "reporter_id": _l("Reporter"),
    "reporter_token": _l("Phone sign-in (token)"),
    "reprint": _l("Reprint"),
    "request_key": _l("Request key"),
    "requested_by": _l("Requested by"),
    "requested_points": _l("Points asked"),
    "retired_at": _l("Retired at"),
    "review_note": _l("Review note"),
    "reviewed_at": _l("Reviewed at"),
    "reviewed_by": _l("Reviewed by"),
    "revoke_reason": _l("Reason for voiding"),
    "revoked_at": _l("Voided at"),
    "revoked_by": _l("Voided by"),
    "reports_hazard": _l("Finding a hazard (through the hazard ledger)"),
    "reward": _l("Reward"),
    "reward_claim_id": _l("Reward claim"),
    "reward_collected_at": _l("Reward collected at"),
    "reward_points": _l("Reward (points)"),
    "risk": _l("Risk colour"),
    "roles": _l("Roles"),
    "roles_text": _l("Roles"),
    "rule_id": _l("Rule"),
    "scans": _l("Scans"),
    "scope": _l("Scope"),
    "seal": _l("Seal"),
    "sealed": _l("Sealed"),
    "seq": _l("Position in the chain"),
    "session_token": _l("Session (token)"),
    "sha256": _l("File check (SHA-256)"),
    "size": _l("Size"),
    "source": _l("Source"),
    "standard": _l("Standard"),
    "status": _l("Status"),
    "stock": _l("Stock"),
    "stored_number": _l("Number"),
    "stock_after": _l("Stock after"),
    "subject": _l("Subject"),
    "submitted_at": _l("Submitted at"),
    "submitted_by": _l("Submitted by"),
    "supervised": _l("Listed for supervision"),
    "team_id": _l("Team"),
    "token": _l("Code"),
    "token_hash": _l("Code (hashed)"),
    "unit_points": _l("Points each"),
    "updated_at": _l("Updated at"),
    "uploaded_at": _l("Uploaded at"),
    "uploaded_by": _l("Uploaded by"),
    "username": _l("User name"),
    "value": _l("Value"),
    "value_fen": _l("Value (fen)"),
    "verdict": _l("Verdict"),
    "verified_at": _l("Verified at"),
    "verified_by": _l("Verified by"),
    "verify_due_on": _l("Verification due on"),
    "verify_note": _l("Verification note"),
    "visit_token": _l("Visit (token)"),
    "width": _l("Width"),
    "within_duties": _l("Within the reporter's duties"),
    "year": _l("Year"),
}


def _enum_columns() -> dict[tuple[str, str], type[LabelledEnum]]:
    """The columns that keep a labelled enum's value ("approved", "pending"), by table: shown by their label."""
    found: dict[tuple[str, str], type[LabelledEnum]] = {}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            enum_class = getattr(column.type, "enum_class", None)
            if enum_class is not None and issubclass(enum_class, LabelledEnum):
                found[(table.name, column.name)] = enum_class
    return found


# Columns that keep who did something ("staff:wang", "employee:E00070"): shown by name.
ACTOR_FIELDS = {
    "actor",
    "submitted_by",
    "reviewed_by",
    "verified_by",
    "reinspected_by",
    "handed_out_by",
    "cancelled_by",
    "issued_by",
    "revoked_by",
    "entered_by",
    "recorded_by",
    "uploaded_by",
    "requested_by",
    "changed_by",
}


def _named(model: type, name: Callable[[Any], str]) -> Callable[[object], str | None]:
    def lookup(row_id: object) -> str | None:
        row = db.session.get(model, row_id) if isinstance(row_id, int) and not isinstance(row_id, bool) else None
        return name(row) if row is not None else None

    return lookup


# Columns that point to another row: shown by what a person knows it by (a name, a number), never its id.
REFERENCES: dict[str, Callable[[object], str | None]] = {
    "department_id": _named(Department, lambda d: d.name),
    "team_id": _named(Team, lambda t: t.name),
    "employee_id": _named(Employee, lambda e: f"{e.name}（{e.number}）"),
    "reporter_id": _named(Employee, lambda e: f"{e.name}（{e.number}）"),
    "rule_id": _named(Rule, lambda r: f"{r.code} {r.name}"),
    "goods_id": _named(Goods, lambda g: g.name),
    "place_id": _named(Place, lambda p: p.path),
    "hazard_id": _named(Hazard, lambda h: h.number),
    "redemption_id": _named(Redemption, lambda r: r.number),
    "claim_id": _named(Claim, lambda c: f"{_l('Claim')} #{c.id} {c.rule.name}"),
    "reward_claim_id": _named(Claim, lambda c: f"{_l('Claim')} #{c.id} {c.rule.name}"),
}
REFERENCES["duplicate_of_id"] = REFERENCES["hazard_id"]
PARENTS = {"place": REFERENCES["place_id"], "department": REFERENCES["department_id"]}
# What a reference's or a photo's owner's kind ("claim", "hazard-after") is, in words.
KINDS_OF_ROW = {
    "claim": _l("Claim"),
    "redemption": _l("Redemption"),
    "hazard": _l("Hazard"),
    "hazard-after": _l("Photo after"),
    "goods": _l("Goods"),
    "year": _l("Year-end close"),
}
# Columns kept as plain text that hold one of a list's values, by table.
VALUE_LISTS: dict[tuple[str, str], type[LabelledEnum]] = {("place", "risk"): Risk}


def _roles(value: str) -> str:
    return "、".join(Role(r).label if r in Role.__members__ else r for r in value.split(",") if r)


def shown(entity: str, field: str, value: object) -> object:
    """A value the audit log kept, as a person reads it: who by name, a step's or a state's label, a row by its
    name or number, yes or no, a time at the plant."""
    if field in ACTOR_FIELDS and isinstance(value, str):
        return l10n.who(value)
    if field == "owner" and entity == "hazard" and isinstance(value, str):
        return l10n.who(value if ":" in value else f"staff:{value}")  # before 0013 a bare staff user name
    if isinstance(value, bool):
        return _l("yes") if value else _l("no")
    if entity == "staff_user" and field in ("roles", "roles_text") and isinstance(value, str):
        return _roles(value)
    if field in ("ref_type", "owner_type") and isinstance(value, str) and value in KINDS_OF_ROW:
        return KINDS_OF_ROW[value]
    if field == "origin" and isinstance(value, str) and value.startswith("hazard:") and value[7:].isdigit():
        return REFERENCES["hazard_id"](int(value[7:])) or value  # a verified hazard report's reward claim
    lookup = PARENTS.get(entity) if field == "parent_id" else REFERENCES.get(field)
    if lookup is not None:
        return lookup(value) or value
    enum_class = _ENUMS.get((entity, field)) or VALUE_LISTS.get((entity, field))
    if enum_class is not None and isinstance(value, str) and value in enum_class.__members__:
        return enum_class(value).label
    return l10n.logged(value)


_ENUMS = _enum_columns()
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
        fields=FIELDS,
        actions=ACTIONS,
        hidden=audit.HIDDEN,
        shown=shown,
    )
