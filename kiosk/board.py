"""The notice board (公示栏) at /board: public, for a wall screen and the kiosk's idle screen."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.extensions import db
from models import claims, reports
from models.base import local_today
from models.ledger import EntryKind

bp = Blueprint("board", __name__, url_prefix="/board", template_folder="templates")


@bp.get("")
def index() -> str:
    today = local_today()
    return render_template(
        "board/index.html",
        month=reports.ranking(db.session, today.replace(day=1)),
        year=reports.ranking(db.session, today.replace(month=1, day=1)),
        departments=reports.department_ranking(db.session, today.replace(month=1, day=1)),
        notice=claims.in_notice(db.session),
        recent=reports.recent_entries(db.session, (EntryKind.award, EntryKind.deduction)),
        frauds=claims.fraud_cases(db.session, 10),
    )


@bp.get("/panel")
def panel() -> str:
    """The board in short, for the kiosk's idle screen (an htmx fragment that refreshes itself)."""
    today = local_today()
    return render_template(
        "board/_panel.html",
        month=reports.ranking(db.session, today.replace(day=1), limit=8),
        notice=claims.in_notice(db.session, limit=8),
        recent=reports.recent_entries(db.session, (EntryKind.award,), limit=8),
    )
