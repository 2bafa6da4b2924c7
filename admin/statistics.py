"""Statistics for the authorities in the back office: a month or a quarter on screen, with charts of the
year, and as Excel (the fields of seed 001's quarterly form 2 and seed 004's monthly statistics)."""

from __future__ import annotations

import datetime as dt
import io

from flask import render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app import xlsx
from app.extensions import db
from models import clock, statistics
from models.hazards import HazardCategory, HazardGrade

from . import READERS, bp, charts, role_required


def _choices(today: dt.date) -> list[str]:
    """The periods offered: the last 12 months and the last 8 quarters."""
    months, day = [], today.replace(day=1)
    for _n in range(12):
        months.append(f"{day:%Y-%m}")
        day = (day - dt.timedelta(days=1)).replace(day=1)
    quarters, year, quarter = [], today.year, (today.month - 1) // 3 + 1
    for _n in range(8):
        quarters.append(f"{year}-Q{quarter}")
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return months + quarters


def rows(found: statistics.Figures) -> list[tuple[str, object, str]]:
    """The report as (item, value, note) rows: the same on screen and in Excel."""
    rate, used = found.rectification_rate, found.budget_used
    lines: list[tuple[str, object, str]] = [
        (_("Hazards reported internally"), found.reported, _("reports from employees (posters, phones)")),
    ]
    lines += [(f"  {c.label}", found.by_category.get(c.value, 0), "") for c in HazardCategory]
    lines += [
        (_("Verified as hazards"), found.verified, ""),
        *[(f"  {g.label}", found.by_grade.get(g.value, 0), "") for g in HazardGrade],
        (_("Not taken up"), found.not_taken_up, _("duplicates, already known, not a hazard")),
        (_("Rectified"), found.rectified, _("of the verified hazards, by the end of the period")),
        (_("Rectification rate (%)"), "—" if rate is None else rate, _("rectified / verified")),
        (_("Overdue"), found.overdue, _("past the deadline and not rectified")),
        (
            _("Persons rewarded (person-times)"),
            found.rewarded_times,
            _("%(n)s different people", n=found.rewarded_people),
        ),
        (_("Points credited"), found.credited, _("%(yuan)s yuan", yuan=found.yuan(found.credited))),
        (_("Points deducted"), found.deducted, ""),
        (_("Redemptions"), found.redemptions, ""),
        (_("Points redeemed"), found.redeemed, _("%(yuan)s yuan", yuan=found.yuan(found.redeemed))),
        (
            _("Spent this year against the budget"),
            found.yuan(found.redeemed_year),
            _("budget %(budget)s yuan, %(used)s%% used", budget=found.budget_yuan, used=used)
            if used is not None
            else _("no budget set"),
        ),
        (
            _("Points outstanding (liability)"),
            found.outstanding,
            _("%(yuan)s yuan", yuan=found.yuan(found.outstanding)),
        ),
    ]
    return lines


def _asked() -> tuple[statistics.Figures, statistics.MonthSeries]:
    """The figures of the period asked for (``?period=``), and its year month by month."""
    period = statistics.parse_period(request.args.get("period"))
    return statistics.figures(db.session, period), statistics.monthly_series(db.session, period.start.year)


@bp.get("/statistics")
@role_required(*READERS)
def statistics_page() -> str:
    found, series = _asked()
    return render_template(
        "admin/statistics.html",
        found=found,
        rows=rows(found),
        choices=_choices(clock.today()),
        **charts.year_charts(series),
    )


@bp.get("/statistics.xlsx")
@role_required(*READERS)
def statistics_export() -> Response:
    found, series = _asked()
    period = found.period
    out = io.BytesIO()
    with xlsx.Workbook(out) as book:
        report = book.sheet(
            _("Report"), [_("Safety points statistics %(period)s", period=period.label)], "sas", {0: 34, 2: 40}
        )
        report.write_rows([[_("Item"), _("Value"), _("Note")], *rows(found)])
        months = book.sheet(
            _("By month"),
            [_("Month"), _("Points credited"), _("Points redeemed"), *[c.label for c in HazardCategory]],
            "s" + "n" * (2 + len(HazardCategory)),
        )
        months.write_rows(
            [month, series.credited[n], series.redeemed[n], *[series.hazards[c.value][n] for c in HazardCategory]]
            for n, month in enumerate(series.months)
        )
    response = Response(out.getvalue(), mimetype=xlsx.MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="statistics-{period.label}.xlsx"'
    return response
