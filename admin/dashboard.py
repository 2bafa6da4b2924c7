"""The back-office home: today's work at a glance, and the year in charts."""

from __future__ import annotations

from flask import render_template

from app.extensions import db
from models import claims, clock, reports, statistics

from . import READERS, bp, charts, role_required


@bp.get("/")
@role_required(*READERS)
def dashboard() -> str:
    series = statistics.monthly_series(db.session, clock.today().year)
    return render_template(
        "admin/dashboard.html",
        work=reports.todays_work(db.session),
        next_claims=claims.review_queue(db.session, limit=5),
        year=clock.today().year,
        **charts.year_charts(series),
    )
