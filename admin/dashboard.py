"""The back-office home: today's work at a glance."""

from __future__ import annotations

from flask import render_template

from app.extensions import db
from models import reports

from . import READERS, bp, role_required


@bp.get("/")
@role_required(*READERS)
def dashboard() -> str:
    return render_template("admin/dashboard.html", work=reports.todays_work(db.session))
